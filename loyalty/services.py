"""Every write the points ledger allows.

Each public function is one transaction that locks the account row first (one account per
call), writes entries whose keys derive from their cause, and changes the cached balances
with them. "Already done" (the key exists) is a normal outcome: the function returns
without writing. Order events converge: the points of an order are computed from the order
as it is now (paid? cancelled? what was refunded?), so the same events duplicated or in
any order end in the same ledger.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext

from orders import stripe_api
from orders.models import Order, Refund, RefundLine

from .exceptions import InsufficientPoints, NotAMember, RewardUnavailable
from .models import (
    Account,
    Allocation,
    Campaign,
    EarningRule,
    Entry,
    Lot,
    LotLine,
    ProgramSettings,
    Redemption,
    Reward,
    Tier,
)

log = logging.getLogger(__name__)

Status = Lot.Status
Kind = Entry.Kind


def program() -> ProgramSettings:
    return ProgramSettings.load()


# --- Accounts -----------------------------------------------------------------------------


def account_for_email(*, email: str) -> Account:
    """The account points for this email go to, created when first needed."""
    email = email.strip().lower()
    account = Account.objects.filter(email=email).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(email=email)
    except IntegrityError:
        return Account.objects.get(email=email)


def _locked(account_id: int) -> Account:
    return Account.objects.select_for_update().get(pk=account_id)


@transaction.atomic
def member_join(*, user, email: str | None = None) -> Account:
    """Make the user a member: their account (the one their email's points wait in) is
    theirs and joined. Idempotent. Gives the sign-up bonus once."""
    account = getattr(user, "loyalty_account", None)
    if account is None:
        account = account_for_email(email=email or user.email)
        claimed = Account.objects.filter(pk=account.pk, user__isnull=True).update(user=user)
        if not claimed:
            account.refresh_from_db()
            if account.user_id != user.pk:
                # The email's points belong to another member; this user starts afresh
                # under an account of their own login email.
                account = account_for_email(email=user.email)
                Account.objects.filter(pk=account.pk, user__isnull=True).update(user=user)
    account = _locked(account.pk)
    if account.joined_at is None:
        account.joined_at = timezone.now()
        account.save(update_fields=["joined_at"])
    for rule in EarningRule.objects.filter(kind=EarningRule.Kind.SIGNUP, active=True):
        _bonus(account, rule, key=f"signup:{account.pk}")
        break
    return account


def points_emails_off(*, account_id: int) -> bool:
    """Stop the member's points emails. Idempotent; True if it changed."""
    return bool(
        Account.objects.filter(pk=account_id, points_emails=True).update(points_emails=False)
    )


@transaction.atomic
def member_claim_email(*, user, email: str) -> Account | None:
    """A user verified ``email``: the points waiting against it become theirs, when the
    user has no account yet (a member has one account; other addresses' points stay)."""
    if getattr(user, "loyalty_account", None) is not None:
        return None
    account = account_for_email(email=email)
    if Account.objects.filter(pk=account.pk, user__isnull=True).update(user=user):
        return _locked(account.pk)
    return None


MEMBER_ACTIVITY = frozenset({Kind.EARN, Kind.REDEEM, Kind.ADJUST})


# --- Emails -------------------------------------------------------------------------------


def _email(account: Account, kind: str, key: str, **data) -> None:
    """After commit, queue the member's points email for ``key`` (sent once per key by
    ``notifications.points_email_send``). Guests, whose points wait for them to join, get
    none."""
    if account.joined_at is None:
        return
    from .tasks import send_points_email

    account_id = account.pk
    transaction.on_commit(lambda: send_points_email.delay(account_id, kind, key, data))


# --- Posting entries ----------------------------------------------------------------------


def _post(
    account: Account,
    *,
    kind: str,
    key: str,
    pending: int = 0,
    available: int = 0,
    lifetime: int = 0,
    allocations: list[tuple[Lot, int]] = (),
    **fields,
) -> Entry | None:
    """Write one entry and its allocations and move the cached balances with them.

    The caller holds the account's row lock. Returns None when the key exists already.
    """
    if Entry.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                account=account,
                kind=kind,
                key=key,
                pending_delta=pending,
                available_delta=available,
                lifetime_delta=lifetime,
                **fields,
            )
    except IntegrityError:
        return None  # written concurrently for another account's lock holder: done
    taken = [(lot, points) for lot, points in allocations if points]
    Allocation.objects.bulk_create(
        [Allocation(entry=entry, lot=lot, points=points) for lot, points in taken]
    )
    for lot, points in taken:
        lot.remaining -= points
        if lot.remaining == 0 and lot.status == Status.AVAILABLE:
            lot.status = Status.CLOSED
        elif lot.remaining > 0 and lot.status == Status.CLOSED:
            lot.status = Status.AVAILABLE  # points given back (``_restore``)
        lot.save(update_fields=["remaining", "status"])
    account.pending += pending
    account.available += available
    account.lifetime_earned += lifetime
    if kind in MEMBER_ACTIVITY:
        # What "months without activity" counts: the member earned or spent, or staff
        # adjusted; not the ledger's own bookkeeping (release, expiry, repayment).
        account.last_activity_at = timezone.now()
    account.save(update_fields=["pending", "available", "lifetime_earned", "last_activity_at"])
    return entry


