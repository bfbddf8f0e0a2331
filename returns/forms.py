"""The customer's forms: the guest's lookup and code, the items to return, the review.

Field names follow the engine's error keys (``policy.Quote.errors``): ``line-<id>-quantity``
(the engine's ``line-<id>``), ``line-<id>-reason``, ``line-<id>-photos``,
``line-<id>-comment``, ``resolution``, ``method``, ``exchange_for``; so an error from
``ReturnNotAllowed.errors`` lands next to its field. Only eligible lines get fields: a
posted id of any other line is simply not read.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from orders.forms import TrackOrderForm

from .exceptions import PhotoInvalid
from .guest import CODE_DIGITS, normalise
from .models import Method, Resolution
from .uploads import MAX_PHOTOS_PER_LINE, photo_clean

COMMENT_MAX = 2000
# Up to this many units a line offers a list to choose from; beyond, a number field.
QUANTITY_CHOICES_MAX = 10


class LookupForm(TrackOrderForm):
    """A guest's order: number and email, checked together (``orders.selectors``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _(
            "The address you used at checkout. We will email you a code to confirm it is yours."
        )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the email"),
        max_length=20,
        help_text=_("6 digits."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = normalise(self.cleaned_data["code"])
        if len(code) != CODE_DIGITS:
            raise forms.ValidationError(_("Enter the 6-digit code from the email."), code="invalid")
        return code


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files under one name. Each is checked by ``uploads.photo_clean`` in the
    form's ``clean`` (only for the lines being returned)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultiplePhotoInput(attrs={"accept": "image/*", "multiple": True})
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [f for f in files if f]


def line_prefix(line_id: int) -> str:
    return f"line-{line_id}"


class ItemsForm(forms.Form):
    """What to return from one order: per eligible line, how many, why, photos, a comment.

    ``photos`` (line id → ``CleanPhoto`` list) holds the cleaned photos once valid;
    ``kept`` (line id → count) are photos already attached in an earlier step, used for
    a line to which no new file is given.
    """

    error_anchor = "items"

    def __init__(self, *args, eligible, policy, kept: dict[int, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.eligible = [e for e in eligible if e.eligible]
        self.policy = policy
        self.kept = kept or {}
        self.photos: dict[int, list] = {}
        reasons = [("", _("Choose a reason")), *((r.code, r.display) for r in policy.reasons)]
        for check in self.eligible:
            prefix = line_prefix(check.line.id)
            if check.returnable <= QUANTITY_CHOICES_MAX:
                choices = [(0, _("None")), *((n, str(n)) for n in range(1, check.returnable + 1))]
                quantity = forms.TypedChoiceField(
                    choices=choices, coerce=int, empty_value=0, required=False
                )
            else:
                quantity = forms.IntegerField(
                    min_value=0,
                    max_value=check.returnable,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )
            quantity.label = _("How many to return")
            quantity.error_messages.update(
                {
                    "invalid_choice": _("Choose how many to return, up to %(count)s.")
                    % {"count": check.returnable},
                    "invalid": _("Enter a whole number."),
                    "max_value": _("At most %(count)s can be returned.")
                    % {"count": check.returnable},
                    "min_value": _("Enter 0 or more."),
                }
            )
            self.fields[f"{prefix}-quantity"] = quantity
            self.fields[f"{prefix}-reason"] = forms.ChoiceField(
                label=_("Reason"),
                choices=reasons,
                required=False,
                error_messages={"invalid_choice": _("Choose one of the reasons listed.")},
            )
            self.fields[f"{prefix}-photos"] = PhotosField(
                label=_("Photos"),
                required=False,
                help_text=_("Up to %(count)s photos (JPEG, PNG or WebP), %(size)s each at most.")
                % {
                    "count": MAX_PHOTOS_PER_LINE,
                    "size": filesizeformat(
                        getattr(settings, "RETURNS_PHOTO_MAX_BYTES", 8 * 1024 * 1024)
                    ),
                },
            )
            self.fields[f"{prefix}-comment"] = forms.CharField(
                label=_("Tell us more"),
                required=False,
                max_length=COMMENT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def line_fields(self):
        """Per eligible line: its eligibility, the four bound fields, photos already kept."""
        for check in self.eligible:
            prefix = line_prefix(check.line.id)
            yield {
                "check": check,
                "quantity": self[f"{prefix}-quantity"],
                "reason": self[f"{prefix}-reason"],
                "photos": self[f"{prefix}-photos"],
                "comment": self[f"{prefix}-comment"],
                "kept": self.kept.get(check.line.id, 0),
            }

    def clean(self):
        data = super().clean()
        picked = 0
        for check in self.eligible:
            prefix = line_prefix(check.line.id)
            quantity = data.get(f"{prefix}-quantity") or 0
            if not quantity:
                continue
            picked += 1
            if not data.get(f"{prefix}-reason") and f"{prefix}-reason" not in self.errors:
                self.add_error(f"{prefix}-reason", _("Choose a reason."))
            self._clean_photos(check.line.id, data.get(f"{prefix}-photos") or [])
        if not picked and not any(k.endswith("-quantity") for k in self.errors):
            self.add_error(None, _("Choose at least one item to return."))
        return data

    def _clean_photos(self, line_id: int, files: list) -> None:
        field = f"{line_prefix(line_id)}-photos"
        if not files:
            return  # none new: the view keeps any attached in an earlier step
        if len(files) > MAX_PHOTOS_PER_LINE:
            self.add_error(
                field,
                _("Choose at most %(count)s photos for one item.") % {"count": MAX_PHOTOS_PER_LINE},
            )
            return
        cleaned = []
        for upload in files:
            try:
                cleaned.append(photo_clean(upload))
            except PhotoInvalid as exc:
                name = (getattr(upload, "name", "") or "")[:80] or _("A file")
                self.add_error(field, f"{name}: {exc.message}")
                return
        self.photos[line_id] = cleaned

    def picks(self) -> list[dict]:
        """The lines being returned, once valid: line id, quantity, reason, comment."""
        result = []
        for check in self.eligible:
            prefix = line_prefix(check.line.id)
            quantity = self.cleaned_data.get(f"{prefix}-quantity") or 0
            if quantity:
                result.append(
                    {
                        "line_id": check.line.id,
                        "quantity": quantity,
                        "reason": self.cleaned_data.get(f"{prefix}-reason") or "",
                        "comment": (self.cleaned_data.get(f"{prefix}-comment") or "").strip(),
                    }
                )
        return result

    def add_engine_errors(self, errors: dict[str, str]) -> None:
        """Put the engine's errors (``Quote.errors``) next to their fields; those about
        the resolution or method belong to the next step and are left out."""
        for key, message in errors.items():
            if key in ("resolution", "method", "exchange_for"):
                continue
            name = f"{key}-quantity" if key.count("-") == 1 and key.startswith("line-") else key
            if name in self.fields:
                if name not in self.errors:
                    self.add_error(name, message)
            else:
                self.add_error(None, message)


class ReviewForm(forms.Form):
    """How the return is resolved and sent, and the key that makes a double submit one."""

    draft = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # The quote the page showed (``views.create.quote_digest``): a submit is for it only.
    quoted = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    resolution = forms.ChoiceField(
        label=_("How would you like it resolved?"), widget=forms.RadioSelect
    )
    method = forms.ChoiceField(label=_("How will you send it back?"), widget=forms.RadioSelect)
    exchange_for = forms.CharField(
        label=_("What would you like instead?"),
        help_text=_("For an exchange: the size or colour, for example “Sand / M”."),
        required=False,
        max_length=255,
    )
    comment = forms.CharField(
        label=_("Anything else we should know? (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, resolutions, methods, bonus_percent=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for value in resolutions:
            label = Resolution(value).label
            if value == Resolution.CREDIT and bonus_percent:
                label = _("%(label)s (+%(percent)s%% bonus)") % {
                    "label": label,
                    "percent": f"{bonus_percent.normalize():f}",
                }
            choices.append((value, label))
        self.fields["resolution"].choices = choices
        self.fields["method"].choices = [(value, Method(value).label) for value in methods]
        for name in ("resolution", "method"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "Choose one of the options offered."
            )
            self.fields[name].error_messages["required"] = _("Choose one of the options.")

    def clean_exchange_for(self) -> str:
        return self.cleaned_data["exchange_for"].strip()

    def clean(self):
        data = super().clean()
        if data.get("resolution") == Resolution.EXCHANGE and not data.get("exchange_for"):
            self.add_error("exchange_for", _("Say which size or colour you would like instead."))
        return data
