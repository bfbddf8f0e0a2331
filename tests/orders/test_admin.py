"""The staff side of the order mirror in Wagtail admin: orders, customers, webhook inbox."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from orders.models import Connector, Order, ShipmentStatus, WebhookDelivery
from portal.groups import MARKETERS, SUPPORT_AGENTS
from tests.orders.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    RefundFactory,
    RefundLineFactory,
    ShipmentFactory,
    ShipmentLineFactory,
    TrackingEventFactory,
)
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

ORDERS = reverse("orders_order:index")
ORDERS_RESULTS = reverse("orders_order:index_results")
CUSTOMERS = reverse("orders_customer:index")
INBOX = reverse("orders_webhookdelivery:index")
ADMIN_LOGIN = reverse("wagtailadmin_login")


def order_url(order):
    return reverse("orders_order:inspect", args=[order.pk])


def replay_url(delivery):
    return reverse("orders_webhookdelivery:replay", args=[delivery.pk])


def staff(group_name, email):
    user = UserFactory(email=email, is_staff=False)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def superuser():
    return UserFactory(email="owner@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def agent():
    return staff(SUPPORT_AGENTS, "agent@example.com")


@pytest.fixture
def marketer():
    return staff(MARKETERS, "marketer@example.com")


@pytest.fixture
def order():
    """#1001 with a removed line, a shipment with its tracking events and a refund."""
    customer = CustomerFactory(email="grace@example.com", first_name="Grace", last_name="Hopper")
    order = OrderFactory(
        number="#1001",
        customer=customer,
        currency="EUR",
        subtotal="60.00",
        shipping_total="5.00",
        tax_total="0.00",
        financial_status=Order.FinancialStatus.PARTIALLY_REFUNDED,
    )
    shirt = OrderLineFactory(
        order=order, title="Linen shirt", sku="LS-1", quantity=2, unit_price="30.00"
    )
    OrderLineFactory(order=order, title="Wool scarf", sku="WS-9", removed=True)
    shipment = ShipmentFactory(
        order=order,
        carrier="dhl",
        carrier_name="DHL Express",
        tracking_number="JD0146000031",
        tracking_url="https://www.dhl.com/track?id=JD0146000031",
        status=ShipmentStatus.IN_TRANSIT,
    )
    ShipmentLineFactory(shipment=shipment, line=shirt)
    TrackingEventFactory(
        shipment=shipment,
        status=ShipmentStatus.INFO_RECEIVED,
        message="Label created",
        location="Berlin",
        occurred_at=timezone.now() - timedelta(hours=5),
    )
    TrackingEventFactory(
        shipment=shipment,
        status=ShipmentStatus.IN_TRANSIT,
        message="Departed hub",
        location="Leipzig",
        occurred_at=timezone.now() - timedelta(hours=2),
    )
    refund = RefundFactory(order=order, amount=Decimal("30.00"), reason="Too small")
    RefundLineFactory(refund=refund, line=shirt, quantity=1, amount=Decimal("30.00"))
    return order


def failed_delivery(**overrides):
    """A Portico "order" delivery that failed once; its body is valid now (e.g. a fixed bug)."""
    record = {
        "type": "order",
        "data": {
            "id": "A-2001",
            "number": "A-2001",
            "email": "mira@example.com",
            "currency": "EUR",
            "subtotal": "20.00",
            "total": "20.00",
            "placed_at": "2026-06-01T09:30:00+02:00",
            "paid_at": "2026-06-01T09:31:00+02:00",
            "lines": [{"id": "L1", "title": "Mug", "quantity": 1, "unit_price": "20.00"}],
        },
    }
    fields = {
        "connector": Connector.PORTICO,
        "topic": "order",
        "delivery_id": "delivery-2001",
        "headers": {"X-Portico-Delivery-Id": "delivery-2001", "Content-Type": "application/json"},
        "body": json.dumps(record).encode(),
        "status": WebhookDelivery.Status.FAILED,
        "error": "must be a known currency",
        "error_field": "data.currency",
        "attempts": 1,
    }
    fields.update(overrides)
    return WebhookDelivery.objects.create(**fields)