def _open_lot(
    account: Account,
    *,
    key: str,
    points: int,
    status: str,
    earned_at: datetime,
    available_at: datetime | None,
    rule: EarningRule | None,
    label: str = "",
    order: Order | None = None,
    lines: list[tuple[int, int, int]] = (),
    note: str = "",
    staff=None,
    kind: str = Kind.EARN,
    settings: ProgramSettings | None = None,
) -> Lot | None:
    """An earn (or positive adjustment): a new lot and the entry that opened it."""
    if points <= 0 or Entry.objects.filter(key=key).exists():
        return None
    settings = settings or program()
    expires_at = None
    if settings.expiry == ProgramSettings.Expiry.AFTER_EARNED:
        expires_at = earned_at + relativedelta(months=settings.expiry_months)
    lot = Lot.objects.create(
        account=account,
        status=status,
        points=points,
        remaining=points,
        available_at=available_at,
        expires_at=expires_at,
        rule=rule,
        rule_name=(label or (rule.name if rule else note))[:100],
        rule_version=rule.version if rule else None,
        rate=rule.rate if rule and rule.kind == EarningRule.Kind.SPEND else None,
        order=order,
    )
    LotLine.objects.bulk_create(
        [LotLine(lot=lot, line_id=line, quantity=q, points=p) for line, q, p in lines if p]
    )
    pending = points if status == Status.PENDING else 0
    entry = _post(
        account,
        kind=kind,
        key=key,
        pending=pending,
        available=points - pending,
        lifetime=points if kind == Kind.EARN else 0,
        lot=lot,
        order=order,
        note=note,
        staff=staff,
    )
    if entry is None:  # the key appeared meanwhile: this lot was never opened
        lot.lines.all().delete()
        lot.delete()
        return None
    if status == Status.AVAILABLE:
        _repay(account, lot)
    return lot


def _repay(account: Account, lot: Lot) -> None:
    """New available points first pay back a negative balance (they are already counted
    in it: only the lot's remaining points go down)."""
    if account.available - lot.remaining >= 0:
        return
    debt = lot.remaining - account.available
    _post(
        account,
        kind=Kind.REPAY,
        key=f"repay:lot:{lot.pk}",
        lot=lot,
        allocations=[(lot, min(debt, lot.remaining))],
    )


def _bonus(account: Account, rule: EarningRule, *, key: str, order: Order | None = None):
    now = timezone.now()
    return _open_lot(
        account,
        key=key,
        points=rule.points,
        status=Status.AVAILABLE,
        earned_at=now,
        available_at=now,
        rule=rule,
        order=order,
        note=rule.name,
    )


