"""The friend's side of a referral: the page a member's link opens (``/r/<code>/``).

The friend enters their email and gets their single-use code on the page (and by email).
After a successful claim the page redirects to itself (a reload never claims twice) and
shows the code from the session: only the browser that claimed sees it. Every refusal is
a message on the page; a link that is not valid (or referrals being off) is a 404 page
that says so.
"""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from orders.views import client_ip

from . import selectors, services
from .models import Redemption, Referral
from .referral_emails import referrer_first_name

SESSION_KEY = "loyalty_referral"


class ReferralClaimForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


@never_cache
def referral_landing(request: HttpRequest, code: str) -> HttpResponse:
    program = selectors.program_for_request(request)
    reward = services.referral_offer(program)
    referrer = services.referrer_for_code(code)
    if reward is None or referrer is None:
        return render(request, "loyalty/referral.html", {"invalid": True}, status=404)
    own = request.user.is_authenticated and referrer.user_id == request.user.pk
    context = {
        "program": program,
        "reward": reward,
        "gives": render_to_string("loyalty/reward_gives.html", {"reward": reward}).strip(),
        "referrer_name": referrer_first_name(referrer),
        "own": own,
        "code": code,
    }
    claimed = _claimed(request, code)
    if claimed is not None:
        context["referral"] = claimed
        return render(request, "loyalty/referral.html", context)
    status = 200
    if request.method == "POST" and not own:
        form = ReferralClaimForm(request.POST)
        if form.is_valid():
            try:
                referral = services.referral_claim(
                    code=code,
                    email=form.cleaned_data["email"],
                    client_address=client_ip(request),
                    language=get_language() or "",
                )
            except services.ReferralRefused as refusal:
                form.add_error("email", str(refusal))
            else:
                request.session[SESSION_KEY] = {"code": code.upper(), "referral": referral.pk}
                return redirect("loyalty:referral", code=code)
        status = 400
    else:
        initial = {"email": request.user.email} if request.user.is_authenticated else {}
        form = ReferralClaimForm(initial=initial)
    context["form"] = form
    return render(request, "loyalty/referral.html", context, status=status)


def _claimed(request: HttpRequest, code: str) -> Referral | None:
    """The referral this browser claimed through this link, if any."""
    shown = request.session.get(SESSION_KEY) or {}
    if shown.get("code") != code.upper():
        return None
    referral = (
        Referral.objects.select_related("redemption__reward")
        .filter(pk=shown.get("referral"))
        .first()
    )
    if referral is None:
        return None
    referral.code_ready = referral.redemption is not None and referral.redemption.status in (
        Redemption.Status.ISSUED,
        Redemption.Status.USED,
    )
    return referral


def referral_block(*, account, program) -> dict | None:
    """What the member's rewards page shows about referrals: their link (made the first
    time), what a friend gets, what they earn, and how their referrals stand."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    reward = services.referral_offer(program)
    if reward is None:
        return None
    code = services.referral_code_for(account=account).code
    # The link has no language prefix: the friend's browser picks their language.
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("loyalty:referral", kwargs={"code": code})
    return {
        "url": settings.SITE_URL + path,
        "reward": reward,
        "gives": render_to_string("loyalty/reward_gives.html", {"reward": reward}).strip(),
        "points": program.referral_points,
        "summary": services.referral_summary(account=account),
    }
