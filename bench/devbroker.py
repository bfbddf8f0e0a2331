"""How fast the worker of `make run` takes tasks from the filesystem broker.

kombu's filesystem transport looks for a message, and when there is none, or the worker's
processes are all busy, sleeps ``polling_interval`` before it looks again. This bench runs
a real worker (``celery --app portal worker``, concurrency 2, the development settings)
on a fresh queue folder for each interval, and measures:

- **drain**: tasks per second through a queue of ``--count`` tasks sent at once (Celery's
  own no-op task ``celery.accumulate``, so what is measured is the transport);
- **latency**: seconds from sending one task to an idle worker to its success line.

The baseline is kombu's default interval (1 s), measured in the same run.

    .venv/bin/python bench/devbroker.py --count 200 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = """
from portal.settings.dev import *  # noqa
from portal.settings.base import filesystem_broker_options
CELERY_BROKER_TRANSPORT_OPTIONS = {{
    **filesystem_broker_options(__import__("pathlib").Path({folder!r})),
    "polling_interval": {interval!r},
}}
"""


class Worker:
    """A worker process and the count of the success lines in its log."""

    def __init__(self, folder: Path, interval: float):
        settings = SETTINGS.format(folder=str(folder), interval=interval)
        (folder / "benchsettings.py").write_text(settings)
        env = {
            **os.environ,
            "PYTHONPATH": f"{folder}{os.pathsep}{ROOT}",
            "DJANGO_SETTINGS_MODULE": "benchsettings",
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "CELERY_BROKER_URL": "filesystem://localhost//",
        }
        self.succeeded = 0
        self.ready = threading.Event()
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "--app", "portal", "worker"),
                *("--concurrency", "2", "--loglevel", "INFO", "-Q", "celery,bulk"),
                *("--without-gossip", "--without-mingle"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(60):
            self.stop()
            raise SystemExit("the worker did not start within 60 s")

    def _read(self) -> None:
        for line in self.process.stdout:
            if " ready." in line:
                self.ready.set()
            if "celery.accumulate" in line and "succeeded" in line:
                self.succeeded += 1

    def wait_for(self, count: int, timeout: float = 600.0) -> float:
        started = time.monotonic()
        while self.succeeded < count:
            if time.monotonic() - started > timeout:
                raise SystemExit(f"only {self.succeeded} of {count} tasks ran in {timeout} s")
            time.sleep(0.002)
        return time.monotonic()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def publisher(folder: Path):
    from celery import Celery

    sys.path.insert(0, str(ROOT))
    from portal.settings.base import filesystem_broker_options

    app = Celery(broker="filesystem://localhost//")
    app.conf.broker_transport_options = filesystem_broker_options(folder)
    return app


def measure(interval: float, count: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="portico-devbroker-") as tmp:
        folder = Path(tmp)
        app = publisher(folder)
        worker = Worker(folder, interval)
        try:
            time.sleep(2 * interval + 0.5)  # idle: the worker is between two looks
            sent = time.monotonic()
            app.send_task("celery.accumulate", args=(1,), queue="celery")
            latency = worker.wait_for(1) - sent
            started = time.monotonic()
            for _ in range(count):
                app.send_task("celery.accumulate", args=(1,), queue="celery")
            drained = worker.wait_for(1 + count) - started
        finally:
            worker.stop()
    return count / drained, latency


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    intervals = {"kombu's default (1 s)": 1.0, "Portico's (0.1 s)": 0.1}
    results = {name: [] for name in intervals}
    for run in range(args.repeat):
        for name, interval in intervals.items():
            rate, latency = measure(interval, args.count)
            results[name].append((rate, latency))
            print(f"run {run + 1}, {name}: {rate:.1f} tasks/s, idle latency {latency:.3f} s")
    base = statistics.median(rate for rate, _ in results["kombu's default (1 s)"])
    print(f"\n{args.count} tasks, concurrency 2, median of {args.repeat} runs:")
    print("| polling interval | drain, tasks/s | ratio | idle latency, s |")
    print("|---|---:|---:|---:|")
    for name, values in results.items():
        rate = statistics.median(r for r, _ in values)
        latency = statistics.median(lat for _, lat in values)
        print(f"| {name} | {rate:.1f} | {rate / base:.2f}x | {latency:.3f} |")


if __name__ == "__main__":
    main()