# --- Orders -------------------------------------------------------------------------------


@dataclass
class _Earning:
    """One lot an order earns: a spend rule's points (with the tier's and campaigns'
    multipliers), or a bonus (first order, campaign)."""

    key: str
    points: int
    label: str
    rule: EarningRule | None = None
    lines: list[tuple[int, int, int]] = field(default_factory=list)  # (line id, qty, points)
    note: str = ""


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def _spread(total: int, weights: list[Decimal]) -> list[int]:
    """``total`` points over lines in proportion to ``weights``, summing exactly to it
    (largest remainder)."""
    whole = sum(weights)
    if not whole or not total:
        return [0] * len(weights)
    shares = [Decimal(total) * w / whole for w in weights]
    points = [_floor(s) for s in shares]
    left = total - sum(points)
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - points[i], -i))
    for i in reversed(by_remainder[-left:] if left else []):
        points[i] += 1
    return points


def _campaigns_for(order: Order, account: Account, *, first_order: bool) -> list[Campaign]:
    """Active campaigns whose dates hold the payment and whose member conditions hold."""
    campaigns = (
        Campaign.objects.filter(
            active=True, starts_at__lte=order.paid_at, ends_at__gt=order.paid_at
        )
        .prefetch_related("tiers")
        .order_by("pk")
    )
    found = []
    for campaign in campaigns:
        tiers = list(campaign.tiers.all())
        if tiers and account.tier_id not in {tier.pk for tier in tiers}:
            continue
        if campaign.first_order_only and not first_order:
            continue
        found.append(campaign)
    return found


def _line_multiplier(line, campaigns: list[Campaign], settings: ProgramSettings) -> Decimal:
    multipliers = [
        c.multiplier for c in campaigns if c.kind == Campaign.Kind.MULTIPLIER and c.covers(line)
    ]
    if not multipliers:
        return Decimal(1)
    if settings.campaign_overlap == ProgramSettings.CampaignOverlap.STACK:
        return 1 + sum(m - 1 for m in multipliers)
    return max(multipliers)


def order_earnings(
    order: Order,
    *,
    account: Account,
    settings: ProgramSettings | None = None,
    first_order: bool | None = None,
) -> list[_Earning]:
    """What a paid order earns: each spend rule's points on the order's base, multiplied
    by the member's tier and by the campaigns that cover each line; the first-order bonus;
    campaign bonuses. Campaigns overlap as the program says (the highest wins, or they add
    up)."""
    settings = settings or program()
    if first_order is None:
        first_order = _is_first_order(order)
    if settings.earn_on == ProgramSettings.EarnOn.TOTAL:
        base = order.total
    else:
        base = order.total - order.shipping_total - order.tax_total
    base = max(base, Decimal("0"))
    lines = [line for line in order.lines.all() if not line.removed and not line.is_gift_card]
    weights = [
        max(line.unit_price * line.quantity - line.discount_total, Decimal("0")) for line in lines
    ]
    whole = sum(weights)
    tier_multiplier = account.tier.multiplier if account.tier_id else Decimal(1)
    campaigns = _campaigns_for(order, account, first_order=first_order)
    multipliers = [_line_multiplier(line, campaigns, settings) for line in lines]
    boosts = [
        name
        for name in ([f"{account.tier.name} ×{tier_multiplier:g}"] if tier_multiplier > 1 else [])
        + [
            f"{c.name} ×{c.multiplier:g}"
            for c in campaigns
            if c.kind == Campaign.Kind.MULTIPLIER and any(c.covers(line) for line in lines)
        ]
    ]
    earnings = []
    rules = EarningRule.objects.filter(kind=EarningRule.Kind.SPEND, active=True).filter(
        Q(currency="") | Q(currency=order.currency)
    )
    for rule in rules.order_by("pk"):
        if whole:
            raw = [
                base * w / whole * rule.rate * tier_multiplier * m
                for w, m in zip(weights, multipliers, strict=True)
            ]
        else:
            raw = [Decimal(0)] * len(lines)
        points = _floor(sum(raw)) if lines else _floor(base * rule.rate * tier_multiplier)
        spread = _spread(points, raw)
        earnings.append(
            _Earning(
                key=f"order:{order.pk}:rule:{rule.pk}",
                points=points,
                label=rule.name,
                rule=rule,
                lines=[(line.pk, line.quantity, p) for line, p in zip(lines, spread, strict=True)],
                note=" · ".join([order.number, *boosts]),
            )
        )
    bonus = EarningRule.objects.filter(kind=EarningRule.Kind.FIRST_ORDER, active=True).first()
    if bonus is not None and first_order:
        earnings.append(
            _Earning(
                key=f"first-order:{account.pk}",
                points=bonus.points,
                label=bonus.name,
                rule=bonus,
                note=order.number,
            )
        )
    bonuses = [
        c
        for c in campaigns
        if c.kind == Campaign.Kind.BONUS and c.bonus_points and any(c.covers(x) for x in lines)
    ]
    if bonuses and settings.campaign_overlap == ProgramSettings.CampaignOverlap.HIGHEST:
        bonuses = [max(bonuses, key=lambda c: (c.bonus_points, -c.pk))]
    for campaign in bonuses:
        earnings.append(
            _Earning(
                key=f"order:{order.pk}:campaign:{campaign.pk}",
                points=campaign.bonus_points,
                label=campaign.name[:100],
                note=f"{order.number} · {campaign.name}",
            )
        )
    return earnings


