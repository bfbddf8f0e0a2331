"""Forms for the loyalty program's staff side in Wagtail admin."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Account, Campaign, Redemption, Reward, Tier
from .rules import rule_save

# Big enough for any goodwill gesture, far from the integer columns' limits.
MAX_ADJUSTMENT = 1_000_000
CURRENCY_RE = re.compile(r"[A-Z]{3}")


def _currency(value) -> str:
    currency = (value or "").strip().upper()
    if currency and not CURRENCY_RE.fullmatch(currency):
        raise forms.ValidationError(_("Enter a three-letter currency code, e.g. EUR."))
    return currency


class EarningRuleForm(WagtailAdminModelForm):
    """The earning rule's edit form: saving goes through ``rules.rule_save``, which bumps
    the rule's version when what it pays changes."""

    def clean_currency(self):
        return _currency(self.cleaned_data.get("currency"))

    def clean_per_amount(self):
        per_amount = self.cleaned_data.get("per_amount")
        if per_amount is not None and per_amount <= 0:
            raise forms.ValidationError(_("Enter an amount greater than zero."))
        return per_amount

    def save(self, commit=True):
        rule = super().save(commit=False)
        if commit:
            rule_save(rule=rule)
            self.save_m2m()
        return rule


class RewardForm(WagtailAdminModelForm):
    """A reward as marketers edit it. ``clean`` asks for what the reward's kind needs, so
    the model's check constraints are never what refuses a save (that would be a 500)."""

    # What each kind gives, and so the fields it keeps; the others are emptied on save so
    # a reward switched from one kind to another carries nothing stale.
    KIND_FIELDS = {
        Reward.Kind.AMOUNT_OFF: ("amount",),
        Reward.Kind.PERCENT_OFF: ("percent",),
        Reward.Kind.FREE_SHIPPING: (),
        Reward.Kind.FREE_PRODUCT: ("product_sku",),
    }
    EMPTY = {"amount": None, "percent": None, "product_sku": ""}

    def clean_currency(self):
        return _currency(self.cleaned_data.get("currency"))

    def clean_product_sku(self):
        return (self.cleaned_data.get("product_sku") or "").strip()

    def clean_points_cost(self):
        points = self.cleaned_data.get("points_cost")
        if points is not None and points <= 0:
            raise forms.ValidationError(_("Enter a number of points greater than zero."))
        return points

    def clean_minimum_order(self):
        minimum = self.cleaned_data.get("minimum_order")
        if minimum is not None and minimum <= 0:
            raise forms.ValidationError(_("Enter an amount greater than zero, or leave it empty."))
        return minimum

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Reward.Kind.AMOUNT_OFF:
            amount = data.get("amount")
            if "amount" not in self.errors and (amount is None or amount <= 0):
                self.add_error("amount", _("Enter the amount off, greater than zero."))
            if "currency" not in self.errors and not data.get("currency"):
                self.add_error("currency", _("Enter the currency of the amount off, e.g. GBP."))
        elif kind == Reward.Kind.PERCENT_OFF:
            percent = data.get("percent")
            if "percent" not in self.errors and (percent is None or not 1 <= percent <= 100):
                self.add_error("percent", _("Enter a percentage from 1 to 100."))
        elif (
            kind == Reward.Kind.FREE_PRODUCT
            and "product_sku" not in self.errors
            and not data.get("product_sku")
        ):
            self.add_error("product_sku", _("Enter the SKU of the free product."))
        if (
            data.get("minimum_order") is not None
            and "currency" not in self.errors
            and not data.get("currency")
        ):
            self.add_error("currency", _("Enter the currency of the minimum order, e.g. GBP."))
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The end must be after the start."))
        if kind in self.KIND_FIELDS:
            for name, empty in self.EMPTY.items():
                if name not in self.KIND_FIELDS[kind] and name not in self.errors:
                    data[name] = empty
        return data


class RedemptionVoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Kept with the code and in the member's ledger."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the code is voided."))
        return reason


class RedemptionFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Redemption.Status.choices,
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )
    reward = django_filters.ModelChoiceFilter(
        label=_("Reward"), queryset=Reward.objects.all(), empty_label=_("All")
    )

    class Meta:
        model = Redemption
        fields = ["status", "reward"]


