"""The WooCommerce connector against the REST API v3 order object its webhooks deliver.

``parse`` is pure: these tests use no database except the one that applies a parsed order
through ``orders.services`` to prove the two fit.
"""

import base64
import copy
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from orders.connectors import get_connector
from orders.connectors.base import OrderData, load_json
from orders.exceptions import InvalidSignature, PayloadError
from orders.models import Order, ShipmentStatus

PAYLOADS = Path(__file__).parent / "payloads"
SAMPLE = json.loads((PAYLOADS / "woocommerce_order_updated.json").read_text())


@pytest.fixture
def connector():
    return get_connector("woocommerce")


@pytest.fixture
def order():
    """A fresh copy of the sample order (two lines, a coupon, tracking, a refund)."""
    return copy.deepcopy(SAMPLE)


def signed(body: bytes, secret: str) -> dict[str, str]:
    """The headers WooCommerce sends: base64(HMAC-SHA256(secret, raw body))."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {
        "X-WC-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-WC-Webhook-Topic": "order.updated",
        "X-WC-Webhook-Resource": "order",
        "X-WC-Webhook-Event": "updated",
        "X-WC-Webhook-Delivery-ID": "36e520ebabc2fa725092ff4a47acedf2",
        "X-WC-Webhook-ID": "3",
        "X-WC-Webhook-Source": "https://shop.example.com/",
    }


def parse_one(connector, payload, topic="order.updated") -> OrderData:
    changes = connector.parse(topic, payload)
    assert len(changes) == 1
    assert isinstance(changes[0], OrderData)
    return changes[0]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- Signatures ---------------------------------------------------------------------------


BODY = json.dumps(SAMPLE).encode()


def test_valid_signature_is_accepted(connector, settings):
    connector.verify(signed(BODY, settings.WOOCOMMERCE_WEBHOOK_SECRET), BODY)


def test_signature_header_is_found_in_any_case(connector, settings):
    headers = {k.lower(): v for k, v in signed(BODY, settings.WOOCOMMERCE_WEBHOOK_SECRET).items()}
    connector.verify(headers, BODY)


def test_forged_body_is_refused(connector, settings):
    headers = signed(BODY, settings.WOOCOMMERCE_WEBHOOK_SECRET)
    forged = BODY.replace(b'"total": "56.10"', b'"total": "0.10"')
    assert forged != BODY
    with pytest.raises(InvalidSignature):
        connector.verify(headers, forged)


def test_missing_signature_is_refused(connector, settings):
    headers = signed(BODY, settings.WOOCOMMERCE_WEBHOOK_SECRET)
    del headers["X-WC-Webhook-Signature"]
    with pytest.raises(InvalidSignature):
        connector.verify(headers, BODY)


def test_signature_with_another_secret_is_refused(connector):
    with pytest.raises(InvalidSignature):
        connector.verify(signed(BODY, "someone-elses-secret"), BODY)


def test_garbage_signature_is_refused(connector):
    headers = {"X-WC-Webhook-Signature": "ünïcode-and-not-base64"}
    with pytest.raises(InvalidSignature):
        connector.verify(headers, BODY)


def test_unset_secret_refuses_every_delivery(connector, settings):
    settings.WOOCOMMERCE_WEBHOOK_SECRET = ""
    # Even a body "signed" with the empty secret.
    with pytest.raises(InvalidSignature):
        connector.verify(signed(BODY, ""), BODY)


def test_delivery_id_and_topic_come_from_the_headers(connector, settings):
    headers = {k.upper(): v for k, v in signed(BODY, "x").items()}
    assert connector.delivery_id(headers, BODY) == "36e520ebabc2fa725092ff4a47acedf2"
    assert connector.topic(headers, SAMPLE) == "order.updated"


def test_missing_delivery_id_and_topic_are_empty(connector):
    assert connector.delivery_id({}, BODY) == ""
    assert connector.topic({}, SAMPLE) == ""


def test_the_unsigned_ping_sent_when_a_webhook_is_saved_is_recognised(connector):
    ping = {"User-Agent": "WooCommerce/9.8.5 Hookshot (WordPress/6.8.1)"}
    assert connector.is_ping(ping, b"webhook_id=3") is True
    assert connector.is_ping(ping, BODY) is False
    assert connector.is_ping(ping, b"webhook_id=3&total=0") is False
    # Anything signed goes through verify like every delivery.
    assert connector.is_ping({"X-WC-Webhook-Signature": "x"}, b"webhook_id=3") is False


# --- Mapping ------------------------------------------------------------------------------


def test_order_maps_to_normalised_values(connector, order):
    data = parse_one(connector, order)

    assert data.external_id == "727"
    assert data.number == "727"
    assert data.email == "ada.lovelace@example.com"
    assert data.currency == "GBP"
    assert data.total == Decimal("56.10")
    assert data.subtotal == Decimal("50.00")
    assert data.discount_total == Decimal("5.00")
    assert data.shipping_total == Decimal("7.50")
    assert data.tax_total == Decimal("3.60")
    assert all(
        isinstance(v, Decimal)
        for v in (data.total, data.subtotal, data.discount_total, data.shipping_total)
    )
    assert data.discount_codes == ["spring10"]
    assert data.payment_reference == "pi_3PwWoo2eZvKYlo2C0x9TnQ1a"
    assert data.shipping_address["city"] == "London"
    assert data.shipping_address["postcode"] == "NW1 5LR"
    assert "address_2" not in data.shipping_address  # empty fields are left out

    assert data.customer.email == "ada.lovelace@example.com"
    assert (data.customer.first_name, data.customer.last_name) == ("Ada", "Lovelace")
    assert data.customer.phone == "+44 20 7946 0958"
    assert data.customer.external_id == "26"


def test_times_are_the_gmt_fields_read_as_utc(connector, order):
    data = parse_one(connector, order)

    # date_created is 16:15:42 store time; date_created_gmt is the instant.
    assert data.placed_at == utc(2026, 5, 1, 13, 15, 42)
    assert data.placed_at.utcoffset() == timedelta(0)
    assert data.paid_at == utc(2026, 5, 1, 13, 16, 3)
    assert data.updated_at == utc(2026, 5, 4, 7, 2, 11)


def test_local_time_with_an_offset_is_used_when_gmt_is_missing(connector, order):
    del order["date_created_gmt"]
    order["date_created"] = "2026-05-01T16:15:42+03:00"

    assert parse_one(connector, order).placed_at == utc(2026, 5, 1, 13, 15, 42)


def test_local_time_without_a_zone_is_not_guessed(connector, order):
    del order["date_created_gmt"]  # date_created "2026-05-01T16:15:42" stays

    with pytest.raises(PayloadError) as error:
        connector.parse("order.updated", order)
    assert error.value.field == "date_created_gmt"


def test_lines_carry_unit_price_before_discount_and_the_line_discount(connector, order):
    single, variation = parse_one(connector, order).lines

    assert single.external_id == "315"
    assert single.title == "Woo Single #1"
    assert single.sku == "WOO-SINGLE-1"
    assert single.quantity == 2
    assert single.unit_price == Decimal("10.00")  # subtotal 20.00 / 2, not price 9
    assert single.discount_total == Decimal("2.00")  # subtotal 20.00 - total 18.00
    assert single.variant_title == ""

    assert variation.external_id == "316"
    assert variation.quantity == 1
    assert variation.unit_price == Decimal("30.00")
    assert variation.discount_total == Decimal("3.00")
    # Attributes as the store shows them; hidden "_reduced_stock" is left out.
    assert variation.variant_title == "Color: Blue, Size: L"

    # What the line is worth in the mirror equals the store's line total.
    assert single.unit_price * single.quantity - single.discount_total == Decimal("18.00")


def test_a_full_order_lists_its_lines_completely(connector, order):
    assert parse_one(connector, order).lines_complete is True

    del order["line_items"]
    data = parse_one(connector, order)
    assert data.lines == []
    assert data.lines_complete is False  # no key: nothing is known about removed lines


def test_partial_refund_is_a_refund_with_a_positive_amount(connector, order):
    data = parse_one(connector, order)

    (refund,) = data.refunds
    assert refund.order_external_id == "727"
    assert refund.external_id == "726"
    assert refund.amount == Decimal("10.00")
    assert refund.currency == "GBP"
    assert refund.reason == "Scratched box"
    # The summary has no date of its own: the order's modification time.
    assert refund.refunded_at == utc(2026, 5, 4, 7, 2, 11)
    # Still "completed" in WooCommerce, but part of the money went back.
    assert data.financial_status == Order.FinancialStatus.PARTIALLY_REFUNDED


def test_shipment_tracking_items_become_shipments(connector, order):
    ups, custom = parse_one(connector, order).shipments

    assert ups.order_external_id == "727"
    assert ups.external_id == "8f3c1b2e6a9d4e7f0a1b2c3d4e5f6a7b"
    assert ups.status == ShipmentStatus.IN_TRANSIT
    assert ups.carrier == "ups"
    assert ups.tracking_number == "1Z999AA10123456784"
    assert ups.tracking_url == ""  # the carrier's template fills it in services
    assert ups.shipped_at == utc(2026, 5, 3)  # "1777766400", a Unix timestamp as text
    assert ups.updated_at == utc(2026, 5, 4, 7, 2, 11)

    assert custom.external_id == "c0ffee00d15ea5e5a11c0ffee00d15ea"
    assert custom.carrier == custom.carrier_name == "Yurtiçi Kargo"
    assert custom.tracking_url == (
        "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code=403519372288"
    )
    assert custom.shipped_at == utc(2026, 5, 4)


def test_tracking_item_without_a_ship_date_is_a_label(connector, order):
    order["meta_data"][1]["value"][0]["date_shipped"] = ""

    ups = parse_one(connector, order).shipments[0]
    assert ups.status == ShipmentStatus.INFO_RECEIVED
    assert ups.shipped_at is None


def test_trackship_status_words_map_through_the_table(connector, order):
    order["meta_data"].append(
        {
            "id": 13200,
            "key": "shipment_status",
            "value": [{"status": "delivered"}, {"status": "out_for_delivery"}],
        }
    )

    ups, custom = parse_one(connector, order).shipments
    assert ups.status == ShipmentStatus.DELIVERED
    assert custom.status == ShipmentStatus.OUT_FOR_DELIVERY


def test_order_without_tracking_has_no_shipments(connector, order):
    order["meta_data"] = [{"id": 1, "key": "is_vat_exempt", "value": "no"}]

    assert parse_one(connector, order).shipments == []


@pytest.mark.parametrize(
    ("status", "expected", "paid"),
    [
        ("pending", Order.FinancialStatus.PENDING, False),
        ("on-hold", Order.FinancialStatus.PENDING, False),
        ("processing", Order.FinancialStatus.PAID, True),
        ("completed", Order.FinancialStatus.PAID, True),
        ("refunded", Order.FinancialStatus.REFUNDED, True),
        ("failed", Order.FinancialStatus.VOIDED, False),
        ("cancelled", Order.FinancialStatus.VOIDED, False),
    ],
)
def test_order_status_maps_to_financial_status(connector, order, status, expected, paid):
    order["status"] = status
    order["refunds"] = []
    if not paid:
        order["date_paid"] = order["date_paid_gmt"] = None

    data = parse_one(connector, order)
    assert data.financial_status == expected
    assert (data.paid_at is not None) is paid


def test_cancelled_order_is_cancelled_when_it_was_last_modified(connector, order):
    order["status"] = "cancelled"
    order["refunds"] = []
    order["date_paid"] = order["date_paid_gmt"] = None

    data = parse_one(connector, order)
    assert data.cancelled_at == utc(2026, 5, 4, 7, 2, 11)
    assert data.financial_status == Order.FinancialStatus.VOIDED


def test_paid_status_without_date_paid_is_paid_when_completed(connector, order):
    order["status"] = "completed"
    order["date_paid"] = order["date_paid_gmt"] = None

    assert parse_one(connector, order).paid_at == utc(2026, 5, 3, 8, 40)


@pytest.mark.parametrize("topic", ["order.deleted", "product.updated", "coupon.created", ""])
def test_topics_portico_does_not_use_give_no_changes(connector, topic):
    assert connector.parse(topic, {"id": 727}) == []


def test_checkout_drafts_are_not_orders_yet(connector, order):
    order["status"] = "checkout-draft"

    assert connector.parse("order.created", order) == []


# --- Bad input ----------------------------------------------------------------------------


def _without_email(order):
    del order["billing"]["email"]


def _quantity_abc(order):
    order["line_items"][0]["quantity"] = "abc"


def _total_with_comma(order):
    order["total"] = "12,50"


def _time_yesterday(order):
    order["date_created_gmt"] = "yesterday"


def _line_items_not_a_list(order):
    order["line_items"] = {"315": order["line_items"][0]}


def _refund_total_not_money(order):
    order["refunds"][0]["total"] = "-ten"


def _tracking_date_not_a_date(order):
    order["meta_data"][1]["value"][0]["date_shipped"] = "soon"


def _currency_not_iso(order):
    order["currency"] = "Pounds"


@pytest.mark.parametrize(
    ("spoil", "field"),
    [
        (_without_email, "billing.email"),
        (_quantity_abc, "line_items.0.quantity"),
        (_total_with_comma, "total"),
        (_time_yesterday, "date_created_gmt"),
        (_line_items_not_a_list, "line_items"),
        (_refund_total_not_money, "refunds.0.total"),
        (_tracking_date_not_a_date, "meta_data.1.value.0.date_shipped"),
        (_currency_not_iso, "currency"),
    ],
)
def test_bad_input_names_the_field(connector, order, spoil, field):
    spoil(order)

    with pytest.raises(PayloadError) as error:
        connector.parse("order.updated", order)
    assert error.value.field == field


def test_json_array_instead_of_an_object_names_the_body(connector):
    payload = load_json(b'[{"id": 727}]')

    with pytest.raises(PayloadError) as error:
        connector.parse("order.created", payload)
    assert error.value.field == "body"


# --- Fits the services --------------------------------------------------------------------


@pytest.mark.django_db
def test_parsed_order_applies_through_services(connector, order):
    from orders import services

    (data,) = connector.parse("order.updated", order)
    outcome = services.apply(connector="woocommerce", change=data)

    mirrored = outcome.order
    mirrored.refresh_from_db()
    assert mirrored.total == Decimal("56.10")
    assert mirrored.lookup_number == "727"
    assert mirrored.financial_status == Order.FinancialStatus.PARTIALLY_REFUNDED
    assert mirrored.fulfillment_status == Order.FulfillmentStatus.FULFILLED
    assert sorted(line.total for line in mirrored.lines.all()) == [
        Decimal("18.00"),
        Decimal("27.00"),
    ]
    carriers = {s.carrier: s.tracking_url for s in mirrored.shipments.all()}
    assert carriers["ups"] == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    assert carriers["yurtici"].endswith("code=403519372288")
    assert [r.amount for r in mirrored.refunds.all()] == [Decimal("10.00")]

    # The same delivery again, and an older one, change nothing.
    assert services.apply(connector="woocommerce", change=data).events == []
    order["date_modified_gmt"] = "2026-05-02T00:00:00"
    order["status"] = "cancelled"
    (older,) = connector.parse("order.updated", order)
    assert services.apply(connector="woocommerce", change=older).stale is True
