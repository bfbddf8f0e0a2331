"""Order ingestion throughput: signed Portico webhooks through gunicorn and a real Celery
worker, end to end, against a bulk insert of the same rows. See bench/README.md.

    .venv/bin/python bench/ingest.py                # 2,000 orders, one a delivery
    .venv/bin/python bench/ingest.py --count 500    # a quick look
    .venv/bin/python bench/ingest.py --batch 100    # 20 batch deliveries of 100 orders

PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portico_bench)
and Redis (BENCH_BROKER_URL, default redis://127.0.0.1:6379/13) only.
"""

import argparse
import hashlib
import hmac
import http.client
import json
import math
import os
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

# As in run.py: the checkout first on sys.path, so `bench` is the package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import config  # noqa: E402
from bench.workerbench import (  # noqa: E402
    describe,
    query_kinds,
    start,
    step,
)

ENDPOINT = "/webhooks/portico/"
GOAL_ORDERS_PER_SECOND = 500
# What this bench writes, found again by these prefixes to be deleted before and after.
INGEST_PREFIX = "BENCH-IN-"  # orders that come through the webhook
BULK_PREFIX = "BENCH-BULK-"  # the same orders, bulk-inserted
DELIVERY_PREFIX = "bench-"  # webhook deliveries
EMAIL_PREFIXES = ("bench-ingest-", "bench-bulk-")  # their customers
BULK_BATCH = 500
MAX_BATCH = 1000  # records the endpoint accepts in one batch delivery
WARM_BATCH = 10  # orders in a warm-up batch delivery
STALL_SECONDS = 120
REQUEST_TIMEOUT = 30

LINES = [
    ("TWL-SAND-L", "Linen towel", "Sand / Large", "Bath", "24.00"),
    ("THR-GREY", "Wool throw", "Grey", "Living", "89.00"),
    ("NPK-4", "Napkins, set of 4", "Rust", "Kitchen", "22.00"),
]
EVENTS = [
    ("info_received", "Shipping label created", "Bristol, GB"),
    ("in_transit", "Picked up by the carrier", "Bristol, GB"),
    ("in_transit", "Arrived at sorting hub", "Birmingham, GB"),
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="orders to send [2000]")
    parser.add_argument(
        "--batch",
        type=int,
        default=1,
        metavar="N",
        help=f"orders per delivery; above 1, batch deliveries of N (at most {MAX_BATCH}) [1]",
    )
    parser.add_argument("--threads", type=int, default=4, help="client threads posting [4]")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers [2]")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery prefork processes [2]")
    parser.add_argument(
        "--keep", action="store_true", help="leave this run's orders in the database"
    )
    parser.add_argument(
        "--loyalty",
        choices=["on", "off"],
        default="on",
        help="the loyalty program during the run: on (as in production: paid orders also "
        "earn points, in the same worker) or off (the order mirror alone) [on]",
    )
    parser.add_argument("--results-name", help="file name (no .json) in bench/results/")
    args = parser.parse_args(argv)
    if min(args.count, args.batch, args.threads, args.workers, args.concurrency) < 1:
        parser.error("--count, --batch, --threads, --workers and --concurrency must be >= 1")
    if args.batch > MAX_BATCH:
        parser.error(f"--batch must be at most {MAX_BATCH} (the endpoint's limit)")
    return args


# --- The orders: one description, sent as a webhook or bulk-inserted ---------------------


