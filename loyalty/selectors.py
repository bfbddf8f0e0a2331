"""Reads the customer's rewards page shares.

Every function here answers in a fixed number of queries, whatever the number of entries
and lots (a test counts them). A member's page reads only rows of the member's own account:
the account is found by its user, never by a number in the URL.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q
from django.db.models.functions import Abs, Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Order

from . import services
from .models import Account, EarningRule, Entry, Lot, ProgramSettings, Redemption, Reward, Tier

ENTRIES_PER_PAGE = 20
CODES_SHOWN = 20


def program_for_request(request) -> ProgramSettings:
    """The program's settings, cached on the request by Wagtail (one query per request)."""
    return ProgramSettings.load(request_or_site=request)


RULE_KINDS_SHOWN_FIRST = (
    EarningRule.Kind.SPEND,
    EarningRule.Kind.SIGNUP,
    EarningRule.Kind.FIRST_ORDER,
    EarningRule.Kind.BIRTHDAY,
)


def earning_rules() -> list[EarningRule]:
    """The active rules a visitor can read about, spend rules first. One query."""
    # Sorted here: a program has a handful of rules, and a CASE in the ORDER BY cost the
    # rewards page more to build than the database took to sort.
    rank = {kind: i for i, kind in enumerate(RULE_KINDS_SHOWN_FIRST)}
    rules = EarningRule.objects.filter(active=True).order_by("pk")
    return sorted(rules, key=lambda rule: rank.get(rule.kind, len(rank)))


def account_for_user(*, user) -> Account | None:
    """The user's own account, or, when they have none yet, the account waiting against
    their login email if that email is verified (the one ``member_join`` claims). One query
    for a member, two otherwise.

    An unverified address shows nothing: anyone can type someone else's email at sign-up.
    """
    if user is None or not user.is_authenticated:
        return None
    # A member's own account: one query on the unique user column, the usual case.
    own = Account.objects.select_related("tier").filter(user=user).first()
    if own is not None:
        return own
    email = (user.email or "").strip().lower()
    verified = EmailAddress.objects.filter(user=user, verified=True).values(
        email_lower=Lower("email")
    )
    return (
        Account.objects.select_related("tier")
        .filter(user__isnull=True, email=email, email__in=verified)
        .first()
    )


def account_for_store_email(*, email: str) -> Account | None:
    """The account a store-signed token's email answers for: the account of that email or,
    when there is none, the account of the user who verified that email. Creates nothing.
    At most two queries.
    """
    email = email.strip().lower()
    account = Account.objects.select_related("tier").filter(email=email).first()
    if account is not None:
        return account
    owners = EmailAddress.objects.filter(email__iexact=email, verified=True).values("user")
    return Account.objects.select_related("tier").filter(user__in=owners).first()


@dataclass
class Balances:
    """What the member's balance panel shows, from the account and its open lots."""

    available: int
    pending: int
    lifetime_earned: int
    # Pending lots, soonest to become available first.
    pending_lots: list[Lot] = field(default_factory=list)
    # Available lots with points left, soonest to expire first (no expiry last).
    available_lots: list[Lot] = field(default_factory=list)
    # Points that expire within the program's reminder days, the first date they do, and
    # the end of that window (lots expiring before it are "soon").
    expiring_soon: int = 0
    expiring_soon_first: datetime | None = None
    expiring_soon_until: datetime | None = None
    # With expiry after inactivity: when the member's points go if nothing happens.
    inactive_expiry_at: datetime | None = None


def balances(
    *, account: Account, program: ProgramSettings, now: datetime | None = None
) -> Balances:
    """The account's balances and open lots. One query (the lots)."""
    now = now or timezone.now()
    lots = list(
        Lot.objects.filter(
            account=account,
            status__in=[Lot.Status.PENDING, Lot.Status.AVAILABLE],
            remaining__gt=0,
        )
        # Their orders come from ``orders_attach``: a join to the orders table costs
        # PostgreSQL more to plan than the whole query costs to run.
        .select_related("rule")
        .order_by("available_at", "expires_at", "created_at", "pk")
    )
    pending = [lot for lot in lots if lot.status == Lot.Status.PENDING]
    available = sorted(
        (lot for lot in lots if lot.status == Lot.Status.AVAILABLE),
        key=lambda lot: (lot.expires_at is None, lot.expires_at or now, lot.created_at, lot.pk),
    )
    result = Balances(
        available=account.available,
        pending=account.pending,
        lifetime_earned=account.lifetime_earned,
        pending_lots=pending,
        available_lots=available,
    )
    soon = now + timedelta(days=program.expiry_reminder_days)
    if program.expiry == ProgramSettings.Expiry.AFTER_EARNED:
        expiring = [lot for lot in available if lot.expires_at and lot.expires_at <= soon]
        result.expiring_soon = sum(lot.remaining for lot in expiring)
        result.expiring_soon_first = min((lot.expires_at for lot in expiring), default=None)
        result.expiring_soon_until = soon
    elif program.expiry == ProgramSettings.Expiry.AFTER_INACTIVITY and available:
        last = account.last_activity_at or min(lot.created_at for lot in available)
        result.inactive_expiry_at = last + relativedelta(months=program.expiry_months)
        if result.inactive_expiry_at <= soon:
            result.expiring_soon = sum(lot.remaining for lot in available)
            result.expiring_soon_first = result.inactive_expiry_at
            result.expiring_soon_until = result.inactive_expiry_at
    # A negative balance (refunded points already spent) leaves nothing to expire.
    result.expiring_soon = min(result.expiring_soon, max(account.available, 0))
    return result


