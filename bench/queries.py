"""How many SQL queries a page runs: one request in this process, counted by Django.

The server cannot count for us without DEBUG, so the same URL, headers and settings go
through Django's test client here. A first request fills per-process caches (the Wagtail
site, translations), as the warm-up does for the server; the second is the one counted.
"""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.loadgen import BenchError, Target


def count_queries(target: Target) -> int:
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=True)
    client.get(target.path, headers=target.headers)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(target.path, headers=target.headers)
    if response.status_code != 200:
        location = response.get("Location")
        detail = f" -> Location: {location}" if location else ""
        raise BenchError(
            f"{target.name}: GET {target.path} answered {response.status_code}{detail}, "
            "not 200 (in-process, before the server started)."
        )
    return len(captured.captured_queries)
