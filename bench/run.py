"""Benchmark Portico's pages against a constant baseline page: ``make bench``.

Prepares a database with a large dataset, serves the app with gunicorn as production
would, loads each scenario's URL with wrk and prints how many requests per second it
manages compared with the baseline. See bench/README.md.
"""

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# `python bench/run.py` puts bench/ first on sys.path, where settings.py and urls.py would
# pass for top-level modules; the checkout goes there instead so `bench` is a package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import config, database, loadgen, report, server  # noqa: E402
from bench.loadgen import Target  # noqa: E402

BASELINE = Target("baseline", "/bench/baseline")
# --orders and --ingest defaults: the scale on PostgreSQL, a quick look on SQLite.
ORDERS_DEFAULT = {"postgresql": 1_000_000, "sqlite": 20_000}
INGEST_DEFAULT = {"postgresql": 2_000, "sqlite": 0}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run [10]")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario [3]")
    parser.add_argument(
        "--customers", type=int, default=20_000, help="extra customers to seed [20000]"
    )
    parser.add_argument(
        "--orders",
        type=int,
        help="seed orders for the order pages [1000000 on PostgreSQL, 20000 on SQLite]",
    )
    parser.add_argument(
        "--ingest",
        type=int,
        metavar="N",
        help="then bench/ingest.py with N webhook orders, 0 to skip "
        "[2000 on PostgreSQL, 0 on SQLite, where it cannot run]",
    )
    parser.add_argument(
        "--ingest-batch",
        type=int,
        default=100,
        metavar="N",
        help="then the same orders again as batch deliveries of N orders (--batch N), "
        "1 or 0 to skip [100]",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers [2]")
    parser.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="run only scenarios whose name contains TEXT (repeatable)",
    )
    args = parser.parse_args(argv)
    if args.duration < 1 or args.repeat < 1 or args.customers < 0 or args.workers < 1:
        parser.error("--duration, --repeat and --workers must be >= 1, --customers >= 0")
    if (args.orders or 0) < 0 or (args.ingest or 0) < 0 or args.ingest_batch < 0:
        parser.error("--orders, --ingest and --ingest-batch must be >= 0")
    if args.ingest_batch > 1000:
        parser.error("--ingest-batch must be at most 1000 (the endpoint's limit)")
    return args


def vendor_of(url: str) -> str:
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def step(message: str) -> float:
    print(f"== {message}", flush=True)
    return time.monotonic()


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = config.SETTINGS_MODULE
    import django

    django.setup()


def select_scenarios(only: list[str] | None) -> list:
    from bench.scenarios import SCENARIOS

    chosen = [s for s in SCENARIOS if not only or any(text in s.name for text in only)]
    if not chosen:
        raise SystemExit(f"No scenario matches --only {only}")
    return chosen


def prepare_data(customers: int, orders: int, scenarios: list):
    """Schema, the demo store, the extra customers, each scenario's own data."""
    from bench import data

    started = step("migrate")
    data.migrate()
    step("seed_demo")
    for line in data.seed_demo():
        print(f"   {line}")
    step(f"seed {customers} customers")
    created = data.seed_customers(customers)
    dataset = data.Dataset(customers=data.count_customers(), orders=orders)
    print(f"   {created} created, {dataset.customers} bench customers in the database")
    seeded = []
    for scenario in scenarios:
        # Scenarios may share one seed (the order pages do): run each once.
        if scenario.seed is not None and scenario.seed not in seeded:
            seeded.append(scenario.seed)
            began = step(f"seed for {scenario.name}")
            scenario.seed(dataset)
            print(f"   seed took {time.monotonic() - began:.1f}s", flush=True)
    data.analyze()
    step("collectstatic")
    data.collectstatic()
    print(f"   data ready in {time.monotonic() - started:.1f}s")
    return dataset


def machine_info(workers: int, customers: int, orders: int) -> dict:
    from django.conf import settings
    from django.db import connection

    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "database": connection.vendor,
        "database_version": database_version(connection),
        "database_name": str(connection.settings_dict["NAME"]),
        "cache": settings.CACHES["default"]["BACKEND"],
        "broker": settings.CELERY_BROKER_URL.split("://")[0],
        "gunicorn_workers": workers,
        "bench_customers": customers,
        "bench_orders": orders,
        # Other work on the machine (1, 5, 15 minutes): a busy machine makes req/s noisy.
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def database_version(connection) -> str:
    query = "SHOW server_version" if connection.vendor == "postgresql" else None
    if connection.vendor == "sqlite":
        query = "SELECT sqlite_version()"
    if query is None:
        return "unknown"
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def print_machine(machine: dict) -> None:
    print(
        f"Machine: nproc={machine['nproc']} ({machine['cpu']}), "
        f"database={machine['database']} {machine['database_version']} "
        f"[{machine['database_name']}], cache={machine['cache'].rsplit('.', 1)[-1]}, "
        f"broker={machine['broker']}, gunicorn sync workers={machine['gunicorn_workers']}, "
        f"load average at start={machine['load_average']}",
        flush=True,
    )


