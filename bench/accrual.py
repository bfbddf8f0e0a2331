"""Points accrual throughput: paid-order events through a real Celery worker into ledger
entries, end to end, against a bulk insert of the same rows. See bench/README.md.

    .venv/bin/python bench/accrual.py                # 2,000 orders, as a batch delivery's
    .venv/bin/python bench/accrual.py --chunk 1      # one task per order (single deliveries)
    .venv/bin/python bench/accrual.py --count 500    # a quick look

PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portico_bench)
and Redis (BENCH_BROKER_URL, default redis://127.0.0.1:6379/13) only. The orders are the
seed's (bench/orderdata.py, ``bench/run.py`` writes them): paid, USD, not cancelled, not
their customer's first, with no points yet and an email without a points account, so each
award opens one lot with one earn entry in a new account, under one spend rule.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections import Counter
from datetime import UTC, datetime
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

GOAL_ENTRIES_PER_SECOND = 1_000
# The program's one spend rule for the run (USD: the demo's rules are in GBP and TRY). It
# is switched on for the run and off after it: what it earned is found again by it.
RULE_NAME = "Bench accrual: 1 point per $1.00"
# Seed orders 600,001..800,000: one order of each of the seed's 200,000 customers, so
# every order picked has an email of its own (bench/orderdata.py, SEED_CUSTOMERS).
WINDOW = (600_001, 800_000)
PROFILE_ORDERS = 100
BULK_BATCH = 500
STALL_SECONDS = 120


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="paid orders to award [2000]")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery prefork processes [2]")
    parser.add_argument(
        "--chunk",
        type=int,
        default=None,
        help="orders per award task: the order_paid receiver's chunk for a batch delivery "
        "(award_orders_points) by default; 1 is one award_order_points per order, as a "
        "delivery of one order sends",
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave this run's accounts, lots and entries"
    )
    parser.add_argument("--results-name", help="file name (no .json) in bench/results/")
    args = parser.parse_args(argv)
    if min(args.count, args.concurrency, args.chunk or 1) < 1:
        parser.error("--count, --concurrency and --chunk must be >= 1")
    return args


# --- The program, the orders, cleaning ----------------------------------------------------


def program_on():
    """The bench's spend rule on, and the program on; returns (rule, whether the program
    was on before), so ``program_restore`` puts things back."""
    from loyalty.models import EarningRule, ProgramSettings

    rule, _ = EarningRule.objects.get_or_create(
        name=RULE_NAME,
        kind=EarningRule.Kind.SPEND,
        defaults={"points": 1, "per_amount": Decimal("1.00"), "currency": "USD"},
    )
    if not rule.active:
        rule.active = True
        rule.save(update_fields=["active", "updated_at"])
    program = ProgramSettings.load()
    was_enabled = program.enabled
    if not was_enabled:
        program.enabled = True
        program.save(update_fields=["enabled"])
    return rule, was_enabled


def program_restore(rule, was_enabled: bool) -> None:
    """The rule off again (every USD order the ingestion bench sends would earn with it
    on), and the program as it was."""
    from loyalty.models import EarningRule, ProgramSettings

    EarningRule.objects.filter(pk=rule.pk).update(active=False)
    if not was_enabled:
        program = ProgramSettings.load()
        program.enabled = False
        program.save(update_fields=["enabled"])


def pick_orders(count: int) -> list[int]:
    """``count`` seed orders that earn exactly one lot under the bench's rule alone: paid,
    not cancelled, USD, not their customer's first (no first-order bonus), no lot yet, and
    an email without a points account."""
    from django.db import connection

    from bench.orderdata import SEED_CONNECTOR, SEED_PREFIX

    low, high = (f"{SEED_PREFIX}{n:07d}" for n in WINDOW)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT o.id FROM orders_order o
            WHERE o.connector = %s AND o.external_id BETWEEN %s AND %s
              AND o.currency = 'USD' AND o.paid_at IS NOT NULL AND o.cancelled_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM loyalty_lot l WHERE l.order_id = o.id)
              AND NOT EXISTS (
                SELECT 1 FROM loyalty_account a WHERE a.email = lower(trim(o.email)))
              AND EXISTS (
                SELECT 1 FROM orders_order e
                WHERE lower(e.email) = lower(o.email) AND e.paid_at IS NOT NULL
                  AND e.cancelled_at IS NULL
                  AND (e.placed_at < o.placed_at OR (e.placed_at = o.placed_at AND e.id < o.id)))
            ORDER BY o.external_id
            LIMIT %s
            """,
            [SEED_CONNECTOR, low, high, count],
        )
        found = [row[0] for row in cursor.fetchall()]
    if len(found) < count:
        raise SystemExit(
            f"only {len(found):,} seed orders fit (asked for {count:,}): seed more with "
            "bench/run.py --orders 1000000, or ask for fewer"
        )
    return found


