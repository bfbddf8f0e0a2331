"""Orders at scale for the order pages: a million orders in a few minutes.

``seed_orders`` gives the bench database N orders (``--orders``) with their customers,
lines, shipments and tracking events; ``track_order`` is the one order the scenarios
open (5 lines, 2 shipments, 10 events) for the typical customer. Rows are written the way
a backfill would leave them, without services or signals: ``COPY`` on PostgreSQL, bulk
``INSERT`` on SQLite, with primary keys reserved up front so children can point at their
parents without reading anything back.

Idempotent: orders are numbered (``BENCH-SEED-0000001`` …) and written in batches of one
transaction each, so a second run counts what is there and writes only the rest.
"""

import hashlib
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from bench.data import CUSTOMER_PREFIX, Dataset, customer_email
from orders import carriers
from orders.models import (
    Connector,
    Customer,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TrackingEvent,
)
from orders.services import lookup_number

SEED_CONNECTOR = Connector.IMPORT
SEED_PREFIX = "BENCH-SEED-"
TRACK_CONNECTOR = Connector.PORTICO
TRACK_PREFIX = "BENCH-TRACK-"
GUEST_PREFIX = "bench-guest-"
# The seed's orders go round-robin over this many customers (5 orders each at 1,000,000);
# the first ones are the bench's portal users (bench-customer-…), linked to them.
SEED_CUSTOMERS = 200_000
BATCH_ORDERS = 5_000
# Fixed, so that the same order number always describes the same order.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
THREE_YEARS_MINUTES = 3 * 365 * 24 * 60

CATALOGUE = [
    ("TWL-SAND-L", "Linen towel", "Sand / Large", "Bath", Decimal("24.00")),
    ("THR-GREY", "Wool throw", "Grey", "Living", Decimal("89.00")),
    ("SHT-DBL-WHT", "Linen sheet set", "Double / White", "Bedroom", Decimal("140.00")),
    ("PIL-CASE-2", "Pillowcase pair", "Oat", "Bedroom", Decimal("38.00")),
    ("NPK-4", "Napkins, set of 4", "Rust", "Kitchen", Decimal("22.00")),
    ("APR-CANVAS", "Canvas apron", "Navy", "Kitchen", Decimal("34.00")),
]
HISTORY = [
    (ShipmentStatus.INFO_RECEIVED, "Shipping label created", "Bristol, GB"),
    (ShipmentStatus.IN_TRANSIT, "Picked up by the carrier", "Bristol, GB"),
    (ShipmentStatus.IN_TRANSIT, "Arrived at sorting hub", "Birmingham, GB"),
    (ShipmentStatus.OUT_FOR_DELIVERY, "Out for delivery", "London, GB"),
    (ShipmentStatus.DELIVERED, "Delivered, signed for by the customer", "London, GB"),
]
FAILED_ATTEMPT = (ShipmentStatus.FAILED_ATTEMPT, "Delivery attempted: nobody at home", "London")
CARRIER_NAMES = ["UPS", "DHL Express", "Royal Mail", "Aras Kargo", "Yurtiçi Kargo"]
CARRIERS = [
    (carriers.normalise(n), carriers.display_name(carriers.normalise(n), n)) for n in CARRIER_NAMES
]
SHIPPING_ADDRESS = {"city": "London", "country": "GB", "postal_code": "N1 9GU"}


# --- Writing rows in bulk ------------------------------------------------------------------


