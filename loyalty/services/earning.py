"""What orders earn, and what cancellations and refunds take back."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Exists, F, Min, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext

from orders.models import Order, OrderLine, Refund, RefundLine
from orders.services.inbox import is_contention

from ..models import (
    Account,
    Allocation,
    Campaign,
    EarningRule,
    Entry,
    Lot,
    LotLine,
    ProgramSettings,
    Redemption,
)
from .ledger import (
    _email,
    _locked,
    _open_lot,
    _post,
    _spendable,
    account_for_email,
    program,
)
from .rewards import _give_back
from .tiers import _tier_review, _tiers_review

Status = Lot.Status
Kind = Entry.Kind


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


@dataclass
class _Catalogue:
    """What orders earn by, read once for a batch: the program, its active spend rules,
    the first-order bonus and the campaigns running at some time in [paid_from, paid_to]."""

    settings: ProgramSettings
    spend_rules: list[EarningRule]
    first_order_rule: EarningRule | None
    campaigns: list[Campaign]


def earning_catalogue(*, settings: ProgramSettings, paid_from, paid_to) -> _Catalogue:
    """The rules and the campaigns running at some time in [paid_from, paid_to], for
    ``order_earnings(catalogue=...)``: read once for many orders (the campaign preview
    passes its own list of campaigns in a copy)."""
    return _Catalogue(
        settings=settings,
        spend_rules=list(
            EarningRule.objects.filter(kind=EarningRule.Kind.SPEND, active=True).order_by("pk")
        ),
        first_order_rule=EarningRule.objects.filter(
            kind=EarningRule.Kind.FIRST_ORDER, active=True
        ).first(),
        campaigns=list(
            Campaign.objects.filter(active=True, starts_at__lte=paid_to, ends_at__gt=paid_from)
            .prefetch_related("tiers")
            .order_by("pk")
        ),
    )


def _campaigns_for(
    order: Order, account: Account, *, first_order: bool, campaigns: list[Campaign]
) -> list[Campaign]:
    """The campaigns whose dates hold the payment and whose member conditions hold."""
    found = []
    for campaign in campaigns:
        if not campaign.starts_at <= order.paid_at < campaign.ends_at:
            continue
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
    catalogue: _Catalogue | None = None,
) -> list[_Earning]:
    """What a paid order earns: each spend rule's points on the order's base, multiplied
    by the member's tier and by the campaigns that cover each line; the first-order bonus;
    campaign bonuses. Campaigns overlap as the program says (the highest wins, or they add
    up). ``catalogue``: the rules and campaigns, when the caller has read them already."""
    settings = catalogue.settings if catalogue else settings or program()
    catalogue = catalogue or earning_catalogue(
        settings=settings, paid_from=order.paid_at, paid_to=order.paid_at
    )
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
    campaigns = _campaigns_for(
        order, account, first_order=first_order, campaigns=catalogue.campaigns
    )
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
    for rule in catalogue.spend_rules:
        if rule.currency not in ("", order.currency):
            continue
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
    bonus = catalogue.first_order_rule
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


EARNING_ORDER_FIELDS = (
    "email",
    "number",
    "currency",
    "total",
    "shipping_total",
    "tax_total",
    "placed_at",
    "paid_at",
    "cancelled_at",
    "financial_status",
)
EARNING_LINE_FIELDS = (
    "order",
    "quantity",
    "unit_price",
    "discount_total",
    "removed",
    "is_gift_card",
    "product_type",
    "tags",
)


def orders_points_award(*, order_ids: list[int]) -> int:
    """``order_points_award`` for many paid orders, most of them set-based: a few
    statements for the whole batch instead of some twenty per order. Returns how many lots
    were opened.

    Set-based: each order whose member has no other order in the batch and that has no
    refund yet. The rest (a member's second order, whose tier may have changed with the
    first; orders with refunds to reverse) go one by one after it, as does the whole batch
    if it meets contention. The ledger ends the same either way (a test compares them).
    """
    settings = program()
    if not settings.enabled or not order_ids:
        return 0
    # Only what earning reads (``order_earnings``, ``Campaign.covers``): the orders' other
    # columns (addresses, raw data) would cost more to load than the award.
    lines = OrderLine.objects.only(*EARNING_LINE_FIELDS)
    orders = list(
        Order.objects.filter(pk__in=order_ids, paid_at__isnull=False, cancelled_at__isnull=True)
        .only(*EARNING_ORDER_FIELDS)
        .annotate(refunded=Exists(Refund.objects.filter(order=OuterRef("pk"))))
        .prefetch_related(Prefetch("lines", queryset=lines))
    )
    by_id = {order.pk: order for order in orders}
    batch, later, emails = [], [], set()
    for order_id in dict.fromkeys(order_ids):  # as given, once each
        order = by_id.get(order_id)
        if order is None:
            continue
        email = order.email.strip().lower()
        refunded = order.refunded or order.financial_status == Order.FinancialStatus.REFUNDED
        # A member's orders are awarded in the order given (the first may change the
        # tier the next earns at): after one goes one by one, the rest of theirs follow.
        if email in emails or refunded:
            later.append(order_id)
        else:
            batch.append(order)
        emails.add(email)
    opened = 0
    if batch:
        try:
            opened = _award_together(batch, settings)
        except (IntegrityError, OperationalError) as exc:
            if isinstance(exc, OperationalError) and not is_contention(exc):
                raise
            later = [order.pk for order in batch] + later
    for order_id in later:
        opened += len(order_points_award(order_id=order_id))
    return opened


@transaction.atomic
def _award_together(orders: list[Order], settings: ProgramSettings) -> int:
    """The set-based award of orders of distinct members with nothing to reverse."""
    accounts = _accounts_locked({order.email.strip().lower() for order in orders})
    firsts = _first_orders(orders)
    catalogue = earning_catalogue(
        settings=settings,
        paid_from=min(o.paid_at for o in orders),
        paid_to=max(o.paid_at for o in orders),
    )
    planned = []
    for order in orders:
        account = accounts[order.email.strip().lower()]
        earnings = order_earnings(
            order, account=account, first_order=order.pk in firsts, catalogue=catalogue
        )
        planned += [(order, account, e) for e in earnings if e.points > 0]
    done = set(
        Entry.objects.filter(key__in=[e.key for _, _, e in planned]).values_list("key", flat=True)
    )
    planned = [(o, a, e) for o, a, e in planned if e.key not in done]
    if not planned:
        return 0
    lots = Lot.objects.bulk_create(
        [
            _lot(account, earning, order=order, settings=settings)
            for order, account, earning in planned
        ]
    )
    LotLine.objects.bulk_create(
        [
            LotLine(lot=lot, line_id=line, quantity=quantity, points=points)
            for lot, (_, _, earning) in zip(lots, planned, strict=True)
            for line, quantity, points in earning.lines
            if points
        ]
    )
    Entry.objects.bulk_create(
        [
            Entry(
                account=account,
                kind=Kind.EARN,
                key=earning.key,
                pending_delta=lot.points,
                lifetime_delta=lot.points,
                lot=lot,
                order=order,
                note=earning.note,
            )
            for lot, (order, account, earning) in zip(lots, planned, strict=True)
        ]
    )
    now = timezone.now()
    changed = {}
    for _, account, earning in planned:
        account.pending += earning.points
        account.lifetime_earned += earning.points
        account.last_activity_at = now
        changed[account.pk] = account
    _balances_save(list(changed.values()), now=now)
    for order in dict.fromkeys(order for order, _, _ in planned):
        account = accounts[order.email.strip().lower()]
        _email(account, "earned", f"earned:order:{order.pk}", order_id=order.pk)
    _tiers_review(list(changed.values()), settings=settings, now=now)
    return len(lots)


def _balances_save(accounts: list[Account], *, now) -> None:
    """Write the locked accounts' new pending and lifetime balances in one statement (on
    PostgreSQL from arrays: ``bulk_update``'s CASE per row costs more to build than the
    awards themselves)."""
    if connection.vendor != "postgresql":
        for account in accounts:
            account.ledger_version += 1
        Account.objects.bulk_update(
            accounts, ["pending", "lifetime_earned", "last_activity_at", "ledger_version"]
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE loyalty_account AS a
            SET pending = v.pending, lifetime_earned = v.lifetime, last_activity_at = %s,
                ledger_version = a.ledger_version + 1
            FROM unnest(%s::bigint[], %s::integer[], %s::integer[]) AS v(id, pending, lifetime)
            WHERE a.id = v.id
            """,
            [
                now,
                [a.pk for a in accounts],
                [a.pending for a in accounts],
                [a.lifetime_earned for a in accounts],
            ],
        )