def history_page(*, account: Account, page: str | int | None) -> Page:
    """One page of the account's ledger, newest first, with what the page says about each
    entry's cause (its lot's rule; its order and its lot's order come from
    ``orders_attach``). Two queries: the count and the page."""
    entries = (
        Entry.objects.filter(account=account)
        .select_related("lot", "lot__rule")
        # What the member reads: pending and available together, without its sign.
        .annotate(size=Abs(F("pending_delta") + F("available_delta")))
        .order_by("-created_at", "-pk")
    )
    found = Paginator(entries, ENTRIES_PER_PAGE).get_page(page)
    found.object_list = list(found.object_list)
    return found


def orders_attach(*, lots: list[Lot], entries: list[Entry]) -> None:
    """The orders the member's lots and entries name (their number and whether they were
    cancelled: what the page says of them), in one query on primary keys, set on each
    entry, its lot and each lot."""
    holders = [*lots, *entries, *(entry.lot for entry in entries if entry.lot_id)]
    ids = {holder.order_id for holder in holders if holder.order_id}
    found = (
        {o.pk: o for o in Order.objects.filter(pk__in=ids).only("number", "cancelled_at")}
        if ids
        else {}
    )
    for holder in holders:
        if holder.order_id:
            holder.order = found.get(holder.order_id)


# --- Rewards ------------------------------------------------------------------------------


@dataclass
class Offer:
    """A reward of the catalog as one member sees it now."""

    reward: Reward
    # Why it cannot be redeemed now ("" when it can), in words.
    reason: str = ""
    # Points still missing when that is the only thing in the way.
    missing: int = 0
    # A fresh key for this rendering of the form: the same click twice is one redemption.
    request_key: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def can_redeem(self) -> bool:
        return not self.reason and not self.missing


def _unavailable_reason(reward: Reward, account: Account, now: datetime) -> str:
    """``services.reward_unavailable_reason`` without its two count queries per reward: the
    live and the member's own counts come annotated on the reward (``live``, ``mine``).

    The service stays the judge of dates and ``active`` (it is called on a copy without
    stock or limit, which it then cannot count); the two count rules below say the same
    as the service's, in the same words (a test compares them case by case).
    """
    uncounted = copy.copy(reward)
    uncounted.stock = uncounted.per_customer_limit = None
    reason = services.reward_unavailable_reason(uncounted, account, now)
    if reason:
        return reason
    if reward.stock is not None and reward.live >= reward.stock:
        return _("This reward has run out.")
    if reward.per_customer_limit is not None and reward.mine >= reward.per_customer_limit:
        return _("You have redeemed this reward as many times as it allows.")
    return ""


def reward_offers(*, account: Account, now: datetime | None = None) -> list[Offer]:
    """The active rewards that have not ended, cheapest first, each with what stops the
    member from redeeming it now. One query, whatever the number of rewards or codes."""
    now = now or timezone.now()
    live = ~Q(redemptions__status__in=services.DEAD)
    rewards = (
        Reward.objects.filter(active=True)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .annotate(
            live=Count("redemptions", filter=live),
            mine=Count("redemptions", filter=live & Q(redemptions__account=account)),
        )
        .order_by("points_cost", "name", "pk")
    )
    offers = []
    for reward in rewards:
        reason = _unavailable_reason(reward, account, now)
        missing = 0 if reason else max(reward.points_cost - account.available, 0)
        offers.append(Offer(reward=reward, reason=reason, missing=missing))
    return offers


def redemptions(*, account: Account, limit: int = CODES_SHOWN) -> list[Redemption]:
    """The member's newest codes first, with their reward and the order that used them.
    One query."""
    return list(
        Redemption.objects.filter(account=account)
        .select_related("reward", "used_order")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- Tiers --------------------------------------------------------------------------------


@dataclass
class TierStatus:
    """The member's tier and how far the next one is, as the page shows them."""

    tier: Tier | None
    until: datetime | None
    basis: str  # ProgramSettings.TierBasis
    value: Decimal
    next_tier: Tier | None
    missing: Decimal

    @property
    def by_points(self) -> bool:
        return self.basis == ProgramSettings.TierBasis.POINTS

    @property
    def missing_points(self) -> int:
        return int(self.missing.to_integral_value(rounding="ROUND_CEILING"))

    @property
    def goal(self) -> Decimal:
        """The progress bar's maximum: the next tier's threshold, or the value reached."""
        return self.next_tier.threshold if self.next_tier else max(self.value, Decimal(1))

    @property
    def shown_value(self) -> Decimal:
        return min(self.value, self.goal)


def tier_status(
    *, account: Account, program: ProgramSettings, now: datetime | None = None
) -> TierStatus | None:
    """None when the program has no tiers; else the member's tier and progress from
    ``services.tier_progress``. Three queries (the tiers exist? the qualifying value, the
    next tier), four when tiers are reached by money spent (orders and their refunds)."""
    if not Tier.objects.exists():
        return None
    value, next_tier, missing = services.tier_progress(account, settings=program, now=now)
    return TierStatus(
        tier=account.tier,
        until=account.tier_until if account.tier_id else None,
        basis=program.tier_basis,
        value=value,
        next_tier=next_tier,
        missing=missing,
    )