def order_record(prefix: str, email_prefix: str, n: int, now: datetime) -> dict:
    """Order ``n`` in Portico's JSON format: 3 lines, 1 shipment with 3 tracking events.

    Recent times, as a live store sends them, so the shipment's email goes out too.
    """
    placed = now - timedelta(hours=2, seconds=n)
    shipped = placed + timedelta(minutes=30)
    lines = []
    subtotal = Decimal(0)
    for i, (sku, title, variant, kind, price) in enumerate(LINES, start=1):
        quantity = 1 + (n + i) % 2
        subtotal += Decimal(price) * quantity
        lines.append(
            {
                "id": f"L{i}",
                "sku": sku,
                "title": title,
                "variant": variant,
                "quantity": quantity,
                "unit_price": price,
                "discount": "0.00",
                "product_type": kind,
                "tags": [kind.lower()],
            }
        )
    events = [
        {
            "status": status,
            "message": message,
            "location": location,
            "occurred_at": (shipped + timedelta(minutes=20 * i)).isoformat(),
        }
        for i, (status, message, location) in enumerate(EVENTS)
    ]
    shipping = Decimal("4.95")
    return {
        "type": "order",
        "data": {
            "id": f"{prefix}{n:06d}",
            "number": f"#{prefix[6:].replace('-', '')}{n:06d}",
            "email": f"{email_prefix}{n:06d}@example.com",
            "currency": "USD",
            "subtotal": str(subtotal),
            "shipping_total": str(shipping),
            "tax_total": str((subtotal / 6).quantize(Decimal("0.01"))),
            "total": str(subtotal + shipping),
            "placed_at": placed.isoformat(),
            "paid_at": (placed + timedelta(minutes=1)).isoformat(),
            "updated_at": events[-1]["occurred_at"],
            "financial_status": "paid",
            "customer": {
                "id": f"C-{prefix}{n}",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "locale": "en",
            },
            "lines": lines,
            "shipments": [
                {
                    "id": "S1",
                    "carrier": "UPS",
                    "tracking_number": f"1ZBENCH{n:08d}",
                    "status": "in_transit",
                    "shipped_at": shipped.isoformat(),
                    "updated_at": events[-1]["occurred_at"],
                    "events": events,
                }
            ],
            "refunds": [],
        },
    }


@dataclass(frozen=True)
class Delivery:
    body: bytes
    headers: dict[str, str]


def signed(record: dict, delivery_id: str) -> Delivery:
    """As a store sends it: X-Portico-Signature is the hex HMAC-SHA256 of the exact body."""
    body = json.dumps(record, separators=(",", ":")).encode()
    secret = config.PORTICO_WEBHOOK_SECRET.encode()
    signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    return Delivery(
        body,
        {
            "Content-Type": "application/json",
            "X-Portico-Delivery-Id": delivery_id,
            "X-Portico-Signature": signature,
        },
    )


def batch_record(records: list[dict]) -> dict:
    """Several records in one delivery (topic "batch"), as a sync job sends them."""
    return {"type": "batch", "records": records}


def chunks(items: list, size: int) -> list[list]:
    return [items[low : low + size] for low in range(0, len(items), size)]


def deliveries_of(records: list[dict], batch: int, id_prefix: str) -> list[tuple[Delivery, int]]:
    """The records signed as deliveries, each with the number of orders it carries: one
    record a delivery as today (``batch`` 1), else batch deliveries of ``batch`` records."""
    if batch == 1:
        return [(signed(r, f"{id_prefix}{n:06d}"), 1) for n, r in enumerate(records, start=1)]
    return [
        (signed(batch_record(part), f"{id_prefix}{n:06d}"), len(part))
        for n, part in enumerate(chunks(records, batch), start=1)
    ]


def mode(count: int, batch: int) -> str:
    """Which mode a table is: "deliveries: 2,000 of 1 order", "deliveries: 20 of 100 orders"."""
    deliveries = math.ceil(count / batch)
    text = f"deliveries: {deliveries:,} of {batch:,} order{'s' if batch > 1 else ''}"
    if count % batch:
        text += f" (the last of {count % batch:,})"
    return text


# --- Setup and cleaning ------------------------------------------------------------------


def clean() -> dict[str, int]:
    """Delete every order, customer and delivery a bench ingestion wrote (by prefix)."""
    from django.db.models import Q

    from orders.models import Connector, Customer, Order, WebhookDelivery

    orders = Order.objects.filter(connector=Connector.PORTICO).filter(
        Q(external_id__startswith=INGEST_PREFIX) | Q(external_id__startswith=BULK_PREFIX)
    )
    customers = Customer.objects.filter(
        Q(email__startswith=EMAIL_PREFIXES[0]) | Q(email__startswith=EMAIL_PREFIXES[1])
    )
    deliveries = WebhookDelivery.objects.filter(
        connector=Connector.PORTICO, delivery_id__startswith=DELIVERY_PREFIX
    )
    deleted = Counter()
    for queryset in (orders, customers, deliveries):
        _, per_model = queryset.delete()
        deleted.update(per_model)
    return {k.rsplit(".", 1)[-1]: v for k, v in deleted.items() if v}


