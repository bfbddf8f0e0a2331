"""Drive one URL: check it answers 200, then load it with wrk and read the result."""

import http.client
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass, field

from bench import config

WRK = shutil.which("wrk") or "/usr/bin/wrk"
LUA_SCRIPT = config.BENCH_DIR / "report.lua"
THREADS = 2
CONNECTIONS = 8
WARM_UP_REQUESTS = 6
REQUEST_TIMEOUT = 15
RESULT_LINE = re.compile(r"^BENCH_RESULT (?P<fields>.+)$", re.MULTILINE)
ERROR_FIELDS = ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")


@dataclass(frozen=True)
class Target:
    """One URL ready for wrk: an ASCII path and the exact headers to send."""

    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class BenchError(RuntimeError):
    """A URL that cannot be measured: wrong status, wrk failed, the server died."""


@dataclass(frozen=True)
class Measurement:
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    seconds: float
    errors: dict[str, int]

    def as_dict(self) -> dict:
        return asdict(self)


def fetch(port: int, target: Target) -> tuple[int, dict[str, str], bytes]:
    """One GET without following redirects: a 302 to the login page must not pass as 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", target.path, headers=target.headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def warm_up(port: int, target: Target, requests: int = WARM_UP_REQUESTS) -> None:
    """A few requests so both workers have loaded templates and caches; each must be 200.

    Sync workers close every connection, so consecutive requests spread over the workers.
    """
    for _ in range(requests):
        status, headers, body = fetch(port, target)
        if status != 200:
            location = headers.get("Location") or headers.get("location")
            detail = f" -> Location: {location}" if location else ""
            excerpt = body[:300].decode("utf-8", "replace")
            raise BenchError(
                f"{target.name}: GET {target.path} answered {status}{detail}, not 200.\n"
                f"Body starts: {excerpt!r}"
            )


def wrk_command(port: int, target: Target, duration: int) -> list[str]:
    command = [
        WRK,
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        f"{REQUEST_TIMEOUT}s",
        "-s",
        str(LUA_SCRIPT),
    ]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    return [*command, f"http://127.0.0.1:{port}{target.path}"]


def measure(port: int, target: Target, duration: int) -> Measurement:
    """One wrk run; bounded by its duration plus a margin for start and the last replies."""
    command = wrk_command(port, target, duration)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + 60, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{target.name}: wrk did not finish within {duration + 60}s") from exc
    match = RESULT_LINE.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise BenchError(
            f"{target.name}: wrk failed (exit {done.returncode}).\n{done.stdout}\n{done.stderr}"
        )
    return parse_result(match.group("fields"))


def parse_result(fields: str) -> Measurement:
    values = dict(pair.split("=", 1) for pair in fields.split())
    return Measurement(
        rps=float(values["rps"]),
        p50_ms=float(values["p50_ms"]),
        p95_ms=float(values["p95_ms"]),
        p99_ms=float(values["p99_ms"]),
        requests=int(values["requests"]),
        seconds=float(values["seconds"]),
        errors={name: int(values[name]) for name in ERROR_FIELDS},
    )
