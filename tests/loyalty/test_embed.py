"""The store-signed customer token, CORS for the store's pages, and the embed script's
stable address."""

import base64
import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest

from loyalty import services, tokens
from loyalty.models import Account, Tier

pytestmark = pytest.mark.django_db

URL = "/api/loyalty/me"
SECRET = "store-signing-secret"
SHOP = "https://shop.example"


@pytest.fixture(autouse=True)
def _embed_settings(settings):
    settings.LOYALTY_TOKEN_SECRET = SECRET
    settings.LOYALTY_EMBED_ORIGINS = [SHOP, "https://www.shop.example/"]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(payload, *, secret=SECRET, header=None) -> str:
    """What a store's server does, exactly as docs/loyalty.md tells it to."""
    header = header or {"alg": "HS256", "typ": "JWT"}
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(payload).encode())
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)


def claims(email="mira@example.com", *, iat=0, exp=600):
    now = int(time.time())
    return {"email": email, "iat": now + iat, "exp": now + exp}


def tamper(token: str) -> str:
    """The token with the first character of its signature changed."""
    head, signature = token.rsplit(".", 1)
    return head + "." + ("B" if signature[0] == "A" else "A") + signature[1:]


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def mira(program, user_factory):
    silver = Tier.objects.create(name="Silver", threshold=10, multiplier=Decimal("1.25"))
    Tier.objects.create(name="Gold", threshold=5000)
    user = user_factory(email="mira@example.com")
    account = services.member_join(user=user)
    services.points_adjust(account_id=account.pk, points=1250, staff=None, reason="x", key="k")
    # Staff adjustments do not qualify for tiers: Silver is given, as a tier review would.
    Account.objects.filter(pk=account.pk).update(tier=silver)
    return user


def test_a_valid_token_answers_for_the_member_of_its_email(client, mira):
    response = client.get(URL, **bearer(mint(claims())))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    data = response.json()
    assert data["member"] is True
    assert data["points"]["available"] == 1250
    assert data["tier"]["name"] == "Silver"
    assert data["rewards_url"].endswith("/rewards/")
    assert data["text"] == {
        "balance": "1,250 points",
        "tier": "Silver tier",
        "link": "See your rewards",
    }


def test_the_token_email_is_matched_whatever_its_case(client, mira):
    data = client.get(URL, **bearer(mint(claims(" Mira@Example.COM ")))).json()
    assert data["member"] is True and data["points"]["available"] == 1250


def test_a_token_signs_no_one_in(client, mira):
    client.get(URL, **bearer(mint(claims())))
    assert "_auth_user_id" not in client.session


def test_the_token_wins_over_the_session(client, mira, user_factory):
    client.force_login(user_factory(email="lin@example.com"))
    assert client.get(URL, **bearer(mint(claims()))).json()["member"] is True
    assert client.get(URL).json()["member"] is False


def test_an_email_without_an_account_is_invited_to_join(client, program):
    response = client.get(URL, **bearer(mint(claims("nobody@example.com"))))
    assert response.status_code == 200
    data = response.json()
    assert data["member"] is False and "points" not in data
    assert data["rewards_url"].endswith("/rewards/")
    assert data["text"] == {"balance": None, "tier": None, "link": "Join Rewards"}


def test_while_the_program_is_off_there_is_nothing_to_show(client, mira, program):
    program.enabled = False
    program.save()
    data = client.get(URL, **bearer(mint(claims()))).json()
    assert data["member"] is False and data["text"] is None


def test_guest_points_waiting_for_an_email_are_shown_as_for_a_signed_in_non_member(
    client, store, spend_rule
):
    store.order(email="guest@example.com")
    data = client.get(URL, **bearer(mint(claims("guest@example.com")))).json()
    assert data["member"] is False
    assert data["points"]["pending"] == 100
    assert data["text"]["link"] == "Join Rewards"


def test_a_verified_second_address_finds_the_members_account(client, mira):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=mira, email="mira@work.example", verified=True)
    data = client.get(URL, **bearer(mint(claims("mira@work.example")))).json()
    assert data["member"] is True and data["points"]["available"] == 1250


def test_an_unverified_second_address_finds_nothing(client, mira):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=mira, email="mira@work.example", verified=False)
    assert client.get(URL, **bearer(mint(claims("mira@work.example")))).json()["member"] is False


def test_the_text_follows_the_language_asked_for(client, mira):
    data = client.get(URL + "?lang=tr", **bearer(mint(claims()))).json()
    assert "/tr/rewards/" in data["rewards_url"]
    # An unknown language falls back to the request's.
    data = client.get(URL + "?lang=xx", **bearer(mint(claims()))).json()
    assert "/tr/" not in data["rewards_url"]


