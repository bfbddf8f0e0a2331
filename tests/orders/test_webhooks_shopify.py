"""Shopify deliveries end to end: signed request → inbox → task → mirror → signals."""

import copy
from decimal import Decimal

import pytest

from orders.models import (
    Customer,
    Order,
    Refund,
    Shipment,
    ShipmentStatus,
    WebhookDelivery,
)
from tests.orders.webhook_helpers import payload, shopify

pytestmark = pytest.mark.django_db

ORDER_ID = "820982911946154508"


def names(sent):
    return [name for name, _ in sent]


def test_a_valid_order_delivery_is_stored_and_mirrored(client, deliver, sent):
    response = deliver(shopify, client, "orders/create", payload("shopify_order.json"))
    assert response.status_code == 202
    assert response.json()["status"] == "accepted"

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PROCESSED
    assert delivery.topic == "orders/create"

    order = Order.objects.get(connector="shopify", external_id=ORDER_ID)
    assert order.number == "#1001"
    assert order.lookup_number == "1001"
    assert order.email == "jon@example.com"
    assert order.currency == "TRY"
    assert order.total == Decimal("1250.00")
    assert order.shipping_total == Decimal("150.00")
    assert order.discount_codes == ["SPRING10"]
    assert order.financial_status == "paid"
    assert order.placed_at.isoformat() == "2026-05-01T10:05:14+00:00"
    towel, throw = order.lines.order_by("title")
    assert (towel.sku, towel.quantity, towel.unit_price) == ("TWL-SAND-L", 2, Decimal("400.00"))
    assert towel.discount_total == Decimal("50.00")
    assert throw.is_final_sale and not towel.is_final_sale
    customer = Customer.objects.get()
    assert (customer.first_name, customer.accepts_marketing) == ("Jon", True)
    assert names(sent) == ["order_placed", "order_paid"]


def test_a_forged_or_missing_signature_gets_401_and_nothing_is_stored(client, deliver):
    data = payload("shopify_order.json")
    assert deliver(shopify, client, "orders/create", data, secret="wrong").status_code == 401
    assert deliver(shopify, client, "orders/create", data, signature=False).status_code == 401
    response = deliver(shopify, client, "orders/create", data, signature="bm90IGl0")
    assert response.status_code == 401
    assert response.json()["field"] == "signature"
    assert not WebhookDelivery.objects.exists()
    assert not Order.objects.exists()


def test_malformed_json_gets_400_naming_the_body_and_is_kept(client, deliver):
    response = deliver(shopify, client, "orders/create", b'{"id": 1, "name": ')
    assert response.status_code == 400
    assert response.json()["field"] == "body"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.error_field == "body"
    assert delivery.body_bytes == b'{"id": 1, "name": '


def test_an_unmappable_payload_gets_400_naming_the_field(client, deliver):
    data = payload("shopify_order.json")
    data["line_items"][1]["quantity"] = "two"
    response = deliver(shopify, client, "orders/create", data)
    assert response.status_code == 400
    assert response.json()["field"] == "line_items.1.quantity"
    assert WebhookDelivery.objects.get().error_field == "line_items.1.quantity"
    assert not Order.objects.exists()


def test_the_same_delivery_twice_changes_nothing(client, deliver, sent):
    data = payload("shopify_order.json")
    first = deliver(shopify, client, "orders/create", data, delivery_id="d-1")
    second = deliver(shopify, client, "orders/create", data, delivery_id="d-1")
    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json()["status"] == "duplicate"
    assert WebhookDelivery.objects.count() == 1
    assert Order.objects.count() == 1
    assert names(sent) == ["order_placed", "order_paid"]


def test_the_same_order_under_new_delivery_ids_sends_each_signal_once(client, deliver, sent):
    data = payload("shopify_order.json")
    for _ in range(3):
        deliver(shopify, client, "orders/updated", data)
    assert Order.objects.count() == 1
    assert names(sent) == ["order_placed", "order_paid"]


def test_a_stale_update_after_a_newer_one_changes_nothing(client, deliver):
    newer = payload("shopify_order.json")
    newer["updated_at"] = "2026-05-03T10:00:00+03:00"
    newer["total_price"] = "1100.00"
    older = copy.deepcopy(newer)
    older["updated_at"] = "2026-05-02T10:00:00+03:00"
    older["total_price"] = "9999.00"
    deliver(shopify, client, "orders/updated", newer)
    deliver(shopify, client, "orders/updated", older)
    assert Order.objects.get().total == Decimal("1100.00")