def clean(rule) -> dict[str, int]:
    """Every account, lot and entry the bench's rule earned (a run's, an interrupted run's,
    the baseline's): the accounts were new, so all their rows are the bench's."""
    from loyalty.models import Account, Entry, Lot, LotLine, PointsEmail

    accounts = list(
        Lot.objects.filter(rule=rule, account__user__isnull=True)
        .values_list("account_id", flat=True)
        .distinct()
    )
    deleted = Counter()
    for queryset in (
        Entry.objects.filter(account_id__in=accounts),
        LotLine.objects.filter(lot__account_id__in=accounts),
        PointsEmail.objects.filter(account_id__in=accounts),
        Lot.objects.filter(account_id__in=accounts),
        Account.objects.filter(pk__in=accounts),
    ):
        _, per_model = queryset.delete()
        deleted.update(per_model)
    return {k.rsplit(".", 1)[-1]: v for k, v in deleted.items() if v}


# --- One award in this process: queries, time, profile -------------------------------------


def queries_of_award(order_ids: list[int], chunk: int) -> tuple[dict, list[str]]:
    """The SQL of one award task's work here, counted (no task is sent): one order's
    ``order_points_award``, or ``orders_points_award`` of ``chunk`` orders."""
    from unittest import mock

    from celery.app.task import Task
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from loyalty import services

    with mock.patch.object(Task, "apply_async"), CaptureQueriesContext(connection) as captured:
        if chunk == 1:
            opened = len(services.order_points_award(order_id=order_ids[0]))
            expected = 1
        else:
            opened = services.orders_points_award(order_ids=order_ids[:chunk])
            expected = len(order_ids[:chunk])
    if opened != expected:
        raise BenchFailure(f"{expected} order(s) earned {opened} lots, not {expected}")
    return query_kinds(captured), [q["sql"][:160] for q in captured.captured_queries]


def profile_awards(order_ids: list[int], chunk: int) -> tuple[float, str]:
    """The awards of ``order_ids`` one after the other in this process under cProfile:
    awards a second (profiled, so slower than without) and the top functions."""
    from unittest import mock

    from celery.app.task import Task

    profiler = cProfile.Profile()
    with mock.patch.object(Task, "apply_async"):
        began = time.perf_counter()
        profiler.enable()
        award(order_ids, chunk)
        profiler.disable()
        seconds = time.perf_counter() - began
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    out.write("\n-- by own time --\n")
    stats.sort_stats("tottime").print_stats(15)
    return len(order_ids) / seconds, out.getvalue()


def award(order_ids: list[int], chunk: int) -> None:
    """What the worker's tasks do with ``order_ids``: one award at a time, or the batch
    path ``chunk`` orders at a time."""
    from loyalty import services

    if chunk == 1:
        for order_id in order_ids:
            services.order_points_award(order_id=order_id)
        return
    for low in range(0, len(order_ids), chunk):
        services.orders_points_award(order_ids=order_ids[low : low + chunk])


def time_awards(order_ids: list[int], chunk: int) -> float:
    """Awards a second in this process (as the tasks would, ``chunk`` orders a call),
    without a profiler."""
    from unittest import mock

    from celery.app.task import Task

    with mock.patch.object(Task, "apply_async"):
        began = time.perf_counter()
        award(order_ids, chunk)
    return len(order_ids) / (time.perf_counter() - began)


# --- Through the worker ------------------------------------------------------------------


def earned(order_ids: list[int], rule):
    from loyalty.models import Entry

    return Entry.objects.filter(kind=Entry.Kind.EARN, order_id__in=order_ids, lot__rule=rule)


