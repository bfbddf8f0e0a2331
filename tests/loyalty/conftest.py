from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from loyalty.models import EarningRule, ProgramSettings
from orders import services as orders
from orders.connectors.base import CustomerData, LineData, OrderData, RefundData

PAID = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def program(db):
    settings = ProgramSettings.load()
    settings.return_window_days = 30
    settings.expiry = ProgramSettings.Expiry.AFTER_EARNED
    settings.expiry_months = 12
    settings.save()
    return settings


@pytest.fixture
def spend_rule(program):
    return EarningRule.objects.create(
        name="1 point per 1.00", kind=EarningRule.Kind.SPEND, points=1, per_amount=Decimal("1")
    )


@pytest.fixture
def store(django_capture_on_commit_callbacks):
    """The store, as its webhooks reach the mirror: every signal and task runs."""

    class Store:
        def order(self, external_id="A-1", *, email="mira@example.com", paid=True, **kw):
            lines = kw.pop(
                "lines",
                [
                    LineData(external_id="L1", title="Mug", quantity=2, unit_price=Decimal("20")),
                    LineData(external_id="L2", title="Plate", quantity=1, unit_price=Decimal("60")),
                ],
            )
            data = OrderData(
                external_id=external_id,
                number=f"#{external_id}",
                email=email,
                currency="EUR",
                subtotal=Decimal("100"),
                shipping_total=Decimal("5"),
                tax_total=Decimal("15"),
                total=Decimal("120"),
                placed_at=kw.pop("placed_at", PAID - timedelta(minutes=5)),
                paid_at=PAID if paid else None,
                financial_status="paid" if paid else "pending",
                updated_at=kw.pop("updated_at", PAID),
                customer=CustomerData(email=email),
                lines=lines,
                **kw,
            )
            with django_capture_on_commit_callbacks(execute=True):
                return orders.order_upsert(connector="portico", data=data).order

        def refund(self, external_id, order="A-1", *, lines=(), amount="20"):
            data = RefundData(
                order_external_id=order,
                external_id=external_id,
                amount=Decimal(amount),
                currency="EUR",
                refunded_at=PAID + timedelta(days=3),
                lines=[(line, q, Decimal(a)) for line, q, a in lines],
            )
            with django_capture_on_commit_callbacks(execute=True):
                return orders.refund_record(connector="portico", data=data)

    return Store()