def test_cancellation_is_announced_once(client, deliver, sent):
    data = payload("shopify_order.json")
    deliver(shopify, client, "orders/create", data)
    cancelled = copy.deepcopy(data)
    cancelled["cancelled_at"] = "2026-05-01T15:00:00+03:00"
    cancelled["cancel_reason"] = "customer"
    cancelled["updated_at"] = "2026-05-01T15:00:00+03:00"
    deliver(shopify, client, "orders/cancelled", cancelled)
    deliver(shopify, client, "orders/updated", cancelled)
    order = Order.objects.get()
    assert order.is_cancelled and order.cancel_reason == "customer"
    assert names(sent).count("order_cancelled") == 1


def test_a_line_removed_by_the_store_is_kept_but_marked(client, deliver):
    data = payload("shopify_order.json")
    deliver(shopify, client, "orders/create", data)
    edited = copy.deepcopy(data)
    edited["line_items"] = edited["line_items"][:1]
    edited["updated_at"] = "2026-05-01T14:00:00+03:00"
    deliver(shopify, client, "orders/updated", edited)
    lines = {line.title: line.removed for line in Order.objects.get().lines.all()}
    assert lines == {"Linen towel": False, "Wool throw": True}


def test_fulfillments_become_shipments_with_a_carrier_link(client, deliver, sent):
    deliver(shopify, client, "orders/create", payload("shopify_order.json"))
    deliver(shopify, client, "fulfillments/create", payload("shopify_fulfillment.json"))
    shipment = Shipment.objects.get()
    assert shipment.carrier == "yurtici"
    assert shipment.carrier_name == "Yurtiçi Kargo"
    assert shipment.status == ShipmentStatus.IN_TRANSIT
    assert "YK123456789" in shipment.tracking_url
    assert shipment.items.get().quantity == 2
    assert Order.objects.get().fulfillment_status == Order.FulfillmentStatus.PARTIAL
    assert ("shipment_updated") in names(sent)


def test_each_real_shipment_status_change_is_announced_once(client, deliver, sent):
    deliver(shopify, client, "orders/create", payload("shopify_order.json"))
    fulfillment = payload("shopify_fulfillment.json")
    deliver(shopify, client, "fulfillments/create", fulfillment)
    deliver(shopify, client, "fulfillments/update", fulfillment)  # no change
    for status in ("out_for_delivery", "delivered", "delivered"):
        fulfillment = copy.deepcopy(fulfillment)
        fulfillment["shipment_status"] = status
        deliver(shopify, client, "fulfillments/update", fulfillment)
    updates = [kw["status"] for name, kw in sent if name == "shipment_updated"]
    assert updates == ["in_transit", "out_for_delivery", "delivered"]
    assert names(sent).count("shipment_delivered") == 1
    assert Shipment.objects.get().delivered_at is not None


def test_a_refund_before_its_order_waits_and_applies_when_the_order_arrives(client, deliver, sent):
    response = deliver(shopify, client, "refunds/create", payload("shopify_refund.json"))
    assert response.status_code == 202
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.WAITING
    assert delivery.waiting_for == f"shopify:{ORDER_ID}"
    assert not Refund.objects.exists()

    deliver(shopify, client, "orders/create", payload("shopify_order.json"))
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PROCESSED
    refund = Refund.objects.get()
    assert refund.amount == Decimal("375.00")
    assert refund.lines.get().quantity == 1
    order = Order.objects.get()
    assert order.financial_status == Order.FinancialStatus.PARTIALLY_REFUNDED
    assert names(sent) == ["order_placed", "order_paid", "order_refunded"]


def test_the_same_refund_twice_is_recorded_once(client, deliver, sent):
    deliver(shopify, client, "orders/create", payload("shopify_order.json"))
    deliver(shopify, client, "refunds/create", payload("shopify_refund.json"))
    deliver(shopify, client, "refunds/create", payload("shopify_refund.json"))
    order = payload("shopify_order.json")
    order["refunds"] = [payload("shopify_refund.json")]
    order["updated_at"] = "2026-05-10T12:00:01+03:00"
    deliver(shopify, client, "orders/updated", order)
    assert Refund.objects.count() == 1
    assert names(sent).count("order_refunded") == 1


def test_an_unused_topic_is_stored_and_ignored(client, deliver):
    response = deliver(shopify, client, "products/update", {"id": 1, "title": "Towel"})
    assert response.status_code == 202
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.IGNORED


def test_a_failed_delivery_can_be_replayed_by_staff(client, deliver):
    from orders import services

    data = payload("shopify_order.json")
    deliver(shopify, client, "orders/create", data)
    delivery = WebhookDelivery.objects.get()
    Order.objects.all().delete()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED)
    deliver(services.delivery_replay, delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PROCESSED
    assert delivery.attempts == 2
    assert Order.objects.count() == 1


def test_get_is_not_allowed(client):
    assert client.get("/webhooks/shopify/").status_code == 405


def test_a_signature_header_with_non_ascii_text_is_refused_not_a_500(client, deliver):
    data = payload("shopify_order.json")
    response = deliver(shopify, client, "orders/create", data, signature="şifre==")
    assert response.status_code == 401