def ledger_top() -> int:
    """The highest entry primary key now: what ``wait_earned`` counts above."""
    from loyalty.models import Entry

    return Entry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def wait_earned(order_ids: list[int], rule, since: int, *, progress: bool = True) -> int:
    """Poll until every order has its earn entry (or nothing moved for STALL_SECONDS).

    The poll counts earn entries above ``since``, the highest primary key before the
    orders were sent: an index range, a few milliseconds. Counting the orders' own
    entries (``earned``) costs PostgreSQL about 75 ms at 5,000 orders, a quarter of a CPU
    taken from the worker it measures at five polls a second; that count runs once, at
    the end."""
    from loyalty.models import Entry

    new = Entry.objects.filter(pk__gt=since, kind=Entry.Kind.EARN)
    last_change, last_found, last_print = time.monotonic(), -1, time.monotonic()
    while True:
        found = new.count()
        now = time.monotonic()
        if found != last_found:
            last_change, last_found = now, found
        if progress and now - last_print >= 5:
            last_print = now
            print(f"   {found:,} / {len(order_ids):,} earned", flush=True)
        if found >= len(order_ids) or now - last_change > STALL_SECONDS:
            return earned(order_ids, rule).count()
        time.sleep(0.2)


class BenchFailure(RuntimeError):
    pass