@pytest.mark.parametrize(
    ("token", "status", "field", "error"),
    [
        (lambda: mint(claims(iat=-7200, exp=-3600)), 401, "exp", "the token has expired"),
        (lambda: mint(claims(exp=2 * 86400)), 401, "exp", "the token must expire within a day"),
        (
            lambda: mint(claims(iat=-86400, exp=86400)),
            401,
            "exp",
            "the token must expire within a day",
        ),
        (lambda: mint(claims(iat=3600, exp=7200)), 401, "iat", "the token is issued in the future"),
        (
            lambda: mint(claims(), secret="someone-else"),
            401,
            "token",
            "the token's signature does not match",
        ),
        (lambda: tamper(mint(claims())), 401, "token", "the token's signature does not match"),
        (
            lambda: "not-a-token",
            400,
            "token",
            "the token must be three base64url parts joined by dots",
        ),
        (lambda: "a.b!.c", 400, "token", "the token is not base64url JSON"),
        (lambda: "", 400, "token", "the token must be three base64url parts joined by dots"),
        (
            # "alg": "none" with no signature is not a way around the secret.
            lambda: mint(claims(), header={"alg": "none"}).rsplit(".", 1)[0] + ".",
            400,
            "token",
            "the token is not base64url JSON",
        ),
        (
            lambda: mint(claims(), header={"alg": "HS512"}),
            400,
            "token",
            "the token must be signed with HS256",
        ),
        (
            lambda: mint(["mira@example.com"]),
            400,
            "token",
            "the token's payload must be a JSON object",
        ),
        (
            lambda: mint({k: v for k, v in claims().items() if k != "email"}),
            400,
            "email",
            "the token has no email",
        ),
        (
            lambda: mint({**claims(), "email": 42}),
            400,
            "email",
            "email must be an email address",
        ),
        (
            lambda: mint({k: v for k, v in claims().items() if k != "exp"}),
            400,
            "exp",
            "the token has no exp",
        ),
        (
            lambda: mint({k: v for k, v in claims().items() if k != "iat"}),
            400,
            "iat",
            "the token has no iat",
        ),
        (lambda: mint({**claims(), "exp": "soon"}), 400, "exp", "exp must be unix seconds"),
        (lambda: mint({**claims(), "iat": True}), 400, "iat", "iat must be unix seconds"),
    ],
    ids=[
        "expired",
        "expires-beyond-a-day",
        "lives-longer-than-a-day",
        "issued-in-the-future",
        "bad-signature",
        "truncated-signature",
        "one-part",
        "not-base64url",
        "empty",
        "alg-none",
        "alg-hs512",
        "payload-not-an-object",
        "missing-email",
        "email-not-a-string",
        "missing-exp",
        "missing-iat",
        "exp-not-a-number",
        "iat-a-boolean",
    ],
)
def test_an_untrustworthy_token_is_refused_naming_the_problem(
    client, mira, token, status, field, error
):
    response = client.get(URL, **bearer(token()))
    assert response.status_code == status
    assert response.json() == {"error": error, "field": field}
    if status == 401:
        assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_clocks_a_little_apart_are_tolerated(client, mira):
    # Issued 30 seconds "in the future" and expired 30 seconds ago, by our clock.
    response = client.get(URL, **bearer(mint(claims(iat=30, exp=-30))))
    assert response.status_code == 200


def test_tokens_are_refused_while_no_secret_is_set(client, mira, settings):
    token = mint(claims())
    settings.LOYALTY_TOKEN_SECRET = ""
    response = client.get(URL, **bearer(token))
    assert response.status_code == 401
    assert response.json() == {"error": "customer tokens are not enabled", "field": "token"}
    # An empty secret is not a key anyone could sign with either.
    assert client.get(URL, **bearer(mint(claims(), secret=""))).status_code == 401


def test_the_mint_helper_makes_tokens_the_endpoint_accepts(client, mira):
    token = tokens.customer_token_mint(email="mira@example.com", secret=SECRET)
    assert tokens.customer_token_verify(token, secret=SECRET) == "mira@example.com"
    assert client.get(URL, **bearer(token)).json()["member"] is True


def test_an_other_authorization_scheme_falls_back_to_the_session(client, program):
    response = client.get(URL, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert response.status_code == 401
    assert response.json() == {"error": "sign in first", "field": "session"}


# --- CORS -------------------------------------------------------------------------------


def test_an_allowed_origin_may_read_the_answer_without_credentials(client, mira):
    response = client.get(URL, HTTP_ORIGIN=SHOP, **bearer(mint(claims())))
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert "Access-Control-Allow-Credentials" not in response
    assert "Origin" in response["Vary"]


def test_an_allowed_origin_is_matched_without_its_trailing_slash(client, mira):
    response = client.get(URL, HTTP_ORIGIN="https://www.shop.example", **bearer(mint(claims())))
    assert response["Access-Control-Allow-Origin"] == "https://www.shop.example"


def test_errors_are_readable_by_an_allowed_origin_too(client, mira):
    response = client.get(URL, HTTP_ORIGIN=SHOP, **bearer("nonsense"))
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == SHOP


def test_other_origins_get_no_cors_headers(client, mira):
    response = client.get(URL, HTTP_ORIGIN="https://evil.example", **bearer(mint(claims())))
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Origin" in response["Vary"]


def test_no_origin_is_allowed_while_none_is_set(client, mira, settings):
    settings.LOYALTY_EMBED_ORIGINS = []
    response = client.get(URL, HTTP_ORIGIN=SHOP, **bearer(mint(claims())))
    assert "Access-Control-Allow-Origin" not in response


def test_the_preflight_of_an_allowed_origin_allows_the_authorization_header(client, program):
    response = client.options(
        URL,
        HTTP_ORIGIN=SHOP,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert response["Access-Control-Allow-Methods"] == "GET"
    assert response["Access-Control-Allow-Headers"] == "Authorization"
    assert int(response["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in response


def test_the_preflight_of_another_origin_allows_nothing(client, program):
    response = client.options(
        URL, HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert response.status_code == 204
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Headers" not in response


def test_writes_are_still_not_allowed(client, mira):
    assert client.post(URL, HTTP_ORIGIN=SHOP, **bearer(mint(claims()))).status_code == 405


# --- The script -------------------------------------------------------------------------


def test_the_stable_script_address_leads_to_the_javascript(client):
    response = client.get("/embed/loyalty.js")
    assert response.status_code == 302
    assert response["Location"].endswith(".js")
    assert "loyalty/embed" in response["Location"]
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    script = client.get(response["Location"])
    assert script.status_code == 200
    assert "javascript" in script["Content-Type"]
    body = b"".join(script.streaming_content) if script.streaming else script.content
    assert b"data-portico-balance" in body and b"/api/loyalty/me" in body
