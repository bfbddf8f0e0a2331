"""Portico's own JSON format (docs/connectors.md) through /webhooks/portico/."""

from decimal import Decimal

import pytest

from orders.models import Order, Refund, Shipment, ShipmentStatus, TrackingEvent, WebhookDelivery
from tests.orders.webhook_helpers import portico

pytestmark = pytest.mark.django_db


def order_record(**overrides):
    data = {
        "id": "A-1001",
        "number": "A-1001",
        "email": "mira@example.com",
        "currency": "EUR",
        "subtotal": "80.00",
        "discount_total": "0.00",
        "shipping_total": "5.00",
        "tax_total": "15.20",
        "total": "85.00",
        "placed_at": "2026-06-01T09:30:00+02:00",
        "paid_at": "2026-06-01T09:31:00+02:00",
        "updated_at": "2026-06-01T09:31:00+02:00",
        "customer": {"first_name": "Mira", "last_name": "Kaya", "locale": "tr"},
        "lines": [
            {"id": "L1", "sku": "MUG-1", "title": "Mug", "quantity": 2, "unit_price": "20.00"},
            {"id": "L2", "sku": "PLT-1", "title": "Plate", "quantity": 1, "unit_price": "40.00",
             "final_sale": True, "tags": "ceramics, sale"},
        ],
    }  # fmt: skip
    data.update(overrides)
    return {"type": "order", "data": data}


def shipment_record(**overrides):
    data = {
        "id": "S1",
        "order_id": "A-1001",
        "carrier": "DHL Express",
        "tracking_number": "JD0146000031",
        "status": "in_transit",
        "shipped_at": "2026-06-02T08:00:00Z",
        "estimated_delivery_at": "2026-06-05T18:00:00Z",
        "updated_at": "2026-06-03T07:00:00Z",
        "lines": [{"line_id": "L1", "quantity": 2}],
        "events": [
            {"status": "info_received", "message": "Label created", "location": "Berlin",
             "occurred_at": "2026-06-02T08:00:00Z"},
            {"status": "in_transit", "message": "Departed hub", "location": "Leipzig",
             "occurred_at": "2026-06-03T07:00:00Z"},
        ],
    }  # fmt: skip
    data.update(overrides)
    return {"type": "shipment", "data": data}


def test_orders_shipments_events_and_refunds_are_mirrored(client, deliver):
    assert deliver(portico, client, order_record()).status_code == 202
    assert deliver(portico, client, shipment_record()).status_code == 202
    refund = {
        "type": "refund",
        "data": {
            "id": "R1",
            "order_id": "A-1001",
            "amount": "20.00",
            "currency": "EUR",
            "refunded_at": "2026-06-10T10:00:00Z",
            "reason": "Chipped",
            "lines": [{"line_id": "L1", "quantity": 1, "amount": "20.00"}],
        },
    }
    assert deliver(portico, client, refund).status_code == 202

    order = Order.objects.get()
    assert order.total == Decimal("85.00") and order.currency == "EUR"
    assert order.lines.get(sku="PLT-1").tags == ["ceramics", "sale"]
    assert order.lines.get(sku="PLT-1").is_final_sale
    shipment = Shipment.objects.get()
    assert shipment.carrier == "dhl"
    assert shipment.tracking_url.endswith("JD0146000031")
    assert shipment.status == ShipmentStatus.IN_TRANSIT
    assert TrackingEvent.objects.count() == 2
    assert Refund.objects.get().lines.get().line.sku == "MUG-1"
    assert order.refunds.count() == 1


def test_the_same_tracking_event_sent_again_is_one_row(client, deliver):
    deliver(portico, client, order_record())
    deliver(portico, client, shipment_record())
    deliver(portico, client, shipment_record(updated_at="2026-06-03T08:00:00Z"))
    assert TrackingEvent.objects.count() == 2


def test_a_shipment_update_older_than_the_stored_one_changes_nothing(client, deliver):
    deliver(portico, client, order_record())
    newer = shipment_record(status="delivered", updated_at="2026-06-05T12:00:00Z")
    older = shipment_record(status="in_transit", updated_at="2026-06-04T12:00:00Z")
    deliver(portico, client, newer)
    deliver(portico, client, older)
    assert Shipment.objects.get().status == ShipmentStatus.DELIVERED


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"type": "order", "data": {"id": "X"}}, "data.currency"),
        ({"type": "parcel", "data": {}}, "type"),
        ({"type": "order"}, "data"),
        ([1, 2, 3], "body"),
        (order_record(total="12,50"), "data.total"),
        (order_record(total="-3"), "data.total"),
        (order_record(email="not-an-email"), "data.email"),
        (order_record(placed_at="yesterday"), "data.placed_at"),
        (order_record(lines={"id": "L1"}), "data.lines"),
        (order_record(currency="EURO"), "data.currency"),
        (shipment_record(status="lost"), "data.status"),
        (shipment_record(events=[{"status": "in_transit"}]), "data.events.0.occurred_at"),
    ],
)
def test_bad_records_get_400_naming_the_field_and_are_kept(client, deliver, record, field):
    response = deliver(portico, client, record)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert WebhookDelivery.objects.get().error_field == field


def test_an_unsigned_delivery_is_refused(client, deliver):
    assert deliver(portico, client, order_record(), signature=False).status_code == 401
    assert deliver(portico, client, order_record(), signature="sha256=00").status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_order_numbers_are_found_however_the_customer_types_them():
    from orders.services import lookup_number

    assert lookup_number("#1001") == lookup_number(" 1001 ") == "1001"
    assert lookup_number("a-1001") == lookup_number("A 1001") == "A1001"
