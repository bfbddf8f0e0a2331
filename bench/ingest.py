"""Order ingestion throughput: signed Portico webhooks through gunicorn and a real Celery
worker, end to end, against a bulk insert of the same rows. See bench/README.md.

    .venv/bin/python bench/ingest.py                # 2,000 orders
    .venv/bin/python bench/ingest.py --count 500    # a quick look

PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portico_bench)
and Redis (BENCH_BROKER_URL, default redis://127.0.0.1:6379/13) only.
"""

import argparse
import hashlib
import hmac
import http.client
import json
import os
import signal
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

from bench import config, database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portico_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/13"
ENDPOINT = "/webhooks/portico/"
GOAL_ORDERS_PER_SECOND = 500
# What this bench writes, found again by these prefixes to be deleted before and after.
INGEST_PREFIX = "BENCH-IN-"  # orders that come through the webhook
BULK_PREFIX = "BENCH-BULK-"  # the same orders, bulk-inserted
DELIVERY_PREFIX = "bench-"  # webhook deliveries
EMAIL_PREFIXES = ("bench-ingest-", "bench-bulk-")  # their customers
BULK_BATCH = 500
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
    parser.add_argument("--threads", type=int, default=4, help="client threads posting [4]")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers [2]")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery prefork processes [2]")
    parser.add_argument(
        "--keep", action="store_true", help="leave this run's orders in the database"
    )
    parser.add_argument("--results-name", help="file name (no .json) in bench/results/")
    args = parser.parse_args(argv)
    if min(args.count, args.threads, args.workers, args.concurrency) < 1:
        parser.error("--count, --threads, --workers and --concurrency must be >= 1")
    return args


def step(message: str) -> float:
    print(f"== {message}", flush=True)
    return time.monotonic()


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


# --- Setup and cleaning ------------------------------------------------------------------


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = config.SETTINGS_MODULE
    import django

    django.setup()


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


def check_backends() -> None:
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench/ingest.py runs on PostgreSQL only (BENCH_DATABASE_URL)")
    if settings.CELERY_TASK_ALWAYS_EAGER:
        raise SystemExit("CELERY_TASK_ALWAYS_EAGER is on: there would be no worker to measure")


# --- What one delivery costs, in queries -------------------------------------------------


def queries_per_delivery(now: datetime) -> dict:
    """One delivery received and processed in this process, its SQL queries counted.

    The tasks it would enqueue are not sent (the worker is not running yet).
    """
    from unittest import mock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders import services

    delivery = signed(
        order_record(INGEST_PREFIX + "Q", EMAIL_PREFIXES[0] + "q", 1, now), "bench-queries-1"
    )
    with (
        mock.patch("orders.tasks.process_delivery"),
        mock.patch("orders.tasks.notify_shipment"),
        CaptureQueriesContext(connection) as receive,
    ):
        received = services.delivery_receive(
            connector="portico", headers=delivery.headers, body=delivery.body
        )
    with (
        mock.patch("orders.tasks.process_delivery"),
        mock.patch("orders.tasks.notify_shipment"),
        CaptureQueriesContext(connection) as process,
    ):
        done = services.delivery_process(delivery_id=received.delivery.pk)
    if done.status != "processed":
        raise SystemExit(f"a sample delivery was not processed: {done.status} {done.error}")
    return {"receive": _kinds(receive), "process": _kinds(process)}


def _kinds(captured) -> dict:
    kinds = Counter(q["sql"].split(None, 1)[0].upper() for q in captured.captured_queries)
    return {"total": len(captured.captured_queries), **dict(kinds.most_common())}


def describe(kinds: dict) -> str:
    parts = ", ".join(f"{n} {kind}" for kind, n in kinds.items() if kind != "total")
    return f"{kinds['total']} ({parts})"


# --- Sending, waiting ---------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    started: float
    seconds: float
    status: int