def _is_first_order(order: Order) -> bool:
    # lower(email) = …: the expression the orders' email index is built on.
    earlier = (
        Order.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=order.email.strip().lower(), paid_at__isnull=False)
        .filter(cancelled_at__isnull=True)
        .filter(Q(placed_at__lt=order.placed_at) | Q(placed_at=order.placed_at, pk__lt=order.pk))
    )
    return not earlier.exists()


@transaction.atomic
def order_points_award(*, order_id: int) -> list[Lot]:
    """Pending points for a paid order (``order_earnings``): a lot per spend rule, bonus
    and campaign bonus, each keyed by order and cause, so awarding twice changes nothing.

    Nothing for an unpaid or cancelled order. The points become available when the return
    window closes (``points_release_due``); refunds already recorded are reversed at once,
    so a refund seen before the payment ends the same as one after it. A member whose
    points now reach a higher tier is promoted at once.
    """
    order = Order.objects.filter(pk=order_id).first()
    settings = program()
    if order is None or not settings.enabled or not order.paid_at or order.cancelled_at:
        return []
    account = Account.objects.select_related("tier").get(
        pk=_locked(account_for_email(email=order.email).pk).pk
    )
    available_at = order.paid_at + relativedelta(days=settings.return_window_days)
    lots = []
    for earning in order_earnings(order, account=account, settings=settings):
        lot = _open_lot(
            account,
            key=earning.key,
            points=earning.points,
            status=Status.PENDING,
            earned_at=order.paid_at,
            available_at=available_at,
            rule=earning.rule,
            label=earning.label,
            order=order,
            lines=earning.lines,
            note=earning.note,
            settings=settings,
        )
        if lot is not None:
            lots.append(lot)
    _reversals_sync(account, order)
    if lots:
        _email(account, "earned", f"earned:order:{order.pk}", order_id=order.pk)
        _tier_review(account, settings=settings)
    return lots


# --- Tiers --------------------------------------------------------------------------------


def _period(settings: ProgramSettings, at: datetime) -> tuple[datetime, datetime]:
    """The qualifying period that ``at`` falls in: [start, end)."""
    if settings.tier_period == ProgramSettings.TierPeriod.CALENDAR_YEAR:
        start = at.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        return start, start + relativedelta(years=1)
    return at - relativedelta(years=1), at