def purge_queue() -> int:
    """Tasks left in the broker by an interrupted run would be processed in this one."""
    from portal.celery import app

    return app.control.purge()


# --- What one delivery costs, in queries -------------------------------------------------


def queries_per_delivery(now: datetime) -> dict:
    """One delivery of one order received and processed in this process, its SQL queries
    counted. The tasks it would enqueue are not sent (the worker is not running yet)."""
    record = order_record(INGEST_PREFIX + "Q", EMAIL_PREFIXES[0] + "q", 1, now)
    return _count_queries(signed(record, "bench-queries-1"))


def queries_per_batch(now: datetime, batch: int) -> dict:
    """The same for one batch delivery of ``batch`` orders, and its task's queries per order."""
    records = [
        order_record(INGEST_PREFIX + "B", EMAIL_PREFIXES[0] + "b", n, now)
        for n in range(1, batch + 1)
    ]
    counted = _count_queries(signed(batch_record(records), "bench-queries-batch"))
    return {**counted, "orders": batch, "process_per_order": counted["process"]["total"] / batch}


def _count_queries(delivery: Delivery) -> dict:
    from unittest import mock

    from celery.app.task import Task
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders import services

    # Every task's apply_async (what .delay() calls), whichever tasks the services enqueue.
    with mock.patch.object(Task, "apply_async"):
        with CaptureQueriesContext(connection) as receive:
            received = services.delivery_receive(
                connector="portico", headers=delivery.headers, body=delivery.body
            )
        if received.error is not None:
            raise BenchFailure(
                f"a sample delivery was refused: {received.error.field}: {received.error.message}"
            )
        with CaptureQueriesContext(connection) as process:
            done = services.delivery_process(delivery_id=received.delivery.pk)
    if done.status != "processed":
        raise BenchFailure(f"a sample delivery was not processed: {done.status} {done.error}")
    return {"receive": query_kinds(receive), "process": query_kinds(process)}


# --- Sending, waiting ---------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    started: float
    seconds: float
    status: int
    answer: str = ""  # the body of an answer other than 202, to say why


def post(port: int, delivery: Delivery) -> Sent:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("POST", ENDPOINT, body=delivery.body, headers=delivery.headers)
        response = conn.getresponse()
        answer = response.read()
        status = response.status
    except OSError as exc:
        status, answer = 0, str(exc).encode()
    finally:
        conn.close()
    detail = "" if status == 202 else answer[:500].decode(errors="replace")
    return Sent(started, time.perf_counter() - started, status, detail)


def send_all(port: int, deliveries: list[Delivery], threads: int) -> list[Sent]:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda d: post(port, d), deliveries))


def wait_processed(run_prefix: str, count: int, *, progress: bool = True) -> dict[str, int]:
    """Poll the inbox until every delivery of the run is done (or nothing moved for
    STALL_SECONDS); returns the count per status."""
    from django.db.models import Count

    from orders.models import WebhookDelivery

    deliveries = WebhookDelivery.objects.filter(
        connector="portico", delivery_id__startswith=run_prefix
    )
    done = {
        WebhookDelivery.Status.PROCESSED,
        WebhookDelivery.Status.IGNORED,
        WebhookDelivery.Status.FAILED,
    }
    last_change, last_done, last_print = time.monotonic(), -1, time.monotonic()
    while True:
        counts = dict(deliveries.values_list("status").annotate(n=Count("pk")).order_by())
        finished = sum(n for status, n in counts.items() if status in done)
        now = time.monotonic()
        if finished != last_done:
            last_change, last_done = now, finished
        if progress and now - last_print >= 5:
            last_print = now
            print(f"   {finished:,} / {count:,} processed  {counts}", flush=True)
        if finished >= count or now - last_change > STALL_SECONDS:
            return counts
        time.sleep(0.2)


