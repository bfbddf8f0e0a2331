"""What a member's rewards page posts."""

from django import forms


class RedeemForm(forms.Form):
    """Redeem one reward. ``request_key`` is the form's own key, made when the page
    rendered: pressing the button twice sends it twice and redeems once."""

    reward = forms.IntegerField(min_value=1)
    request_key = forms.UUIDField()
