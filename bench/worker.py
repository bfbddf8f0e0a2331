"""A real Celery worker for bench/ingest.py, started and always stopped.

Production's command (``celery --app portal worker``, prefork) with the bench's settings and
the caller's environment, so it uses the same database and broker as the server.
"""

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench import config, server

CELERY = Path(sys.executable).parent / "celery"
LOG_FILE = config.VAR_DIR / "celery-worker.log"
NODE_NAME = "bench-ingest"
START_TIMEOUT = 60


def worker_command(concurrency: int) -> list[str]:
    return [
        str(CELERY),
        "--app",
        "portal",
        "worker",
        "--concurrency",
        str(concurrency),
        "--pool",
        "prefork",
        # Warnings and errors only: a line per task would be measured too.
        "--loglevel",
        "WARNING",
        "--hostname",
        f"{NODE_NAME}@%h",
    ]


def log_tail(lines: int = 40) -> str:
    try:
        return "\n".join(LOG_FILE.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no worker log)"


@contextlib.contextmanager
def running(concurrency: int) -> Iterator[subprocess.Popen]:
    """The worker in its own process group; yields once it answers a ping."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": config.SETTINGS_MODULE,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(config.ROOT), os.environ.get("PYTHONPATH")])
        ),
    }
    LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    with LOG_FILE.open("wb") as log:
        process = subprocess.Popen(
            worker_command(concurrency),
            cwd=config.ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own group, so stopping it also stops the pool's children.
            start_new_session=True,
        )
        try:
            wait_until_ready(process)
            yield process
        finally:
            # SIGTERM is Celery's warm shutdown: running tasks finish first.
            server.stop(process)


def wait_until_ready(process: subprocess.Popen) -> None:
    from portal.celery import app

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {process.returncode}:\n{log_tail()}")
        replies = app.control.ping(timeout=1.0) or []
        if any(name.startswith(f"{NODE_NAME}@") for reply in replies for name in reply):
            return
    raise RuntimeError(f"the Celery worker did not answer within {START_TIMEOUT}s:\n{log_tail()}")