def numbers_listed(response):
    return {o.number for o in response.context["object_list"]}


# --- Orders: list, search, filters ---------------------------------------------------


def test_superuser_sees_the_order_list_newest_first(client, superuser, order):
    older = OrderFactory(number="#1000", placed_at=timezone.now() - timedelta(days=3))
    client.force_login(superuser)

    response = client.get(ORDERS)

    assert response.status_code == 200
    assert [o.number for o in response.context["object_list"]] == ["#1001", "#1000"]
    html = response.content.decode()
    assert "grace@example.com" in html
    assert "€65.00" in html  # the total in the order's currency
    assert "Partially refunded" in html and "Not shipped yet" in html
    assert order_url(order) in html and order_url(older) in html


@pytest.mark.parametrize("query", ["1001", "#1001", " 1001 ", "grace@example", "GRACE@EXAMPLE.COM"])
def test_search_finds_an_order_by_number_as_typed_or_by_email(client, superuser, order, query):
    OrderFactory(number="#2002", customer=CustomerFactory(email="ada@example.com"))
    client.force_login(superuser)

    response = client.get(ORDERS, {"q": query})

    assert numbers_listed(response) == {"#1001"}


def test_search_matches_the_normalised_number_of_a_store_without_hash(client, superuser):
    OrderFactory(number="1001", connector=Connector.WOOCOMMERCE)
    OrderFactory(number="#2002")
    client.force_login(superuser)

    assert numbers_listed(client.get(ORDERS, {"q": "#1001"})) == {"1001"}


def test_filters_narrow_the_list(client, superuser, order):
    now = timezone.now()
    OrderFactory(
        number="#2001",
        financial_status=Order.FinancialStatus.PAID,
        fulfillment_status=Order.FulfillmentStatus.FULFILLED,
        connector=Connector.SHOPIFY,
        placed_at=now - timedelta(days=10),
    )
    OrderFactory(number="#2002", unpaid=True, placed_at=now - timedelta(days=40))
    client.force_login(superuser)

    def listed(**params):
        return numbers_listed(client.get(ORDERS_RESULTS, params))

    assert listed(financial_status="paid") == {"#2001"}
    assert listed(financial_status="pending") == {"#2002"}
    assert listed(fulfillment_status="fulfilled") == {"#2001"}
    assert listed(fulfillment_status="unfulfilled") == {"#1001", "#2002"}
    assert listed(connector="shopify") == {"#2001"}
    assert listed(connector="portico") == {"#1001", "#2002"}
    day = "%Y-%m-%d"
    assert listed(
        placed_at_from=(now - timedelta(days=15)).strftime(day),
        placed_at_to=(now - timedelta(days=5)).strftime(day),
    ) == {"#2001"}
    assert listed(placed_at_from=(now - timedelta(days=1)).strftime(day)) == {"#1001"}
    assert listed(connector="shopify", financial_status="pending") == set()


def _make_order(i):
    OrderFactory()


def _make_customer(i):
    OrderFactory(customer=CustomerFactory())


def _make_delivery(i):
    failed_delivery(delivery_id=f"delivery-{i}")


@pytest.mark.parametrize(
    ("listing", "make"),
    [(ORDERS, _make_order), (CUSTOMERS, _make_customer), (INBOX, _make_delivery)],
    ids=["orders", "customers", "inbox"],
)
def test_listing_runs_the_same_number_of_queries_for_1_or_20_rows(client, superuser, listing, make):
    make(0)
    client.force_login(superuser)
    client.get(listing)  # warm the content type and other per-process caches

    with CaptureQueriesContext(connection) as one:
        assert client.get(listing).status_code == 200
    for i in range(1, 20):
        make(i)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(listing)

    assert len(response.context["object_list"]) == 20
    assert len(twenty) == len(one), [q["sql"] for q in twenty.captured_queries]


