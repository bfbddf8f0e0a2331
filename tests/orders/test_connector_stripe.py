"""The Stripe connector against Stripe's event envelope and Checkout Session objects.

Signatures are made here with Stripe's published scheme; line items come from
``fake_stripe.FakeStripe``, a real HTTP server the real ``stripe`` library talks to.
"""

import copy
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import stripe as stripe_library

from orders import stripe_api
from orders.connectors import get_connector
from orders.connectors.base import OrderData, RefundData, load_json
from orders.connectors.stripe import fetch_line_items, minor_to_decimal
from orders.exceptions import InvalidSignature, PayloadError
from orders.models import Order

from .fake_stripe import FakeStripe

PAYLOADS = Path(__file__).parent / "payloads"
SESSION_ID = "cs_test_b1Qx7N2mKc4RvT9pLz0aWs8DfGh6JkYu3EiOp5AqZx1CvBn7MlK2Pw4QeRt"
INTENT_ID = "pi_3TJqA0LkdIwHu7ix1bG4cN8s"


def sample(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text())


@pytest.fixture
def connector():
    return get_connector("stripe")


@pytest.fixture
def completed():
    return sample("stripe_checkout_session_completed.json")


@pytest.fixture
def refunded():
    return sample("stripe_charge_refunded.json")


@pytest.fixture
def fake_stripe(settings):
    """A local Stripe serving the sample session's three line items, two per page."""
    with FakeStripe(api_key=settings.STRIPE_API_KEY, page_size=2) as fake:
        fake.line_items[SESSION_ID] = sample("stripe_checkout_session_line_items.json")["data"]
        settings.STRIPE_API_BASE = fake.url
        yield fake


