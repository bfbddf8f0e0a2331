"""Reads for the marketers' dashboard and finance's points liability: pure functions over
the ledger, the rewards catalog and the order mirror. Nothing here writes.

Months are calendar months in the portal's time zone (``TIME_ZONE``), whoever looks: a
roll-forward must say the same to everyone who reconciles it. Each function runs a fixed
number of queries (grouped by month in the database), however many months or members.

Formulas (docs/loyalty.md, "The dashboard and the points liability", says the same):

- roll-forward: opening + issued + redeemed + given back + expired + reversed + adjusted +
  other = closing, each movement the sum of one kind of entry's pending and available
  deltas in the month (releases move points from pending to available and repayments move
  none, so they add nothing; a kind added later lands in "other" until it has a column);
- liability: pending points plus positive available balances (a negative balance is a debt
  the member's next points repay, not a promise of ours), less the expected breakage;
- breakage rate: points that expired / (expired + redeemed net of given back), over lots
  that are closed;
- value per point: the median of amount / points over the active fixed-amount rewards, per
  currency;
- redemption rate: points redeemed (net of given back) / points issued;
- code use rate: codes used / codes issued (issued, used or voided);
- repeat-purchase rate: customers with two or more paid orders / customers with one or more.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Lower, TruncMonth
from django.utils import timezone

from orders.models import Order

from .models import Account, Allocation, Entry, Lot, Redemption, Reward

Kind = Entry.Kind

# Which roll-forward column each kind of entry moves. Release (pending to available) and
# repay (no change of balance) net to zero; they and any kind added later go to "other",
# so the roll-forward reconciles whatever the ledger holds.
COLUMNS = {
    Kind.EARN: "issued",
    Kind.REDEEM: "redeemed",
    Kind.RESTORE: "restored",
    Kind.EXPIRE: "expired",
    Kind.REVERSE: "reversed",
    Kind.ADJUST: "adjusted",
}
MOVEMENTS = ("issued", "redeemed", "restored", "expired", "reversed", "adjusted", "other")
CENT = Decimal("0.01")
# Codes a member received: "being issued" and "could not be issued" never reached them.
CODES_ISSUED = (Redemption.Status.ISSUED, Redemption.Status.USED, Redemption.Status.VOIDED)


def report_tz():
    return timezone.get_default_timezone()


def month_start(value: date | datetime) -> date:
    """The first day of the month ``value`` falls in (a datetime: in the report's zone)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value, report_tz()).date()
    return value.replace(day=1)


def month_bound(month: date) -> datetime:
    """Midnight at the start of ``month``, in the report's zone (aware)."""
    return datetime(month.year, month.month, 1, tzinfo=report_tz())


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first`` to ``last``, both included."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month += relativedelta(months=1)
    return months


def ratio(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole, or None when there is nothing to divide by (shown as "—")."""
    if not whole:
        return None
    return Decimal(part) / Decimal(whole)


def _month_of(value) -> date:
    # TruncMonth gives an aware datetime in the zone it truncated in.
    return value.date() if isinstance(value, datetime) else value


# --- The roll-forward -------------------------------------------------------------------


@dataclass
class RollForwardRow:
    month: date
    opening: int = 0
    issued: int = 0
    redeemed: int = 0  # negative: points leave the balance
    restored: int = 0  # spent points given back (code not issued, or voided)
    expired: int = 0
    reversed: int = 0
    adjusted: int = 0
    other: int = 0
    closing: int = 0
    closing_pending: int = 0
    closing_available: int = 0

    @property
    def movement(self) -> int:
        return sum(getattr(self, name) for name in MOVEMENTS)

    @property
    def redeemed_net(self) -> int:
        """Points spent on rewards and kept spent, as a positive number."""
        return -(self.redeemed + self.restored)


def roll_forward(start_month: date, months: int) -> list[RollForwardRow]:
    """The points balance month by month: opening, each kind of movement, closing (all
    points, and the closing split into pending and available). Two queries.

    Every entry counts in the month it was written; the closing of the last month (when it
    is the current one) equals the sum of the cached balances of every account.
    """
    start_month = month_start(start_month)
    months_list = [start_month + relativedelta(months=i) for i in range(months)]
    start = month_bound(start_month)
    end = month_bound(start_month + relativedelta(months=months))
    before = Entry.objects.filter(created_at__lt=start).aggregate(
        pending=Sum("pending_delta"), available=Sum("available_delta")
    )
    pending, available = before["pending"] or 0, before["available"] or 0
    moves: dict[tuple[date, str], tuple[int, int]] = {}
    grouped = (
        Entry.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(month=TruncMonth("created_at", tzinfo=report_tz()))
        .values("month", "kind")
        .annotate(pending=Sum("pending_delta"), available=Sum("available_delta"))
        .order_by()
    )
    for row in grouped:
        moves[(_month_of(row["month"]), row["kind"])] = (row["pending"], row["available"])
    rows = []
    for month in months_list:
        row = RollForwardRow(month=month, opening=pending + available)
        for (moved_month, kind), (p, a) in moves.items():
            if moved_month != month:
                continue
            column = COLUMNS.get(kind, "other")
            setattr(row, column, getattr(row, column) + p + a)
            pending += p
            available += a
        row.closing = pending + available
        row.closing_pending, row.closing_available = pending, available
        rows.append(row)
    return rows


# --- Value, breakage, liability ---------------------------------------------------------


def value_per_point(*, now: datetime | None = None) -> dict[str, Decimal]:
    """What one point is worth per currency, as the rewards catalog prices it: the median of
    amount / points over the active fixed-amount rewards that have not ended. One query.

    The median, not a mean: one generous promotional reward should not move the value of
    every outstanding point. Percentage, free-shipping and free-product rewards have no
    fixed value and are left out.
    """
    now = now or timezone.now()
    rewards = (
        Reward.objects.filter(kind=Reward.Kind.AMOUNT_OFF, active=True, points_cost__gt=0)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .values_list("currency", "amount", "points_cost")
    )
    per_currency: dict[str, list[Decimal]] = {}
    for currency, amount, points_cost in rewards:
        per_currency.setdefault(currency.upper(), []).append(amount / Decimal(points_cost))
    return {
        currency: statistics.median(values) for currency, values in sorted(per_currency.items())
    }


@dataclass
class Breakage:
    expired: int
    redeemed: int

    @property
    def rate(self) -> Decimal:
        """Expired / (expired + redeemed); zero until a lot has closed either way."""
        return ratio(self.expired, self.expired + self.redeemed) or Decimal(0)

    @property
    def has_history(self) -> bool:
        return bool(self.expired + self.redeemed)


def breakage() -> Breakage:
    """How members' points ended, over lots that are closed (nothing left in them): expired,
    or redeemed (less what was given back). Lots still open are left out, since their
    points may yet go either way; reversals and staff removals are not a member's choice
    and are left out too. One query."""
    sums = dict(
        Allocation.objects.filter(
            lot__status=Lot.Status.CLOSED,
            entry__kind__in=(Kind.EXPIRE, Kind.REDEEM, Kind.RESTORE),
        )
        .values_list("entry__kind")
        .annotate(points=Sum("points"))
        .order_by()
    )
    return Breakage(
        expired=sums.get(Kind.EXPIRE, 0) or 0,
        redeemed=(sums.get(Kind.REDEEM, 0) or 0) + (sums.get(Kind.RESTORE, 0) or 0),
    )


def breakage_rate() -> Decimal:
    return breakage().rate


@dataclass
class LiabilityValue:
    currency: str
    value_per_point: Decimal
    gross: Decimal  # every outstanding point at that value
    net: Decimal  # less the expected breakage


@dataclass
class Liability:
    pending: int
    available: int  # positive available balances only
    owed: int  # negative available balances, as a positive number
    breakage: Breakage
    values: list[LiabilityValue] = field(default_factory=list)

    @property
    def points(self) -> int:
        return self.pending + self.available

    @property
    def ledger_total(self) -> int:
        """What the roll-forward closes at: points outstanding less points owed."""
        return self.points - self.owed

    @property
    def expected_breakage(self) -> int:
        return int((self.points * self.breakage.rate).quantize(Decimal(1), ROUND_HALF_UP))

    @property
    def net_points(self) -> int:
        return self.points - self.expected_breakage


def money(value: Decimal) -> Decimal:
    """The one rounding rule for amounts shown here: to the cent, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def liability(*, now: datetime | None = None) -> Liability:
    """The points the program owes now, and what they are worth per catalog currency.

    Pending points count: they were earned on paid orders, and a return takes them back
    together with the sale (finance's returns provision covers that). Negative balances do
    not reduce what is owed to the other members: they are shown apart as ``owed``.
    Three queries.
    """
    # Aliases differ from the field names: Django refuses to aggregate over a clash.
    totals = Account.objects.aggregate(
        pending_sum=Sum("pending"),
        available_sum=Sum("available", filter=Q(available__gt=0)),
        owed_sum=Sum("available", filter=Q(available__lt=0)),
    )
    result = Liability(
        pending=totals["pending_sum"] or 0,
        available=totals["available_sum"] or 0,
        owed=-(totals["owed_sum"] or 0),
        breakage=breakage(),
    )
    for currency, per_point in value_per_point(now=now).items():
        result.values.append(
            LiabilityValue(
                currency=currency,
                value_per_point=per_point,
                gross=money(result.points * per_point),
                net=money(result.net_points * per_point),
            )
        )
    return result


# --- Members, codes, repeat purchases ---------------------------------------------------


@dataclass
class MemberMonth:
    month: date
    joined: int
    members: int  # at the end of the month


def members_by_month(start_month: date, months: int) -> list[MemberMonth]:
    """New members per month and members at each month's end (by ``joined_at``; an account
    that never joined is points waiting on an email, not a member). One query."""
    start_month = month_start(start_month)
    end = month_bound(start_month + relativedelta(months=months))
    joined = (
        Account.objects.filter(joined_at__isnull=False, joined_at__lt=end)
        .annotate(month=TruncMonth("joined_at", tzinfo=report_tz()))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_month: dict[date, int] = {}
    before = 0
    for month, n in joined:
        month = _month_of(month)
        if month < start_month:
            before += n
        else:
            per_month[month] = per_month.get(month, 0) + n
    rows, members = [], before
    for i in range(months):
        month = start_month + relativedelta(months=i)
        members += per_month.get(month, 0)
        rows.append(MemberMonth(month=month, joined=per_month.get(month, 0), members=members))
    return rows


@dataclass
class CodeMonth:
    month: date
    issued: int
    used: int

    @property
    def use_rate(self) -> Decimal | None:
        return ratio(self.used, self.issued)


def codes_by_month(start_month: date, months: int) -> list[CodeMonth]:
    """Reward codes issued in each month (issued, used or later voided) and how many of
    those are used by now. One query."""
    start_month = month_start(start_month)
    start = month_bound(start_month)
    end = month_bound(start_month + relativedelta(months=months))
    grouped = (
        Redemption.objects.filter(
            created_at__gte=start, created_at__lt=end, status__in=CODES_ISSUED
        )
        .annotate(month=TruncMonth("created_at", tzinfo=report_tz()))
        .values_list("month")
        .annotate(issued=Count("pk"), used=Count("pk", filter=Q(status=Redemption.Status.USED)))
        .order_by()
    )
    counts = {_month_of(month): (issued, used) for month, issued, used in grouped}
    rows = []
    for i in range(months):
        month = start_month + relativedelta(months=i)
        issued, used = counts.get(month, (0, 0))
        rows.append(CodeMonth(month=month, issued=issued, used=used))
    return rows


@dataclass
class RepeatGroup:
    customers: int  # with at least one paid order in the period
    repeat: int  # with two or more

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.repeat, self.customers)


def repeat_purchase(start: datetime, end: datetime) -> dict[str, RepeatGroup]:
    """Repeat-purchase rate of members and of everyone else, over orders paid in
    [start, end) and not cancelled, customers told apart by lower-cased email; a member is
    an email whose loyalty account has joined (now). One query."""
    members = Account.objects.filter(email=OuterRef("customer_email"), joined_at__isnull=False)
    per_customer = (
        Order.objects.filter(paid_at__gte=start, paid_at__lt=end, cancelled_at__isnull=True)
        .annotate(customer_email=Lower("email"))
        .values("customer_email")
        .annotate(orders=Count("pk"), member=Exists(members))
        .order_by()
    )
    totals = per_customer.aggregate(
        members=Count("customer_email", filter=Q(member=True)),
        members_repeat=Count("customer_email", filter=Q(member=True, orders__gte=2)),
        others=Count("customer_email", filter=Q(member=False)),
        others_repeat=Count("customer_email", filter=Q(member=False, orders__gte=2)),
    )
    return {
        "members": RepeatGroup(totals["members"] or 0, totals["members_repeat"] or 0),
        "others": RepeatGroup(totals["others"] or 0, totals["others_repeat"] or 0),
    }


# --- Everything the dashboard shows -----------------------------------------------------


@dataclass
class Dashboard:
    first_month: date
    last_month: date
    roll_forward: list[RollForwardRow]
    members: list[MemberMonth]
    codes: list[CodeMonth]
    repeat: dict[str, RepeatGroup]
    liability: Liability

    @property
    def issued(self) -> int:
        return sum(row.issued for row in self.roll_forward)

    @property
    def redeemed_net(self) -> int:
        return sum(row.redeemed_net for row in self.roll_forward)

    @property
    def redemption_rate(self) -> Decimal | None:
        return ratio(self.redeemed_net, self.issued)

    @property
    def codes_issued(self) -> int:
        return sum(row.issued for row in self.codes)

    @property
    def codes_used(self) -> int:
        return sum(row.used for row in self.codes)

    @property
    def code_use_rate(self) -> Decimal | None:
        return ratio(self.codes_used, self.codes_issued)

    @property
    def reconciles(self) -> bool:
        """Whether the roll-forward closes at the cached balances (only meaningful when the
        range reaches the current month: later entries are not in an earlier closing)."""
        last = self.roll_forward[-1]
        return (
            last.closing == self.liability.ledger_total
            and last.closing_pending == self.liability.pending
        )


def dashboard(first_month: date, last_month: date, *, now: datetime | None = None) -> Dashboard:
    """Every number of the dashboard for the months ``first_month`` to ``last_month``."""
    first_month, last_month = month_start(first_month), month_start(last_month)
    months = len(months_between(first_month, last_month))
    return Dashboard(
        first_month=first_month,
        last_month=last_month,
        roll_forward=roll_forward(first_month, months),
        members=members_by_month(first_month, months),
        codes=codes_by_month(first_month, months),
        repeat=repeat_purchase(
            month_bound(first_month), month_bound(last_month + relativedelta(months=1))
        ),
        liability=liability(now=now),
    )