def _lot(account: Account, earning: _Earning, *, order: Order, settings: ProgramSettings) -> Lot:
    """The pending lot ``_open_lot`` would open for an order's earning."""
    rule = earning.rule
    expires_at = None
    if settings.expiry == ProgramSettings.Expiry.AFTER_EARNED:
        expires_at = order.paid_at + relativedelta(months=settings.expiry_months)
    return Lot(
        account=account,
        status=Status.PENDING,
        points=earning.points,
        remaining=earning.points,
        available_at=order.paid_at + relativedelta(days=settings.return_window_days),
        expires_at=expires_at,
        rule=rule,
        rule_name=(earning.label or (rule.name if rule else earning.note))[:100],
        rule_version=rule.version if rule else None,
        rate=rule.rate if rule and rule.kind == EarningRule.Kind.SPEND else None,
        order=order,
    )


def _accounts_locked(emails: set[str]) -> dict[str, Account]:
    """The accounts of ``emails`` (created where missing), row-locked in primary key order
    so that two batches never wait for each other in a circle."""
    existing = set(Account.objects.filter(email__in=emails).values_list("email", flat=True))
    Account.objects.bulk_create(
        [Account(email=email) for email in sorted(emails - existing)], ignore_conflicts=True
    )
    locked = (
        Account.objects.select_for_update(of=("self",))
        .select_related("tier")
        .filter(email__in=emails)
        .order_by("pk")
    )
    return {account.email: account for account in locked}


