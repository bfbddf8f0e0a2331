"""gunicorn serving the bench settings on 127.0.0.1, started and always stopped."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench import config

GUNICORN = Path(sys.executable).parent / "gunicorn"
LOG_FILE = config.VAR_DIR / "gunicorn.log"
START_TIMEOUT = 60
STOP_TIMEOUT = 10


def free_port() -> int:
    """A port nothing listens on now. gunicorn binds it a moment later; on this machine
    nothing else races for ports, and a collision fails loudly at start."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_command(port: int, workers: int) -> list[str]:
    # As the Procfile's web process, minus the access log (one line a request would be
    # measured too) and the control socket (a file left behind in the checkout).
    return [
        str(GUNICORN),
        "portal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--chdir",
        str(config.ROOT),
        "--log-level",
        "warning",
        "--error-logfile",
        "-",
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
        "--no-control-socket",
    ]


def log_tail(lines: int = 40) -> str:
    try:
        return "\n".join(LOG_FILE.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no server log)"


@contextlib.contextmanager
def running(workers: int) -> Iterator[int]:
    """gunicorn in its own process group; yields the port once it answers."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": config.SETTINGS_MODULE}
    LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    with LOG_FILE.open("wb") as log:
        process = subprocess.Popen(
            gunicorn_command(port, workers),
            cwd=config.ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own group, so stopping it also stops every worker it forked.
            start_new_session=True,
        )
        try:
            wait_until_ready(process, port)
            yield port
        finally:
            stop(process)


def wait_until_ready(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log_tail()}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", "/bench/baseline")
                if conn.getresponse().status == 200:
                    return
            finally:
                conn.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT}s:\n{log_tail()}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the whole group, SIGKILL if it is still there after STOP_TIMEOUT."""
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # A worker orphaned by a master that died first would keep the group alive.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