def wait_emails(prefix: str, expected: int) -> tuple[int, datetime | None]:
    """The shipment emails of the run's orders (one per shipment): how many, the last."""
    from django.db.models import Count, Max

    from orders.models import ShipmentNotification

    notes = ShipmentNotification.objects.filter(
        shipment__order__connector="portico", shipment__order__external_id__startswith=prefix
    )
    last_change, last_sent = time.monotonic(), -1
    while True:
        found = notes.aggregate(n=Count("pk"), last=Max("sent_at"))
        if found["n"] != last_sent:
            last_change, last_sent = time.monotonic(), found["n"]
        if found["n"] >= expected or time.monotonic() - last_change > 30:
            return found["n"], found["last"]
        time.sleep(0.2)


def wait_orders(prefix: str, expected: int) -> tuple[int, datetime | None]:
    """The run's orders in the mirror (a processed delivery must have written every order
    it carries): how many, and when the last was created."""
    from django.db.models import Count, Max

    from orders.models import Connector, Order

    orders = Order.objects.filter(connector=Connector.PORTICO, external_id__startswith=prefix)
    last_change, last_found = time.monotonic(), -1
    while True:
        found = orders.aggregate(n=Count("pk"), last=Max("created_at"))
        if found["n"] != last_found:
            last_change, last_found = time.monotonic(), found["n"]
        if found["n"] >= expected or time.monotonic() - last_change > 30:
            return found["n"], found["last"]
        time.sleep(0.2)


def processed_times(run_prefix: str) -> list[tuple[str, datetime]]:
    """(delivery id, processed_at) of the run's processed deliveries, in processing order."""
    from orders.models import WebhookDelivery

    return list(
        WebhookDelivery.objects.filter(
            connector="portico", delivery_id__startswith=run_prefix, processed_at__isnull=False
        )
        .order_by("processed_at")
        .values_list("delivery_id", "processed_at")
    )


def worker_rate(
    done: list[tuple[str, datetime]], orders_of: dict[str, int], concurrency: int
) -> tuple[float, float | None]:
    """The worker's seconds from the first to the last processed delivery, and its orders/s.

    The span starts when the first deliveries are already done: the ``concurrency``
    deliveries that ran in parallel before it are not counted in the rate (with 20 batch
    deliveries, counting them would overstate it by a tenth). None when too few.
    """
    if not done:
        return 0.0, None
    seconds = (done[-1][1] - done[0][1]).total_seconds()
    after = sum(orders_of[delivery_id] for delivery_id, _ in done[concurrency:])
    return seconds, (after / seconds if after and seconds > 0 else None)


# --- The baseline: the same rows, bulk-inserted -------------------------------------------


