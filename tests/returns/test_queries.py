"""The Returns admin pages run a fixed number of queries whatever they show."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from returns import admin_queue
from returns.models import ReturnEvent, ReturnPayment, Status
from tests.returns.admin_helpers import agent, delivered_order, return_made, return_row

pytestmark = pytest.mark.django_db

QUEUE = reverse("returns_returnrequest:index")


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response, captured


def returns_with_lines(count, lines_each):
    order = delivered_order(
        number="#1001", lines=[(f"Item {i}", f"SKU-{i}", 50, "10.00", "Things") for i in range(5)]
    )
    order_lines = list(order.lines.order_by("pk"))
    for n in range(count):
        picked = order_lines[: 1 + (n + lines_each) % len(order_lines)][:lines_each]
        return_row(order, lines=[(line, 1, "too_small") for line in picked],
                   status=[Status.REQUESTED, Status.RECEIVED, Status.CLOSED][n % 3])  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": ["requested", "received"], "flagged": "false"},
        {"reason": "too_small", "older_than": "0", "needs_review": "true"},
        {"q": "#1001"},
        {"q": "grace@"},
    ],
    ids=["default", "status", "reason-age-review", "order-number", "email"],
)
def test_queue_costs_the_same_for_5_returns_as_for_50_with_more_lines(client, params):
    returns_with_lines(5, lines_each=1)
    client.force_login(agent())
    client.get(QUEUE, params)  # fills per-process caches (content types, the policy)

    _small, few = queries(client, QUEUE, params)
    returns_with_lines(45, lines_each=5)
    response, many = queries(client, QUEUE, params)

    assert len(response.context["object_list"]) > 5
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_queue_never_counts_past_its_cap(client, monkeypatch):
    monkeypatch.setattr(admin_queue.CappedPaginator, "cap", 10)
    returns_with_lines(12, lines_each=1)
    client.force_login(agent())

    response, captured = queries(client, QUEUE)

    assert response.context["paginator"].count == 10
    assert "More than 10 returns" in response.content.decode()
    counts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1 and "LIMIT 11" in counts[0], counts
    filtered = client.get(QUEUE, {"status": ["requested", "received", "closed"]})
    assert "More than 10 matches" in filtered.content.decode()


def test_return_page_costs_the_same_whatever_its_lines_events_and_payments(client):
    from tests.returns.test_admin_detail import photo_of

    small_order = delivered_order(number="#1", lines=[("Shirt", "S-1", 1, "40.00", "Shirts")])
    small = return_made(small_order, [(small_order.lines.get(), 1, "too_small")])
    big_order = delivered_order(
        number="#2", lines=[(f"Item {i}", f"SKU-{i}", 3, "20.00", "Things") for i in range(6)]
    )
    big = return_made(big_order, [(line, 2, "too_small") for line in big_order.lines.all()])
    for line in big.lines.all():
        photo_of(line), photo_of(line, "blue")
    for n in range(10):
        ReturnEvent.objects.create(request=big, kind=ReturnEvent.Kind.NOTE, message=f"note {n}",
                                   actor=agent(f"agent{n}@example.com"), public=False)  # fmt: skip
    for n in range(3):
        ReturnPayment.objects.create(request=big, order=big_order, kind="store", key=f"k{n}",
                                     amount=1, currency="EUR")  # fmt: skip
    for n in range(4):
        return_row(big_order, created_days_ago=n + 1)
    client.force_login(agent())
    url = reverse("returns_returnrequest:inspect", args=[small.pk])
    client.get(url)

    _r, few = queries(client, url)
    response, many = queries(client, reverse("returns_returnrequest:inspect", args=[big.pk]))

    assert len(response.context["lines"]) == 6 and len(response.context["events"]) > 10
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_report_costs_the_same_for_any_amount_of_data_or_range(client):
    client.force_login(agent())
    today = timezone.localdate()
    url = reverse("returns_report")
    client.get(url)

    _r, empty = queries(client, url)
    returns_with_lines(30, lines_each=3)
    for days in (10, 40, 70):
        order = delivered_order(placed_days_ago=days)
        return_row(order, status=Status.REFUNDED, resolved_days_after=2)
    _r, full = queries(
        client, url, {"start": date(2020, 1, 1).isoformat(), "end": today.isoformat()}
    )
    _r, short = queries(
        client, url, {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
    )

    assert len(full) == len(empty) == len(short)


def test_simulator_costs_the_same_for_a_small_and_a_large_order(client):
    small = delivered_order(number="#10", lines=[("Shirt", "S-1", 1, "40.00", "Shirts")])
    large = delivered_order(
        number="#20", lines=[(f"Item {i}", f"SKU-{i}", 3, "20.00", "Things") for i in range(12)]
    )
    client.force_login(agent())
    url = reverse("returns_simulator")
    client.get(url, {"order": "#10"})

    def simulate(order):
        params = {"order": order.number, "simulate": "1", "resolution": "refund", "method": "label"}
        for line in order.lines.all():
            params[f"line-{line.pk}-qty"] = "1"
            params[f"line-{line.pk}-reason"] = "too_small"
        return queries(client, url, params)[1]

    assert len(simulate(small)) == len(simulate(large))
