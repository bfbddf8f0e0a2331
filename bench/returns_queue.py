"""The returns queue at 100,000 returns: latency per page view, against baselines.

    .venv/bin/python bench/returns_queue.py [--returns 100000] [--requests 200] [--explain]

Uses its own PostgreSQL database (``--database-url``, else ``RETURNS_BENCH_DATABASE_URL``,
else ``postgres://postgres@127.0.0.1:5432/portico_bench_returns``; created if missing,
never ``DATABASE_URL``), migrated, with the bench settings (production's, DEBUG off).
Seeds ``--returns`` returns the first time (``R-B0000001`` …, one order each with 1 to 3
lines, 20,000 customers, two years of history, the status mix of a live shop) by COPY
through ``bench.orderdata.Table``, then ``VACUUM ANALYZE``; a second run finds them.

Then requests each page ``--requests`` times through Django's test client in this
process, signed in as a support agent, round by round (every page once per round, so a
busy moment of the machine spreads over all of them): the queue as it opens, with
filters, with searches, a deep page; and two baselines in the same rounds: the bench's
constant page (``/bench/baseline``: middleware only) and Wagtail's admin dashboard. It
prints the median and p95 of each, their ratio to both baselines, the queries of one
request, and whether the queue's p95 meets the goal (< 100 ms). ``--explain`` prints
PostgreSQL's ``EXPLAIN (ANALYZE, BUFFERS)`` of each page's queries on the returns table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portico_bench_returns"
NUMBER_PREFIX = "R-B"
ORDER_PREFIX = "BENCH-RET-"
CUSTOMERS = 20_000
BATCH = 5_000
GOAL_P95_MS = 100.0
AGENT_EMAIL = "bench-returns-agent@example.com"

CATALOGUE = [
    ("LS-SAND-M", "Linen shirt", "Sand / M", "Shirts", Decimal("60.00")),
    ("TR-CHINO-32", "Chino trousers", "32", "Trousers", Decimal("80.00")),
    ("MUG-STONE", "Stoneware mug", "", "Kitchen", Decimal("18.00")),
    ("SCF-WOOL", "Wool scarf", "Grey", "Accessories", Decimal("45.00")),
    ("SNK-WHT-42", "Canvas sneakers", "White / 42", "Shoes", Decimal("95.00")),
]
REASONS = [
    ("too_small", "Too small"),
    ("too_large", "Too large"),
    ("changed_mind", "Changed my mind"),
    ("damaged", "Arrived damaged or faulty"),
    ("not_as_described", "Not as described"),
    ("wrong_item", "Wrong item sent"),
]
# (share in percent, status): most returns are long finished, a tenth wait on an agent.
STATUS_MIX = [
    (10, "requested"),
    (5, "label_issued"),
    (3, "dropoff_issued"),
    (4, "in_transit"),
    (4, "received"),
    (2, "inspected"),
    (23, "refunded"),
    (10, "credited"),
    (3, "exchanged"),
    (26, "closed"),
    (5, "rejected"),
    (5, "cancelled"),
]
RESOLUTIONS = {"credited": "credit", "exchanged": "exchange"}


def status_of(i: int) -> str:
    slot, total = (i * 37) % 100, 0
    for share, status in STATUS_MIX:
        total += share
        if slot < total:
            return status
    return "closed"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=100_000, help="returns to seed [100000]")
    parser.add_argument("--requests", type=int, default=200, help="requests per page [200]")
    parser.add_argument("--database-url", help=f"PostgreSQL URL [{DEFAULT_URL}]")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE plans")
    args = parser.parse_args(argv)
    if args.returns < 1 or args.requests < 1:
        parser.error("--returns and --requests must be >= 1")
    return args


def setup(url: str) -> None:
    # The bench settings read BENCH_DATABASE_URL when imported: set it first.
    os.environ["BENCH_DATABASE_URL"] = url
    from bench import database, workerbench

    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"bench/returns_queue.py runs on PostgreSQL only, not {url}")
    if database.ensure_database(url):
        print(f"Created the database of {url}")
    workerbench.setup_django()


# --- Seed ---------------------------------------------------------------------------------


def seed(count: int) -> int:
    """Returns R-B0000001 … R-B<count>, each on its own order; writes only what is missing."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.orderdata import Table, reserve_ids
    from orders.models import Customer, Order, OrderLine
    from returns.models import ReturnEvent, ReturnLine, ReturnRequest
    from returns.selectors import policy_current

    have = ReturnRequest.objects.filter(number__startswith=NUMBER_PREFIX).count()
    if have >= count:
        return 0
    now = timezone.now()
    _policy, version = policy_current()
    customers = Table(Customer, ["id", "email", "connector", "external_id"], now)
    orders = Table(
        Order,
        ["id", "connector", "external_id", "number", "lookup_number", "customer_id", "email",
         "currency", "subtotal", "total", "financial_status", "fulfillment_status",
         "placed_at", "paid_at"],
        now,
    )  # fmt: skip
    order_lines = Table(
        OrderLine,
        ["id", "order_id", "external_id", "sku", "title", "variant_title", "quantity",
         "unit_price", "product_type"],
        now,
    )  # fmt: skip
    returns = Table(
        ReturnRequest,
        ["id", "number", "order_id", "email", "status", "policy_version_id", "resolution",
         "method", "currency", "items_total", "total", "review", "flagged", "created_at",
         "updated_at", "resolved_at"],
        now,
    )  # fmt: skip
    return_lines = Table(
        ReturnLine,
        ["request_id", "order_line_id", "quantity", "reason", "reason_label", "unit_amount",
         "amount"],
        now,
    )  # fmt: skip
    events = Table(ReturnEvent, ["request_id", "kind", "to_status", "created_at"], now)
    customer_ids = _customers(customers, reserve_ids, Customer, transaction)
    started, written = time.monotonic(), 0
    for first in range(have + 1, count + 1, BATCH):
        numbers = range(first, min(first + BATCH, count + 1))
        with transaction.atomic():
            order_ids = reserve_ids(Order, len(numbers))
            return_ids = reserve_ids(ReturnRequest, len(numbers))
            line_counts = [1 + i % 3 for i in numbers]
            line_ids = iter(reserve_ids(OrderLine, sum(line_counts)))
            o_rows, l_rows, r_rows, rl_rows, e_rows = [], [], [], [], []
            for i, order_id, return_id, n_lines in zip(
                numbers, order_ids, return_ids, line_counts, strict=True
            ):
                email = f"bench-returner-{i % CUSTOMERS:05d}@example.com"
                created = now - timedelta(minutes=(i * 7919) % (730 * 24 * 60))
                placed = created - timedelta(days=5 + i % 20)
                picked = [CATALOGUE[(i + k) % len(CATALOGUE)] for k in range(n_lines)]
                subtotal = sum((p[4] for p in picked), Decimal("0"))
                o_rows.append((
                    order_id, "import", f"{ORDER_PREFIX}{i:07d}", f"#B{i:07d}", f"B{i:07d}",
                    customer_ids[i % CUSTOMERS], email, "EUR", subtotal, subtotal, "paid",
                    "fulfilled", placed, placed,
                ))  # fmt: skip
                ids = [next(line_ids) for _ in picked]
                for line_id, (sku, title, variant, kind, price) in zip(ids, picked, strict=True):
                    l_rows.append((line_id, order_id, f"L{line_id}", sku, title, variant, 1,
                                   price, kind))  # fmt: skip
                status = status_of(i)
                returned = picked[: 1 + (i % 2)]
                amount = sum((p[4] for p in returned), Decimal("0"))
                resolved = created + timedelta(days=3 + i % 9)
                r_rows.append((
                    return_id, f"{NUMBER_PREFIX}{i:07d}", order_id, email, status, version.pk,
                    RESOLUTIONS.get(status, "refund"), "label", "EUR", amount, amount,
                    "pending" if status == "requested" and i % 10 < 7 else "",
                    i % 37 == 0, created, created,
                    resolved if status in ("refunded", "credited", "exchanged", "closed") else None,
                ))  # fmt: skip
                for k, (line_id, item) in enumerate(zip(ids, returned, strict=False)):
                    code, label = REASONS[(i + k) % len(REASONS)]
                    rl_rows.append((return_id, line_id, 1, code, label, item[4], item[4]))
                e_rows.append((return_id, "transition", "requested", created))
                if status != "requested":
                    e_rows.append((return_id, "transition", status, created + timedelta(days=1)))
            orders.write(o_rows)
            order_lines.write(l_rows)
            returns.write(r_rows)
            return_lines.write(rl_rows)
            events.write(e_rows)
        written += len(numbers)
        rate = written / max(time.monotonic() - started, 0.001)
        print(f"   {first + len(numbers) - 1:,}/{count:,} returns ({rate:,.0f}/s)", flush=True)
    with connection.cursor() as cursor:
        # Bulk-loaded rows: fresh statistics and visibility map, as autovacuum would leave.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return written