def signature(body: bytes, secret: str, *, at: int | None = None) -> str:
    """Stripe's scheme: t=<unix time>,v1=hex(HMAC-SHA256(secret, "<t>.<raw body>"))."""
    timestamp = int(time.time()) if at is None else at
    signed_payload = f"{timestamp}.".encode() + body
    mac = hmac.new(secret.encode(), signed_payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def parse_order(connector, event) -> OrderData:
    (order,) = connector.parse(event["type"], event)
    assert isinstance(order, OrderData)
    return order


# --- Signatures ---------------------------------------------------------------------------

BODY = (PAYLOADS / "stripe_checkout_session_completed.json").read_bytes()


def test_valid_signature_is_accepted(connector, settings):
    headers = {"Stripe-Signature": signature(BODY, settings.STRIPE_WEBHOOK_SECRET)}
    connector.verify(headers, BODY)


def test_signature_header_is_found_in_any_case(connector, settings):
    headers = {"stripe-signature": signature(BODY, settings.STRIPE_WEBHOOK_SECRET)}
    connector.verify(headers, BODY)


def test_one_matching_signature_among_several_is_enough(connector, settings):
    # While a secret is rolled, Stripe signs with the old and the new one.
    good = signature(BODY, settings.STRIPE_WEBHOOK_SECRET)
    timestamp, v1 = good.split(",")
    other = signature(BODY, "whsec_old", at=int(timestamp[2:])).split(",")[1]
    connector.verify({"Stripe-Signature": f"{timestamp},{other},{v1}"}, BODY)


def test_forged_body_is_refused(connector, settings):
    headers = {"Stripe-Signature": signature(BODY, settings.STRIPE_WEBHOOK_SECRET)}
    forged = BODY.replace(b'"amount_total": 6580', b'"amount_total": 80')
    assert forged != BODY
    with pytest.raises(InvalidSignature):
        connector.verify(headers, forged)


def test_missing_signature_is_refused(connector):
    with pytest.raises(InvalidSignature):
        connector.verify({"Content-Type": "application/json"}, BODY)


def test_signature_with_another_secret_is_refused(connector):
    with pytest.raises(InvalidSignature):
        connector.verify({"Stripe-Signature": signature(BODY, "whsec_someone_else")}, BODY)


def test_old_signature_is_refused_as_a_replay(connector, settings):
    ten_minutes_ago = int(time.time()) - 600  # the tolerance is Stripe's 300 s
    headers = {
        "Stripe-Signature": signature(BODY, settings.STRIPE_WEBHOOK_SECRET, at=ten_minutes_ago)
    }
    with pytest.raises(InvalidSignature):
        connector.verify(headers, BODY)


@pytest.mark.parametrize("header", ["garbage", "t=abc,v1=00", "t=1", "v1=deadbeef"])
def test_malformed_signature_header_is_refused(connector, header):
    with pytest.raises(InvalidSignature):
        connector.verify({"Stripe-Signature": header}, BODY)


def test_body_that_is_not_utf8_is_refused(connector, settings):
    body = b"\xff\xfe not json"
    headers = {"Stripe-Signature": signature(body, settings.STRIPE_WEBHOOK_SECRET)}
    with pytest.raises(InvalidSignature):
        connector.verify(headers, body)


def test_unset_secret_refuses_every_delivery(connector, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    with pytest.raises(InvalidSignature):
        connector.verify({"Stripe-Signature": signature(BODY, "")}, BODY)


def test_delivery_id_is_the_event_id(connector):
    assert connector.delivery_id({}, BODY) == "evt_1TJqA2LkdIwHu7ix0sWm3Hq1"


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"object": "event"}', b""])
def test_delivery_id_is_empty_when_the_body_has_none(connector, body):
    assert connector.delivery_id({}, body) == ""


def test_topic_is_the_event_type(connector, completed):
    assert connector.topic({}, completed) == "checkout.session.completed"


# --- Checkout Sessions --------------------------------------------------------------------


def test_completed_session_maps_to_an_order(connector, completed):
    order = parse_order(connector, completed)

    assert order.external_id == SESSION_ID
    assert order.number == "PC-10042"  # metadata.order_number
    assert order.email == "grace.hopper@example.com"
    assert order.currency == "EUR"
    assert order.subtotal == Decimal("65.00")
    assert order.discount_total == Decimal("6.50")
    assert order.shipping_total == Decimal("5.00")
    assert order.tax_total == Decimal("2.30")
    assert order.total == Decimal("65.80")
    assert order.financial_status == Order.FinancialStatus.PAID
    assert order.payment_reference == INTENT_ID
    assert order.placed_at == utc(2026, 5, 1, 13, 15, 42)  # the session's created
    assert order.paid_at == order.updated_at == utc(2026, 5, 1, 13, 17, 9)  # the event's
    assert order.placed_at.utcoffset() == timedelta(0)
    # Line items are not part of the event.
    assert order.lines == []
    assert order.lines_complete is False

    assert order.customer.first_name == "Grace"
    assert order.customer.last_name == "Brewster Hopper"
    assert order.customer.phone == "+49 30 901820"
    assert order.customer.external_id == "cus_TJq9zYx8WvU7ts"
    assert order.customer.locale == ""  # "auto" is no language
    assert order.shipping_address == {
        "name": "Grace Brewster Hopper",
        "line1": "Friedrichstraße 43",
        "line2": "Hinterhaus",
        "city": "Berlin",
        "postal_code": "10117",
        "country": "DE",
    }


def test_session_without_an_order_number_is_numbered_from_its_id(connector, completed):
    completed["data"]["object"]["metadata"] = {}

    assert parse_order(connector, completed).number == "2PW4QERT"


def test_zero_decimal_currency_amounts_are_whole_units(connector):
    order = parse_order(connector, sample("stripe_checkout_session_completed_jpy.json"))

    assert order.currency == "JPY"
    assert order.subtotal == Decimal("4500")
    assert order.shipping_total == Decimal("800")
    assert order.tax_total == Decimal("530")
    assert order.total == Decimal("5830")  # ¥5,830, not ¥58.30
    assert order.number == "ZQ4WX9K2"  # no order_number: the session id's tail
    assert order.customer.locale == "ja"


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (1050, "USD", Decimal("10.50")),
        (1050, "JPY", Decimal("1050.00")),
        (1050, "KRW", Decimal("1050.00")),
        (5120, "KWD", Decimal("5.12")),  # three decimals, last digit always 0
        (100, "ISK", Decimal("1.00")),  # zero-decimal in practice, two in the API
        (0, "EUR", Decimal("0.00")),
    ],
)
def test_minor_units_convert_by_currency(amount, currency, expected):
    assert minor_to_decimal(amount, currency, "amount") == expected


