"""The reads behind the order pages: who owns what, and everything fetched up front."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from orders import selectors
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

pytestmark = pytest.mark.django_db


def test_guest_lookup_needs_number_and_email_together():
    order = OrderFactory(number="#1001", email="grace@example.com")
    assert selectors.order_for_guest(number=" #1001 ", email="GRACE@example.com") == order
    assert selectors.order_for_guest(number="1001", email="other@example.com") is None
    assert selectors.order_for_guest(number="1002", email="grace@example.com") is None
    assert selectors.order_for_guest(number="#", email="grace@example.com") is None
    assert selectors.order_for_guest(number="1001", email="") is None


def test_guest_lookup_matches_an_email_stored_in_another_case():
    # Services store emails lower-cased, but a row written another way must still match.
    order = OrderFactory(number="#1001", email="Grace@Example.com")
    assert selectors.order_for_guest(number="1001", email="grace@example.com") == order


def test_a_user_owns_orders_of_their_customer_record_and_verified_emails(user_factory):
    ada = user_factory(email="ada@example.com")
    EmailAddress.objects.create(user=ada, email="ada.work@example.com", verified=True)
    EmailAddress.objects.create(user=ada, email="ada.old@example.com", verified=False)
    linked = OrderFactory(customer=CustomerFactory(email="someone@example.com", user=ada))
    by_primary = OrderFactory(customer=None, email="ADA@example.com")
    by_second = OrderFactory(customer=None, email="ada.work@example.com")
    OrderFactory(customer=None, email="ada.old@example.com")  # unverified
    OrderFactory(customer=None, email="lin@example.com")  # someone else's
    assert set(selectors.orders_for_user(user=ada)) == {linked, by_primary, by_second}


def test_an_anonymous_user_owns_nothing():
    OrderFactory()
    assert not selectors.orders_for_user(user=AnonymousUser()).exists()


def test_the_list_carries_the_latest_shipments_status(user_factory):
    ada = user_factory(email="ada@example.com")
    order = OrderFactory(customer=None, email="ada@example.com")
    now = timezone.now()
    ShipmentFactory(order=order, status=ShipmentStatus.DELIVERED, shipped_at=now - timedelta(3))
    ShipmentFactory(order=order, status=ShipmentStatus.IN_TRANSIT, shipped_at=now - timedelta(1))
    OrderFactory(customer=None, email="ada@example.com")  # nothing shipped
    statuses = [o.latest_shipment_status for o in selectors.order_list_for_user(user=ada)]
    assert sorted(statuses, key=str) == sorted([ShipmentStatus.IN_TRANSIT, None], key=str)


def test_the_tracking_read_prefetches_everything_the_page_shows(django_assert_num_queries):
    order = OrderFactory()
    kept = OrderLineFactory(order=order)
    OrderLineFactory(order=order, removed=True)
    shipment = ShipmentFactory(order=order)
    ShipmentLineFactory(shipment=shipment, line=kept)
    now = timezone.now()
    old = TrackingEventFactory(shipment=shipment, occurred_at=now - timedelta(hours=5))
    new = TrackingEventFactory(shipment=shipment, occurred_at=now - timedelta(hours=1))
    RefundFactory(order=order)

    with django_assert_num_queries(6):
        loaded = selectors.order_for_tracking(pk=order.pk)
    with django_assert_num_queries(0):
        assert loaded.visible_lines == [kept]
        (loaded_shipment,) = loaded.shipments.all()
        assert [i.line.title for i in loaded_shipment.items.all()] == [kept.title]
        assert list(loaded_shipment.events.all()) == [new, old]
        assert len(loaded.refunds.all()) == 1


def test_a_customer_finds_only_their_own_order_by_number(user_factory):
    ada = user_factory(email="ada@example.com")
    lin = user_factory(email="lin@example.com")
    mine = OrderFactory(number="#1001", customer=None, email="ada@example.com")
    OrderFactory(number="#1002", customer=None, email="lin@example.com")
    assert selectors.order_for_user(user=ada, number="1001") == mine
    assert selectors.order_for_user(user=ada, number="1002") is None
    assert selectors.order_for_user(user=lin, number="#1001") is None
    assert selectors.order_for_user(user=ada, number="") is None
