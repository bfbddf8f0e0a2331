"""The customer's rewards page: how the program works for everyone, a join button for a
signed-in customer, balances, open lots and the history of points for a member.

The member's account is always the signed-in user's own (``selectors.account_for_user``);
nothing in the URL names an account, so no one can ask for another member's points.
"""

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import selectors, services


@never_cache
def rewards(request: HttpRequest) -> HttpResponse:
    program = selectors.program_for_request(request)
    account = selectors.account_for_user(user=request.user)
    is_member = account is not None and account.user_id is not None and account.is_member
    context = {
        "program": program,
        "rules": selectors.earning_rules(),
        "account": account,
        "is_member": is_member,
        "rewards_path": reverse("loyalty:rewards"),
    }
    if is_member:
        context["balances"] = selectors.balances(account=account, program=program)
        context["page_obj"] = selectors.history_page(account=account, page=request.GET.get("page"))
    elif account is not None:
        # Points that wait against the user's verified email, theirs once they join.
        context["waiting"] = account.pending + account.available
    return render(request, "loyalty/rewards.html", context)


@require_POST
def join(request: HttpRequest) -> HttpResponse:
    """Make the signed-in user a member. Idempotent: a second press says so and changes
    nothing."""
    if not request.user.is_authenticated:
        # Back to the page after signing in, not to this POST-only address.
        return redirect_to_login(reverse("loyalty:rewards"))
    program = selectors.program_for_request(request)
    if not program.enabled:
        messages.error(request, _("The rewards program is closed to new members for now."))
        return redirect("loyalty:rewards")
    # member_join claims the points waiting against the login email: only a verified
    # address may do that (mandatory verification makes this the usual case).
    if not EmailAddress.objects.filter(
        user=request.user, email__iexact=request.user.email, verified=True
    ).exists():
        messages.error(request, _("Please verify your email address before you join."))
        return redirect("loyalty:rewards")
    account = getattr(request.user, "loyalty_account", None)
    if account is not None and account.is_member:
        messages.info(request, _("You are already a member."))
        return redirect("loyalty:rewards")
    services.member_join(user=request.user)
    messages.success(
        request,
        _("Welcome to %(program)s! You are now a member.") % {"program": program.program_name},
    )
    return redirect("loyalty:rewards")
