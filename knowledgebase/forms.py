"""The help center's customer forms: an article vote and the contact form."""

from __future__ import annotations

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .feedback import COMMENT_MAX_LENGTH

HONEYPOT_FIELD = "website"


class VoteForm(forms.Form):
    helpful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))])
    comment = forms.CharField(
        label=_("What were you looking for?"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @property
    def is_helpful(self) -> bool:
        return self.cleaned_data["helpful"] == "yes"


class OrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number} · {formats.date_format(obj.placed_at, 'DATE_FORMAT')}"


class ContactForm(forms.Form):
    """Subject, message, email (a signed-in customer's own, not shown) and an optional
    order: a signed-in customer chooses one of their own orders, a guest may type a number.

    ``website`` is a honeypot: hidden from people, filled in by bots.
    """

    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        help_text=_("A few words about your question. We suggest articles as you type."),
    )
    message = forms.CharField(
        label=_("Message"), max_length=4800, widget=forms.Textarea(attrs={"rows": 6})
    )
    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        help_text=_("We reply to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    order = OrderChoiceField(
        label=_("Order (optional)"),
        queryset=None,
        required=False,
        empty_label=_("No particular order"),
    )
    order_number = forms.CharField(
        label=_("Order number (optional)"),
        max_length=50,
        required=False,
        help_text=_("If your question is about an order, its number from the confirmation email."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "tabindex": "-1", "class": "honeypot"}
        ),
    )

    def __init__(self, *args, user=None, orders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        if self.user is not None:
            # The signed-in customer's address is theirs: not asked, not changeable here.
            del self.fields["email"]
            del self.fields["order_number"]
            if orders is not None:
                self.fields["order"].queryset = orders
            else:
                del self.fields["order"]
        else:
            del self.fields["order"]

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get(HONEYPOT_FIELD))

    def customer_email(self) -> str:
        return self.user.email if self.user is not None else self.cleaned_data["email"]