class PointsAdjustForm(forms.Form):
    """A staff adjustment. ``key`` is new each time the form is shown, so submitting the
    same form twice (a double click, a reload) adjusts once."""

    points = forms.IntegerField(
        label=_("Points"),
        min_value=-MAX_ADJUSTMENT,
        max_value=MAX_ADJUSTMENT,
        help_text=_("Positive to add, negative to remove available points."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Kept in the ledger with your name."),
    )
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError(_("Enter a number of points other than zero."))
        return points

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the points change."))
        return reason


class AccountFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("member", _("Members")), ("guest", _("Not joined"))],
        empty_label=_("All"),
        widget=forms.RadioSelect,
        method="filter_status",
    )

    class Meta:
        model = Account
        fields = ["status"]

    def filter_status(self, queryset, name, value):
        if value == "member":
            return queryset.filter(joined_at__isnull=False)
        if value == "guest":
            return queryset.filter(joined_at__isnull=True)
        return queryset


# --- Tiers and campaigns ------------------------------------------------------------


class CommaSeparatedListField(forms.CharField):
    """A list of words typed as "Mugs, Plates": cleaned into ``["Mugs", "Plates"]``
    (stripped, empty items and repeats dropped), shown again as comma-separated text."""

    def __init__(self, *, item_max_length: int = 100, **kwargs):
        self.item_max_length = item_max_length
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        items = []
        for item in text.split(","):
            item = item.strip()
            if item and item not in items:
                items.append(item)
        return items

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        too_long = [item for item in value if len(item) > self.item_max_length]
        if too_long:
            raise forms.ValidationError(
                _("Keep each item under %(limit)s characters: “%(item)s” is longer.")
                % {"limit": self.item_max_length + 1, "item": too_long[0][:40]}
            )

    def has_changed(self, initial, data):
        return (initial or []) != self.to_python(data)


class TierForm(WagtailAdminModelForm):
    """A tier as marketers edit it: a taken threshold or a multiplier below 1 is a field
    error here, never the database's constraint refusing the save (a 500)."""

    def clean_name(self):
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise forms.ValidationError(_("Give the tier a name."))
        return name

    def clean_threshold(self):
        threshold = self.cleaned_data.get("threshold")
        if threshold is None:
            return threshold
        if threshold < 0:
            raise forms.ValidationError(_("Enter a threshold of zero or more."))
        taken = Tier.objects.filter(threshold=threshold).exclude(pk=self.instance.pk).first()
        if taken is not None:
            raise forms.ValidationError(
                _("The tier “%(name)s” already starts at this threshold; each tier needs its own.")
                % {"name": taken.name}
            )
        return threshold

    def clean_multiplier(self):
        multiplier = self.cleaned_data.get("multiplier")
        if multiplier is not None and multiplier < 1:
            raise forms.ValidationError(
                _("Enter a multiplier of 1 or more (1 keeps the usual points).")
            )
        return multiplier

    def validate_unique(self):
        # clean_threshold said it in words; a second, generic message would only repeat it.
        if "threshold" not in self.errors:
            super().validate_unique()


class CampaignForm(WagtailAdminModelForm):
    """A campaign as marketers edit it. Product types and tags are comma-separated text,
    tiers are checkboxes; ``clean`` asks for what the campaign's kind needs and resets what
    it does not use, so the model's check constraints never refuse a save."""

    product_types = CommaSeparatedListField(
        label=_("Only product types"),
        help_text=_("Separate with commas, e.g. “Mugs, Plates”. Empty: every product."),
    )
    tags = CommaSeparatedListField(
        label=_("Only products tagged"),
        help_text=_("Separate with commas; a product with any of them counts. Empty: any tag."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:
            # Shown as radio buttons: the empty choice would be a third, meaningless one.
            self.fields["kind"].choices = Campaign.Kind.choices
        if "multiplier" in self.fields:
            self.fields["multiplier"].help_text = _("When multiplying: 2 doubles the points.")
        if "bonus_points" in self.fields:
            self.fields["bonus_points"].help_text = _("When a bonus: added once to each order.")

    def clean_name(self):
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise forms.ValidationError(_("Give the campaign a name."))
        return name

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Campaign.Kind.MULTIPLIER:
            multiplier = data.get("multiplier")
            if "multiplier" not in self.errors and (multiplier is None or multiplier <= 1):
                self.add_error("multiplier", _("Enter a multiplier greater than 1, e.g. 2."))
            # A multiplier campaign gives no bonus; a stale one would only confuse.
            self.errors.pop("bonus_points", None)
            data["bonus_points"] = 0
        elif kind == Campaign.Kind.BONUS:
            bonus = data.get("bonus_points")
            if "bonus_points" not in self.errors and not bonus:
                self.add_error("bonus_points", _("Enter the bonus points, more than zero."))
            self.errors.pop("multiplier", None)
            data["multiplier"] = Decimal("1")
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


class CampaignPreviewForm(forms.Form):
    """The preview's period: the last N days of paid orders."""

    days = forms.IntegerField(
        label=_("Orders of the last N days"),
        min_value=1,
        max_value=365,
        initial=30,
    )