def _first_orders(orders: list[Order]) -> set[int]:
    """Which of ``orders`` are their customer's first paid, uncancelled order (as
    ``_is_first_order`` decides one at a time), in two statements."""
    emails = {order.email.strip().lower() for order in orders}
    paid = Order.objects.annotate(email_lower=Lower("email")).filter(
        email_lower__in=emails, paid_at__isnull=False, cancelled_at__isnull=True
    )
    first_at = dict(
        paid.values("email_lower").annotate(at=Min("placed_at")).values_list("email_lower", "at")
    )
    first = {}
    rows = paid.filter(placed_at__in=set(first_at.values())).values_list(
        "email_lower", "placed_at", "pk"
    )
    for email, placed_at, pk in rows:
        if placed_at == first_at[email] and (email not in first or pk < first[email][1]):
            first[email] = (placed_at, pk)
    return {
        order.pk
        for order in orders
        if (earliest := first.get(order.email.strip().lower())) is None
        or (order.placed_at, order.pk) <= earliest
    }


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
    settings = program()
    voiding = settings.spent_reversal == ProgramSettings.SpentReversal.VOID
    if voiding and _void_codes_bought_with(account, lot, points):
        account.refresh_from_db()  # the codes' points came back through their own posts
        lot.refresh_from_db()
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
    if short and settings.spent_reversal == ProgramSettings.SpentReversal.FORGIVE:
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


def _void_codes_bought_with(account: Account, lot: Lot, points: int) -> int:
    """The program voids unused codes bought with a reversed lot's points: the newest
    first, until the member has ``points`` to give back (a used code stays; what it
    spent becomes a negative balance). Their points come back to the lots they came from
    (``RESTORE`` entries); a Stripe promotion code is switched off after commit
    (``tasks.deactivate_promotion_code``). Returns how many were voided."""
    have = lot.remaining + sum(other.remaining for other in _spendable(account).exclude(pk=lot.pk))
    if have >= points:
        return 0
    keys = Allocation.objects.filter(
        lot=lot, points__gt=0, entry__kind=Kind.REDEEM, entry__key__startswith="redemption:"
    ).values_list("entry__key", flat=True)
    ids = [int(key.split(":", 1)[1]) for key in keys]
    codes = Redemption.objects.filter(
        pk__in=ids, account=account, status=Redemption.Status.ISSUED
    ).order_by("-created_at", "-pk")
    voided = 0
    for redemption in codes:
        if have >= points:
            break
        _give_back(
            redemption,
            status=Redemption.Status.VOIDED,
            error=gettext("Voided: the points that bought it were taken back (%(order)s).")
            % {"order": lot.order.number if lot.order_id else "-"},
        )
        have += redemption.points
        voided += 1
        if redemption.stripe_promotion_code_id:
            from ..tasks import deactivate_promotion_code

            transaction.on_commit(
                lambda pk=redemption.pk: deactivate_promotion_code.delay(pk), robust=True
            )
    return voided
