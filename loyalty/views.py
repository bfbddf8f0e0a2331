"""The customer's rewards page: how the program works for everyone, a join button for a
signed-in customer; for a member, balances, tier, the rewards they can redeem, their codes,
open lots and the history of points.

The member's account is always the signed-in user's own (``selectors.account_for_user``);
nothing in the URL names an account, so no one can ask for another member's points.
"""

import functools

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import selectors, services
from .exceptions import (
    BirthdayAlreadyGiven,
    InsufficientPoints,
    InvalidBirthday,
    NotAMember,
    RewardUnavailable,
)
from .forms import BirthdayForm, RedeemForm
from .models import Redemption, Reward
from .referral_views import referral_block
from .services.birthdays import NOTICE_DAYS


@never_cache
def rewards(request: HttpRequest, birthday_form: BirthdayForm | None = None) -> HttpResponse:
    program = selectors.program_for_request(request)
    account = selectors.account_for_user(user=request.user)
    is_member = account is not None and account.user_id is not None and account.is_member
    rules = selectors.earning_rules()
    context = {
        "program": program,
        "rules": rules,
        "account": account,
        "is_member": is_member,
        "rewards_path": reverse("loyalty:rewards"),
    }
    if is_member:
        page_asked = request.GET.get("page") or ""
        panels = _ledger_panels(account, program, page_asked)
        context["balances"] = SimpleLazyObject(lambda: panels()["balances"])
        context["page_obj"] = SimpleLazyObject(lambda: panels()["page"])
        context["tier_status"] = SimpleLazyObject(lambda: panels()["tier"])
        # The template keeps the panels drawn from these in the cache under this key: the
        # account's ledger version changes with every entry and tier change.
        context["ledger_key"] = f"{account.pk}:{account.ledger_version}:{page_asked[:20]}"
        context["offers"] = selectors.reward_offers(account=account)
        context["codes"] = selectors.redemptions(account=account)
        context["referral"] = referral_block(account=account, program=program)
        context["birthday"] = _birthday_block(account, program, rules, birthday_form)
    elif account is not None:
        # Points that wait against the user's verified email, theirs once they join.
        context["waiting"] = account.pending + account.available
    return render(request, "loyalty/rewards.html", context)


def _ledger_panels(account, program, page: str):
    """The balance, the tier, the open lots and the history page, read on first use only
    (the template draws them from the cache while the account's ledger is unchanged)."""

    @functools.cache
    def read() -> dict:
        balances = selectors.balances(account=account, program=program)
        found = selectors.history_page(account=account, page=page or None)
        selectors.orders_attach(
            lots=balances.pending_lots + balances.available_lots, entries=found.object_list
        )
        tier = selectors.tier_status(account=account, program=program)
        return {"balances": balances, "page": found, "tier": tier}

    return read


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


def _birthday_block(account, program, rules, form: BirthdayForm | None) -> dict | None:
    """The member's birthday: shown once given; the form while a birthday rule is active
    and the program on (asking for it otherwise would promise nothing)."""
    rule = next((rule for rule in rules if rule.kind == "birthday"), None)
    offered = rule is not None and program.enabled
    if account.birthday is None and not offered:
        return None
    return {
        "rule": rule if offered else None,
        "form": form or BirthdayForm(),
        "next_bonus": services.birthday_next_bonus(account=account) if offered else None,
        "notice_days": NOTICE_DAYS,
    }


@require_POST
def birthday(request: HttpRequest) -> HttpResponse:
    """The signed-in member gives their birthday, once (``services.birthday_set``). A
    mistake in the form shows the page again with the form's errors."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("loyalty:rewards"))
    account = getattr(request.user, "loyalty_account", None)
    if account is None or not account.is_member:
        messages.error(request, _("Join the rewards program to get a birthday bonus."))
        return redirect("loyalty:rewards")
    form = BirthdayForm(request.POST)
    if not form.is_valid():
        return rewards(request, birthday_form=form)
    try:
        services.birthday_set(
            account_id=account.pk,
            month=form.cleaned_data["month"],
            day=form.cleaned_data["day"],
        )
    except BirthdayAlreadyGiven:
        messages.error(
            request,
            _("We already have your birthday. If it is wrong, please contact us to correct it."),
        )
    except (InvalidBirthday, NotAMember):
        messages.error(request, _("Something went wrong with that form. Please try again."))
    else:
        messages.success(request, _("Thank you! We have saved your birthday."))
    return redirect(reverse("loyalty:rewards") + "#birthday")


def _codes_url() -> str:
    return reverse("loyalty:rewards") + "#codes"


@require_POST
def redeem(request: HttpRequest) -> HttpResponse:
    """Spend the signed-in member's points on a reward (``services.reward_redeem``) and go
    back to their codes. Every refusal is a message on the page, never an error page."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("loyalty:rewards"))
    form = RedeemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Something went wrong with that form. Please try again."))
        return redirect("loyalty:rewards")
    account = getattr(request.user, "loyalty_account", None)
    if account is None or not account.is_member:
        messages.error(request, _("Join the rewards program to redeem rewards."))
        return redirect("loyalty:rewards")
    # The key is the form's; prefixed with the account, no one else's key can ever name
    # this member's redemption, nor theirs this one.
    request_key = f"account:{account.pk}:{form.cleaned_data['request_key']}"
    try:
        redemption = services.reward_redeem(
            account_id=account.pk,
            reward_id=form.cleaned_data["reward"],
            request_key=request_key,
        )
    except NotAMember:
        messages.error(request, _("Join the rewards program to redeem rewards."))
        return redirect("loyalty:rewards")
    except Reward.DoesNotExist:
        messages.error(request, _("This reward is not available any more."))
        return redirect("loyalty:rewards")
    except RewardUnavailable as exc:
        messages.error(request, str(exc))
        return redirect("loyalty:rewards")
    except InsufficientPoints as exc:
        missing = exc.needed - max(exc.available, 0)
        messages.error(
            request,
            ngettext(
                "You need %(points)s more point for this reward.",
                "You need %(points)s more points for this reward.",
                missing,
            )
            % {"points": number_format(missing, force_grouping=True)},
        )
        return redirect("loyalty:rewards")
    if redemption.status == Redemption.Status.FAILED:
        messages.error(
            request, _("We could not create your code; your points are back. Please try again.")
        )
    elif redemption.status == Redemption.Status.ISSUING:
        messages.info(
            request,
            _("Your code %(code)s for %(reward)s is being created.")
            % {"code": redemption.code, "reward": redemption.reward.name},
        )
    else:
        messages.success(
            request,
            _("Your code for %(reward)s is %(code)s.")
            % {"code": redemption.code, "reward": redemption.reward.name},
        )
    return redirect(_codes_url())


def emails_off(request: HttpRequest, token: str) -> HttpResponse:
    """From the link in every points email: GET asks to confirm (mail scanners follow
    links), POST turns the emails off."""
    from django.core import signing

    from .notifications import UNSUBSCRIBE_SALT

    try:
        account_id = int(signing.loads(token, salt=UNSUBSCRIBE_SALT)["a"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, "loyalty/emails_off.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        services.points_emails_off(account_id=account_id)
        done = True
    return render(request, "loyalty/emails_off.html", {"done": done})