class Table:
    """One model's table, written in bulk from tuples of the fields a caller gives.

    Every other concrete field gets what Django would have written: its default, ``now``
    for ``auto_now``/``auto_now_add``, NULL or "". So a field added to the model later with
    a default needs nothing here; one without a default stops the seed with its name.
    """

    def __init__(self, model, given: Sequence[str], now: datetime):
        self.model = model
        self.table = model._meta.db_table
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [name for name in given if name not in by_attname]
        if unknown:
            raise RuntimeError(f"{model.__name__} has no field {unknown} (bench/orderdata.py)")
        self.given = [by_attname[name] for name in given]
        # The primary key, when not given, is the database's to assign.
        rest = [
            f for f in model._meta.concrete_fields if f.attname not in given and not f.primary_key
        ]
        self.fixed_fields = rest
        self.fixed = tuple(self._prep(f, self._default(f, now)) for f in rest)
        self.columns = [f.column for f in [*self.given, *rest]]
        postgres = connection.vendor == "postgresql"
        # psycopg adapts str, int, Decimal, datetime itself; JSON needs Django's wrapper.
        # SQLite needs Django for everything (aware datetimes, decimals as text).
        self.prep_at = [
            (i, f)
            for i, f in enumerate(self.given)
            if not postgres or f.get_internal_type() == "JSONField"
        ]

    @staticmethod
    def _default(field, now):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return now
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        if field.empty_strings_allowed and field.blank:
            return ""
        raise RuntimeError(
            f"{field.model.__name__}.{field.name} has no default: give it in bench/orderdata.py"
        )

    @staticmethod
    def _prep(field, value):
        return field.get_db_prep_save(value, connection)

    def rows(self, values: Iterable[tuple]) -> Iterable[tuple]:
        for row in values:
            if len(row) != len(self.given):
                raise RuntimeError(f"{self.table}: {len(row)} values for {len(self.given)} fields")
            if self.prep_at:
                row = list(row)
                for i, f in self.prep_at:
                    row[i] = f.get_db_prep_save(row[i], connection)
            yield (*row, *self.fixed)

    def write(self, values: Iterable[tuple]) -> int:
        count = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                from psycopg import sql

                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(self.table),
                    sql.SQL(", ").join(map(sql.Identifier, self.columns)),
                )
                with cursor.cursor.copy(statement) as copy:
                    for row in self.rows(values):
                        copy.write_row(row)
                        count += 1
            else:
                rows = list(self.rows(values))
                columns = ", ".join(f'"{c}"' for c in self.columns)
                marks = ", ".join(["%s"] * len(self.columns))
                # Names from the models' metadata, values as parameters.
                insert = f'INSERT INTO "{self.table}" ({columns}) VALUES ({marks})'  # noqa: S608
                cursor.executemany(insert, rows)
                count = len(rows)
        return count


def reserve_ids(model, count: int) -> list[int]:
    """``count`` fresh primary keys of ``model``'s table (the seed is the only writer)."""
    if count == 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


class Writer:
    """The tables an order touches, each with the fields the seed gives."""

    def __init__(self, now: datetime):
        self.customers = Table(
            Customer,
            [
                "id",
                "email",
                "first_name",
                "last_name",
                "locale",
                "connector",
                "external_id",
                "user_id",
            ],
            now,
        )
        self.orders = Table(
            Order,
            [
                "id",
                "connector",
                "external_id",
                "number",
                "lookup_number",
                "customer_id",
                "email",
                "currency",
                "subtotal",
                "shipping_total",
                "tax_total",
                "total",
                "financial_status",
                "fulfillment_status",
                "placed_at",
                "paid_at",
                "source_updated_at",
                "shipping_address",
            ],
            now,
        )
        line_fields = [
            "order_id",
            "external_id",
            "sku",
            "title",
            "variant_title",
            "quantity",
            "unit_price",
            "product_type",
            "tags",
        ]
        self.lines = Table(OrderLine, line_fields, now)
        self.lines_with_id = Table(OrderLine, ["id", *line_fields], now)
        self.shipments = Table(
            Shipment,
            [
                "id",
                "order_id",
                "external_id",
                "carrier",
                "carrier_name",
                "tracking_number",
                "tracking_url",
                "status",
                "status_changed_at",
                "shipped_at",
                "estimated_delivery_at",
                "delivered_at",
                "source_updated_at",
            ],
            now,
        )
        self.shipment_lines = Table(ShipmentLine, ["shipment_id", "line_id", "quantity"], now)
        self.events = Table(
            TrackingEvent,
            ["shipment_id", "status", "message", "location", "occurred_at", "dedupe_key"],
            now,
        )


# --- The seed's orders ---------------------------------------------------------------------


def seed_customer_email(number: int, bench_users: int) -> str:
    """Customer ``number``'s email: a bench portal user's for the first ones, else a guest."""
    if number <= bench_users:
        return customer_email(number)
    return f"{GUEST_PREFIX}{number:07d}@example.com"


def customer_row(customer_id, email, number, user_id) -> tuple:
    first, last = ("Ada", "Lovelace") if number % 2 else ("Elif", "Şahin")
    return (
        customer_id,
        email,
        first,
        last,
        "en" if number % 2 else "tr",
        SEED_CONNECTOR,
        f"BENCH-C-{number:07d}",
        user_id,
    )


