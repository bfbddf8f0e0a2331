"""Each public page on a phone: renders, is axe-core clean, loads nothing from other hosts."""

import re
from urllib.parse import urlparse

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PUBLIC_PAGES = [
    ("home", "/"),
    ("home-tr", "/tr/"),
    ("login", "/accounts/login/"),
    ("login-tr", "/tr/accounts/login/"),
    ("signup", "/accounts/signup/"),
    ("password-reset", "/accounts/password/reset/"),
    ("login-code", "/accounts/login/code/"),
    ("not-found", "/no-such-page/"),
]


@pytest.mark.parametrize(("name", "path"), PUBLIC_PAGES)
def test_public_page_is_accessible_and_self_hosted(phone, live_server, axe, name, path):
    response = phone.goto(live_server.url + path)
    assert response.status == (404 if name == "not-found" else 200)
    # One h1 per page, and the document says which language it is in.
    assert phone.locator("h1").count() == 1
    expected_lang = "tr" if path.startswith("/tr/") else "en"
    assert phone.locator("html").get_attribute("lang") == expected_lang
    axe(phone, name)
    own_host = urlparse(live_server.url).netloc
    foreign = [u for u in phone.requested_urls if urlparse(u).netloc not in (own_host, "")]
    assert not foreign, f"loaded from another host: {foreign}"
    # Stylesheets come from our own /static/ (WhiteNoise), never a CDN.
    css = [u for u in phone.requested_urls if u.endswith(".css")]
    assert css and all(re.search(r"/static/", u) for u in css)


def test_error_pages_are_branded(phone, live_server):
    phone.goto(live_server.url + "/no-such-page/")
    assert phone.get_by_role("heading", name="We couldn't find that page").is_visible()
    assert phone.get_by_role("link", name="Go to the home page").is_visible()


def test_home_page_quick_links_lead_to_their_pages(phone, live_server):
    phone.goto(live_server.url + "/")
    tiles = phone.locator(".tile")
    assert tiles.count() == 4
    assert phone.get_by_text("Coming soon").count() == 0
    for name, path in (("Track an order", "**/track/"), ("Start a return", "**/returns/")):
        phone.goto(live_server.url + "/")
        phone.get_by_role("link", name=name).click()
        phone.wait_for_url(path)
        assert phone.get_by_role("heading", level=1).count() == 1


@pytest.mark.parametrize(("name", "path"), [("about", "/about/"), ("about-tr", "/tr/hakkimizda/")])
def test_content_pages_are_accessible(phone, live_server, axe, name, path):
    from portal.demo import seed_pages

    seed_pages()
    response = phone.goto(live_server.url + path)
    assert response.status == 200
    assert phone.locator("h1").count() == 1
    axe(phone, name)


def test_the_shipment_email_opt_out_page_is_accessible(phone, live_server, axe):
    from orders.services.notifications import unsubscribe_token
    from tests.orders.factories import CustomerFactory

    customer = CustomerFactory(email="optout@example.com")
    response = phone.goto(live_server.url + f"/track/emails-off/{unsubscribe_token(customer.pk)}/")
    assert response.status == 200
    axe(phone, "emails-off")
    phone.get_by_role("button", name="Turn off delivery emails").click()
    phone.get_by_role("status").wait_for()
    customer.refresh_from_db()
    assert customer.shipping_notifications is False