def post(port: int, delivery: Delivery) -> Sent:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("POST", ENDPOINT, body=delivery.body, headers=delivery.headers)
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        conn.close()
    return Sent(started, time.perf_counter() - started, status)


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


def processed_span(run_prefix: str) -> tuple[datetime | None, datetime | None]:
    from django.db.models import Max, Min

    from orders.models import WebhookDelivery

    span = WebhookDelivery.objects.filter(
        connector="portico", delivery_id__startswith=run_prefix, processed_at__isnull=False
    ).aggregate(first=Min("processed_at"), last=Max("processed_at"))
    return span["first"], span["last"]


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


def measure(args, machine: dict) -> dict:
    from django.db import connections

    from bench import server, worker

    count = args.count
    stamp = f"{datetime.now(UTC):%H%M%S}"
    run_prefix = f"bench-ingest-{stamp}-"
    now = datetime.now(UTC)

    began = step(f"generate and sign {count:,} deliveries")
    # R(un), W(arm-up), Q(ueries): all under INGEST_PREFIX, told apart where it matters.
    records = [
        order_record(INGEST_PREFIX + "R", EMAIL_PREFIXES[0] + "r", n, now)
        for n in range(1, count + 1)
    ]
    deliveries = [signed(r, f"{run_prefix}{n:06d}") for n, r in enumerate(records, start=1)]
    warm = [
        signed(
            order_record(INGEST_PREFIX + "W", EMAIL_PREFIXES[0] + "w", n, now),
            f"bench-warm-{stamp}-{n}",
        )
        for n in range(1, 2 * (args.workers + args.concurrency) + 1)
    ]
    print(
        f"   {time.monotonic() - began:.1f}s, {sum(len(d.body) for d in deliveries) / count:,.0f}"
        " bytes a delivery"
    )

    step("queries of one delivery (in this process)")
    queries = queries_per_delivery(now)
    print(f"   receive (the endpoint): {describe(queries['receive'])}")
    print(f"   process (the task):     {describe(queries['process'])}")
    connections.close_all()

    step(
        f"Celery worker (prefork, concurrency {args.concurrency}) and gunicorn "
        f"({args.workers} sync workers)"
    )
    with worker.running(args.concurrency), server.running(args.workers) as port:
        try:
            results = send_and_wait(port, deliveries, warm, run_prefix, count, args.threads)
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
    return results


class BenchFailure(RuntimeError):
    pass


def send_and_wait(port, deliveries, warm, run_prefix, count, threads) -> dict:
    step(f"warm up: {len(warm)} deliveries")
    sent = send_all(port, warm, threads)
    if any(s.status != 202 for s in sent):
        raise BenchFailure(f"warm-up deliveries answered {Counter(s.status for s in sent)}")
    counts = wait_processed(
        warm[0].headers["X-Portico-Delivery-Id"].rsplit("-", 1)[0], len(warm), progress=False
    )
    if counts.get("processed", 0) != len(warm):
        raise BenchFailure(f"warm-up deliveries were not all processed: {counts}")

    step(f"POST {count:,} deliveries to {ENDPOINT} from {threads} threads")
    first_post = datetime.now(UTC)
    began = time.perf_counter()
    sent = send_all(port, deliveries, threads)
    window = max(s.started + s.seconds for s in sent) - min(s.started for s in sent)
    statuses = Counter(s.status for s in sent)
    latencies = [s.seconds * 1000 for s in sent]
    print(f"   {window:.2f}s, statuses {dict(statuses)}", flush=True)
    if statuses.get(202, 0) != count:
        raise BenchFailure(f"not every delivery was accepted: {dict(statuses)}")

    step("wait until every delivery is processed (polling the inbox)")
    counts = wait_processed(run_prefix, count)
    first, last = processed_span(run_prefix)
    processed = counts.get("processed", 0)
    if processed != count or last is None:
        raise BenchFailure(f"only {processed} of {count} deliveries processed: {counts}")
    end_to_end = (last - first_post).total_seconds()
    print(f"   all processed {end_to_end:.2f}s after the first POST", flush=True)

    step("wait for the shipment emails (one per order)")
    emails, last_email = wait_emails(INGEST_PREFIX + "R", count)
    emails_seconds = (last_email - first_post).total_seconds() if last_email else None
    print(
        f"   {emails:,} sent"
        + (f", the last {emails_seconds:.2f}s after the first POST" if emails_seconds else ""),
        flush=True,
    )
    return {
        "endpoint": {
            "seconds": window,
            "deliveries_per_s": count / window,
            "p50_ms": statistics.median(latencies),
            "p95_ms": percentile(latencies, 95),
            "p99_ms": percentile(latencies, 99),
            "statuses": {str(k): v for k, v in statuses.items()},
        },
        "end_to_end": {
            "seconds": end_to_end,
            "orders_per_s": count / end_to_end,
            "processing_seconds": (last - first).total_seconds(),
            "statuses": counts,
            "client_seconds": time.perf_counter() - began,
        },
        "emails": {"sent": emails, "seconds_after_first_post": emails_seconds},
    }