def _event_key(*parts) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def order_rows(n: int, order_id: int, customer_id: int, email: str, shipment_id: int | None):
    """Order ``n`` of the seed: (order, lines, shipment or None, events).

    1 to 4 lines; eight orders in ten have one shipment (whole order) with 1 to 5 tracking
    events, the other two are not shipped yet. Placed over three years before EPOCH.
    """
    placed = EPOCH - timedelta(minutes=(n * 7919) % THREE_YEARS_MINUTES)
    turkish = n % 5 == 0
    lines, subtotal = [], Decimal(0)
    for i in range(1 + n % 4):
        sku, title, variant, kind, price = CATALOGUE[(n + i) % len(CATALOGUE)]
        quantity = 1 + (n + i) % 3
        subtotal += price * quantity
        lines.append(
            (order_id, f"L{i + 1}", sku, title, variant, quantity, price, kind, [kind.lower()])
        )
    shipping = Decimal("0") if subtotal > 50 else Decimal("4.95")
    tax = (subtotal / 6).quantize(Decimal("0.01"))
    shipment, events = None, []
    if shipment_id is not None:
        shipped = placed + timedelta(hours=6 + n % 30)
        code, name = CARRIERS[n % len(CARRIERS)]
        tracking = f"1Z{n:010d}"
        steps = HISTORY[: 1 + n % 5]
        at = shipped
        for i, (status, message, location) in enumerate(steps):
            events.append((shipment_id, status, message, location, at, _event_key(n, i, status)))
            at += timedelta(hours=5 + (n + i) % 20)
        status, last = steps[-1][0], events[-1][4]
        delivered = last if status == ShipmentStatus.DELIVERED else None
        shipment = (
            shipment_id,
            order_id,
            "S1",
            code,
            name,
            tracking,
            carriers.tracking_url(code, tracking, ""),
            status,
            last,
            shipped,
            shipped + timedelta(days=3),
            delivered,
            last,
        )
    order = (
        order_id,
        SEED_CONNECTOR,
        f"{SEED_PREFIX}{n:07d}",
        f"#B{n:07d}",
        lookup_number(f"#B{n:07d}"),
        customer_id,
        email,
        "TRY" if turkish else "USD",
        subtotal,
        shipping,
        tax,
        subtotal + shipping,
        Order.FinancialStatus.PAID,
        Order.FulfillmentStatus.FULFILLED if shipment else Order.FulfillmentStatus.UNFULFILLED,
        placed,
        placed + timedelta(minutes=2),
        placed + timedelta(minutes=3),
        SHIPPING_ADDRESS,
    )
    return order, lines, shipment, events


def is_shipped(n: int) -> bool:
    return n % 10 >= 2


def count_seed_orders() -> int:
    return Order.objects.filter(
        connector=SEED_CONNECTOR, external_id__startswith=SEED_PREFIX
    ).count()


def seed_orders(data: Dataset) -> None:
    """Make sure the seed's orders 1..data.orders exist (prints progress)."""
    target = data.orders
    existing = count_seed_orders()
    if existing >= target:
        print(f"   {existing:,} seed orders already there (asked for {target:,})", flush=True)
        return
    User = get_user_model()
    users = dict(User.objects.filter(email__startswith=CUSTOMER_PREFIX).values_list("email", "pk"))
    linked = set(Customer.objects.filter(user__isnull=False).values_list("user_id", flat=True))
    known = dict(
        Customer.objects.filter(email__startswith="bench-").values_list("email", "pk").iterator()
    )
    writer = Writer(timezone.now())
    started = time.monotonic()
    print(f"   writing orders {existing + 1:,}..{target:,} in batches of {BATCH_ORDERS:,}")
    rows_written = 0
    last_report = started
    for low in range(existing + 1, target + 1, BATCH_ORDERS):
        high = min(low + BATCH_ORDERS - 1, target)
        with transaction.atomic():
            rows_written += _write_batch(writer, low, high, data.customers, users, linked, known)
        now = time.monotonic()
        if now - last_report >= 10 or high == target:
            last_report = now
            done = high - existing
            print(
                f"   {high:>9,} / {target:,} orders  {now - started:6.1f}s  "
                f"{done / (now - started):8,.0f} orders/s  {rows_written / (now - started):8,.0f}"
                " rows/s",
                flush=True,
            )
    vacuum()
    print(
        f"   seeded {target - existing:,} orders ({rows_written:,} rows) in "
        f"{time.monotonic() - started:.1f}s",
        flush=True,
    )


def _write_batch(writer: Writer, low, high, bench_users, users, linked, known) -> int:
    numbers = range(low, high + 1)
    # The first SEED_CUSTOMERS orders each bring a new customer; later ones reuse them.
    new = []
    for number in range(low, min(high, SEED_CUSTOMERS) + 1):
        email = seed_customer_email(number, bench_users)
        if email not in known:
            new.append((number, email))
    customer_rows = []
    for customer_id, (number, email) in zip(reserve_ids(Customer, len(new)), new, strict=True):
        user_id = users.get(email)
        if user_id in linked:
            user_id = None
        elif user_id is not None:
            linked.add(user_id)
        known[email] = customer_id
        customer_rows.append(customer_row(customer_id, email, number, user_id))
    count = writer.customers.write(customer_rows)

    order_ids = reserve_ids(Order, len(numbers))
    shipment_ids = iter(reserve_ids(Shipment, sum(1 for n in numbers if is_shipped(n))))
    orders, lines, shipments, events = [], [], [], []
    for n, order_id in zip(numbers, order_ids, strict=True):
        email = seed_customer_email((n - 1) % SEED_CUSTOMERS + 1, bench_users)
        order, order_lines, shipment, order_events = order_rows(
            n, order_id, known[email], email, next(shipment_ids) if is_shipped(n) else None
        )
        orders.append(order)
        lines += order_lines
        if shipment:
            shipments.append(shipment)
        events += order_events
    count += writer.orders.write(orders)
    count += writer.lines.write(lines)
    count += writer.shipments.write(shipments)
    count += writer.events.write(events)
    return count