def bulk_insert(records: list[dict]) -> float:
    """Customer, Order, OrderLine, Shipment and TrackingEvent rows of ``records`` with
    ``bulk_create``, BULK_BATCH orders a transaction; returns the seconds it took."""
    from django.db import transaction

    from orders import carriers
    from orders.models import Connector, Customer, Order, OrderLine, Shipment, TrackingEvent
    from orders.services import lookup_number

    started = time.perf_counter()
    for low in range(0, len(records), BULK_BATCH):
        batch = [r["data"] for r in records[low : low + BULK_BATCH]]
        with transaction.atomic():
            customers = Customer.objects.bulk_create(
                Customer(
                    email=d["email"],
                    first_name=d["customer"]["first_name"],
                    last_name=d["customer"]["last_name"],
                    locale=d["customer"]["locale"],
                    connector=Connector.PORTICO,
                    external_id=d["customer"]["id"],
                )
                for d in batch
            )
            orders = Order.objects.bulk_create(
                Order(
                    connector=Connector.PORTICO,
                    external_id=d["id"],
                    number=d["number"],
                    lookup_number=lookup_number(d["number"]),
                    customer=customer,
                    email=d["email"],
                    currency=d["currency"],
                    subtotal=Decimal(d["subtotal"]),
                    shipping_total=Decimal(d["shipping_total"]),
                    tax_total=Decimal(d["tax_total"]),
                    total=Decimal(d["total"]),
                    financial_status=d["financial_status"],
                    fulfillment_status=Order.FulfillmentStatus.FULFILLED,
                    placed_at=_time(d["placed_at"]),
                    paid_at=_time(d["paid_at"]),
                    source_updated_at=_time(d["updated_at"]),
                )
                for d, customer in zip(batch, customers, strict=True)
            )
            OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    external_id=line["id"],
                    sku=line["sku"],
                    title=line["title"],
                    variant_title=line["variant"],
                    quantity=line["quantity"],
                    unit_price=Decimal(line["unit_price"]),
                    product_type=line["product_type"],
                    tags=line["tags"],
                )
                for d, order in zip(batch, orders, strict=True)
                for line in d["lines"]
            )
            pairs = [
                (s, order) for d, order in zip(batch, orders, strict=True) for s in d["shipments"]
            ]
            shipments = Shipment.objects.bulk_create(
                _shipment(s, order, carriers) for s, order in pairs
            )
            TrackingEvent.objects.bulk_create(
                TrackingEvent(
                    shipment=shipment,
                    status=e["status"],
                    message=e["message"],
                    location=e["location"],
                    occurred_at=_time(e["occurred_at"]),
                    dedupe_key=_event_key(e),
                )
                for (s, _), shipment in zip(pairs, shipments, strict=True)
                for e in s["events"]
            )
    return time.perf_counter() - started


def _shipment(s: dict, order, carriers):
    from orders.models import Shipment

    code = carriers.normalise(s["carrier"])
    updated = _time(s["updated_at"])
    return Shipment(
        order=order,
        external_id=s["id"],
        carrier=code,
        carrier_name=carriers.display_name(code, s["carrier"]),
        tracking_number=s["tracking_number"],
        tracking_url=carriers.tracking_url(code, s["tracking_number"], ""),
        status=s["status"],
        status_changed_at=updated,
        shipped_at=_time(s["shipped_at"]),
        source_updated_at=updated,
    )


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _event_key(e: dict) -> str:
    # As the mirror derives it: the event's own content.
    raw = f"{e['occurred_at']}|{e['status']}|{e['message']}|{e['location']}"
    return hashlib.sha256(raw.encode()).hexdigest()


# --- The run ------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def loyalty_program(state: str) -> dict:
    """Switch the loyalty program on or off for the run; what it was, and its rules."""
    from loyalty.models import EarningRule, ProgramSettings

    program = ProgramSettings.load()
    was = "on" if program.enabled else "off"
    program.enabled = state == "on"
    program.save(update_fields=["enabled"])
    rules = EarningRule.objects.filter(active=True).count()
    print(f"   loyalty program {state} (was {was}; {rules} active earning rules)", flush=True)
    return {"state": state, "was": was, "active_rules": rules}


