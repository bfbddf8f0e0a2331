"""What the benches that run a real Celery worker share (``ingest.py``, ``accrual.py``):
the default database and broker, Django set up with the bench settings, the checks that
there is a worker to measure, and SQL counted by kind."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

from bench import config, database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portico_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/13"


def step(message: str) -> float:
    print(f"== {message}", flush=True)
    return time.monotonic()


def start(script: str) -> None:
    """Ctrl-C and SIGTERM stop the run cleanly; PostgreSQL (created if missing) and the
    broker from the environment, set before the bench settings read them (the server and
    the worker inherit them); Django set up; a worker's backends checked."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("BENCH_BROKER_URL", DEFAULT_BROKER_URL)
    url = database.database_url()
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"bench/{script} runs on PostgreSQL only, not {url}")
    if database.ensure_database(url):
        print(f"Created the database of {url}")
    setup_django()
    check_backends(script)


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = config.SETTINGS_MODULE
    import django

    django.setup()


def check_backends(script: str) -> None:
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(f"bench/{script} runs on PostgreSQL only (BENCH_DATABASE_URL)")
    if settings.CELERY_TASK_ALWAYS_EAGER:
        raise SystemExit("CELERY_TASK_ALWAYS_EAGER is on: there would be no worker to measure")


def query_kinds(captured) -> dict:
    """SQL statements of a ``CaptureQueriesContext`` counted by their first word."""
    kinds = Counter(q["sql"].split(None, 1)[0].upper() for q in captured.captured_queries)
    return {"total": len(captured.captured_queries), **dict(kinds.most_common())}


def describe(kinds: dict) -> str:
    parts = ", ".join(f"{n} {kind}" for kind, n in kinds.items() if kind != "total")
    return f"{kinds['total']} ({parts})"