# --- Orders: inspect -----------------------------------------------------------------


def test_order_inspect_shows_lines_shipments_with_tracking_and_refunds(client, superuser, order):
    client.force_login(superuser)

    response = client.get(order_url(order))

    assert response.status_code == 200
    html = response.content.decode()
    # customer and totals
    assert "Grace Hopper" in html and "grace@example.com" in html
    assert reverse("orders_customer:inspect", args=[order.customer_id]) in html
    assert "€65.00" in html
    # lines, the removed one marked
    assert "Linen shirt" in html and "LS-1" in html
    assert "Wool scarf" in html and "Removed by the store" in html
    # the shipment, its tracking link and both events of its timeline
    assert "DHL Express" in html
    assert 'href="https://www.dhl.com/track?id=JD0146000031"' in html
    assert "Label created" in html and "Berlin" in html
    assert "Departed hub" in html and "Leipzig" in html
    assert html.index("Departed hub") < html.index("Label created")  # newest first
    # the refund and its line
    assert "Too small" in html and "€30.00" in html and "Refunded in the store" in html


def test_order_inspect_runs_a_fixed_number_of_queries(client, superuser, order):
    client.force_login(superuser)
    client.get(order_url(order))

    with CaptureQueriesContext(connection) as before:
        client.get(order_url(order))
    for _ in range(3):
        shipment = ShipmentFactory(order=order)
        TrackingEventFactory.create_batch(3, shipment=shipment)
        RefundLineFactory(refund=RefundFactory(order=order))
    with CaptureQueriesContext(connection) as after:
        client.get(order_url(order))

    assert len(after) == len(before)


def test_unknown_order_is_not_found(client, superuser):
    client.force_login(superuser)

    assert client.get(reverse("orders_order:inspect", args=[999999])).status_code == 404


# --- Read-only ---------------------------------------------------------------------


@pytest.mark.parametrize("view", ["add", "edit", "delete", "copy", "history", "usage"])
@pytest.mark.parametrize("namespace", ["orders_order", "orders_customer", "orders_webhookdelivery"])
def test_no_add_edit_or_delete_view_is_routed(namespace, view):
    args = [] if view == "add" else [1]
    with pytest.raises(NoReverseMatch):
        reverse(f"{namespace}:{view}", args=args)


@pytest.mark.parametrize("path", ["new/", "edit/{pk}/", "delete/{pk}/", "copy/{pk}/"])
def test_nobody_reaches_an_add_edit_or_delete_url(client, superuser, order, path):
    client.force_login(superuser)

    response = client.get(ORDERS + path.format(pk=order.pk))

    assert response.status_code == 404
    assert Order.objects.filter(pk=order.pk).exists()


def test_listing_and_inspect_offer_no_add_edit_or_delete_button(client, superuser, order):
    client.force_login(superuser)

    listing = client.get(ORDERS).content.decode()
    inspect = client.get(order_url(order)).content.decode()

    for html in (listing, inspect):
        assert "Add order" not in html
        assert f"{ORDERS}new/" not in html
        assert f"{ORDERS}edit/" not in html and f"{ORDERS}delete/" not in html


# --- Who may see what -----------------------------------------------------------------


def test_support_agent_without_is_staff_lists_and_inspects_orders(client, agent, order):
    assert not agent.is_staff
    client.force_login(agent)

    listing = client.get(ORDERS, {"q": "1001"})
    inspect = client.get(order_url(order))

    assert listing.status_code == 200 and numbers_listed(listing) == {"#1001"}
    assert inspect.status_code == 200 and "Departed hub" in inspect.content.decode()
    assert client.get(CUSTOMERS).status_code == 200
    assert client.get(INBOX).status_code == 200


