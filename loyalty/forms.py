"""What a member's rewards page posts."""

import calendar

from django import forms
from django.forms.utils import flatatt
from django.utils.dates import MONTHS
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# Every day a month can have: 29 February is a birthday too (see services.birthdays).
LEAP_YEAR = 2000


class RedeemForm(forms.Form):
    """Redeem one reward. ``request_key`` is the form's own key, made when the page
    rendered: pressing the button twice sends it twice and redeems once."""

    reward = forms.IntegerField(min_value=1)
    request_key = forms.UUIDField()


class PlainSelect(forms.Select):
    """A ``<select>`` written in Python: Django renders each option through a template,
    which for the 44 options of the birthday form cost the rewards page more than all of
    its queries. Same markup and attributes (id, required, aria-*), one choice selected."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option, " selected" if str(option) in chosen else "", label)
                for option, label in self.choices
            ),
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attributes, options)


class BirthdayForm(forms.Form):
    """A member's birthday: month and day. The year is not asked: a birthday bonus does
    not need it, and a member shares less."""

    month = forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        choices=[("", _("Month")), *MONTHS.items()],
        widget=PlainSelect,
        error_messages={"required": _("Choose the month of your birthday.")},
    )
    day = forms.TypedChoiceField(
        label=_("Day"),
        coerce=int,
        choices=[("", _("Day")), *((day, str(day)) for day in range(1, 32))],
        widget=PlainSelect,
        error_messages={"required": _("Choose the day of your birthday.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "birthday-%s")
        super().__init__(*args, **kwargs)
        self.fields["month"].widget.attrs["autocomplete"] = "bday-month"
        self.fields["day"].widget.attrs["autocomplete"] = "bday-day"

    def clean(self):
        cleaned = super().clean()
        month, day = cleaned.get("month"), cleaned.get("day")
        if month and day:
            days = calendar.monthrange(LEAP_YEAR, month)[1]
            if day > days:
                self.add_error(
                    "day",
                    ngettext(
                        "%(month)s has only %(days)s day. Please check the day.",
                        "%(month)s has only %(days)s days. Please check the day.",
                        days,
                    )
                    % {"month": MONTHS[month], "days": days},
                )
        return cleaned