def measure(args, machine: dict) -> dict:
    from django.db import connections

    from bench import server, worker

    count, batch = args.count, args.batch
    stamp = f"{datetime.now(UTC):%H%M%S}"
    run_prefix = f"bench-ingest-{stamp}-"
    warm_prefix = f"bench-warm-{stamp}-"
    now = datetime.now(UTC)

    began = step(f"generate and sign {count:,} orders, {mode(count, batch)}")
    # R(un), W(arm-up), Q(ueries), B(atch queries): all under INGEST_PREFIX, told apart
    # where it matters.
    records = [
        order_record(INGEST_PREFIX + "R", EMAIL_PREFIXES[0] + "r", n, now)
        for n in range(1, count + 1)
    ]
    deliveries = deliveries_of(records, batch, run_prefix)
    # Warm-up deliveries take the same path as the measured ones (batches, if batched),
    # small enough to be quick.
    warm_batch = min(batch, WARM_BATCH)
    warm_records = [
        order_record(INGEST_PREFIX + "W", EMAIL_PREFIXES[0] + "w", n, now)
        for n in range(1, 2 * (args.workers + args.concurrency) * warm_batch + 1)
    ]
    warm = deliveries_of(warm_records, warm_batch, warm_prefix)
    print(
        f"   {time.monotonic() - began:.1f}s, "
        f"{sum(len(d.body) for d, _ in deliveries) / len(deliveries):,.0f} bytes a delivery"
    )

    step("queries of one delivery of one order (in this process)")
    queries = queries_per_delivery(now)
    print(f"   receive (the endpoint): {describe(queries['receive'])}")
    print(f"   process (the task):     {describe(queries['process'])}")
    batch_queries = None
    if batch > 1:
        step(f"queries of one batch delivery of {batch:,} orders (in this process)")
        batch_queries = queries_per_batch(now, batch)
        print(f"   receive (the endpoint): {describe(batch_queries['receive'])}")
        print(f"   process (the task):     {describe(batch_queries['process'])}")
        print(f"   task queries per order: {batch_queries['process_per_order']:.2f}")
    connections.close_all()

    step(
        f"Celery worker (prefork, concurrency {args.concurrency}) and gunicorn "
        f"({args.workers} sync workers)"
    )
    with worker.running(args.concurrency), server.running(args.workers) as port:
        try:
            results = send_and_wait(port, deliveries, warm, warm_prefix, run_prefix, args)
        except BenchFailure as exc:
            raise BenchFailure(
                f"{exc}\n-- server log (tail) --\n{server.log_tail()}\n"
                f"-- worker log (tail) --\n{worker.log_tail()}"
            ) from exc
        step("stop gunicorn and the worker")

    began = step(f"baseline: bulk_create of the same {count:,} orders")
    bulk_records = [
        order_record(BULK_PREFIX, EMAIL_PREFIXES[1], n, now) for n in range(1, count + 1)
    ]
    bulk_seconds = bulk_insert(bulk_records)
    print(f"   {bulk_seconds:.2f}s")
    results["bulk"] = {"seconds": bulk_seconds, "orders_per_s": count / bulk_seconds}
    results["queries_per_delivery"] = queries
    if batch_queries is not None:
        results["queries_per_batch"] = batch_queries
    return results


class BenchFailure(RuntimeError):
    pass


def refused(sent: list[Sent]) -> str:
    """What the answers other than 202 were, and the first body of each status."""
    statuses = Counter(s.status for s in sent)
    first = {}
    for s in sent:
        if s.status != 202:
            first.setdefault(s.status, s.answer)
    return f"{dict(statuses)}" + "".join(f"\n   {status}: {a}" for status, a in first.items())