def tier_progress(account: Account, *, settings: ProgramSettings | None = None, now=None):
    """(qualifying value so far, the next tier or None, what is still missing)."""
    settings = settings or program()
    now = now or timezone.now()
    start, end = _period(settings, now)
    value = _qualifying_value(account, settings, start, min(end, now))
    upcoming = Tier.objects.filter(threshold__gt=value).order_by("threshold").first()
    return value, upcoming, (upcoming.threshold - value) if upcoming else Decimal(0)


def _qualifying_value(account: Account, settings, start: datetime, end: datetime) -> Decimal:
    if settings.tier_basis == ProgramSettings.TierBasis.POINTS:
        earned = Entry.objects.filter(
            account=account,
            kind__in=[Kind.EARN, Kind.REVERSE],
            created_at__gte=start,
            created_at__lt=end,
        ).aggregate(n=Sum("lifetime_delta"))["n"]
        return Decimal(earned or 0)
    orders = Order.objects.alias(email_lower=Lower("email")).filter(
        email_lower=account.email,
        paid_at__gte=start,
        paid_at__lt=end,
        cancelled_at__isnull=True,
    )
    spent = orders.aggregate(t=Sum("total"))["t"] or Decimal(0)
    refunded = Refund.objects.filter(order__in=orders).aggregate(t=Sum("amount"))["t"] or Decimal(0)
    return max(spent - refunded, Decimal(0))


def _best_tier(value: Decimal) -> Tier | None:
    return Tier.objects.filter(threshold__lte=value).order_by("-threshold").first()


def _tier_review(account: Account, *, settings: ProgramSettings, now=None) -> bool:
    """Promote at once; demote only when the period the tier was held for is over, to
    what the period just ended qualifies for. The caller holds the account lock. True if
    the tier changed."""
    now = now or timezone.now()
    current = account.tier
    start, end = _period(settings, now)
    best_now = _best_tier(_qualifying_value(account, settings, start, min(end, now)))
    if best_now and (current is None or best_now.threshold > current.threshold):
        account.tier = best_now
        account.tier_until = end if end > now else now + relativedelta(years=1)
    elif current is not None and account.tier_until and account.tier_until <= now:
        ended_start, ended_end = _period(settings, account.tier_until - relativedelta(days=1))
        if settings.tier_period == ProgramSettings.TierPeriod.ROLLING_YEAR:
            ended_start, ended_end = account.tier_until - relativedelta(years=1), account.tier_until
        kept = _best_tier(_qualifying_value(account, settings, ended_start, ended_end))
        if best_now and (kept is None or best_now.threshold > kept.threshold):
            kept = best_now
        account.tier = kept
        account.tier_until = _period(settings, now)[1] if kept else None
        if kept and settings.tier_period == ProgramSettings.TierPeriod.ROLLING_YEAR:
            account.tier_until = now + relativedelta(years=1)
    else:
        return False
    account.save(update_fields=["tier", "tier_until"])
    changed = account.tier_id != (current.pk if current else None)
    if changed:
        _email(
            account,
            "tier",
            f"tier:{account.pk}:{current.pk if current else 0}:{account.tier_id or 0}:{now:%Y%m%d}",
            tier_id=account.tier_id,
            previous_tier_id=current.pk if current else None,
        )
    return changed


@transaction.atomic
def account_tier_review(*, account_id: int, now=None) -> bool:
    """Review one member's tier now (see ``_tier_review``). Idempotent."""
    account = _locked(account_id)
    return _tier_review(account, settings=program(), now=now)


def tiers_review_due(*, now=None) -> int:
    """Review every member whose tier's period is over; returns how many changed."""
    now = now or timezone.now()
    due = Account.objects.filter(tier__isnull=False, tier_until__lte=now).values_list(
        "pk", flat=True
    )
    return sum(1 for pk in list(due) if account_tier_review(account_id=pk, now=now))