@pytest.mark.parametrize(
    ("payment_status", "financial_status", "paid"),
    [
        ("paid", Order.FinancialStatus.PAID, True),
        ("no_payment_required", Order.FinancialStatus.PAID, True),
        ("unpaid", Order.FinancialStatus.PENDING, False),
    ],
)
def test_payment_status_decides_paid(connector, completed, payment_status, financial_status, paid):
    completed["data"]["object"]["payment_status"] = payment_status

    order = parse_order(connector, completed)
    assert order.financial_status == financial_status
    assert (order.paid_at is not None) is paid


def test_delayed_payment_succeeding_pays_the_order(connector, completed):
    completed["type"] = "checkout.session.async_payment_succeeded"
    completed["created"] += 86_400

    order = parse_order(connector, completed)
    assert order.financial_status == Order.FinancialStatus.PAID
    assert order.paid_at == utc(2026, 5, 2, 13, 17, 9)


def test_delayed_payment_failing_voids_the_order(connector, completed):
    completed["type"] = "checkout.session.async_payment_failed"
    completed["data"]["object"]["payment_status"] = "unpaid"

    order = parse_order(connector, completed)
    assert order.financial_status == Order.FinancialStatus.VOIDED
    assert order.paid_at is None


def test_setup_sessions_buy_nothing(connector, completed):
    completed["data"]["object"]["mode"] = "setup"

    assert connector.parse("checkout.session.completed", completed) == []


@pytest.mark.parametrize(
    "topic", ["payment_intent.succeeded", "checkout.session.expired", "customer.created", ""]
)
def test_events_portico_does_not_use_give_no_changes(connector, completed, topic):
    assert connector.parse(topic, completed) == []


# --- Refunds ------------------------------------------------------------------------------


def test_charge_refunded_gives_each_refund(connector, refunded):
    changes = connector.parse("charge.refunded", refunded)

    assert all(isinstance(change, RefundData) for change in changes)
    newest, older = changes  # the failed refund is not money returned
    assert newest.external_id == "re_3TJqA0LkdIwHu7ix1Nw0Ref2"
    assert newest.order_external_id == SESSION_ID  # charge.metadata.checkout_session
    assert newest.amount == Decimal("15.00")
    assert newest.currency == "EUR"
    assert newest.reason == "requested by customer"
    assert newest.refunded_at == utc(2026, 5, 6, 9, 31, 39)
    assert older.external_id == "re_3TJqA0LkdIwHu7ix1Ol0Ref1"
    assert older.amount == Decimal("10.00")
    assert older.reason == ""


def test_charge_without_the_session_points_at_its_payment_intent(connector, refunded):
    refunded["data"]["object"]["metadata"] = {}

    refunds = connector.parse("charge.refunded", refunded)
    assert {refund.order_external_id for refund in refunds} == {f"pi:{INTENT_ID}"}


def test_charge_of_a_current_api_version_has_no_refund_list(connector, refunded):
    # Since 2022-11-15 charges do not embed refunds; refund.created carries them.
    del refunded["data"]["object"]["refunds"]

    assert connector.parse("charge.refunded", refunded) == []


def test_refund_created_gives_the_refund(connector):
    (refund,) = connector.parse("refund.created", sample("stripe_refund_created.json"))

    # The same refund as in charge.refunded: one external id, recorded once.
    assert refund.external_id == "re_3TJqA0LkdIwHu7ix1Nw0Ref2"
    assert refund.amount == Decimal("15.00")
    assert refund.order_external_id == f"pi:{INTENT_ID}"


def test_refund_metadata_can_name_the_session(connector):
    event = sample("stripe_refund_created.json")
    event["data"]["object"]["metadata"] = {"checkout_session": SESSION_ID}

    (refund,) = connector.parse("refund.created", event)
    assert refund.order_external_id == SESSION_ID


