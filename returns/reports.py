"""The returns report's numbers, in a fixed number of queries whatever the range.

One basis for every number: the orders placed in the range (paid, not cancelled) and the
returns made against them so far, whenever they were made. So a rate never mixes the
sales of one period with the returns of another, and each number can be traced to the
orders it counts.

- A *return* is a request that was not cancelled and not rejected (the same returns that
  hold units in ``selectors.order_facts``). Lines refused at inspection still count: the
  item came back.
- *Sold units* are the order lines' quantities (lines the store removed and gift cards,
  which are never returnable, left out).
- *Return rate*: returned units / sold units; *returns per order*: returns / orders.
- *Resolutions* count returns that reached one (refunded, credited or exchanged: they
  have ``resolved_at``), with the amounts per currency: the value (what was paid out,
  less any store credit bonus) and the bonus. Credit and exchange are revenue retained.
- *Time to resolution*: from the request to ``resolved_at``, averaged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q, Sum
from django.utils import timezone

from orders.models import Order, OrderLine

from .models import Resolution, ReturnLine, ReturnRequest
from .policy import money
from .selectors import RELEASED_STATUSES

TOP_PRODUCTS = 10
NO_TYPE = ""


def ratio(part, whole) -> Decimal | None:
    """``part / whole`` to six places (shown rounded once, to a tenth of a percent or four
    places in CSV), or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.000001"))


@dataclass
class RateRow:
    key: str
    label: str
    sold: int = 0
    returned: int = 0
    detail: str = ""  # e.g. the product type of a SKU

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.returned, self.sold)


@dataclass
class ReasonRow:
    code: str
    label: str
    units: int
    returns: int
    share: Decimal | None  # of all returned units
    rate: Decimal | None  # of all sold units


@dataclass
class ResolutionRow:
    resolution: str
    currency: str
    returns: int
    value: Decimal  # paid out less the bonus
    bonus: Decimal

    @property
    def label(self) -> str:
        return str(Resolution(self.resolution).label)

    @property
    def retained(self) -> bool:
        return self.resolution in (Resolution.CREDIT, Resolution.EXCHANGE)


@dataclass
class Retention:
    currency: str
    refunded: Decimal = Decimal("0.00")
    retained: Decimal = Decimal("0.00")

    @property
    def share(self) -> Decimal | None:
        return ratio(self.retained, self.refunded + self.retained)


@dataclass
class Report:
    start: date
    end: date
    orders: int = 0
    sold_units: int = 0
    returns: int = 0
    orders_with_returns: int = 0
    returned_units: int = 0
    resolved: int = 0
    avg_resolution: timedelta | None = None
    product_types: list[RateRow] = field(default_factory=list)
    skus: list[RateRow] = field(default_factory=list)
    reasons: list[ReasonRow] = field(default_factory=list)
    resolutions: list[ResolutionRow] = field(default_factory=list)
    retention: list[Retention] = field(default_factory=list)
    top_products: list[RateRow] = field(default_factory=list)

    @property
    def unit_rate(self) -> Decimal | None:
        return ratio(self.returned_units, self.sold_units)

    @property
    def returns_per_order(self) -> Decimal | None:
        return ratio(self.returns, self.orders)

    @property
    def order_rate(self) -> Decimal | None:
        return ratio(self.orders_with_returns, self.orders)

    @property
    def avg_resolution_days(self) -> Decimal | None:
        if self.avg_resolution is None:
            return None
        return Decimal(self.avg_resolution.total_seconds() / 86400).quantize(Decimal("0.1"))


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The range's first instant and the instant after its last day, in the current zone."""
    zone = timezone.get_current_timezone()
    first = timezone.make_aware(datetime.combine(start, time.min), zone)
    after = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone)
    return first, after


def _product_key(sku: str, title: str) -> str:
    return sku or f"title:{title}"