@transaction.atomic
def order_points_reverse(*, order_id: int) -> list[Entry]:
    """Take back what a cancellation or the order's refunds say is no longer earned.

    Converges: each lot of the order is brought to the reversal the order now calls for
    (all of it if cancelled or fully refunded; the refunded lines and quantities, else the
    refunded share of the total), at the points the lot was earned at. Idempotent.
    """
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return []
    account = Account.objects.filter(email=order.email.strip().lower()).first()
    if account is None:
        return []
    return _reversals_sync(_locked(account.pk), order)


def _reversal_target(order: Order, lot: Lot) -> int:
    """How many of the lot's points the order's cancellation or refunds take back."""
    if order.cancelled_at or order.financial_status == Order.FinancialStatus.REFUNDED:
        return lot.points
    lot_lines = list(lot.lines.all())
    refunded_qty = dict(
        RefundLine.objects.filter(refund__order=order)
        .values_list("line_id")
        .annotate(q=Sum("quantity"))
    )
    target = Decimal("0")
    if lot_lines:
        for lot_line in lot_lines:
            q = min(refunded_qty.get(lot_line.line_id, 0), lot_line.quantity)
            target += Decimal(lot_line.points) * q / lot_line.quantity
    # Refunds that name no lines take back their share of the order's total.
    amount_only = order.refunds.filter(lines__isnull=True).aggregate(a=Sum("amount"))[
        "a"
    ] or Decimal(0)
    if amount_only and order.total:
        target += Decimal(lot.points) * min(amount_only / order.total, Decimal(1))
    elif not lot_lines and refunded_qty:
        # A bonus lot of an order with line refunds: the refunded share of the order.
        refunded = order.refunds.aggregate(a=Sum("amount"))["a"] or Decimal(0)
        if order.total:
            target += Decimal(lot.points) * min(refunded / order.total, Decimal(1))
    return min(lot.points, _floor(target))


def _reversed_so_far(lot: Lot) -> int:
    done = Entry.objects.filter(lot=lot, kind=Kind.REVERSE).aggregate(
        p=Sum(F("pending_delta") + F("available_delta")), f=Sum("forgiven")
    )
    return -(done["p"] or 0) + (done["f"] or 0)


def _reversals_sync(account: Account, order: Order) -> list[Entry]:
    refunded = order.financial_status == Order.FinancialStatus.REFUNDED
    if not order.cancelled_at and not refunded and not order.refunds.exists():
        return []  # nothing to take back (the usual case for a new order)
    entries = []
    for lot in Lot.objects.filter(account=account, order=order).order_by("pk"):
        target = _reversal_target(order, lot)
        missing = target - _reversed_so_far(lot)
        if missing > 0:
            entry = _reverse(account, lot, missing, key=f"reverse:lot:{lot.pk}:to:{target}")
            if entry is not None:
                entries.append(entry)
    return entries


def _reverse(account: Account, lot: Lot, points: int, *, key: str) -> Entry | None:
    """Take ``points`` of ``lot`` back: from the lot while it has them, then (they were
    spent) from the member's other available points, then as the program says: a
    negative balance or forgiven."""
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    if lot.status == Status.PENDING:
        taken = min(points, lot.remaining)
        return _post(
            account,
            kind=Kind.REVERSE,
            key=key,
            pending=-taken,
            lifetime=-taken,
            lot=lot,
            order=lot.order,
            allocations=[(lot, taken)],
        )
    allocations = [(lot, min(points, lot.remaining))]
    short = points - allocations[0][1]
    if short:
        for other in _spendable(account).exclude(pk=lot.pk):
            take = min(short, other.remaining)
            allocations.append((other, take))
            short -= take
            if not short:
                break
    forgiven = 0
    if short and program().spent_reversal == ProgramSettings.SpentReversal.FORGIVE:
        forgiven, short = short, 0
    taken = points - forgiven
    return _post(
        account,
        kind=Kind.REVERSE,
        key=key,
        available=-taken,
        lifetime=-points,
        forgiven=forgiven,
        lot=lot,
        order=lot.order,
        allocations=allocations,
    )