def vacuum() -> None:
    """After a bulk load, what autovacuum would have done long ago: the visibility map
    (index-only scans) and fresh statistics. PostgreSQL only, outside a transaction."""
    if connection.vendor != "postgresql":
        return
    tables = [m._meta.db_table for m in (Customer, Order, OrderLine, Shipment, TrackingEvent)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')


# --- The order the scenarios open ----------------------------------------------------------


def track_order(data: Dataset) -> Order:
    """The typical customer's order with 5 lines, 2 shipments and 10 tracking events,
    placed two days ago (so it heads their order list). Created on first use."""
    user = data.typical_customer()
    external_id = f"{TRACK_PREFIX}{user.pk}"
    order = Order.objects.filter(connector=TRACK_CONNECTOR, external_id=external_id).first()
    if order is not None:
        return order
    with transaction.atomic():
        return _create_track_order(user, external_id)


def _create_track_order(user, external_id: str) -> Order:
    now = timezone.now()
    writer = Writer(now)
    customer = Customer.objects.filter(user=user).first()
    if customer is None:
        customer = Customer.objects.filter(email__iexact=user.email).first()
        if customer is None:
            customer = Customer.objects.create(email=user.email.lower(), first_name="Ada")
        customer.user = user
        customer.save(update_fields=["user", "updated_at"])
    order_id = reserve_ids(Order, 1)[0]
    placed = now - timedelta(days=2)
    number = f"#T{user.pk}"
    line_ids = reserve_ids(OrderLine, 5)
    lines, subtotal = [], Decimal(0)
    for i, line_id in enumerate(line_ids):
        sku, title, variant, kind, price = CATALOGUE[i % len(CATALOGUE)]
        subtotal += price
        lines.append(
            (line_id, order_id, f"L{i + 1}", sku, title, variant, 1, price, kind, [kind.lower()])
        )
    writer.orders.write(
        [
            (
                order_id,
                TRACK_CONNECTOR,
                external_id,
                number,
                lookup_number(number),
                customer.pk,
                customer.email,
                "USD",
                subtotal,
                Decimal(0),
                (subtotal / 6).quantize(Decimal("0.01")),
                subtotal,
                Order.FinancialStatus.PAID,
                Order.FulfillmentStatus.FULFILLED,
                placed,
                placed + timedelta(minutes=2),
                placed + timedelta(minutes=3),
                SHIPPING_ADDRESS,
            ),
        ]
    )
    writer.lines_with_id.write(lines)
    shipment_ids = reserve_ids(Shipment, 2)
    histories = [HISTORY, [*HISTORY[:4], FAILED_ATTEMPT]]
    shipments, events, items = [], [], []
    for s, (shipment_id, history) in enumerate(zip(shipment_ids, histories, strict=True)):
        shipped = placed + timedelta(hours=8 + s * 5)
        code, name = CARRIERS[s]
        tracking = f"1ZTRACK{user.pk:06d}{s}"
        at = shipped
        for i, (status, message, location) in enumerate(history):
            events.append(
                (shipment_id, status, message, location, at, _event_key(external_id, s, i))
            )
            at += timedelta(hours=6)
        status, last = history[-1][0], events[-1][4]
        delivered = last if status == ShipmentStatus.DELIVERED else None
        shipments.append(
            (
                shipment_id,
                order_id,
                f"S{s + 1}",
                code,
                name,
                tracking,
                carriers.tracking_url(code, tracking, ""),
                status,
                last,
                shipped,
                shipped + timedelta(days=3),
                delivered,
                last,
            )
        )
        # The first parcel carries lines 1-3, the second lines 4-5.
        for line_id in line_ids[:3] if s == 0 else line_ids[3:]:
            items.append((shipment_id, line_id, 1))
    writer.shipments.write(shipments)
    writer.shipment_lines.write(items)
    writer.events.write(events)
    return Order.objects.get(pk=order_id)