def test_marketer_sees_orders_and_customers_but_not_the_webhook_inbox(client, marketer, order):
    delivery = failed_delivery()
    client.force_login(marketer)

    assert client.get(ORDERS).status_code == 200
    assert client.get(order_url(order)).status_code == 200
    assert client.get(CUSTOMERS).status_code == 200
    # Wagtail turns a permission denied into a redirect to the dashboard with a message.
    inbox = client.get(INBOX)
    assert inbox.status_code == 302 and inbox["Location"] == reverse("wagtailadmin_home")
    inspect = client.get(reverse("orders_webhookdelivery:inspect", args=[delivery.pk]))
    assert inspect.status_code == 302


def test_admin_menu_shows_the_orders_group_by_permission(client, agent, marketer):
    client.force_login(agent)
    agent_home = client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(marketer)
    marketer_home = client.get(reverse("wagtailadmin_home")).content.decode()

    assert INBOX in agent_home and ORDERS in agent_home
    assert ORDERS in marketer_home and CUSTOMERS in marketer_home
    assert INBOX not in marketer_home


def test_customer_without_admin_access_is_sent_to_the_admin_login(client, order):
    customer = UserFactory(email="shopper@example.com")
    client.force_login(customer)

    for url in (ORDERS, order_url(order), CUSTOMERS, INBOX):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(ADMIN_LOGIN)


def test_anonymous_visitor_is_sent_to_the_admin_login(client, order):
    response = client.get(order_url(order))

    assert response.status_code == 302 and response["Location"].startswith(ADMIN_LOGIN)


# --- Customers ----------------------------------------------------------------------


def test_customer_list_counts_orders_and_shows_the_portal_link(client, agent, order):
    linked = UserFactory(email="ada@example.com")
    ada = CustomerFactory(
        email="ada@example.com", first_name="Ada", last_name="Lovelace", user=linked
    )
    ada.shipping_notifications = False
    ada.save()
    OrderFactory.create_batch(3, customer=ada)
    client.force_login(agent)

    response = client.get(CUSTOMERS)

    assert response.status_code == 200
    rows = {c.email: c for c in response.context["object_list"]}
    assert rows["ada@example.com"].order_count == 3
    assert rows["grace@example.com"].order_count == 1
    html = response.content.decode()
    assert "Ada Lovelace" in html and "Grace Hopper" in html
    table = response.context["table"]
    cells = {
        column.name: column.get_value(rows["ada@example.com"]) for column in table.columns.values()
    }
    assert cells["user"] == "Yes" and cells["shipping_notifications"] == "Off"
    grace = {
        column.name: column.get_value(rows["grace@example.com"])
        for column in table.columns.values()
    }
    assert grace["user"] == "No" and grace["shipping_notifications"] == "On"


@pytest.mark.parametrize("query", ["grace", "hopper", "grace hop", "GRACE@EXAMPLE"])
def test_customer_search_by_email_and_name(client, agent, order, query):
    CustomerFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    client.force_login(agent)

    response = client.get(CUSTOMERS, {"q": query})

    assert [c.email for c in response.context["object_list"]] == ["grace@example.com"]