def through_worker(
    order_ids: list[int], warm_ids: list[int], rule, concurrency: int, chunk: int
) -> dict:
    from django.db import connections
    from django.db.models import Max, Min

    from bench import worker
    from loyalty.tasks import award_order_points, award_orders_points

    def send(ids: list[int]) -> None:
        # As the order_paid receiver: a task per order, or per chunk of a batch's orders.
        if chunk == 1:
            for order_id in ids:
                award_order_points.delay(order_id)
        else:
            for low in range(0, len(ids), chunk):
                award_orders_points.delay(ids[low : low + chunk])

    connections.close_all()
    step(f"Celery worker (prefork, concurrency {concurrency})")
    with worker.running(concurrency):
        try:
            step(f"warm up: {len(warm_ids)} awards")
            since = ledger_top()
            send(warm_ids)
            if wait_earned(warm_ids, rule, since, progress=False) != len(warm_ids):
                raise BenchFailure("the warm-up awards did not all earn")
            tasks = len(order_ids) if chunk == 1 else -(-len(order_ids) // chunk)
            step(
                f"enqueue {len(order_ids):,} awards in {tasks:,} tasks (as the order_paid receiver)"
            )
            since = ledger_top()
            first = datetime.now(UTC)
            began = time.perf_counter()
            send(order_ids)
            enqueue_seconds = time.perf_counter() - began
            print(f"   {enqueue_seconds:.2f}s", flush=True)
            step("wait until every order has its earn entry (polling the ledger)")
            found = wait_earned(order_ids, rule, since)
            if found != len(order_ids):
                raise BenchFailure(f"only {found:,} of {len(order_ids):,} orders earned")
        except BenchFailure as exc:
            raise BenchFailure(f"{exc}\n-- worker log (tail) --\n{worker.log_tail()}") from exc
        step("stop the worker")
    span = earned(order_ids, rule).aggregate(first=Min("created_at"), last=Max("created_at"))
    end_to_end = (span["last"] - first).total_seconds()
    # As ingest.py's worker rate: the first `concurrency` awards ran before the span began.
    worker_seconds = (span["last"] - span["first"]).total_seconds()
    after = len(order_ids) - concurrency
    return {
        "enqueue_seconds": enqueue_seconds,
        "end_to_end_seconds": end_to_end,
        "worker_seconds": worker_seconds,
        "worker_per_s": after / worker_seconds if after > 0 and worker_seconds > 0 else None,
    }


# --- The baseline: the same rows, bulk-inserted -------------------------------------------


def written_rows(order_ids: list[int], rule) -> dict:
    """What the awards wrote for ``order_ids``, as values (accounts, lots, lines, entries)."""
    from loyalty.models import Account, Entry, Lot, LotLine

    lots = list(Lot.objects.filter(order_id__in=order_ids, rule=rule).values())
    account_ids = {lot["account_id"] for lot in lots}
    return {
        "accounts": list(Account.objects.filter(pk__in=account_ids).values()),
        "lots": lots,
        "lines": list(LotLine.objects.filter(lot__in=[lot["id"] for lot in lots]).values()),
        "entries": list(Entry.objects.filter(account_id__in=account_ids).values()),
    }


def bulk_insert(rows: dict) -> float:
    """The same Account, Lot, LotLine and Entry rows with ``bulk_create``, BULK_BATCH
    accounts a transaction, new primary keys; returns the seconds it took."""
    from django.db import transaction

    from loyalty.models import Account, Entry, Lot, LotLine

    def fresh(model, values: dict, **links):
        values = {k: v for k, v in values.items() if k != "id"}
        return model(**{**values, **links})

    lots_of, lines_of, entries_of = {}, {}, {}
    for lot in rows["lots"]:
        lots_of.setdefault(lot["account_id"], []).append(lot)
    for line in rows["lines"]:
        lines_of.setdefault(line["lot_id"], []).append(line)
    for entry in rows["entries"]:
        entries_of.setdefault(entry["lot_id"], []).append(entry)
    accounts = rows["accounts"]
    started = time.perf_counter()
    for low in range(0, len(accounts), BULK_BATCH):
        batch = accounts[low : low + BULK_BATCH]
        with transaction.atomic():
            made = Account.objects.bulk_create(fresh(Account, a) for a in batch)
            pairs = [
                (lot, account)
                for a, account in zip(batch, made, strict=True)
                for lot in lots_of.get(a["id"], [])
            ]
            lots = Lot.objects.bulk_create(
                fresh(Lot, lot, account_id=account.pk) for lot, account in pairs
            )
            LotLine.objects.bulk_create(
                fresh(LotLine, line, lot_id=new.pk)
                for (lot, _), new in zip(pairs, lots, strict=True)
                for line in lines_of.get(lot["id"], [])
            )
            Entry.objects.bulk_create(
                fresh(Entry, entry, account_id=account.pk, lot_id=new.pk)
                for (lot, account), new in zip(pairs, lots, strict=True)
                for entry in entries_of.get(lot["id"], [])
            )
    return time.perf_counter() - started


# --- The run ------------------------------------------------------------------------------


def measure(args, rule) -> dict:
    from django.db import connections

    count, concurrency = args.count, args.concurrency
    extra = args.chunk + 2 * concurrency + 2 * PROFILE_ORDERS
    step(f"pick {count:,} paid seed orders (+ {extra} more)")
    ids = pick_orders(count + extra)
    sample, ids = ids[: args.chunk], ids[args.chunk :]
    warm_ids, ids = ids[: 2 * concurrency], ids[2 * concurrency :]
    timed_ids, ids = ids[:PROFILE_ORDERS], ids[PROFILE_ORDERS:]
    profiled_ids, order_ids = ids[:PROFILE_ORDERS], ids[PROFILE_ORDERS:]

    step(f"queries of one award task's work ({args.chunk} order(s), in this process)")
    queries, statements = queries_of_award(sample, args.chunk)
    print(f"   {describe(queries)}")
    for sql in statements:
        print(f"     {sql}")
    step(f"{PROFILE_ORDERS} awards in this process, one after the other (no worker, no broker)")
    in_process = time_awards(timed_ids, args.chunk)
    print(f"   {in_process:.1f} awards/s")
    profiled, profile = profile_awards(profiled_ids, args.chunk)
    print(f"   {profiled:.1f} awards/s under cProfile (profile at the end)")
    connections.close_all()

    results = through_worker(order_ids, warm_ids, rule, concurrency, args.chunk)

    step(f"baseline: bulk_create of the same rows for {count:,} orders")
    rows = written_rows(order_ids, rule)
    entries = len(rows["entries"])
    # The awards' own rows go, so the baseline writes into the tables as they were.
    clean_only(rows)
    bulk_seconds = bulk_insert(rows)
    print(f"   {bulk_seconds:.2f}s", flush=True)
    return {
        **results,
        "orders": count,
        "entries": entries,
        "rows": {k: len(v) for k, v in rows.items()},
        "events_per_s": count / results["end_to_end_seconds"],
        "entries_per_s": entries / results["end_to_end_seconds"],
        "bulk": {"seconds": bulk_seconds, "entries_per_s": entries / bulk_seconds},
        "queries_per_award": queries,
        "statements": statements,
        "in_process_awards_per_s": in_process,
        "profiled_awards_per_s": profiled,
        "profile": profile,
    }


def clean_only(rows: dict) -> None:
    from django.db import transaction

    from loyalty.models import Account, Entry, Lot, LotLine

    with transaction.atomic():
        Entry.objects.filter(pk__in=[e["id"] for e in rows["entries"]]).delete()
        LotLine.objects.filter(pk__in=[x["id"] for x in rows["lines"]]).delete()
        Lot.objects.filter(pk__in=[x["id"] for x in rows["lots"]]).delete()
        Account.objects.filter(pk__in=[x["id"] for x in rows["accounts"]]).delete()


def table(results: dict, options: dict, machine: dict) -> str:
    count, entries = results["orders"], results["entries"]
    e2e, bulk = results["end_to_end_seconds"], results["bulk"]
    worker = results["worker_per_s"]
    rows = [
        ("stage", "events/s", "entries/s", "seconds"),
        (
            f"enqueue: {count:,} orders, {options['chunk']} a task",
            f"{count / results['enqueue_seconds']:.1f}",
            "-",
            f"{results['enqueue_seconds']:.2f}",
        ),
        (
            "end to end: first enqueue -> last entry",
            f"{results['events_per_s']:.1f}",
            f"{results['entries_per_s']:.1f}",
            f"{e2e:.2f}",
        ),
        (
            "worker: first -> last entry",
            f"{worker:.1f}" if worker else "-",
            f"{worker * entries / count:.1f}" if worker else "-",
            f"{results['worker_seconds']:.2f}",
        ),
        (
            f"in this process, {options['chunk']} order(s) a call",
            f"{results['in_process_awards_per_s']:.1f}",
            "-",
            "-",
        ),
        (
            "baseline: bulk_create of the same rows",
            "-",
            f"{bulk['entries_per_s']:.1f}",
            f"{bulk['seconds']:.2f}",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    ratio = results["entries_per_s"] / bulk["entries_per_s"]
    met = results["entries_per_s"] >= GOAL_ENTRIES_PER_SECOND
    lines = [
        f"Accrual: {count:,} paid USD seed orders, one spend rule, a new account each; Celery "
        f"prefork concurrency {options['concurrency']}; nproc={machine['nproc']}, PostgreSQL "
        f"{machine['database_version']}, broker {machine['broker']}, {machine['entries']:,} "
        f"ledger entries before, load average at start {machine['load_average']}",
        f"rows written: {results['rows']}",
        f"queries per award task ({options['chunk']} order(s)): "
        f"{describe(results['queries_per_award'])}",
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
        f"goal: >= {GOAL_ENTRIES_PER_SECOND:,} ledger entries/s end to end: "
        + ("met" if met else f"NOT met ({results['entries_per_s']:.1f} entries/s)"),
    ]
    return "\n".join(lines)


def machine_info(args) -> dict:
    from django.conf import settings
    from django.db import connection

    from loyalty.models import Entry

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "database": connection.vendor,
        "database_version": version,
        "database_name": str(connection.settings_dict["NAME"]),
        "broker": settings.CELERY_BROKER_URL.split("://")[0],
        "celery_concurrency": args.concurrency,
        "entries": Entry.objects.count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    started = datetime.now(UTC)
    start("accrual.py")
    from bench import data

    if args.chunk is None:
        from loyalty.receivers import _awards

        args.chunk = _awards.chunk
    from bench.ingest import purge_queue

    step("migrate")
    data.migrate()
    machine = machine_info(args)
    rule, was_enabled = program_on()
    try:
        step("clean what an earlier run left")
        print(f"   deleted {clean(rule) or 'nothing'}; {purge_queue()} task(s) purged", flush=True)
        try:
            results = measure(args, rule)
        except BenchFailure as exc:
            print(f"\nFAILED: {exc}", file=sys.stderr)
            return 1
        finally:
            if not args.keep:
                step("clean up")
                print(f"   deleted {clean(rule) or 'nothing'}", flush=True)
    finally:
        program_restore(rule, was_enabled)
    print()
    print(results["profile"])
    print(table(results, vars(args), machine))
    config.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    name = args.results_name or f"{started:%Y%m%dT%H%M%SZ}-accrual"
    path = config.RESULTS_DIR / f"{name}.json"
    document = {"started": started.isoformat(), "machine": machine, "options": vars(args)}
    path.write_text(json.dumps({**document, **results}, indent=2, default=str) + "\n")
    print(f"\nWritten to {path.relative_to(config.ROOT)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as exc:
        print(f"\nInterrupted ({str(exc) or 'SIGINT'}); the worker is stopped.", file=sys.stderr)
        sys.exit(130)