def returns_report(*, start: date, end: date) -> Report:
    """Every number of the report for orders placed from ``start`` to ``end`` (days, both
    included, in the current time zone). Six queries."""
    first, after = day_bounds(start, end)
    orders = Order.objects.filter(
        placed_at__gte=first, placed_at__lt=after, paid_at__isnull=False, cancelled_at__isnull=True
    )
    report = Report(start=start, end=end, orders=orders.count())

    products: dict[str, RateRow] = {}
    types: dict[str, RateRow] = {}
    sold = (
        OrderLine.objects.filter(order__in=orders.values("pk"), removed=False, is_gift_card=False)
        .values_list("sku", "title", "product_type")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    for sku, title, product_type, units in sold:
        key = _product_key(sku, title)
        row = products.setdefault(key, RateRow(key=key, label=title, detail=sku))
        row.sold += units
        types.setdefault(product_type, RateRow(key=product_type, label=product_type)).sold += units
        report.sold_units += units

    # A return rejected before anything came back never happened; one rejected at the
    # inspection (nothing passed) did: the items came back.
    lines = ReturnLine.objects.filter(request__order__in=orders.values("pk")).exclude(
        request__status__in=RELEASED_STATUSES, request__received_at__isnull=True
    )
    returned = (
        lines.values_list("order_line__sku", "order_line__title", "order_line__product_type")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    for sku, title, product_type, units in returned:
        key = _product_key(sku, title)
        products.setdefault(key, RateRow(key=key, label=title, detail=sku)).returned += units
        types.setdefault(
            product_type, RateRow(key=product_type, label=product_type)
        ).returned += units
        report.returned_units += units

    by_reason = (
        lines.values("reason")
        .annotate(
            units=Sum("quantity"),
            returns=Count("request", distinct=True),
            label=Max("reason_label"),
        )
        .order_by()
    )
    report.reasons = sorted(
        (
            ReasonRow(
                code=row["reason"],
                label=row["label"] or row["reason"],
                units=row["units"],
                returns=row["returns"],
                share=ratio(row["units"], report.returned_units),
                rate=ratio(row["units"], report.sold_units),
            )
            for row in by_reason
        ),
        key=lambda r: (-r.units, r.label.lower()),
    )

    requests = ReturnRequest.objects.filter(order__in=orders.values("pk")).exclude(
        status__in=RELEASED_STATUSES, received_at__isnull=True
    )
    resolved = Q(resolved_at__isnull=False)
    totals = requests.aggregate(
        returns=Count("pk"),
        orders=Count("order", distinct=True),
        resolved=Count("pk", filter=resolved),
        avg=Avg(
            ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField()),
            filter=resolved,
        ),
    )
    report.returns, report.orders_with_returns = totals["returns"], totals["orders"]
    report.resolved, report.avg_resolution = totals["resolved"], totals["avg"]

    retention: dict[str, Retention] = {}
    for row in (
        requests.filter(resolved)
        .values("resolution", "currency")
        .annotate(n=Count("pk"), paid=Sum("total"), bonus=Sum("bonus_credit"))
        .order_by("currency", "resolution")
    ):
        bonus = money(row["bonus"] or 0)
        split = ResolutionRow(
            resolution=row["resolution"],
            currency=row["currency"],
            returns=row["n"],
            value=money(row["paid"] or 0) - bonus,
            bonus=bonus,
        )
        report.resolutions.append(split)
        kept = retention.setdefault(split.currency, Retention(currency=split.currency))
        if split.retained:
            kept.retained += split.value
        else:
            kept.refunded += split.value
    report.retention = list(retention.values())

    report.product_types = sorted(
        types.values(), key=lambda r: (-(r.rate or 0), -r.returned, r.label.lower())
    )
    report.skus = sorted(products.values(), key=lambda r: (-r.returned, -r.sold, r.label.lower()))
    report.top_products = [row for row in report.skus if row.returned][:TOP_PRODUCTS]
    return report


def table_rows(report: Report, table: str) -> tuple[list[str], list[list]]:
    """A table of the report as CSV header and rows (identifiers, plain numbers)."""

    def rate(value):
        return "" if value is None else str(value.quantize(Decimal("0.0001")))

    if table == "summary":
        return (
            ["start", "end", "orders", "sold_units", "returns", "orders_with_returns",
             "returned_units", "unit_return_rate", "returns_per_order", "resolved",
             "avg_days_to_resolution"],
            [[report.start.isoformat(), report.end.isoformat(), report.orders, report.sold_units,
              report.returns, report.orders_with_returns, report.returned_units,
              rate(report.unit_rate), rate(report.returns_per_order), report.resolved,
              "" if report.avg_resolution_days is None else str(report.avg_resolution_days)]],
        )  # fmt: skip
    if table in ("product_types", "skus", "top_products"):
        rows = getattr(report, table)
        first = "product_type" if table == "product_types" else "sku"
        header = [first, "product", "sold_units", "returned_units", "return_rate"]
        if table == "product_types":
            return header[:1] + header[2:], [
                [r.key, r.sold, r.returned, rate(r.rate)] for r in rows
            ]
        return header, [[r.detail, r.label, r.sold, r.returned, rate(r.rate)] for r in rows]
    if table == "reasons":
        return (
            ["reason", "label", "returned_units", "returns", "share_of_returned_units",
             "rate_of_sold_units"],
            [[r.code, r.label, r.units, r.returns, rate(r.share), rate(r.rate)]
             for r in report.reasons],
        )  # fmt: skip
    if table == "resolutions":
        return (
            ["resolution", "currency", "returns", "value", "bonus_credit", "revenue_retained"],
            [[r.resolution, r.currency, r.returns, r.value, r.bonus, "yes" if r.retained else "no"]
             for r in report.resolutions],
        )  # fmt: skip
    raise KeyError(table)


TABLES = ("summary", "product_types", "skus", "reasons", "resolutions", "top_products")