def table(results: dict, args, machine: dict) -> str:
    count = args.count
    endpoint, e2e, bulk = results["endpoint"], results["end_to_end"], results["bulk"]
    queries = results["queries_per_delivery"]
    ratio = e2e["orders_per_s"] / bulk["orders_per_s"]
    met = e2e["orders_per_s"] >= GOAL_ORDERS_PER_SECOND
    emails = results["emails"]
    rows = [
        ("stage", "orders/s", "seconds", "p50 ms", "p95 ms"),
        (
            "endpoint: POST answered 202",
            f"{endpoint['deliveries_per_s']:.1f}",
            f"{endpoint['seconds']:.2f}",
            f"{endpoint['p50_ms']:.2f}",
            f"{endpoint['p95_ms']:.2f}",
        ),
        (
            "end to end: first POST -> last processed",
            f"{e2e['orders_per_s']:.1f}",
            f"{e2e['seconds']:.2f}",
            "-",
            "-",
        ),
        (
            "worker: first -> last processed",
            f"{count / e2e['processing_seconds']:.1f}" if e2e["processing_seconds"] else "-",
            f"{e2e['processing_seconds']:.2f}",
            "-",
            "-",
        ),
        (
            "baseline: bulk_create of the same rows",
            f"{bulk['orders_per_s']:.1f}",
            f"{bulk['seconds']:.2f}",
            "-",
            "-",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [
        f"Ingestion: {count:,} Portico orders (3 lines, 1 shipment with 3 tracking events each)"
        f", {args.threads} client threads, gunicorn {args.workers} sync workers, Celery prefork"
        f" concurrency {args.concurrency}; nproc={machine['nproc']}, PostgreSQL "
        f"{machine['database_version']}, broker {machine['broker']}, load average at start "
        f"{machine['load_average']}",
        f"queries per delivery: endpoint {describe(queries['receive'])}; "
        f"task {describe(queries['process'])}",
        "",
    ]
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

    def interrupt(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    started = datetime.now(UTC)
    # Before settings.py reads them; the server and the worker inherit them.
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("BENCH_BROKER_URL", DEFAULT_BROKER_URL)
    url = database.database_url()
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"bench/ingest.py runs on PostgreSQL only, not {url}")
    if database.ensure_database(url):
        print(f"Created the database of {url}")
    setup_django()
    check_backends()
    from bench import data

    step("migrate, collectstatic")
    data.migrate()
    data.collectstatic()
    machine = machine_info(args)
    step("clean what an earlier run left")
    print(f"   deleted {clean() or 'nothing'}; {purge_queue()} queued task(s) purged", flush=True)
    try:
        results = measure(args, machine)
    except BenchFailure as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            step("clean up")
            print(f"   deleted {clean() or 'nothing'}", flush=True)
    print()
    print(table(results, args, machine))
    name = args.results_name or f"{started:%Y%m%dT%H%M%SZ}-ingest"
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