@dataclass
class Row(report.Row):
    """A scenario's runs with wrk's connections (8 unless the scenario says otherwise) and
    its latency goal, if any."""

    connections: int = loadgen.CONNECTIONS
    p95_goal_ms: float | None = None


def baseline_for(connections: int) -> Row:
    """The baseline page measured with ``connections``: each scenario is compared with the
    baseline measured as it is (one client alone is not compared with eight)."""
    if connections == loadgen.CONNECTIONS:
        return Row(BASELINE)
    return Row(Target(f"baseline-{connections}c", BASELINE.path), connections=connections)


def resolve_targets(scenarios: list, dataset) -> list[Row]:
    """Paths and sessions from the database, and each page's query count, before the
    server starts (SQLite would otherwise share its file with the workers mid-run)."""
    from django.db import connections

    from bench.queries import count_queries

    rows = [
        Row(
            scenario.resolve(dataset),
            goal=scenario.goal,
            connections=scenario.connections or loadgen.CONNECTIONS,
            p95_goal_ms=scenario.p95_goal_ms,
        )
        for scenario in scenarios
    ]
    for row in rows:
        row.queries = count_queries(row.target)
    connections.close_all()
    return rows


def measure(port: int, row: Row, duration: int) -> None:
    loadgen.warm_up(port, row.target)
    if row.connections == loadgen.CONNECTIONS:
        result = loadgen.measure(port, row.target, duration)
    else:
        result = measure_with(port, row.target, duration, row.connections)
    row.runs.append(result)
    errors = sum(result.errors.values())
    warning = f"  !! {result.errors}" if errors else ""
    print(
        f"   {row.target.name:<20} {result.rps:9.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
        f"p95 {result.p95_ms:7.2f} ms{warning}",
        flush=True,
    )


def measure_with(port: int, target: Target, duration: int, connections: int):
    """loadgen.measure with ``connections`` (and as many threads, at most loadgen's):
    ``wrk -t1 -c1`` is one client alone, each request sent when the last one answered."""
    command = loadgen.wrk_command(port, target, duration)
    threads = min(loadgen.THREADS, connections)
    command = [f"-t{threads}" if arg == f"-t{loadgen.THREADS}" else arg for arg in command]
    command = [f"-c{connections}" if arg == f"-c{loadgen.CONNECTIONS}" else arg for arg in command]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + 60, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise loadgen.BenchError(f"{target.name}: wrk did not finish in {duration + 60}s") from exc
    match = loadgen.RESULT_LINE.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise loadgen.BenchError(
            f"{target.name}: wrk failed (exit {done.returncode}).\n{done.stdout}\n{done.stderr}"
        )
    return loadgen.parse_result(match.group("fields"))


def bench(rows: list[Row], baselines: dict[int, Row], args) -> None:
    with server.running(args.workers) as port:
        try:
            measure_all(port, rows, baselines, args)
        except loadgen.BenchError as exc:
            # Read while the server still runs: a 500's traceback is in its log.
            raise loadgen.BenchError(
                f"{exc}\n-- server log (tail) --\n{server.log_tail()}"
            ) from exc


def measure_all(port: int, rows: list[Row], baselines: dict[int, Row], args) -> None:
    # Every URL must answer 200 before minutes are spent measuring any of them.
    for row in [*baselines.values(), *rows]:
        loadgen.warm_up(port, row.target)
    step(f"measure: {args.duration}s per run, baseline, {args.repeat} round(s), baseline")
    for baseline in baselines.values():
        measure(port, baseline, args.duration)
    # Rounds rather than one scenario's repeats in a row: a drift of the machine
    # (another process, thermal throttling) then spreads over every scenario.
    for _ in range(args.repeat):
        for row in rows:
            measure(port, row, args.duration)
    for baseline in baselines.values():
        measure(port, baseline, args.duration)


def latency_goals(rows: list[Row]) -> str:
    """One line per page with a p95 goal: the median of its runs' p95 against it."""
    lines = []
    for row in rows:
        if row.p95_goal_ms is None:
            continue
        value = row.median("p95_ms")
        verdict = "met" if value < row.p95_goal_ms else "NOT met"
        lines.append(
            f"goal  {row.target.name}: p95 {value:.2f} ms with {row.connections} "
            f"connection(s), goal < {row.p95_goal_ms:g} ms: {verdict}"
        )
    return "\n".join(lines)


