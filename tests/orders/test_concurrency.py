"""Two workers applying the same new order at once: one order, each signal once.

Needs PostgreSQL's row locks and concurrent transactions (CI runs it there; with
PORTICO_REQUIRE_SERVICES=1 the skip on SQLite becomes a failure)."""

import random
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, connections

from orders import services
from orders.connectors.base import CustomerData, LineData, OrderData, RefundData
from orders.models import Customer, Order, Refund
from orders.services.inbox import is_contention

pytestmark = pytest.mark.django_db(transaction=True)


def _data():
    return OrderData(
        external_id="C-1",
        number="#5001",
        email="race@example.com",
        currency="USD",
        total=Decimal("30.00"),
        placed_at=datetime(2026, 6, 1, tzinfo=UTC),
        paid_at=datetime(2026, 6, 1, 0, 5, tzinfo=UTC),
        financial_status="paid",
        customer=CustomerData(email="race@example.com"),
        lines=[LineData(external_id="L1", title="Mug", quantity=3, unit_price=Decimal("10"))],
    )


def _run_concurrently(target, n=6):
    barrier = threading.Barrier(n)
    errors = []

    def work():
        try:
            barrier.wait(timeout=10)
            target()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for concurrent transactions")


def test_the_same_new_order_applied_by_many_workers_at_once_is_one_order(sent):
    _run_concurrently(lambda: services.order_upsert(connector="portico", data=_data()))
    assert Order.objects.count() == 1
    assert Customer.objects.count() == 1
    assert Order.objects.get().lines.count() == 1
    names = [name for name, _ in sent]
    assert names.count("order_placed") == 1
    assert names.count("order_paid") == 1


def test_the_same_refund_recorded_by_many_workers_at_once_is_one_refund(sent):
    services.order_upsert(connector="portico", data=_data())
    refund = RefundData(
        order_external_id="C-1",
        external_id="R-1",
        amount=Decimal("10.00"),
        currency="USD",
        refunded_at=datetime(2026, 6, 5, tzinfo=UTC),
        lines=[("L1", 1, Decimal("10.00"))],
    )
    _run_concurrently(lambda: services.refund_record(connector="portico", data=refund))
    assert Refund.objects.count() == 1
    assert [name for name, _ in sent].count("order_refunded") == 1


def test_overlapping_batches_applied_at_once_make_each_order_once(sent):
    """Workers apply batches that share new orders and customers: each order is created
    once (the losers of the race fall back to one change at a time), each signal once."""

    def batch(offset):
        return [
            OrderData(
                external_id=f"C-{n}",
                number=f"#{6000 + n}",
                email=f"race{n % 5}@example.com",
                currency="USD",
                total=Decimal("30.00"),
                placed_at=datetime(2026, 6, 1, tzinfo=UTC),
                customer=CustomerData(email=f"race{n % 5}@example.com"),
                lines=[LineData(external_id="L1", title="Mug", quantity=1, unit_price=Decimal(9))],
            )
            for n in range(offset, offset + 20)
        ]

    offsets = iter([0, 5, 10, 0, 5, 10])
    lock = threading.Lock()

    def work():
        with lock:
            offset = next(offsets)
        for _attempt in range(10):
            try:
                services.apply_many(connector="portico", changes=batch(offset))
            except OperationalError as exc:
                # Two batches may lock the same customers in opposite orders: PostgreSQL
                # aborts one, and the task runs it again (``is_contention``).
                assert is_contention(exc), exc
                time.sleep(random.uniform(0.05, 0.3))
            else:
                return
        raise AssertionError("never got through")

    _run_concurrently(work)
    assert Order.objects.count() == 30
    assert Customer.objects.count() == 5
    assert Order.objects.filter(lines__isnull=True).count() == 0
    placed = [kwargs["order_id"] for name, kwargs in sent if name == "order_placed"]
    assert sorted(placed) == sorted(Order.objects.values_list("pk", flat=True))
