"""The rewards catalogue's redemptions and their codes."""

from __future__ import annotations

import logging
import secrets

from dateutil.relativedelta import relativedelta
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from orders import stripe_api
from orders.models import Order

from ..exceptions import InsufficientPoints, NotAMember, RewardUnavailable
from ..models import (
    Account,
    Entry,
    Lot,
    Redemption,
    Reward,
)
from .ledger import (
    _email,
    _first_in_first_out,
    _locked,
    _post,
)

log = logging.getLogger(__name__)

Status = Lot.Status
Kind = Entry.Kind


# --- Rewards ------------------------------------------------------------------------------

# No 0/O or 1/I: codes are read aloud and typed from a phone.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
STRIPE_KINDS = (Reward.Kind.AMOUNT_OFF, Reward.Kind.PERCENT_OFF)


def _new_code() -> str:
    return "PTC-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def reward_unavailable_reason(reward: Reward, account: Account | None, now=None) -> str:
    """Why the account cannot redeem the reward now ("" when it can), in words."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    if not reward.active:
        return _("This reward is not available.")
    if reward.starts_at and reward.starts_at > now:
        return _("This reward is not available yet.")
    if reward.ends_at and reward.ends_at <= now:
        return _("This reward has ended.")
    if reward.stock is None and (account is None or reward.per_customer_limit is None):
        # Nothing to count (the rewards page asks this of every reward it shows).
        return ""
    live = reward.redemptions.exclude(status__in=DEAD)
    if reward.stock is not None and live.count() >= reward.stock:
        return _("This reward has run out.")
    if (
        account is not None
        and reward.per_customer_limit is not None
        and live.filter(account=account).count() >= reward.per_customer_limit
    ):
        return _("You have redeemed this reward as many times as it allows.")
    return ""


DEAD = (Redemption.Status.FAILED, Redemption.Status.VOIDED)


def reward_redeem(*, account_id: int, reward_id: int, request_key: str) -> Redemption:
    """Spend a member's points on a reward and issue its single-use code.

    Idempotent per ``request_key`` (the form's own key: a double click is one
    redemption). The points leave the balance before the code is made; with
    ``STRIPE_API_KEY`` set, amount and percentage rewards become a Stripe promotion code
    (idempotency key: the redemption), else a Portico code the store checks. When Stripe
    fails, the points go back to the lots they came from and the redemption is marked
    failed, for the member to try again. Raises ``NotAMember``, ``RewardUnavailable`` or
    ``InsufficientPoints``.
    """
    redemption = _redemption_open(
        account_id=account_id, reward_id=reward_id, request_key=request_key
    )
    if redemption.status == Redemption.Status.ISSUING:
        return redemption_issue(redemption_id=redemption.pk)
    return redemption


@transaction.atomic
def _redemption_open(*, account_id: int, reward_id: int, request_key: str) -> Redemption:
    account = _locked(account_id)
    existing = Redemption.objects.filter(request_key=request_key).first()
    if existing is not None:
        if (existing.account_id, existing.reward_id) != (account.pk, reward_id):
            # A key is one member's one click: never hand back someone else's code.
            raise RewardUnavailable("This request was already used for another redemption.")
        return existing
    if not account.is_member:
        raise NotAMember()
    # Locked after the account, as everywhere: stock is counted under the lock.
    reward = Reward.objects.select_for_update().get(pk=reward_id)
    reason = reward_unavailable_reason(reward, account)
    if reason:
        raise RewardUnavailable(reason)
    if account.available < reward.points_cost:
        raise InsufficientPoints(available=account.available, needed=reward.points_cost)
    redemption = Redemption.objects.create(
        account=account,
        reward=reward,
        request_key=request_key,
        points=reward.points_cost,
        code=_new_code(),
    )
    allocations = _first_in_first_out(account, reward.points_cost)
    _post(
        account,
        kind=Kind.REDEEM,
        key=f"redemption:{redemption.pk}",
        available=-reward.points_cost,
        allocations=allocations,
        note=reward.name,
    )
    return redemption


def redemption_issue(*, redemption_id: int) -> Redemption:
    """Make the code of a redemption whose points are spent. Safe to run twice."""
    redemption = Redemption.objects.select_related("reward").get(pk=redemption_id)
    if redemption.status != Redemption.Status.ISSUING:
        return redemption
    reward = redemption.reward
    fields = {}
    if django_settings.STRIPE_API_KEY and reward.kind in STRIPE_KINDS:
        try:
            coupon, promotion = stripe_api.promotion_code_create(
                key=f"portico-redemption-{redemption.pk}",
                code=redemption.code,
                name=reward.name,
                amount_off=reward.amount if reward.kind == Reward.Kind.AMOUNT_OFF else None,
                currency=reward.currency,
                percent_off=reward.percent,
                minimum_order=reward.minimum_order,
            )
        except stripe_api.StripeApiError as exc:
            log.warning("redemption %s: %s", redemption.pk, exc)
            return redemption_fail(redemption_id=redemption.pk, error=str(exc))
        fields = {"stripe_coupon_id": coupon, "stripe_promotion_code_id": promotion}
    issued = Redemption.objects.filter(pk=redemption.pk, status=Redemption.Status.ISSUING).update(
        status=Redemption.Status.ISSUED, **fields
    )
    redemption.refresh_from_db()
    # A friend's referral code (no points spent) has its own email (referral_emails).
    if issued and redemption.points:
        _email(
            redemption.account,
            "redeemed",
            f"redeemed:{redemption.pk}",
            redemption_id=redemption.pk,
        )
    return redemption


def redemptions_issue_stuck(*, older_than_minutes: int = 5, now=None) -> int:
    """Issue again the codes a crash or a timeout left "being issued" (their points are
    spent): Stripe's idempotency key makes the retry return what a first attempt created.
    Returns how many were issued now."""
    now = now or timezone.now()
    stuck = Redemption.objects.filter(
        status=Redemption.Status.ISSUING,
        created_at__lte=now - relativedelta(minutes=older_than_minutes),
    ).values_list("pk", flat=True)
    return sum(
        1
        for pk in list(stuck)
        if redemption_issue(redemption_id=pk).status == Redemption.Status.ISSUED
    )


@transaction.atomic
def redemption_fail(*, redemption_id: int, error: str = "") -> Redemption:
    """A code that could not be issued: its points go back where they came from."""
    redemption = Redemption.objects.get(pk=redemption_id)
    return _give_back(redemption, status=Redemption.Status.FAILED, error=error)


def redemption_void(*, redemption_id: int, reason: str = "") -> Redemption:
    """Staff void an unused code: a Stripe promotion code is switched off first (so it
    cannot be used after its points came back), then the points go back to the member.
    Idempotent. Raises ``RewardUnavailable`` for a used code, ``StripeApiError`` when
    Stripe cannot switch it off (nothing changes)."""
    redemption = Redemption.objects.get(pk=redemption_id)
    if redemption.status == Redemption.Status.USED:
        raise RewardUnavailable(gettext("A used code cannot be voided."))
    if redemption.stripe_promotion_code_id and redemption.status not in DEAD:
        stripe_api.promotion_code_deactivate(promotion_code_id=redemption.stripe_promotion_code_id)
    with transaction.atomic():
        return _give_back(redemption, status=Redemption.Status.VOIDED, error=reason)


def _give_back(redemption: Redemption, *, status: str, error: str) -> Redemption:
    account = _locked(redemption.account_id)
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    if redemption.status in DEAD:
        return redemption
    if redemption.status == Redemption.Status.USED:
        # Marked used by an order between the caller's look and the lock.
        raise RewardUnavailable(gettext("A used code cannot be voided."))
    spent = Entry.objects.get(key=f"redemption:{redemption.pk}")
    _post(
        account,
        kind=Kind.RESTORE,
        key=f"restore:redemption:{redemption.pk}",
        available=redemption.points,
        allocations=[(a.lot, -a.points) for a in spent.allocations.select_related("lot")],
        # Members read notes; what went wrong stays on the redemption, for staff.
        note=redemption.reward.name,
    )
    redemption.status, redemption.error = status, error[:500]
    redemption.save(update_fields=["status", "error"])
    return redemption


def redemptions_mark_used(*, order_id: int) -> int:
    """Codes an order was placed with are used (matched on the order's discount codes,
    any case). Idempotent; returns how many were marked now."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or not order.discount_codes:
        return 0
    codes = {str(code).strip().upper() for code in order.discount_codes}
    return Redemption.objects.filter(code__in=codes, status=Redemption.Status.ISSUED).update(
        status=Redemption.Status.USED, used_order=order, used_at=timezone.now()
    )


def redemptions_mark_used_many(*, order_ids: list[int]) -> int:
    """``redemptions_mark_used`` for many orders: one statement when none has a code."""
    with_codes = Order.objects.filter(pk__in=order_ids).exclude(discount_codes=[])
    return sum(redemptions_mark_used(order_id=pk) for pk in with_codes.values_list("pk", flat=True))


def redemption_deactivate_remote(*, redemption_id: int) -> bool:
    """Switch off in Stripe the promotion code of a redemption Portico voided on its own
    (its points were taken back). Idempotent; raises ``StripeApiError`` for a retry."""
    redemption = Redemption.objects.get(pk=redemption_id)
    if redemption.status != Redemption.Status.VOIDED or not redemption.stripe_promotion_code_id:
        return False
    stripe_api.promotion_code_deactivate(promotion_code_id=redemption.stripe_promotion_code_id)
    return True