def _first_in_first_out(account: Account, points: int) -> list[tuple[Lot, int]]:
    """Which lots ``points`` available points come from, soonest to expire first (the
    caller has checked the balance holds them)."""
    allocations, left = [], points
    for lot in _spendable(account):
        take = min(left, lot.remaining)
        allocations.append((lot, take))
        left -= take
        if not left:
            break
    return allocations


def _spendable(account: Account):
    """Available lots with points left, in the order they are spent: soonest to expire
    first, then oldest."""
    return (
        Lot.objects.select_for_update()
        .filter(account=account, status=Status.AVAILABLE, remaining__gt=0)
        .order_by(F("expires_at").asc(nulls_last=True), "created_at", "pk")
    )


# --- Time ---------------------------------------------------------------------------------


@transaction.atomic
def lot_release(*, lot_id: int, now: datetime | None = None) -> Entry | None:
    """Pending points whose return window has closed become available. Idempotent."""
    now = now or timezone.now()
    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None:
        return None
    account = _locked(lot.account_id)
    lot = Lot.objects.select_for_update().get(pk=lot_id)
    if lot.status != Status.PENDING or (lot.available_at and lot.available_at > now):
        return None
    points = lot.remaining
    lot.status = Status.AVAILABLE if points else Status.CLOSED
    lot.save(update_fields=["status"])
    entry = _post(
        account,
        kind=Kind.RELEASE,
        key=f"release:lot:{lot.pk}",
        pending=-points,
        available=points,
        lot=lot,
        order=lot.order,
    )
    if points:
        _repay(account, lot)
        key = f"available:order:{lot.order_id}" if lot.order_id else f"available:lot:{lot.pk}"
        _email(account, "available", key, order_id=lot.order_id, lot_id=lot.pk)
    return entry


def points_release_due(*, now: datetime | None = None) -> int:
    """Release every lot that is due; returns how many were released."""
    now = now or timezone.now()
    due = Lot.objects.filter(status=Status.PENDING, available_at__lte=now).values_list(
        "pk", flat=True
    )
    return sum(1 for pk in list(due) if lot_release(lot_id=pk, now=now) is not None)


@transaction.atomic
def lot_expire(*, lot_id: int, now: datetime | None = None) -> Entry | None:
    """What is left of an available lot past its expiry goes. Idempotent."""
    now = now or timezone.now()
    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None:
        return None
    account = _locked(lot.account_id)
    lot = Lot.objects.select_for_update().get(pk=lot_id)
    if lot.status != Status.AVAILABLE or not lot.remaining:
        return None
    if not _is_expired(account, lot, now):
        return None
    return _post(
        account,
        kind=Kind.EXPIRE,
        key=f"expire:lot:{lot.pk}",
        available=-lot.remaining,
        lot=lot,
        allocations=[(lot, lot.remaining)],
    )


def _is_expired(account: Account, lot: Lot, now: datetime) -> bool:
    settings = program()
    if settings.expiry == ProgramSettings.Expiry.AFTER_EARNED:
        return lot.expires_at is not None and lot.expires_at <= now
    if settings.expiry == ProgramSettings.Expiry.AFTER_INACTIVITY:
        last = account.last_activity_at or lot.created_at
        return last + relativedelta(months=settings.expiry_months) <= now
    return False


def points_expire_due(*, now: datetime | None = None) -> int:
    """Expire every available lot that is due; returns how many expired."""
    now = now or timezone.now()
    settings = program()
    lots = Lot.objects.filter(status=Status.AVAILABLE, remaining__gt=0)
    if settings.expiry == ProgramSettings.Expiry.AFTER_EARNED:
        lots = lots.filter(expires_at__lte=now)
    elif settings.expiry == ProgramSettings.Expiry.AFTER_INACTIVITY:
        cutoff = now - relativedelta(months=settings.expiry_months)
        lots = lots.filter(account__last_activity_at__lte=cutoff)
    else:
        return 0
    pks = list(lots.values_list("pk", flat=True))
    return sum(1 for pk in pks if lot_expire(lot_id=pk, now=now) is not None)


