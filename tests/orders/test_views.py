"""The customer's order pages: guest tracking, "my orders", and who may see what."""

import re
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import signing
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders import access, views
from orders.models import Customer, Order, ShipmentStatus
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

TRACK = "/track/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
INPUT_VALUE = re.compile(r'(<input[^>]*?) value="[^"]*"')


@pytest.fixture(autouse=True)
def _empty_cache():
    """The rate limits live in the cache; each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def order(db):
    order = OrderFactory(
        number="#1001", customer=CustomerFactory(email="grace@example.com"), currency="USD"
    )
    line = OrderLineFactory(order=order, title="Linen shirt", sku="LS-1", quantity=2)
    shipment = ShipmentFactory(order=order, tracking_number="1Z999AA10123456784")
    ShipmentLineFactory(shipment=shipment, line=line)
    TrackingEventFactory(
        shipment=shipment,
        status=ShipmentStatus.IN_TRANSIT,
        message="Arrived at facility",
        occurred_at=timezone.now() - timedelta(hours=2),
    )
    return order


def track(client, number, email, ip="203.0.113.7"):
    return client.post(TRACK, {"order_number": number, "email": email}, REMOTE_ADDR=ip)


def token_path(order) -> str:
    return reverse("orders:track_order", kwargs={"token": access.grant_token(order.pk)})


def _comparable(html: str) -> str:
    """The page without what legitimately differs per request: CSRF token, typed values."""
    return INPUT_VALUE.sub(r"\1", CSRF.sub("", html))


def _big_order(**kwargs):
    """20 lines, 5 shipments of 4 lines each, 50 tracking events, 2 refunds."""
    order = OrderFactory(**kwargs)
    lines = OrderLineFactory.create_batch(20, order=order)
    for s in range(5):
        shipment = ShipmentFactory(order=order)
        for line in lines[s * 4 : s * 4 + 4]:
            ShipmentLineFactory(shipment=shipment, line=line)
        for e in range(10):
            TrackingEventFactory(
                shipment=shipment, occurred_at=timezone.now() - timedelta(hours=e + 1)
            )
    RefundFactory.create_batch(2, order=order)
    return order


def _small_order(**kwargs):
    """1 line, 1 shipment, 1 tracking event."""
    order = OrderFactory(**kwargs)
    line = OrderLineFactory(order=order)
    shipment = ShipmentFactory(order=order)
    ShipmentLineFactory(shipment=shipment, line=line)
    TrackingEventFactory(shipment=shipment)
    return order


def _count_queries(client, path) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


# --- Guest lookup -------------------------------------------------------------------------


def test_the_lookup_form_asks_for_number_and_email(client):
    response = client.get(TRACK)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="order_number"' in html
    assert 'name="email"' in html
    assert "Track an order" in html


def test_the_lookup_form_exists_in_turkish(client):
    response = client.get("/tr/track/")
    assert response.status_code == 200
    assert '<html lang="tr"' in response.content.decode()


@pytest.mark.parametrize("typed", ["#1001", "1001", " 1001 ", " #1001"])
def test_guest_finds_the_order_by_number_as_printed_and_email_in_any_case(client, order, typed):
    response = track(client, typed, "GRACE@Example.COM")
    assert response.status_code == 302
    assert response["Location"].startswith("/track/o/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Order #1001" in page.content.decode()


def test_letters_in_an_order_number_match_in_any_case(client):
    OrderFactory(number="WEB-77", email="lin@example.com")
    response = track(client, "web77", "lin@example.com")
    assert response.status_code == 302


def test_the_lookup_stays_in_the_customers_language(client, order):
    response = client.post("/tr/track/", {"order_number": "1001", "email": "grace@example.com"})
    assert response.status_code == 302
    assert response["Location"].startswith("/tr/track/o/")


def test_wrong_email_and_unknown_number_get_the_same_answer(client, order):
    wrong_email = track(client, "#1001", "someone@example.com")
    unknown_number = track(client, "#9999", "grace@example.com")
    assert wrong_email.status_code == unknown_number.status_code == 200
    assert "We couldn't find that order" in wrong_email.content.decode()
    assert _comparable(wrong_email.content.decode()) == _comparable(unknown_number.content.decode())


def test_an_invalid_form_says_what_is_wrong_without_looking_anything_up(client, order):
    response = track(client, "###", "not-an-email")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter the order number from your order confirmation" in html
    assert "Enter a valid email address" in html
    assert "We couldn't find that order" not in html
    assert 'aria-invalid="true"' in html


def test_failed_lookups_are_limited_per_client(client, order):
    for n in range(views.TRACK_MAX_FAILURES_PER_CLIENT):
        assert track(client, f"#{5000 + n}", "grace@example.com").status_code == 200
    # Even the right answer is refused now, so guessing cannot go on.
    limited = track(client, "#1001", "grace@example.com")
    assert limited.status_code == 429
    assert "Too many attempts" in limited.content.decode()
    assert limited["Retry-After"] == str(views.TRACK_WINDOW_SECONDS)
    # Another client is not affected.
    assert track(client, "#1001", "grace@example.com", ip="198.51.100.9").status_code == 302


def test_failed_lookups_are_limited_per_order_number(client, order):
    for n in range(views.TRACK_MAX_FAILURES_PER_ORDER_NUMBER):
        response = track(client, "1001", "guess@example.com", ip=f"198.51.100.{n}")
        assert response.status_code == 200
    # From a fresh address, in another spelling of the same number: still limited.
    limited = track(client, "#1001", "grace@example.com", ip="192.0.2.50")
    assert limited.status_code == 429
    assert "Too many attempts" in limited.content.decode()
    # Other orders can still be looked up.
    OrderFactory(number="#1002", email="lin@example.com")
    assert track(client, "#1002", "lin@example.com", ip="192.0.2.51").status_code == 302


def test_successful_lookups_are_not_counted(client, order):
    for _ in range(views.TRACK_MAX_FAILURES_PER_ORDER_NUMBER + 1):
        assert track(client, "#1001", "grace@example.com").status_code == 302


def test_the_limit_window_ends(client, order):
    for n in range(views.TRACK_MAX_FAILURES_PER_CLIENT):
        track(client, f"#{5000 + n}", "grace@example.com")
    assert track(client, "#1001", "grace@example.com").status_code == 429
    cache.clear()  # what the cache's timeout does after TRACK_WINDOW_SECONDS
    assert track(client, "#1001", "grace@example.com").status_code == 302


def test_the_client_address_comes_from_trusted_proxies_only(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    assert views.client_ip(request) == "10.0.0.2"
    settings.PORTICO_TRUSTED_PROXY_COUNT = 1
    assert views.client_ip(request) == "203.0.113.7"


# --- The signed grant ---------------------------------------------------------------------


def test_the_grant_carries_only_the_order_key(order):
    token = access.grant_token(order.pk)
    assert signing.loads(token, salt="orders.track") == {"o": order.pk}
    assert "grace" not in token and "1001" not in token.split(":")[0]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: signing.dumps({"o": 1}, salt="another.salt"),
        lambda t: signing.dumps(1, salt="orders.track"),
        lambda t: signing.dumps({"o": "x"}, salt="orders.track"),
        lambda t: "nonsense",
        lambda t: "a:b:c",
        lambda t: "::",
        lambda t: "%C3%BC:%C3%BC",
    ],
)
def test_a_tampered_tracking_link_answers_404(client, order, mangle):
    response = client.get(f"/track/o/{mangle(access.grant_token(order.pk))}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This tracking link doesn't work" in html
    assert "#1001" not in html
    assert 'href="/track/"' in html


def test_a_grant_cannot_be_pointed_at_another_order(client, order):
    other = OrderFactory(number="#2002")
    token = access.grant_token(order.pk)
    _payload, rest = token.split(":", 1)
    other_payload = access.grant_token(other.pk).split(":", 1)[0]
    assert client.get(f"/track/o/{other_payload}:{rest}/").status_code == 404
    page = client.get(f"/track/o/{token}/").content.decode()
    assert "#1001" in page and "#2002" not in page


def test_an_expired_tracking_link_answers_410(client, order, monkeypatch):
    past = int(time.time()) - 86400 - 60
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(past))
    token = access.grant_token(order.pk)
    monkeypatch.undo()
    response = client.get(f"/track/o/{token}/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "This tracking link has expired" in html
    assert "look your order up again" in html.lower()
    assert "#1001" not in html


def test_the_grant_lifetime_comes_from_settings(client, order, settings, monkeypatch):
    settings.ORDERS_TRACK_GRANT_SECONDS = 60
    two_minutes_ago = int(time.time()) - 120
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(two_minutes_ago)
    )
    token = access.grant_token(order.pk)
    monkeypatch.undo()
    assert client.get(f"/track/o/{token}/").status_code == 410
    settings.ORDERS_TRACK_GRANT_SECONDS = 600
    assert client.get(f"/track/o/{token}/").status_code == 200


def test_a_link_to_an_order_that_is_gone_answers_404(client, order):
    path = token_path(order)
    Order.objects.filter(pk=order.pk).delete()
    assert client.get(path).status_code == 404


def test_the_order_page_is_not_cached_or_indexed(client, order):
    response = client.get(token_path(order))
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


# --- What the order page shows ------------------------------------------------------------


def test_the_order_page_shows_lines_shipments_timeline_and_totals(client):
    order = OrderFactory(
        number="#3003",
        subtotal="60.00",
        discount_total="5.00",
        discount_codes=["WELCOME5"],
        shipping_total="4.00",
        tax_total="6.00",
    )
    shirt = OrderLineFactory(
        order=order, title="Linen shirt", variant_title="Sand / L", sku="LS-L", quantity=2
    )
    OrderLineFactory(order=order, title="Removed scarf", removed=True)
    shipment = ShipmentFactory(
        order=order,
        carrier="ups",
        carrier_name="UPS",
        tracking_number="1Z999AA10123456784",
        tracking_url="https://www.ups.com/track?tracknum=1Z999AA10123456784",
        status=ShipmentStatus.OUT_FOR_DELIVERY,
    )
    ShipmentLineFactory(shipment=shipment, line=shirt, quantity=2)
    now = timezone.now()
    TrackingEventFactory(
        shipment=shipment, status="in_transit", message="Departed", occurred_at=now - timedelta(1)
    )
    TrackingEventFactory(
        shipment=shipment,
        status="out_for_delivery",
        message="On the van",
        location="Springfield",
        occurred_at=now - timedelta(hours=1),
    )
    RefundFactory(order=order, amount="7.50", reason="Damaged button")

    html = client.get(token_path(order)).content.decode()
    for text in (
        "Order #3003",
        "Linen shirt",
        "Sand / L",
        "LS-L",
        "$65.00",  # the money filter, in the order's currency
        "WELCOME5",
        "Damaged button",
        "$7.50",
        "UPS",
        "1Z999AA10123456784",
        "Out for delivery",
        "Springfield",
        "2 × Linen shirt",
    ):
        assert text in html, text
    assert "Removed scarf" not in html
    # The carrier's page opens in a new tab without giving it this page (or its token).
    assert re.search(
        r'href="https://www\.ups\.com/track\?tracknum=1Z999AA10123456784"[^>]*'
        r'rel="noopener noreferrer"',
        html,
    )
    # Newest event first.
    assert html.index("On the van") < html.index("Departed")
    # Progress is said in words, not only colours.
    assert 'aria-current="step"' in html
    assert "(current step)" in html
    assert "(not yet)" in html


def test_the_order_page_uses_the_active_languages_formats(client, order):
    token = access.grant_token(order.pk)
    english = client.get(f"/track/o/{token}/").content.decode()
    turkish = client.get(f"/tr/track/o/{token}/").content.decode()
    assert '<html lang="tr"' in turkish
    month_en = order.placed_at.strftime("%B")[:3]
    assert month_en in english
    assert turkish != english


@pytest.mark.parametrize(
    ("status", "explanation"),
    [
        (ShipmentStatus.FAILED_ATTEMPT, "tried to deliver this parcel but could not"),
        (ShipmentStatus.EXCEPTION, "reported a problem with this parcel"),
        (ShipmentStatus.RETURNED_TO_SENDER, "sending this parcel back to us"),
    ],
)
def test_delivery_problems_are_explained_with_a_way_to_get_help(client, status, explanation):
    from wagtail.models import Site

    from portal.models import BrandingSettings

    branding = BrandingSettings.for_site(Site.objects.get(is_default_site=True))
    branding.support_email = "help@shop.example"
    branding.save()
    order = OrderFactory(number="#4004")
    ShipmentFactory(order=order, status=status)
    html = client.get(token_path(order)).content.decode()
    assert explanation in html
    assert 'href="mailto:help@shop.example"' in html
    assert "mention order #4004" in html
    assert "(current step, with a problem)" in html


def test_a_cancelled_order_says_so(client):
    order = OrderFactory(cancelled=True, number="#5005")
    html = client.get(token_path(order)).content.decode()
    assert "This order was cancelled" in html
    assert "Cancelled" in html


def test_an_order_not_shipped_yet_says_so(client):
    order = OrderFactory(number="#6006")
    OrderLineFactory(order=order)
    html = client.get(token_path(order)).content.decode()
    assert "Your order has not shipped yet" in html


# --- Signed-in customers ------------------------------------------------------------------


@pytest.fixture
def ada(user_factory):
    return user_factory(email="ada@example.com")


def test_the_order_list_needs_a_sign_in(client):
    response = client.get("/account/orders/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_account_page_links_to_the_orders_list(client, ada):
    client.force_login(ada)
    html = client.get(reverse("account_dashboard")).content.decode()
    assert f'href="{reverse("orders:list")}"' in html


def test_orders_matched_by_verified_email_are_listed_and_linked(client, ada):
    customer = CustomerFactory(email="ADA@example.com")
    mine = OrderFactory(number="#7001", customer=customer, email="ADA@Example.com")
    shipment = ShipmentFactory(order=mine, status=ShipmentStatus.OUT_FOR_DELIVERY)
    client.force_login(ada)
    html = client.get("/account/orders/").content.decode()
    assert "Order #7001" in html
    assert f'href="{reverse("orders:detail", args=["7001"])}"' in html
    assert "$113.00" in html  # the money filter, in the order's currency
    assert "Out for delivery" in html
    customer.refresh_from_db()
    assert customer.user == ada
    assert client.get("/account/orders/7001/").status_code == 200
    assert shipment.tracking_number in client.get("/account/orders/7001/").content.decode()


def test_orders_of_a_second_verified_email_are_listed_too(client, ada):
    EmailAddress.objects.create(user=ada, email="ada.work@example.com", verified=True)
    OrderFactory(number="#7101", customer=None, email="Ada.Work@example.com")
    client.force_login(ada)
    assert "Order #7101" in client.get("/account/orders/").content.decode()
    assert client.get("/account/orders/%237101/").status_code == 200


def test_an_unverified_email_grants_nothing(client, ada):
    EmailAddress.objects.create(user=ada, email="ada.old@example.com", verified=False)
    CustomerFactory(email="ada.old@example.com")
    OrderFactory(number="#7201", customer=None, email="ada.old@example.com")
    client.force_login(ada)
    assert "#7201" not in client.get("/account/orders/").content.decode()
    assert client.get("/account/orders/7201/").status_code == 404
    assert not Customer.objects.filter(user=ada).exists()


def test_a_customer_cannot_open_or_list_another_customers_order(client, ada, user_factory):
    lin = user_factory(email="lin@example.com")
    OrderFactory(number="#8001", customer=CustomerFactory(email="lin@example.com", user=lin))
    OrderFactory(number="#8002", customer=CustomerFactory(email="ada@example.com"))
    client.force_login(ada)
    listing = client.get("/account/orders/").content.decode()
    assert "#8002" in listing and "#8001" not in listing
    assert client.get("/account/orders/8001/").status_code == 404
    assert client.get("/account/orders/8002/").status_code == 200


def test_an_unknown_or_empty_number_is_404_for_a_customer(client, ada):
    client.force_login(ada)
    assert client.get("/account/orders/9999/").status_code == 404
    assert client.get("/account/orders/---/").status_code == 404


def test_the_order_list_is_paginated_20_a_page(client, ada):
    customer = CustomerFactory(email="ada@example.com", user=ada)
    OrderFactory.create_batch(25, customer=customer)
    client.force_login(ada)
    first = client.get("/account/orders/").content.decode()
    second = client.get("/account/orders/?page=2").content.decode()
    assert first.count('class="card order-card"') == 20
    assert second.count('class="card order-card"') == 5
    assert "Page 2 of 2" in second
    assert client.get("/account/orders/?page=nonsense").status_code == 200
    assert client.get("/account/orders/?page=99").status_code == 200


def test_an_order_number_without_letters_or_digits_does_not_break_the_list(client, ada):
    OrderFactory(number="—", customer=CustomerFactory(email="ada@example.com"))
    client.force_login(ada)
    response = client.get("/account/orders/")
    assert response.status_code == 200
    assert "Order —" in response.content.decode()


def test_a_customer_without_orders_is_told_how_to_find_them(client, ada):
    client.force_login(ada)
    html = client.get("/account/orders/").content.decode()
    assert "We haven't found any orders" in html


# --- A fixed number of queries ------------------------------------------------------------


def test_the_guest_order_page_costs_the_same_queries_whatever_its_size(
    client, django_assert_num_queries
):
    from django.core.cache import cache

    small, big = _small_order(), _big_order()
    client.get(token_path(small))  # warm per-process caches (content types, site)
    cache.clear()  # measure a rendering, not a cached page
    queries = _count_queries(client, token_path(small))
    cache.clear()  # the footer's menu too, as for the small order
    with django_assert_num_queries(queries):
        response = client.get(token_path(big))
    assert response.status_code == 200
    assert response.content.decode().count('class="timeline__event') == 50


def test_a_cached_guest_order_page_costs_one_query(client, django_assert_num_queries):
    order = _big_order()
    path = token_path(order)  # a grant carries its signing time: one link, one page
    client.get(path)
    with django_assert_num_queries(1):  # the order's version; the page comes from the cache
        response = client.get(path)
    assert response.content.decode().count('class="timeline__event') == 50


def test_the_customer_order_page_costs_the_same_queries_whatever_its_size(
    client, ada, django_assert_num_queries
):
    customer = CustomerFactory(email="ada@example.com", user=ada)
    small, big = _small_order(customer=customer), _big_order(customer=customer)
    client.force_login(ada)
    small_path = reverse("orders:detail", args=[small.lookup_number])
    client.get(small_path)
    from django.core.cache import cache

    cache.clear()  # measure a rendering, not a cached page (sessions reload alike)
    queries = _count_queries(client, small_path)
    cache.clear()
    with django_assert_num_queries(queries):
        response = client.get(reverse("orders:detail", args=[big.lookup_number]))
    assert response.status_code == 200


def test_the_order_list_costs_the_same_queries_whatever_its_length(
    client, ada, user_factory, django_assert_num_queries
):
    customer = CustomerFactory(email="ada@example.com", user=ada)
    _small_order(customer=customer)
    lin = user_factory(email="lin@example.com")
    lins = CustomerFactory(email="lin@example.com", user=lin)
    for _ in range(20):
        _small_order(customer=lins)
    client.force_login(ada)
    client.get("/account/orders/")  # warm per-process caches (content types, site)
    rendered = _count_queries(client, "/account/orders/?page=1")  # a URL not cached yet
    client.force_login(lin)
    client.get("/account/orders/")
    with django_assert_num_queries(rendered):
        response = client.get("/account/orders/?page=1")
    assert response.content.decode().count('class="card order-card"') == 20


@pytest.mark.parametrize("linked", [True, False])
def test_a_cached_order_list_costs_one_query(client, ada, django_assert_num_queries, linked):
    # Without a customer record of their own (orders found by email only), the list tries
    # to link one when it is rendered, never when it comes from the cache.
    customer = CustomerFactory(email="ada@example.com", user=ada) if linked else None
    for _ in range(25):
        _small_order(customer=customer, email="ada@example.com")
    client.force_login(ada)
    client.get("/account/orders/")
    # The list's version; the user (portal/auth_backends.py) and the page are cached.
    with django_assert_num_queries(1):
        response = client.get("/account/orders/")
    assert response.content.decode().count('class="card order-card"') == 20


def test_a_cached_customer_order_page_costs_one_query(client, ada, django_assert_num_queries):
    order = _big_order(customer=CustomerFactory(email="ada@example.com", user=ada))
    path = reverse("orders:detail", args=[order.lookup_number])
    client.force_login(ada)
    client.get(path)
    # The order's key and version; the user and the page are cached.
    with django_assert_num_queries(1):
        response = client.get(path)
    assert response.content.decode().count('class="timeline__event') == 50


def test_confirming_an_email_links_the_orders_placed_with_it(
    client, django_capture_on_commit_callbacks
):
    import re as _re

    from django.core import mail as _mail

    from orders.models import Customer
    from tests.orders.factories import OrderFactory

    order = OrderFactory(email="late@example.com", customer__email="late@example.com")
    password = "a-long-Unusual-passphrase-42"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {"email": "late@example.com", "password1": password, "password2": password},
        )
    link = _re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", _mail.outbox[-1].body)
    client.post(link.group(1))
    customer = Customer.objects.get(pk=order.customer_id)
    assert customer.user is not None
    assert customer.user.email == "late@example.com"


def test_the_order_page_is_cached_per_version_and_shows_a_new_shipment_status_at_once(
    client, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from orders import access, services
    from orders.connectors.base import CustomerData, LineData, OrderData, ShipmentData

    now = timezone.now()
    data = OrderData(
        external_id="CACHE-1",
        number="#7001",
        email="cache@example.com",
        currency="EUR",
        total=10,
        placed_at=now - timedelta(days=2),
        customer=CustomerData(email="cache@example.com"),
        lines=[LineData(external_id="L1", title="Cup", quantity=1, unit_price=10)],
    )
    order = services.order_upsert(connector="portico", data=data).order
    shipment = ShipmentData(
        order_external_id="CACHE-1",
        external_id="S1",
        status="in_transit",
        carrier="UPS",
        tracking_number="1Z1",
        updated_at=now - timedelta(days=1),
    )
    services.shipment_upsert(connector="portico", data=shipment)
    path = access.order_tracking_path(order)
    first = client.get(path).content.decode()
    assert "In transit" in first
    assert client.get(path).content.decode() == first  # served from the cache

    shipment.status, shipment.updated_at = "delivered", now
    services.shipment_upsert(connector="portico", data=shipment)
    assert "Delivered" in client.get(path).content.decode()
    # The Turkish page is its own entry.
    assert "Teslim edildi" in client.get("/tr" + path).content.decode()


# --- What the page cache must never do ------------------------------------------------------


def test_a_cached_order_list_is_only_ever_shown_to_its_own_customer(client, ada, user_factory):
    OrderFactory(number="#9101", customer=CustomerFactory(email="ada@example.com", user=ada))
    lin = user_factory(email="lin@example.com")
    OrderFactory(number="#9102", customer=CustomerFactory(email="lin@example.com", user=lin))
    client.force_login(ada)
    assert "#9101" in client.get("/account/orders/").content.decode()
    client.force_login(lin)
    listing = client.get("/account/orders/").content.decode()
    assert "#9102" in listing and "#9101" not in listing


def test_a_cached_order_page_still_answers_404_to_someone_else(client, ada, user_factory):
    lin = user_factory(email="lin@example.com")
    OrderFactory(number="#9201", customer=CustomerFactory(email="lin@example.com", user=lin))
    client.force_login(lin)
    assert client.get("/account/orders/9201/").status_code == 200
    client.force_login(ada)
    assert client.get("/account/orders/9201/").status_code == 404


def test_orders_of_two_platforms_with_one_number_get_their_own_pages(client, ada, user_factory):
    lin = user_factory(email="lin@example.com")
    OrderFactory(
        number="#9301",
        connector="shopify",
        customer=CustomerFactory(email="ada@example.com", user=ada),
        total="11.00",
    )
    OrderFactory(
        number="#9301",
        connector="woocommerce",
        customer=CustomerFactory(email="lin@example.com", user=lin),
        total="99.00",
    )
    client.force_login(ada)
    assert "$11.00" in client.get("/account/orders/9301/").content.decode()
    client.force_login(lin)
    page = client.get("/account/orders/9301/").content.decode()
    assert "$99.00" in page and "$11.00" not in page


def test_the_cached_order_list_shows_a_new_order_and_a_new_status_at_once(client, ada):
    customer = CustomerFactory(email="ada@example.com", user=ada)
    order = OrderFactory(number="#9401", customer=customer)
    shipment = ShipmentFactory(order=order, status=ShipmentStatus.IN_TRANSIT)
    client.force_login(ada)
    assert "In transit" in client.get("/account/orders/").content.decode()
    OrderFactory(number="#9402", customer=customer)
    assert "#9402" in client.get("/account/orders/").content.decode()
    shipment.status = ShipmentStatus.DELIVERED
    shipment.save()
    order.save()  # what the services do on every shipment change: a new order version
    assert "Delivered" in client.get("/account/orders/").content.decode()


def test_the_cached_order_list_drops_an_order_whose_email_is_no_longer_verified(client, ada):
    EmailAddress.objects.create(user=ada, email="ada.work@example.com", verified=True)
    OrderFactory(number="#9501", customer=None, email="ada.work@example.com")
    client.force_login(ada)
    assert "#9501" in client.get("/account/orders/").content.decode()
    EmailAddress.objects.filter(email="ada.work@example.com").update(verified=False)
    assert "#9501" not in client.get("/account/orders/").content.decode()
    assert client.get("/account/orders/9501/").status_code == 404


def test_each_language_has_its_own_cached_order_list(client, ada):
    OrderFactory(number="#9601", customer=CustomerFactory(email="ada@example.com", user=ada))
    client.force_login(ada)
    english = client.get("/account/orders/").content.decode()
    turkish = client.get("/tr/account/orders/").content.decode()
    assert '<html lang="en"' in english
    assert '<html lang="tr"' in turkish


def test_a_cached_page_links_to_the_address_that_was_asked_for(client, order):
    path = token_path(order)
    client.get(path + "?utm_source=email")
    html = client.get(path).content.decode()
    assert "utm_source" not in html
    assert f'href="/tr{path}"' in html


def test_a_page_with_a_message_waiting_shows_it_once_and_is_not_cached(client, ada):
    from django.contrib.messages import INFO
    from django.contrib.messages.storage.cookie import CookieStorage

    OrderFactory(number="#9701", customer=CustomerFactory(email="ada@example.com", user=ada))
    client.force_login(ada)
    storage = CookieStorage(RequestFactory().get("/"))
    response = HttpResponse()
    storage.add(INFO, "Your email address is confirmed.")
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    for path in ("/account/orders/", "/account/orders/9701/"):
        assert "Your email address is confirmed." in client.get(path).content.decode()
        client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    client.cookies.pop(storage.cookie_name)
    for path in ("/account/orders/", "/account/orders/9701/"):
        assert "Your email address is confirmed." not in client.get(path).content.decode()