def send_and_wait(port, deliveries, warm, warm_prefix, run_prefix, args) -> dict:
    count, threads = args.count, args.threads
    warm_orders = sum(n for _, n in warm)
    orders_of = {d.headers["X-Portico-Delivery-Id"]: n for d, n in deliveries}
    step(f"warm up: {len(warm)} deliveries of {warm_orders // len(warm)} order(s)")
    sent = send_all(port, [d for d, _ in warm], threads)
    if any(s.status != 202 for s in sent):
        raise BenchFailure(f"warm-up deliveries answered {refused(sent)}")
    counts = wait_processed(warm_prefix, len(warm), progress=False)
    if counts.get("processed", 0) != len(warm):
        raise BenchFailure(f"warm-up deliveries were not all processed: {counts}")
    # Their shipment emails too: the measured deliveries must not queue behind them (a
    # warm-up of batches leaves one email task an order).
    wait_emails(INGEST_PREFIX + "W", warm_orders)

    step(
        f"POST {len(deliveries):,} deliveries ({count:,} orders) to {ENDPOINT} "
        f"from {threads} threads"
    )
    first_post = datetime.now(UTC)
    began = time.perf_counter()
    sent = send_all(port, [d for d, _ in deliveries], threads)
    window = max(s.started + s.seconds for s in sent) - min(s.started for s in sent)
    statuses = Counter(s.status for s in sent)
    latencies = [s.seconds * 1000 for s in sent]
    print(f"   {window:.2f}s, statuses {dict(statuses)}", flush=True)
    if statuses.get(202, 0) != len(deliveries):
        raise BenchFailure(f"not every delivery was accepted: {refused(sent)}")

    step("wait until every delivery is processed (polling the inbox)")
    counts = wait_processed(run_prefix, len(deliveries))
    processed = counts.get("processed", 0)
    if processed != len(deliveries):
        raise BenchFailure(f"only {processed} of {len(deliveries)} deliveries processed: {counts}")
    done = processed_times(run_prefix)

    step("wait until every order is in the mirror")
    in_mirror, last_created = wait_orders(INGEST_PREFIX + "R", count)
    if in_mirror != count:
        raise BenchFailure(
            f"every delivery is processed, but only {in_mirror:,} of {count:,} orders are "
            "in the mirror"
        )
    last = max(done[-1][1], last_created or done[-1][1])
    end_to_end = (last - first_post).total_seconds()
    processing_seconds, worker_orders_per_s = worker_rate(done, orders_of, args.concurrency)
    print(f"   all {count:,} orders in {end_to_end:.2f}s after the first POST", flush=True)

    step("wait for the shipment emails (one per order)")
    emails, last_email = wait_emails(INGEST_PREFIX + "R", count)
    emails_seconds = (last_email - first_post).total_seconds() if last_email else None
    print(
        f"   {emails:,} sent"
        + (f", the last {emails_seconds:.2f}s after the first POST" if emails_seconds else ""),
        flush=True,
    )
    return {
        "mode": {"batch": args.batch, "deliveries": len(deliveries), "orders": count},
        "endpoint": {
            "seconds": window,
            "deliveries_per_s": len(deliveries) / window,
            "orders_per_s": count / window,
            "p50_ms": statistics.median(latencies),
            "p95_ms": percentile(latencies, 95),
            "p99_ms": percentile(latencies, 99),
            "statuses": {str(k): v for k, v in statuses.items()},
        },
        "end_to_end": {
            "seconds": end_to_end,
            "orders_per_s": count / end_to_end,
            "deliveries_per_s": len(deliveries) / end_to_end,
            "processing_seconds": processing_seconds,
            "worker_orders_per_s": worker_orders_per_s,
            "orders_in_mirror": in_mirror,
            "statuses": counts,
            "client_seconds": time.perf_counter() - began,
        },
        "emails": {"sent": emails, "seconds_after_first_post": emails_seconds},
    }


