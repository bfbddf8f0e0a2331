"""A store's own page, on another origin, embeds the balance script: the member's points and
tier appear with a link to /rewards/, in the page's language, axe-core clean; a bad token
leaves the store's fallback link and the page unharmed."""

import functools
import json
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

SECRET = "store-signing-secret"

PAGE = """<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>Lamp shop</title></head>
<body>
<header><p>Lamp shop</p>
  <div data-portico-balance><a href="{portal}/rewards/">Rewards</a></div>
</header>
<main><h1>Lamps</h1><p id="after">The page still works.</p></main>
<script src="{portal}/embed/loyalty.js" {auth} async></script>
<script>document.getElementById("after").dataset.ran = "yes";</script>
</body>
</html>
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def shop(tmp_path):
    """The store's web server: another origin (host and port) than the portal's."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.folder = tmp_path
    server.origin = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def embed_settings(settings, shop, live_server):
    settings.SITE_URL = live_server.url
    settings.LOYALTY_TOKEN_SECRET = SECRET
    settings.LOYALTY_EMBED_ORIGINS = [shop.origin]


def _member():
    from loyalty import services
    from loyalty.models import Account, EarningRule, Tier
    from tests.portal.factories import UserFactory

    EarningRule.objects.create(name="Welcome", kind=EarningRule.Kind.SIGNUP, points=50)
    gold = Tier.objects.create(name="Gold", threshold=10)
    account = services.member_join(user=UserFactory(email="grace@example.com"))
    services.points_adjust(account_id=account.pk, points=1200, staff=None, reason="x", key="k")
    Account.objects.filter(pk=account.pk).update(tier=gold)


def _token():
    from loyalty.tokens import customer_token_mint

    return customer_token_mint(email="grace@example.com", secret=SECRET, lifetime=300)


def _write(shop, name, *, lang="en", auth, portal):
    (shop.folder / name).write_text(PAGE.format(lang=lang, auth=auth, portal=portal))
    return f"{shop.origin}/{name}"


def test_a_stores_page_shows_the_members_balance(phone, live_server, shop, embed_settings, axe):
    _member()
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    page_url = _write(shop, "index.html", auth=f'data-token="{_token()}"', portal=live_server.url)

    phone.goto(page_url)
    balance = phone.locator("[data-portico-balance]")
    link = balance.get_by_role("link", name="See your rewards")
    link.wait_for()
    assert balance.get_attribute("aria-live") == "polite"
    assert re.search(r"1,250 points\s+Gold tier\s+See your rewards", balance.inner_text())
    assert link.get_attribute("href") == live_server.url + "/rewards/"
    assert phone.locator("#after").get_attribute("data-ran") == "yes"
    assert not errors
    # A real cross-origin call: the page's origin is not the portal's.
    portal_host = urlparse(live_server.url).netloc
    assert urlparse(page_url).netloc != portal_host
    assert any(
        urlparse(u).netloc == portal_host and u.split("?")[0].endswith("/api/loyalty/me")
        for u in phone.requested_urls
    )
    axe(phone, "embed-balance")


def test_a_turkish_page_fetching_a_fresh_token_links_to_the_turkish_rewards(
    phone, live_server, shop, embed_settings, axe
):
    _member()
    (shop.folder / "token.json").write_text(json.dumps({"token": _token()}))
    page_url = _write(
        shop, "tr.html", lang="tr", auth='data-token-url="/token.json"', portal=live_server.url
    )

    phone.goto(page_url)
    link = phone.locator("[data-portico-balance] a.portico-balance-link")
    link.wait_for()
    assert link.get_attribute("href") == live_server.url + "/tr/rewards/"
    assert phone.locator(".portico-balance-points").inner_text().startswith("1.250")
    axe(phone, "embed-balance-tr")


def test_a_bad_token_leaves_the_stores_fallback_link(phone, live_server, shop, embed_settings):
    _member()
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    page_url = _write(shop, "bad.html", auth='data-token="nonsense"', portal=live_server.url)

    with phone.expect_response(lambda r: "/api/loyalty/me" in r.url and r.status == 400):
        phone.goto(page_url)
    balance = phone.locator("[data-portico-balance]")
    assert balance.get_by_role("link", name="Rewards").get_attribute("href") == (
        live_server.url + "/rewards/"
    )
    assert balance.locator(".portico-balance-points").count() == 0
    assert phone.locator("#after").get_attribute("data-ran") == "yes"
    assert not errors


def test_an_origin_not_allowed_cannot_read_the_balance(
    phone, live_server, shop, embed_settings, settings
):
    _member()
    settings.LOYALTY_EMBED_ORIGINS = ["https://elsewhere.example"]
    page_url = _write(shop, "other.html", auth=f'data-token="{_token()}"', portal=live_server.url)

    # The browser's preflight finds no permission for this origin: no answer is read.
    phone.goto(page_url, wait_until="networkidle")
    assert phone.locator(".portico-balance-points").count() == 0
    assert phone.locator("[data-portico-balance]").get_by_role("link", name="Rewards").count() == 1
