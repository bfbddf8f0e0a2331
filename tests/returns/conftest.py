"""Fixtures shared by the returns tests.

``order`` is a paid USD order (#5001, grace@example.com) with two lines delivered two days
ago: a linen shirt (1 at 60.00) and stoneware mugs (2 at 20.00); 100.00 + 5.00 shipping +
8.00 tax = 113.00. ``owner`` is the signed-in customer it belongs to (by verified email),
``stranger`` another customer. ``return_for`` makes a return through the services (the
default policy approves it at once and issues a label), ``store_refund`` records a refund
the store made itself, ``jpeg`` draws a photo, with EXIF and GPS tags when asked. Every
test stores its files in a temporary ``MEDIA_ROOT``.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Photos and other stored files go to a folder of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def order(db):
    from orders.models import ShipmentLine
    from tests.orders.factories import (
        CustomerFactory,
        OrderFactory,
        OrderLineFactory,
        ShipmentFactory,
    )

    order = OrderFactory(
        number="#5001",
        customer=CustomerFactory(email="grace@example.com"),
        currency="USD",
        subtotal=Decimal("100.00"),
        shipping_total=Decimal("5.00"),
        tax_total=Decimal("8.00"),
        placed_at=timezone.now() - timedelta(days=6),
        fulfilled=True,
    )
    shirt = OrderLineFactory(
        order=order,
        title="Linen shirt",
        variant_title="Sand / L",
        sku="LS-L",
        quantity=1,
        unit_price=Decimal("60.00"),
    )
    mug = OrderLineFactory(
        order=order,
        title="Stoneware mug",
        variant_title="",
        sku="MUG-1",
        quantity=2,
        unit_price=Decimal("20.00"),
        product_type="Homeware",
    )
    shipment = ShipmentFactory(
        order=order,
        delivered=True,
        shipped_at=timezone.now() - timedelta(days=4),
        delivered_at=timezone.now() - timedelta(days=2),
    )
    ShipmentLine.objects.create(shipment=shipment, line=shirt, quantity=1)
    ShipmentLine.objects.create(shipment=shipment, line=mug, quantity=2)
    order.shirt, order.mug, order.shipment = shirt, mug, shipment
    return order


@pytest.fixture
def owner(db):
    """The customer who placed ``order`` (their verified address is the order's)."""
    from tests.portal.factories import UserFactory

    return UserFactory(email="grace@example.com")


@pytest.fixture
def stranger(db):
    """Another signed-up customer, with orders of their own."""
    from tests.portal.factories import UserFactory

    return UserFactory(email="lin@example.com")


@pytest.fixture
def return_for(django_capture_on_commit_callbacks):
    """``return_for(order, (line, quantity, reason), …, method="label")``: a return made
    through ``services.return_create``, with what it queues on commit run (emails)."""
    from returns import services
    from returns.services import NewLine

    def make(order, *picks, resolution="refund", method="label", language="en", **kwargs):
        picks = picks or ((order.shirt, 1, "too_small"),)
        with django_capture_on_commit_callbacks(execute=True):
            return services.return_create(
                order_id=order.pk,
                email=order.email,
                lines=[NewLine(line.pk, quantity, reason) for line, quantity, reason in picks],
                resolution=resolution,
                method=method,
                language=language,
                **kwargs,
            )

    return make


@pytest.fixture
def store_refund(order, django_capture_on_commit_callbacks):
    """``store_refund(external_id, amount)``: a refund of ``order`` the store made itself,
    arriving through its connector as its webhook would (what it queues on commit runs)."""
    from orders.connectors.base import RefundData
    from orders.services import refund_record

    def record(external_id: str, amount: str, *, refunded_at=None):
        data = RefundData(
            order_external_id=order.external_id,
            external_id=external_id,
            amount=Decimal(amount),
            currency="USD",
            refunded_at=refunded_at or timezone.now(),
        )
        with django_capture_on_commit_callbacks(execute=True):
            return refund_record(connector=order.connector, data=data)

    return record


@pytest.fixture
def jpeg():
    """``jpeg(exif=True)``: bytes of a small JPEG photo, with camera and GPS tags if asked."""
    from PIL import Image

    def draw(*, exif: bool = False, size=(64, 48), colour=(200, 80, 40)) -> bytes:
        image = Image.new("RGB", size, colour)
        out = io.BytesIO()
        if exif:
            tags = Image.Exif()
            tags[0x010F] = "PorticoCam"  # Make
            tags[0x0131] = "secret-firmware"  # Software
            tags[0x8825] = {1: "N", 2: (41.0, 0.0, 0.0), 3: "E", 4: (29.0, 0.0, 0.0)}  # GPS
            image.save(out, "JPEG", exif=tags)
        else:
            image.save(out, "JPEG")
        return out.getvalue()

    return draw


PAYMENT_INTENT = "pi_test_5001"


@pytest.fixture
def stripe(settings, order):
    """The fake Stripe server with ``order`` paid through it (113.00 USD on a PaymentIntent)."""
    from orders.models import Order
    from tests.orders.fake_stripe import FakeStripe

    with FakeStripe(api_key=settings.STRIPE_API_KEY) as fake:
        fake.payment_intents[PAYMENT_INTENT] = {"amount": 11300, "currency": "usd"}
        settings.STRIPE_API_BASE = fake.url
        Order.objects.filter(pk=order.pk).update(payment_reference=PAYMENT_INTENT)
        yield fake