def table(results: dict, options: dict, machine: dict) -> str:
    """The report of one run; also rebuilt from its JSON file (``report_of``)."""
    count, batch = options["count"], options.get("batch", 1)
    endpoint, e2e, bulk = results["endpoint"], results["end_to_end"], results["bulk"]
    deliveries = math.ceil(count / batch)
    queries = results["queries_per_delivery"]
    ratio = e2e["orders_per_s"] / bulk["orders_per_s"]
    met = e2e["orders_per_s"] >= GOAL_ORDERS_PER_SECOND
    emails = results["emails"]
    worker = e2e.get("worker_orders_per_s")
    rows = [
        ("stage", "deliveries/s", "orders/s", "seconds", "p50 ms", "p95 ms"),
        (
            "endpoint: POST answered 202",
            f"{deliveries / endpoint['seconds']:.1f}",
            f"{count / endpoint['seconds']:.1f}",
            f"{endpoint['seconds']:.2f}",
            f"{endpoint['p50_ms']:.2f}",
            f"{endpoint['p95_ms']:.2f}",
        ),
        (
            "end to end: first POST -> last processed",
            f"{deliveries / e2e['seconds']:.1f}",
            f"{e2e['orders_per_s']:.1f}",
            f"{e2e['seconds']:.2f}",
            "-",
            "-",
        ),
        (
            "worker: first -> last processed",
            f"{worker / batch:.1f}" if worker else "-",
            f"{worker:.1f}" if worker else "-",
            f"{e2e['processing_seconds']:.2f}",
            "-",
            "-",
        ),
        (
            "baseline: bulk_create of the same rows",
            "-",
            f"{bulk['orders_per_s']:.1f}",
            f"{bulk['seconds']:.2f}",
            "-",
            "-",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        f"Ingestion: {count:,} Portico orders (3 lines, 1 shipment with 3 tracking events each)"
        f", {options['threads']} client threads, gunicorn {options['workers']} sync workers, "
        f"Celery prefork concurrency {options['concurrency']}; nproc={machine['nproc']}, "
        f"PostgreSQL {machine['database_version']}, broker {machine['broker']}, load average "
        f"at start {machine['load_average']}",
        mode(count, batch),
    ]
    if "loyalty" in machine:
        loyalty = machine["loyalty"]
        lines.append(
            f"loyalty program {loyalty['state']} during the run "
            f"({loyalty['active_rules']} active earning rules)"
        )
    if batch == 1:
        lines.append(
            f"queries per delivery: endpoint {describe(queries['receive'])}; "
            f"task {describe(queries['process'])}"
        )
    else:
        batched = results["queries_per_batch"]
        lines += [
            f"queries per delivery of 1 order: endpoint {describe(queries['receive'])}; "
            f"task {describe(queries['process'])}",
            f"queries per delivery of {batch:,} orders: endpoint "
            f"{describe(batched['receive'])}; task {describe(batched['process'])}; "
            f"task queries per order {batched['process_per_order']:.2f}",
        ]
    lines.append("")
    for i, row in enumerate(rows):
        lines.append(
            "  ".join(
                c.ljust(w) if j == 0 else c.rjust(w)
                for j, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += [
        "",
        f"end to end / bulk_create: {ratio:.3f}x  (bulk_create is {1 / ratio:.1f}x faster)",
        f"shipment emails: {emails['sent']:,} of {count:,} sent"
        + (
            f", the last {emails['seconds_after_first_post']:.2f}s after the first POST"
            if emails["seconds_after_first_post"]
            else ""
        ),
        f"goal: >= {GOAL_ORDERS_PER_SECOND} orders/s end to end: "
        + ("met" if met else f"NOT met ({e2e['orders_per_s']:.1f} orders/s)"),
    ]
    return "\n".join(lines)


def report_of(path: Path) -> str:
    """The table of a run from its JSON file: how run.py prints both modes together."""
    document = json.loads(path.read_text())
    return table(document, document["options"], document["machine"])


def machine_info(args) -> dict:
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "database": connection.vendor,
        "database_version": version,
        "database_name": str(connection.settings_dict["NAME"]),
        "broker": settings.CELERY_BROKER_URL.split("://")[0],
        "gunicorn_workers": args.workers,
        "celery_concurrency": args.concurrency,
        "client_threads": args.threads,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def write_json(name: str, started: datetime, machine: dict, args, results: dict) -> Path:
    config.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = config.RESULTS_DIR / f"{name}.json"
    document = {
        "started": started.isoformat(),
        "machine": machine,
        "options": vars(args),
        "goal_orders_per_s": GOAL_ORDERS_PER_SECOND,
        **results,
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    started = datetime.now(UTC)
    start("ingest.py")
    from bench import data

    step("migrate, collectstatic")
    data.migrate()
    data.collectstatic()
    machine = machine_info(args)
    machine["loyalty"] = loyalty_program(args.loyalty)
    step("clean what an earlier run left")
    print(f"   deleted {clean() or 'nothing'}; {purge_queue()} queued task(s) purged", flush=True)
    try:
        results = measure(args, machine)
    except BenchFailure as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        loyalty_program(machine["loyalty"]["was"])
        if not args.keep:
            step("clean up")
            print(f"   deleted {clean() or 'nothing'}", flush=True)
    print()
    print(table(results, vars(args), machine))
    batched = f"-batch{args.batch}" if args.batch > 1 else ""
    name = args.results_name or f"{started:%Y%m%dT%H%M%SZ}-ingest{batched}"
    path = write_json(name, started, machine, args, results)
    print(f"\nWritten to {path.relative_to(config.ROOT)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as exc:
        print(
            f"\nInterrupted ({str(exc) or 'SIGINT'}); gunicorn and the worker are stopped.",
            file=sys.stderr,
        )
        sys.exit(130)