def test_customer_inspect_lists_their_orders_with_links(client, marketer, order):
    other = OrderFactory(number="#1002", customer=order.customer)
    client.force_login(marketer)

    response = client.get(reverse("orders_customer:inspect", args=[order.customer_id]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "2 orders" in html
    assert order_url(order) in html and order_url(other) in html


# --- Webhook inbox ------------------------------------------------------------------


def test_inbox_lists_deliveries_and_offers_replay_for_failed_or_waiting_ones(client, agent):
    failed = failed_delivery()
    waiting = failed_delivery(
        delivery_id="delivery-2002", status=WebhookDelivery.Status.WAITING, error=""
    )
    processed = failed_delivery(
        delivery_id="delivery-2003", status=WebhookDelivery.Status.PROCESSED, error=""
    )
    client.force_login(agent)

    response = client.get(INBOX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "delivery-2001" in html and "data.currency" in html and "Failed" in html
    assert replay_url(failed) in html and replay_url(waiting) in html
    assert replay_url(processed) not in html


def test_inbox_filters_and_search(client, superuser):
    failed_delivery()
    failed_delivery(
        delivery_id="shop-1",
        connector=Connector.SHOPIFY,
        topic="orders/paid",
        status=WebhookDelivery.Status.PROCESSED,
    )
    client.force_login(superuser)

    def listed(**params):
        response = client.get(reverse("orders_webhookdelivery:index_results"), params)
        return {d.delivery_id for d in response.context["object_list"]}

    assert listed(status="failed") == {"delivery-2001"}
    assert listed(connector="shopify") == {"shop-1"}
    assert listed(q="orders/paid") == {"shop-1"}
    assert listed(q="delivery-20") == {"delivery-2001"}
    today = timezone.localdate().strftime("%Y-%m-%d")
    assert listed(received_at_from=today) == {"delivery-2001", "shop-1"}
    assert listed(received_at_to="2000-01-01") == set()


def test_delivery_inspect_shows_headers_pretty_body_and_error(client, agent):
    delivery = failed_delivery()
    client.force_login(agent)

    response = client.get(reverse("orders_webhookdelivery:inspect", args=[delivery.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "X-Portico-Delivery-Id" in html
    assert "must be a known currency" in html and "data.currency" in html
    assert "<pre" in html and "  &quot;type&quot;: &quot;order&quot;" in html  # indented JSON
    assert f'action="{replay_url(delivery)}"' in html and "csrfmiddlewaretoken" in html


def test_delivery_inspect_shows_a_body_that_is_not_json_as_received(client, superuser):
    delivery = failed_delivery(body=b"<xml>not json</xml>")
    client.force_login(superuser)

    html = client.get(reverse("orders_webhookdelivery:inspect", args=[delivery.pk])).content
    assert b"&lt;xml&gt;not json&lt;/xml&gt;" in html and b"Not valid JSON" in html


def test_support_agent_replays_a_failed_delivery(client, agent, django_capture_on_commit_callbacks):
    delivery = failed_delivery()
    client.force_login(agent)
    inspect = reverse("orders_webhookdelivery:inspect", args=[delivery.pk])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(replay_url(delivery))

    assert len(callbacks) >= 1
    assert response.status_code == 302 and response["Location"] == inspect
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PROCESSED
    assert delivery.attempts == 2 and delivery.error == "" and delivery.error_field == ""
    assert Order.objects.filter(number="A-2001").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Replay queued" in page


def test_replay_goes_back_to_the_page_it_was_asked_from(
    client, agent, django_capture_on_commit_callbacks
):
    delivery = failed_delivery()
    client.force_login(agent)
    back = f"{INBOX}?status=failed"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(replay_url(delivery), {"next": back})

    assert response["Location"] == back
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PROCESSED


def test_get_on_the_replay_url_does_not_replay(client, agent, django_capture_on_commit_callbacks):
    delivery = failed_delivery()
    client.force_login(agent)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(replay_url(delivery))

    assert response.status_code == 405
    assert callbacks == []
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 1


def test_replay_needs_the_replay_permission_on_deliveries(
    client, marketer, superuser, django_capture_on_commit_callbacks
):
    delivery = failed_delivery()
    viewer = UserFactory(email="viewer@example.com")
    group = Group.objects.create(name="Inbox readers")
    group.permissions.set(
        Group.objects.get(name=SUPPORT_AGENTS).permissions.exclude(
            codename="replay_webhookdelivery"
        )
    )
    viewer.groups.add(group)

    for user in (marketer, viewer):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(replay_url(delivery))
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
        assert callbacks == []
    # The reader sees the delivery but no replay button.
    client.force_login(viewer)
    html = client.get(reverse("orders_webhookdelivery:inspect", args=[delivery.pk])).content
    assert replay_url(delivery).encode() not in html
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED


def test_replay_without_csrf_token_is_refused(agent, django_capture_on_commit_callbacks):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(agent)
    delivery = failed_delivery()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = strict.post(replay_url(delivery))

    assert response.status_code == 403 and callbacks == []
