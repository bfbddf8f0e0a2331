"""The reads behind the order pages: who owns what, and everything fetched up front."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from orders import selectors
from orders.models import Order, ShipmentStatus
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


# --- The reads every request makes: the same rules, in SQL ---------------------------------


@pytest.fixture
def ownership(user_factory):
    """Ada's orders by each rule, and orders that are not hers."""
    ada = user_factory(email="ada@example.com")
    EmailAddress.objects.create(user=ada, email="ada.work@example.com", verified=True)
    EmailAddress.objects.create(user=ada, email="ada.old@example.com", verified=False)
    lin = user_factory(email="lin@example.com")
    mine = {
        "linked": OrderFactory(
            number="#2001", customer=CustomerFactory(email="someone@example.com", user=ada)
        ),
        "primary": OrderFactory(number="#2002", customer=None, email="ADA@example.com"),
        "second": OrderFactory(number="#2003", customer=None, email="Ada.Work@example.com"),
    }
    not_mine = {
        "unverified": OrderFactory(number="#2004", customer=None, email="ada.old@example.com"),
        "lins": OrderFactory(
            number="#2005", customer=CustomerFactory(email="lin@example.com", user=lin)
        ),
        "guest": OrderFactory(number="#2006", customer=None, email="grace@example.com"),
    }
    return ada, mine, not_mine


def test_the_per_request_reads_follow_the_ownership_rules(ownership):
    ada, mine, not_mine = ownership
    assert set(selectors.orders_for_user(user=ada)) == set(mine.values())
    for order in mine.values():
        assert selectors.order_key_for_user(user=ada, number=order.number) == (
            order.pk,
            selectors.order_version(pk=order.pk),
        )
    for order in not_mine.values():
        assert selectors.order_key_for_user(user=ada, number=order.number) is None
    assert selectors.order_list_version(user=ada).count == len(mine)


def test_an_anonymous_user_reads_nothing(ownership):
    assert selectors.order_key_for_user(user=AnonymousUser(), number="2002") is None
    assert selectors.order_list_version(user=AnonymousUser()).count == 0


def test_the_order_by_number_read_takes_the_newest_of_two_platforms(user_factory):
    ada = user_factory(email="ada@example.com")
    now = timezone.now()
    OrderFactory(number="#3001", email="ada@example.com", placed_at=now - timedelta(days=9))
    newer = OrderFactory(number="3001", email="ada@example.com", connector="shopify", placed_at=now)
    assert selectors.order_key_for_user(user=ada, number="#3001")[0] == newer.pk


def test_the_order_version_changes_with_the_order_and_is_none_once_it_is_gone():
    order = OrderFactory()
    before = selectors.order_version(pk=order.pk)
    assert before == selectors.order_version(pk=order.pk)
    order.save()  # updated_at moves, as every change through the services does
    assert selectors.order_version(pk=order.pk) != before
    order.delete()
    assert selectors.order_version(pk=order.pk) is None


def test_the_list_version_changes_when_an_order_changes_joins_or_leaves(ownership):
    ada, mine, not_mine = ownership
    seen = {selectors.order_list_version(user=ada).key}

    def changed() -> bool:
        key = selectors.order_list_version(user=ada).key
        new = key not in seen
        seen.add(key)
        return new

    mine["primary"].save()
    assert changed()  # an order changed
    OrderFactory(customer=None, email="ada@example.com")
    assert changed()  # an order joined
    EmailAddress.objects.filter(email="ada.work@example.com").update(verified=False)
    assert changed()  # an order left
    # One leaves and one joins, written without touching updated_at: the count and the
    # latest change stay the same, and the list is still told apart.
    before = selectors.order_list_version(user=ada)
    Order.objects.filter(pk=mine["primary"].pk).update(email="someone.else@example.com")
    Order.objects.filter(pk=not_mine["guest"].pk).update(email="ada@example.com")
    after = selectors.order_list_version(user=ada)
    assert after.count == before.count
    assert changed()


@pytest.mark.parametrize(
    ("read", "queries"),
    [
        (lambda user, order: selectors.order_version(pk=order.pk), 1),
        (lambda user, order: selectors.order_key_for_user(user=user, number=order.number), 1),
        (lambda user, order: selectors.order_list_version(user=user), 1),
    ],
)
def test_each_per_request_read_is_one_query(user_factory, django_assert_num_queries, read, queries):
    ada = user_factory(email="ada@example.com")
    order = OrderFactory(customer=CustomerFactory(email="ada@example.com", user=ada))
    for _ in range(30):
        OrderFactory(customer=order.customer, email="ada@example.com")
    with django_assert_num_queries(queries):
        read(ada, order)
