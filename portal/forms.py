from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import User


class PreferencesForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language for emails"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "language"]


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form with a honeypot that assistive technology can explain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        honeypot = self.fields.get(settings.ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD)
        if honeypot is not None:
            honeypot.label = _("Leave this field empty")
            honeypot.widget.attrs = {"class": "honeypot", "tabindex": "-1", "autocomplete": "off"}