@pytest.mark.parametrize("status", ["failed", "canceled", "requires_action"])
def test_refunds_that_returned_no_money_are_not_recorded(connector, status):
    event = sample("stripe_refund_created.json")
    event["type"] = "refund.updated"
    event["data"]["object"]["status"] = status

    assert connector.parse("refund.updated", event) == []


def test_zero_decimal_refund_amount(connector):
    event = sample("stripe_refund_created.json")
    event["data"]["object"].update(currency="jpy", amount=1200)

    (refund,) = connector.parse("refund.created", event)
    assert refund.amount == Decimal("1200")


# --- Bad input ----------------------------------------------------------------------------


def _without_email(event):
    session = event["data"]["object"]
    del session["customer_details"]["email"]
    session["customer_email"] = None


def _total_as_text(event):
    event["data"]["object"]["amount_total"] = "12,50"


def _total_as_float(event):
    event["data"]["object"]["amount_total"] = 65.8


def _created_yesterday(event):
    event["data"]["object"]["created"] = "yesterday"


def _unknown_payment_status(event):
    event["data"]["object"]["payment_status"] = "maybe"


def _currency_missing(event):
    del event["data"]["object"]["currency"]


def _event_time_missing(event):
    del event["created"]


@pytest.mark.parametrize(
    ("spoil", "field"),
    [
        (_without_email, "data.object.customer_details.email"),
        (_total_as_text, "data.object.amount_total"),
        (_total_as_float, "data.object.amount_total"),
        (_created_yesterday, "data.object.created"),
        (_unknown_payment_status, "data.object.payment_status"),
        (_currency_missing, "data.object.currency"),
        (_event_time_missing, "created"),
    ],
)
def test_bad_session_names_the_field(connector, completed, spoil, field):
    spoil(completed)

    with pytest.raises(PayloadError) as error:
        connector.parse("checkout.session.completed", completed)
    assert error.value.field == field


def test_refund_list_that_is_not_a_list_names_the_field(connector, refunded):
    refunded["data"]["object"]["refunds"]["data"] = {"re_1": {}}

    with pytest.raises(PayloadError) as error:
        connector.parse("charge.refunded", refunded)
    assert error.value.field == "data.object.refunds.data"


def test_refund_amount_as_text_names_the_field(connector, refunded):
    refunded["data"]["object"]["refunds"]["data"][1]["amount"] = "10.00"

    with pytest.raises(PayloadError) as error:
        connector.parse("charge.refunded", refunded)
    assert error.value.field == "data.object.refunds.data.1.amount"


def test_json_array_instead_of_an_event_names_the_body(connector):
    payload = load_json(b'[{"type": "checkout.session.completed"}]')

    with pytest.raises(PayloadError) as error:
        connector.parse("checkout.session.completed", payload)
    assert error.value.field == "body"
    with pytest.raises(PayloadError):
        connector.topic({}, payload)


# --- Line items through the Stripe API ----------------------------------------------------


def test_line_items_are_fetched_page_by_page_with_the_api_key(fake_stripe, settings):
    lines = fetch_line_items(SESSION_ID)

    assert [line.external_id for line in lines] == [
        "li_1TJqA2LkdIwHu7ixLinen001",
        "li_1TJqA2LkdIwHu7ixTote0002",
        "li_1TJqA2LkdIwHu7ixWrap0003",
    ]
    shirt, tote, wrap = lines
    assert shirt.title == "Linen Shirt"
    assert shirt.quantity == 2
    assert shirt.unit_price == Decimal("20.00")
    assert shirt.discount_total == Decimal("4.00")
    assert shirt.sku == "linen-shirt-m"
    assert tote.unit_price == Decimal("15.00")
    assert tote.sku == ""
    assert wrap.unit_price * wrap.quantity - wrap.discount_total == Decimal("9.00")

    first, second = fake_stripe.requests
    for request in (first, second):
        assert request.path == f"/v1/checkout/sessions/{SESSION_ID}/line_items"
        assert request.header("Authorization") == f"Bearer {settings.STRIPE_API_KEY}"
        assert request.header("Stripe-Version") == stripe_library.api_version
        assert request.query["limit"] == "100"
    assert "starting_after" not in first.query
    assert second.query["starting_after"] == "li_1TJqA2LkdIwHu7ixTote0002"