# --- Spending and staff -------------------------------------------------------------------


@transaction.atomic
def points_spend(*, account_id: int, points: int, key: str, note: str = "") -> Entry | None:
    """Spend available points, soonest-expiring first. Raises ``InsufficientPoints``.

    Idempotent per ``key`` (e.g. "redemption:<id>"). Two spends racing on one balance
    never overspend it: the account row is locked.
    """
    if points <= 0:
        raise ValueError("points must be positive")
    account = _locked(account_id)
    if Entry.objects.filter(key=key).exists():
        return None
    if account.available < points:
        raise InsufficientPoints(available=account.available, needed=points)
    allocations = _first_in_first_out(account, points)
    return _post(
        account, kind=Kind.REDEEM, key=key, available=-points, allocations=allocations, note=note
    )


@transaction.atomic
def points_adjust(*, account_id: int, points: int, staff, reason: str, key: str) -> Entry | None:
    """A staff member adds or removes available points, with a reason. Idempotent per key.

    Added points are a lot of their own (they expire like any other); removed points come
    from the soonest-expiring lots and cannot take the balance below zero.
    """
    if not points:
        raise ValueError("points must not be zero")
    account = _locked(account_id)
    if points > 0:
        now = timezone.now()
        lot = _open_lot(
            account,
            key=key,
            points=points,
            status=Status.AVAILABLE,
            earned_at=now,
            available_at=now,
            rule=None,
            note=reason,
            staff=staff,
            kind=Kind.ADJUST,
        )
        return lot.entries.get(kind=Kind.ADJUST) if lot else None
    if Entry.objects.filter(key=key).exists():
        return None
    if account.available < -points:
        raise InsufficientPoints(available=account.available, needed=-points)
    allocations = _first_in_first_out(account, -points)
    return _post(
        account,
        kind=Kind.ADJUST,
        key=key,
        available=points,
        allocations=allocations,
        note=reason,
        staff=staff,
    )


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
    if issued:
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


# --- The proof ----------------------------------------------------------------------------


def ledger_check(*, accounts=None) -> list[str]:
    """Every way the cached numbers could disagree with the ledger, as sentences; [] when
    they all agree."""
    problems = []
    accounts = Account.objects.all() if accounts is None else accounts
    sums = {
        row["account"]: row
        for row in Entry.objects.values("account").annotate(
            pending=Sum("pending_delta"),
            available=Sum("available_delta"),
            lifetime=Sum("lifetime_delta"),
        )
    }
    lots = {
        (row["account"], row["status"]): row["left"]
        for row in Lot.objects.values("account", "status").annotate(left=Sum("remaining"))
    }
    for account in accounts.order_by("pk"):
        row = sums.get(account.pk, {})
        for name, cached in (
            ("pending", account.pending),
            ("available", account.available),
            ("lifetime", account.lifetime_earned),
        ):
            if (row.get(name) or 0) != cached:
                problems.append(
                    f"{account.email}: {name} is {cached}, the ledger says {row.get(name) or 0}"
                )
        pending_left = lots.get((account.pk, Status.PENDING)) or 0
        if pending_left != account.pending:
            problems.append(
                f"{account.email}: pending lots hold {pending_left}, the balance is "
                f"{account.pending}"
            )
        available_left = lots.get((account.pk, Status.AVAILABLE)) or 0
        if available_left != max(account.available, 0):
            problems.append(
                f"{account.email}: available lots hold {available_left}, the balance is "
                f"{account.available}"
            )
    lots_off = Lot.objects.annotate(taken=Coalesce(Sum("allocations__points"), 0)).exclude(
        remaining=F("points") - F("taken")
    )
    for lot in lots_off:
        problems.append(
            f"lot {lot.pk}: {lot.remaining} left of {lot.points}, its allocations leave "
            f"{lot.points - lot.taken}"
        )
    return problems