def write_json_for(started, machine, options, rows: list[Row], baseline: Row) -> Path:
    """The runs of scenarios measured with other connections than 8, next to the main
    file (``<stamp>-c1.json``), their ratios against their own baseline."""
    baseline_rps = baseline.median("rps")
    document = {
        "started": started.isoformat(),
        "machine": machine,
        "options": options,
        "connections": baseline.connections,
        "baseline": baseline.as_dict(baseline_rps),
        "scenarios": [
            {**row.as_dict(baseline_rps), "p95_goal_ms": row.p95_goal_ms} for row in rows
        ],
    }
    path = config.RESULTS_DIR / f"{started:%Y%m%dT%H%M%SZ}-c{baseline.connections}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path


def unwind_on_signals() -> None:
    """SIGTERM (a timeout, a cancelled CI job) and Ctrl-C raise KeyboardInterrupt, so the
    finally blocks stop gunicorn and wrk instead of leaving them running. SIGINT is reset
    too: a shell starting us in the background hands it down ignored."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.path.exists(loadgen.WRK):
        raise SystemExit("wrk is not installed: apt-get install wrk (bench/README.md)")
    unwind_on_signals()
    started = datetime.now(UTC)
    url = database.database_url()
    vendor = vendor_of(url)
    if args.orders is None:
        args.orders = ORDERS_DEFAULT[vendor]
    if args.ingest is None:
        args.ingest = INGEST_DEFAULT[vendor]
    if args.ingest and vendor != "postgresql":
        raise SystemExit("--ingest needs PostgreSQL: set BENCH_DATABASE_URL (see bench/README.md)")
    if database.ensure_database(url):
        print(f"Created the database of {url}")
    setup_django()
    scenarios = select_scenarios(args.only)
    dataset = prepare_data(args.customers, args.orders, scenarios)
    machine = machine_info(args.workers, dataset.customers, args.orders)
    print_machine(machine)
    try:
        rows = resolve_targets(scenarios, dataset)
        # The usual baseline, and one for each other number of connections a scenario uses.
        baselines = {
            n: baseline_for(n)
            for n in sorted({loadgen.CONNECTIONS} | {row.connections for row in rows}, reverse=True)
        }
        bench(rows, baselines, args)
    except loadgen.BenchError as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        return 1
    print()
    print_machine(machine)
    baseline = baselines[loadgen.CONNECTIONS]
    main_rows = [row for row in rows if row.connections == loadgen.CONNECTIONS]
    print(report.table(main_rows, baseline))
    goals = "\n".join(filter(None, [report.goals(main_rows, baseline), latency_goals(main_rows)]))
    if goals:
        print(goals)
    options = {k: v for k, v in vars(args).items() if v is not None}
    path = report.write_json(started, machine, options, main_rows, baseline)
    print(f"\nWritten to {path.relative_to(config.ROOT)}")
    for connections, other in baselines.items():
        if connections == loadgen.CONNECTIONS:
            continue
        these = [row for row in rows if row.connections == connections]
        print(
            f"\nWith {connections} connection(s) (wrk -t{min(connections, loadgen.THREADS)} "
            f"-c{connections}), against the baseline measured the same way:"
        )
        print(report.table(these, other))
        goals = "\n".join(filter(None, [report.goals(these, other), latency_goals(these)]))
        if goals:
            print(goals)
        path = write_json_for(started, machine, options, these, other)
        print(f"Written to {path.relative_to(config.ROOT)}")
    if args.ingest:
        return ingest(args.ingest, args.ingest_batch, started)
    return 0


def ingest(count: int, batch: int, started: datetime) -> int:
    """bench/ingest.py in a process of its own: it needs its own broker settings, a Celery
    worker and a fresh gunicorn. Same environment, so the same database.

    Twice: one order a delivery (as Shopify and WooCommerce send them), then, unless
    ``batch`` is 0 or 1, batch deliveries of ``batch`` orders; both tables at the end.
    """
    from bench import ingest as ingest_bench

    modes = [1] + ([batch] if batch > 1 else [])
    returncodes, reports = [], []
    for size in modes:
        name = f"{started:%Y%m%dT%H%M%SZ}-ingest" + (f"-batch{size}" if size > 1 else "")
        options = ["--count", str(count)] + (["--batch", str(size)] if size > 1 else [])
        step(f"ingestion: bench/ingest.py {' '.join(options)}")
        command = [
            sys.executable,
            str(config.BENCH_DIR / "ingest.py"),
            *options,
            "--results-name",
            name,
        ]
        returncode = subprocess.run(command, cwd=config.ROOT, check=False).returncode
        returncodes.append(returncode)
        path = config.RESULTS_DIR / f"{name}.json"
        if returncode == 0 and path.exists():
            reports.append(ingest_bench.report_of(path))
    if len(reports) > 1:
        step("ingestion, both modes")
        print("\n\n".join(reports))
    return next((code for code in returncodes if code), 0)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as exc:
        print(f"\nInterrupted ({str(exc) or 'SIGINT'}); gunicorn is stopped.", file=sys.stderr)
        sys.exit(130)