def _customers(table, reserve_ids, Customer, transaction) -> list[int]:
    emails = [f"bench-returner-{n:05d}@example.com" for n in range(CUSTOMERS)]
    found = dict(
        Customer.objects.filter(email__startswith="bench-returner-").values_list("email", "pk")
    )
    missing = [e for e in emails if e not in found]
    if missing:
        with transaction.atomic():
            ids = reserve_ids(Customer, len(missing))
            table.write(
                (pk, email, "import", f"bench-returner-{pk}")
                for pk, email in zip(ids, missing, strict=True)
            )
        found.update(zip(missing, ids, strict=True))
    return [found[e] for e in emails]


def agent():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from portal.groups import SUPPORT_AGENTS

    user, _created = get_user_model().objects.get_or_create(
        email=AGENT_EMAIL, defaults={"first_name": "Bench", "last_name": "Agent"}
    )
    user.groups.add(Group.objects.get(name=SUPPORT_AGENTS))
    return user


# --- Measure ------------------------------------------------------------------------------


def pages(count: int) -> list[tuple[str, str]]:
    middle = max(count // 2, 1)
    return [
        ("baseline", "/bench/baseline"),
        ("admin-home", "/admin/"),
        ("queue", "/admin/returns/"),
        ("queue-waiting", "/admin/returns/?status=requested&status=received&status=inspected"),
        ("queue-review", "/admin/returns/?needs_review=true&flagged=false"),
        ("queue-flagged", "/admin/returns/?flagged=true"),
        ("queue-reason", "/admin/returns/?reason=damaged&status=requested"),
        ("queue-old", "/admin/returns/?older_than=30&status=requested"),
        ("queue-credit", "/admin/returns/?resolution=credit&status=closed"),
        ("search-return", f"/admin/returns/?q={NUMBER_PREFIX}{middle:07d}"),
        ("search-order", f"/admin/returns/?q=%23B{middle:07d}"),
        ("search-email", f"/admin/returns/?q=bench-returner-{middle % CUSTOMERS:05d}%40"),
        ("queue-page-150", "/admin/returns/?p=150"),
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client, targets, requests: int) -> tuple[dict[str, list[float]], dict[str, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: dict[str, list[float]] = {name: [] for name, _path in targets}
    counts = {}
    for name, path in targets:  # warm up, check, count queries
        for _ in range(3):
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name}: GET {path} answered {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        counts[name] = len(captured.captured_queries)
    for _ in range(requests):
        for name, path in targets:
            began = time.perf_counter()
            client.get(path)
            times[name].append((time.perf_counter() - began) * 1000)
    return times, counts


def report(times, counts) -> bool:
    base = statistics.median(times["baseline"])
    home = statistics.median(times["admin-home"])
    print(
        f"{'page':<16} {'median ms':>10} {'p95 ms':>8} {'÷ baseline':>11} {'÷ admin home':>13}"
        f" {'queries':>8}"
    )
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:<16} {median:10.2f} {percentile(values, 0.95):8.2f} {median / base:10.1f}x"
            f" {median / home:12.2f}x {counts[name]:8d}"
        )
    queue = [v for name, vs in times.items() if name.startswith(("queue", "search")) for v in vs]
    worst = max(percentile(v, 0.95) for n, v in times.items() if n.startswith(("queue", "search")))
    met = worst < GOAL_P95_MS
    print(
        f"goal  queue p95 < {GOAL_P95_MS:g} ms: worst page {worst:.2f} ms, all queue requests "
        f"{percentile(queue, 0.95):.2f} ms: {'met' if met else 'NOT met'}"
    )
    return met


def explain(client, targets) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name, path in targets:
        if not name.startswith(("queue", "search")):
            continue
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        for query in captured.captured_queries:
            if "returns_returnrequest" not in query["sql"]:
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plan = [row[0] for row in cursor.fetchall()]
            print(f"-- {name}: {query['sql'][:160]}…")
            print("\n".join(f"   {line}" for line in plan))


def main(argv=None) -> int:
    args = parse_args(argv)
    url = args.database_url or os.environ.get("RETURNS_BENCH_DATABASE_URL") or DEFAULT_URL
    setup(url)
    from django.db import connection
    from django.test import Client

    from bench import data

    started = time.monotonic()
    print("== migrate, collectstatic", flush=True)
    data.migrate()
    data.collectstatic()
    print(f"== seed {args.returns:,} returns", flush=True)
    print(f"   {seed(args.returns):,} written")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"Machine: nproc={len(os.sched_getaffinity(0))}, PostgreSQL {version}, "
          f"load average {[round(x, 2) for x in os.getloadavg()]}")  # fmt: skip
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(agent())
    targets = pages(args.returns)
    print(f"== {args.requests} rounds of {len(targets)} pages", flush=True)
    times, counts = measure(client, targets, args.requests)
    met = report(times, counts)
    if args.explain:
        explain(client, targets)
    print(f"done in {time.monotonic() - started:.0f} s")
    return 0 if met else 1


# --- bench/run.py's scenarios (bench/scenarios.py) -----------------------------------------


def seed_for_run(data) -> None:
    """The seed hook of the returns scenarios in ``make bench``: 100,000 returns in the
    run's database (skipped when they are there)."""
    print(f"   {seed(100_000):,} returns written", flush=True)


def agent_cookies(data) -> dict[str, str]:
    return data.login(agent())


def search_path(data) -> str:
    return f"/admin/returns/?q=%23B{50_000:07d}"


if __name__ == "__main__":
    # `python bench/returns_queue.py` puts bench/ first on sys.path; the checkout goes there
    # instead so that `bench` is a package (as bench/run.py does).
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
    sys.exit(main())