def test_line_items_of_zero_decimal_currency(fake_stripe):
    items = copy.deepcopy(fake_stripe.line_items[SESSION_ID])
    for item in items:
        item["currency"] = "jpy"
    fake_stripe.line_items["cs_test_jpy"] = items

    shirt = fetch_line_items("cs_test_jpy")[0]
    assert shirt.unit_price == Decimal("2000")
    assert shirt.discount_total == Decimal("400")


def test_fetched_line_item_that_cannot_be_mapped_names_the_field(fake_stripe):
    items = copy.deepcopy(fake_stripe.line_items[SESSION_ID])
    items[0]["quantity"] = "abc"
    fake_stripe.line_items["cs_test_bad"] = items

    with pytest.raises(PayloadError) as error:
        fetch_line_items("cs_test_bad")
    assert error.value.field == "line_items.0.quantity"


def test_enrich_completes_the_orders_lines_and_leaves_the_rest(connector, completed, fake_stripe):
    order = parse_order(connector, completed)
    refund = connector.parse("refund.created", sample("stripe_refund_created.json"))[0]

    enriched_order, same_refund = connector.enrich([order, refund])

    assert enriched_order.lines_complete is True
    assert len(enriched_order.lines) == 3
    assert enriched_order.total == order.total
    assert order.lines == []  # parse's result is not changed in place
    assert same_refund is refund


def test_a_refused_api_key_is_an_error_not_worth_retrying(fake_stripe, settings):
    settings.STRIPE_API_KEY = "sk_test_revoked"

    with pytest.raises(stripe_api.StripeApiError) as error:
        fetch_line_items(SESSION_ID)
    assert error.value.retryable is False
    assert fake_stripe.requests[0].header("Authorization") == "Bearer sk_test_revoked"


def test_an_unknown_session_is_an_error_not_worth_retrying(fake_stripe):
    with pytest.raises(stripe_api.StripeApiError) as error:
        fetch_line_items("cs_test_nobody")
    assert error.value.retryable is False


def test_an_unreachable_stripe_is_worth_retrying(settings):
    with FakeStripe(api_key=settings.STRIPE_API_KEY) as fake:
        settings.STRIPE_API_BASE = fake.url
    # The server is gone: nothing listens on its port any more.
    with pytest.raises(stripe_api.StripeApiError) as error:
        stripe_api.checkout_session_line_items(SESSION_ID)
    assert error.value.retryable is True


def test_without_an_api_key_nothing_is_sent(fake_stripe, settings):
    settings.STRIPE_API_KEY = ""

    with pytest.raises(stripe_api.StripeApiError):
        fetch_line_items(SESSION_ID)
    assert fake_stripe.requests == []


def test_the_api_base_is_per_call_not_global(fake_stripe):
    fetch_line_items(SESSION_ID)

    assert stripe_library.api_base == stripe_library.DEFAULT_API_BASE


# --- Fits the services --------------------------------------------------------------------


@pytest.mark.django_db
def test_session_lines_and_refunds_apply_through_services(
    connector, completed, refunded, fake_stripe
):
    from orders import services

    # As the inbox does: parse, enrich in the task, apply.
    for change in connector.enrich(connector.parse("checkout.session.completed", completed)):
        services.apply(connector="stripe", change=change)
    for refund in connector.parse("charge.refunded", refunded):
        services.apply(connector="stripe", change=refund)

    mirrored = Order.objects.get(connector="stripe", external_id=SESSION_ID)
    assert mirrored.lookup_number == "PC10042"
    assert mirrored.total == Decimal("65.80")
    assert mirrored.lines.count() == 3
    assert mirrored.financial_status == Order.FinancialStatus.PARTIALLY_REFUNDED
    assert sorted(r.amount for r in mirrored.refunds.all()) == [Decimal("10.00"), Decimal("15.00")]
