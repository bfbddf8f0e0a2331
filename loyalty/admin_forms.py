"""Forms for the loyalty program's staff side in Wagtail admin."""

from __future__ import annotations

import re
import uuid

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Account
from .rules import rule_save

# Big enough for any goodwill gesture, far from the integer columns' limits.
MAX_ADJUSTMENT = 1_000_000


class EarningRuleForm(WagtailAdminModelForm):
    """The earning rule's edit form: saving goes through ``rules.rule_save``, which bumps
    the rule's version when what it pays changes."""

    def clean_currency(self):
        currency = (self.cleaned_data.get("currency") or "").strip().upper()
        if currency and not re.fullmatch(r"[A-Z]{3}", currency):
            raise forms.ValidationError(_("Enter a three-letter currency code, e.g. EUR."))
        return currency

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
