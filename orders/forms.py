from django import forms
from django.utils.translation import gettext_lazy as _

from .services import lookup_number


class TrackOrderForm(forms.Form):
    """A guest's order lookup: the number as printed on the receipt and the order's email."""

    order_number = forms.CharField(
        label=_("Order number"),
        max_length=50,
        help_text=_("As it appears in your order confirmation email, for example #1001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The address you used at checkout."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_order_number(self) -> str:
        number = self.cleaned_data["order_number"].strip()
        if not lookup_number(number):
            raise forms.ValidationError(
                _("Enter the order number from your order confirmation, for example #1001."),
                code="invalid",
            )
        return number

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    @property
    def lookup_key(self) -> str:
        """The normalised number ("#1001" → "1001"), once the form is valid."""
        return lookup_number(self.cleaned_data["order_number"])
