"""Shipment emails: once per real status change, in the customer's language, opt-out-able."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from orders import services
from orders.connectors.base import CustomerData, LineData, OrderData, ShipmentData
from orders.models import Customer, ShipmentNotification

pytestmark = pytest.mark.django_db


def order_data(locale="en", email="zoe@example.com"):
    now = timezone.now()
    return OrderData(
        external_id="N1",
        number="#2001",
        email=email,
        currency="EUR",
        total=100,
        placed_at=now - timedelta(days=1),
        paid_at=now - timedelta(days=1),
        financial_status="paid",
        customer=CustomerData(email=email, locale=locale),
        lines=[LineData(external_id="L1", title="Wool throw", quantity=1, unit_price=100)],
    )


def ship(status, *, at=None, carrier="UPS"):
    at = at or timezone.now()
    return ShipmentData(
        order_external_id="N1",
        external_id="S1",
        status=status,
        carrier=carrier,
        tracking_number="1Z999AA10123456784",
        shipped_at=at,
        updated_at=at,
        lines=[("L1", 1)],
    )


@pytest.fixture
def order(deliver):
    return deliver(services.order_upsert, connector="portico", data=order_data()).order


def test_one_email_per_real_status_change(deliver, order):
    base = timezone.now() - timedelta(hours=3)
    deliver(services.shipment_upsert, connector="portico", data=ship("in_transit", at=base))
    deliver(services.shipment_upsert, connector="portico", data=ship("in_transit", at=base))
    deliver(
        services.shipment_upsert,
        connector="portico",
        data=ship("out_for_delivery", at=base + timedelta(hours=1)),
    )
    deliver(
        services.shipment_upsert,
        connector="portico",
        data=ship("delivered", at=base + timedelta(hours=2)),
    )
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        "Your order #2001 is on its way",
        "Your order #2001 arrives today",
        "Your order #2001 was delivered",
    ]
    assert ShipmentNotification.objects.count() == 3


def test_running_the_task_twice_sends_once(deliver, order):
    deliver(services.shipment_upsert, connector="portico", data=ship("in_transit"))
    shipment = order.shipments.get()
    assert services.shipment_notify(shipment_id=shipment.pk, status="in_transit") is False
    assert len(mail.outbox) == 1


def test_the_email_is_branded_has_the_tracking_link_and_an_order_link(deliver, order, client):
    deliver(services.shipment_upsert, connector="portico", data=ship("in_transit"))
    message = mail.outbox[0]
    assert message.to == ["zoe@example.com"]
    assert "Portico Demo Store" in message.body
    assert "https://www.ups.com/track?tracknum=1Z999AA10123456784" in message.body
    html = message.alternatives[0][0]
    assert "Wool throw" in html and "1Z999AA10123456784" in html
    order_link = re.search(r"http://127\.0\.0\.1:8000(/track/o/[^/\s]+/)", message.body).group(1)
    assert client.get(order_link).status_code == 200


def test_a_turkish_customer_gets_turkish_email(deliver):
    deliver(services.order_upsert, connector="portico", data=order_data(locale="tr-TR"))
    deliver(services.shipment_upsert, connector="portico", data=ship("delivered", carrier="Aras"))
    message = mail.outbox[0]
    assert message.subject == "#2001 numaralı siparişiniz teslim edildi"
    assert '<html lang="tr">' in message.alternatives[0][0]


def test_a_delivery_problem_is_explained(deliver, order):
    deliver(services.shipment_upsert, connector="portico", data=ship("failed_attempt"))
    assert "problem" in mail.outbox[0].subject.lower()
    assert "Delivery attempt failed" in mail.outbox[0].body


def test_old_changes_from_a_backfill_send_nothing(deliver, order):
    long_ago = timezone.now() - timedelta(days=30)
    deliver(services.shipment_upsert, connector="portico", data=ship("delivered", at=long_ago))
    assert mail.outbox == []


def test_statuses_customers_are_not_told_about_send_nothing(deliver, order):
    deliver(services.shipment_upsert, connector="portico", data=ship("info_received"))
    assert mail.outbox == []


def test_a_customer_can_turn_shipment_emails_off_from_the_link(deliver, order, client):
    deliver(services.shipment_upsert, connector="portico", data=ship("in_transit"))
    link = re.search(r"http://127\.0\.0\.1:8000(/track/emails-off/\S+/)", mail.outbox[0].body)
    path = link.group(1)
    assert client.get(path).status_code == 200  # a mail scanner's GET changes nothing
    assert Customer.objects.get().shipping_notifications is True
    response = client.post(path)
    assert response.status_code == 200
    assert Customer.objects.get().shipping_notifications is False

    deliver(services.shipment_upsert, connector="portico", data=ship("delivered"))
    assert len(mail.outbox) == 1


def test_a_tampered_opt_out_link_is_refused(client):
    response = client.post("/track/emails-off/not-a-token/")
    assert response.status_code == 404
