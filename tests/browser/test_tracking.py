"""A guest tracks an order on a phone: the lookup form, the order page, axe-core clean."""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _fresh_state(migrated_db):
    """No rate limit used up by an earlier test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _order_on_its_way():
    from django.utils import timezone

    from orders.models import ShipmentStatus
    from tests.orders.factories import (
        CustomerFactory,
        OrderFactory,
        OrderLineFactory,
        RefundFactory,
        ShipmentFactory,
        ShipmentLineFactory,
        TrackingEventFactory,
    )

    now = timezone.now()
    order = OrderFactory(
        number="#1001",
        customer=CustomerFactory(email="grace@example.com"),
        placed_at=now - timedelta(days=3),
        discount_total="10.00",
        discount_codes=["WELCOME10"],
        fulfilled=True,
    )
    shirt = OrderLineFactory(
        order=order, title="Linen shirt", variant_title="Sand / L", sku="LS-L", quantity=2
    )
    mug = OrderLineFactory(order=order, title="Stoneware mug", variant_title="", sku="MUG-1")
    first = ShipmentFactory(
        order=order,
        carrier="ups",
        tracking_number="1Z999AA10123456784",
        status=ShipmentStatus.OUT_FOR_DELIVERY,
        shipped_at=now - timedelta(days=2),
    )
    ShipmentLineFactory(shipment=first, line=shirt)
    for hours, status, message, location in [
        (50, "info_received", "Shipping label created", "Atlanta, GA, US"),
        (40, "in_transit", "Departed facility", "Atlanta, GA, US"),
        (10, "in_transit", "Arrived at facility", "Springfield, IL, US"),
        (2, "out_for_delivery", "Out for delivery", "Springfield, IL, US"),
    ]:
        TrackingEventFactory(
            shipment=first,
            status=status,
            message=message,
            location=location,
            occurred_at=now - timedelta(hours=hours),
        )
    second = ShipmentFactory(
        order=order,
        carrier="dhl",
        tracking_number="JD014600006281230704",
        status=ShipmentStatus.FAILED_ATTEMPT,
        shipped_at=now - timedelta(days=1),
    )
    ShipmentLineFactory(shipment=second, line=mug)
    TrackingEventFactory(
        shipment=second,
        status="failed_attempt",
        message="Nobody home, card left",
        location="Springfield, IL, US",
        occurred_at=now - timedelta(hours=1),
    )
    RefundFactory(order=order, amount="5.00", reason="Late delivery")
    return order, first


def test_a_guest_tracks_an_order_on_a_phone(phone, live_server, axe):
    _order, shipment = _order_on_its_way()
    phone.goto(live_server.url + "/track/")
    axe(phone, "track")

    # A wrong email first: a plain message, the form again.
    phone.get_by_label("Order number").fill("#1001")
    phone.get_by_label("Email address").fill("nobody@example.com")
    phone.get_by_role("button", name="Track order").click()
    phone.get_by_role("alert").filter(has_text="We couldn't find that order").wait_for()
    axe(phone, "track-not-found")

    phone.get_by_label("Order number").fill("#1001")
    phone.get_by_label("Email address").fill("GRACE@EXAMPLE.COM")
    phone.get_by_role("button", name="Track order").click()
    phone.get_by_role("heading", name="Order #1001", level=1).wait_for()
    assert re.search(r"/track/o/[^/]+/$", phone.url)

    parcel = phone.get_by_role("article").filter(has_text="Parcel 1 of 2")
    timeline = parcel.locator(".timeline li")
    assert timeline.count() == 4
    assert "Out for delivery" in timeline.first.inner_text()  # newest first
    assert "Shipping label created" in timeline.last.inner_text()
    link = parcel.get_by_role("link", name=re.compile(r"Track on the UPS website"))
    assert link.get_attribute("href") == shipment.tracking_url
    assert "noopener" in link.get_attribute("rel")
    assert parcel.get_by_text("1Z999AA10123456784").is_visible()
    assert "Out for delivery" in parcel.locator('[aria-current="step"]').inner_text()

    problem = phone.get_by_role("article").filter(has_text="Parcel 2 of 2")
    assert problem.get_by_text("tried to deliver this parcel but could not").is_visible()
    assert phone.get_by_text("Linen shirt").first.is_visible()
    axe(phone, "track-order")
    own_host = urlparse(live_server.url).netloc
    assert all(urlparse(u).netloc in (own_host, "") for u in phone.requested_urls)


def test_the_turkish_lookup_page_renders_and_is_accessible(phone, live_server, axe):
    response = phone.goto(live_server.url + "/tr/track/")
    assert response.status == 200
    assert phone.locator("html").get_attribute("lang") == "tr"
    assert phone.locator("h1").count() == 1
    axe(phone, "track-tr")


def test_an_expired_link_tells_the_guest_what_to_do(phone, live_server, axe):
    response = phone.goto(live_server.url + "/track/o/not-a-real-token/")
    assert response.status == 404
    phone.get_by_role("link", name="Look up your order").click()
    phone.get_by_role("heading", name="Track an order").wait_for()
