"""Shopify webhooks (Admin REST API resource payloads).

Verified by ``X-Shopify-Hmac-Sha256``: base64 HMAC-SHA256 of the raw body with the app's
secret. The topic is ``X-Shopify-Topic``; ``X-Shopify-Webhook-Id`` names the delivery
(Shopify retries with the same id). Order topics carry the whole order resource (with its
fulfillments and refunds); fulfillment and refund topics carry that resource with
``order_id``. Money is a string in the shop's currency; times are ISO 8601 with offset.
"""

from typing import Any

from django.conf import settings

from ..exceptions import PayloadError
from ..models import ShipmentStatus
from .base import (
    BaseConnector,
    CustomerData,
    LineData,
    OrderData,
    RefundData,
    ShipmentData,
    as_currency,
    as_datetime,
    as_email,
    as_list,
    as_money,
    as_object,
    as_quantity,
    as_text,
    get,
    scoped,
)
from .hmac_signing import header, verify_base64

ORDER_TOPICS = {"orders/create", "orders/updated", "orders/paid", "orders/cancelled"}
FULFILLMENT_TOPICS = {"fulfillments/create", "fulfillments/update"}
REFUND_TOPICS = {"refunds/create"}

FINANCIAL_STATUS = {
    "pending": "pending",
    "authorized": "authorized",
    "partially_paid": "pending",
    "paid": "paid",
    "partially_refunded": "partially_refunded",
    "refunded": "refunded",
    "voided": "voided",
}
PAID_STATES = {"paid", "partially_refunded", "refunded"}

# Fulfillment.shipment_status (the carrier's latest word) → Portico's status.
SHIPMENT_STATUS = {
    None: ShipmentStatus.INFO_RECEIVED,
    "confirmed": ShipmentStatus.INFO_RECEIVED,
    "label_printed": ShipmentStatus.INFO_RECEIVED,
    "label_purchased": ShipmentStatus.INFO_RECEIVED,
    "carrier_picked_up": ShipmentStatus.IN_TRANSIT,
    "in_transit": ShipmentStatus.IN_TRANSIT,
    "delayed": ShipmentStatus.IN_TRANSIT,
    "out_for_delivery": ShipmentStatus.OUT_FOR_DELIVERY,
    "attempted_delivery": ShipmentStatus.FAILED_ATTEMPT,
    "ready_for_pickup": ShipmentStatus.AVAILABLE_FOR_PICKUP,
    "picked_up": ShipmentStatus.DELIVERED,
    "delivered": ShipmentStatus.DELIVERED,
    "failure": ShipmentStatus.EXCEPTION,
    "not_delivered": ShipmentStatus.EXCEPTION,
}


class ShopifyConnector(BaseConnector):
    name = "shopify"
    secret_setting = "SHOPIFY_WEBHOOK_SECRET"  # noqa: S105 - a setting's name

    def verify(self, headers, body):
        verify_base64(
            settings.SHOPIFY_WEBHOOK_SECRET, body, header(headers, "X-Shopify-Hmac-Sha256")
        )

    def delivery_id(self, headers, body):
        return header(headers, "X-Shopify-Webhook-Id") or header(headers, "X-Shopify-Event-Id")

    def topic(self, headers, payload):
        return header(headers, "X-Shopify-Topic")

    def parse(self, topic: str, payload: Any):
        if topic in ORDER_TOPICS:
            return [self.order(as_object(payload, "body"), topic)]
        if topic in FULFILLMENT_TOPICS:
            fulfillment = as_object(payload, "body")
            order_id = as_text(get(fulfillment, "order_id"), "order_id")
            return [self.shipment(fulfillment, order_id, path="")]
        if topic in REFUND_TOPICS:
            refund = as_object(payload, "body")
            order_id = as_text(get(refund, "order_id"), "order_id")
            return [self.refund(refund, order_id, currency="", path="")]
        return []

    def order(self, data: dict, topic: str) -> OrderData:
        external_id = as_text(get(data, "id"), "id")
        currency = as_currency(get(data, "currency"), "currency")
        email = get(data, "email", required=False) or get(data, "contact_email", required=False)
        if not email:
            raise PayloadError("email", "is required")
        status = as_text(get(data, "financial_status", required=False), "financial_status")
        updated_at = as_datetime(get(data, "updated_at", required=False), "updated_at")
        created_at = as_datetime(get(data, "created_at"), "created_at", required=True)
        financial_status = FINANCIAL_STATUS.get(status, "pending")
        if topic == "orders/paid" and financial_status not in PAID_STATES:
            financial_status = "paid"
        paid = financial_status in PAID_STATES
        paid_at = None
        if paid:
            paid_at = (
                as_datetime(get(data, "processed_at", required=False), "processed_at")
                or updated_at
                or created_at
            )
        cancelled_at = as_datetime(get(data, "cancelled_at", required=False), "cancelled_at")
        shipping = get(data, "total_shipping_price_set.shop_money.amount", required=False)
        lines = [
            self.line(as_object(item, f"line_items.{i}"), f"line_items.{i}")
            for i, item in enumerate(as_list(get(data, "line_items", default=[]), "line_items"))
        ]
        return OrderData(
            external_id=external_id,
            number=as_text(get(data, "name", required=False), "name")
            or f"#{as_text(get(data, 'order_number'), 'order_number')}",
            email=as_email(email, "email"),
            currency=currency,
            subtotal=as_money(get(data, "subtotal_price", required=False), "subtotal_price"),
            discount_total=as_money(
                get(data, "total_discounts", required=False), "total_discounts"
            ),
            shipping_total=as_money(shipping, "total_shipping_price_set.shop_money.amount"),
            tax_total=as_money(get(data, "total_tax", required=False), "total_tax"),
            total=as_money(get(data, "total_price"), "total_price"),
            placed_at=created_at,
            financial_status=financial_status,
            paid_at=paid_at,
            cancelled_at=cancelled_at,
            cancel_reason=as_text(get(data, "cancel_reason", required=False), "cancel_reason"),
            updated_at=updated_at,
            discount_codes=[
                as_text(get(code, "code"), f"discount_codes.{i}.code")
                for i, code in enumerate(
                    as_list(get(data, "discount_codes", default=[]), "discount_codes")
                )
            ],
            shipping_address=get(data, "shipping_address", required=False) or {},
            customer=self.customer(data, email),
            lines=lines,
            shipments=[
                self.shipment(as_object(f, f"fulfillments.{i}"), external_id, f"fulfillments.{i}.")
                for i, f in enumerate(
                    as_list(get(data, "fulfillments", default=[]), "fulfillments")
                )
            ],
            refunds=[
                self.refund(as_object(r, f"refunds.{i}"), external_id, currency, f"refunds.{i}.")
                for i, r in enumerate(as_list(get(data, "refunds", default=[]), "refunds"))
            ],
        )

    def customer(self, data: dict, email: str) -> CustomerData:
        customer = get(data, "customer", required=False) or {}
        consent = get(customer, "email_marketing_consent.state", required=False)
        return CustomerData(
            email=as_email(get(customer, "email", required=False) or email, "customer.email"),
            first_name=as_text(get(customer, "first_name", required=False), "customer.first_name"),
            last_name=as_text(get(customer, "last_name", required=False), "customer.last_name"),
            phone=as_text(get(customer, "phone", required=False), "customer.phone", max_length=40),
            locale=as_text(get(data, "customer_locale", required=False), "customer_locale")[:12],
            accepts_marketing=consent == "subscribed"
            or bool(get(customer, "accepts_marketing", required=False)),
            external_id=as_text(get(customer, "id", required=False), "customer.id"),
        )

    @scoped()
    def line(self, item: dict, path: str) -> LineData:
        discount = sum(
            (
                as_money(get(a, "amount"), f"{path}.discount_allocations.{i}.amount")
                for i, a in enumerate(
                    as_list(
                        get(item, "discount_allocations", default=[]),
                        f"{path}.discount_allocations",
                    )
                )
            ),
            start=as_money(0, path),
        ) or as_money(get(item, "total_discount", required=False), f"{path}.total_discount")
        properties = {
            str(p.get("name", "")).lower(): str(p.get("value", "")).lower()
            for p in as_list(get(item, "properties", default=[]), f"{path}.properties")
            if isinstance(p, dict)
        }
        return LineData(
            external_id=as_text(get(item, "id"), f"{path}.id"),
            title=as_text(get(item, "title"), f"{path}.title"),
            quantity=as_quantity(get(item, "quantity"), f"{path}.quantity"),
            unit_price=as_money(get(item, "price"), f"{path}.price"),
            sku=as_text(get(item, "sku", required=False), f"{path}.sku", max_length=100),
            variant_title=as_text(
                get(item, "variant_title", required=False), f"{path}.variant_title"
            ),
            discount_total=discount,
            product_type=as_text(get(item, "product_type", required=False), f"{path}.product_type")[
                :100
            ],
            is_gift_card=bool(get(item, "gift_card", required=False)),
            is_final_sale=properties.get("_final_sale") in ("true", "yes", "1"),
        )

    @scoped()
    def shipment(self, data: dict, order_id: str, path: str) -> ShipmentData:
        raw_status = get(data, "shipment_status", required=False)
        status = SHIPMENT_STATUS.get(raw_status, ShipmentStatus.IN_TRANSIT)
        if get(data, "status", required=False) in ("cancelled", "error", "failure"):
            status = ShipmentStatus.EXCEPTION
        numbers = get(data, "tracking_numbers", required=False) or []
        urls = get(data, "tracking_urls", required=False) or []
        number = get(data, "tracking_number", required=False) or (numbers[0] if numbers else "")
        url = get(data, "tracking_url", required=False) or (urls[0] if urls else "")
        created = as_datetime(get(data, "created_at", required=False), f"{path}created_at")
        updated = as_datetime(get(data, "updated_at", required=False), f"{path}updated_at")
        return ShipmentData(
            order_external_id=order_id,
            external_id=as_text(get(data, "id"), f"{path}id"),
            status=status,
            carrier=as_text(
                get(data, "tracking_company", required=False), f"{path}tracking_company"
            ),
            carrier_name=as_text(
                get(data, "tracking_company", required=False), f"{path}tracking_company"
            ),
            tracking_number=as_text(number, f"{path}tracking_number", max_length=100),
            tracking_url=as_text(url, f"{path}tracking_url", max_length=500),
            shipped_at=created,
            delivered_at=updated if status == ShipmentStatus.DELIVERED else None,
            updated_at=updated,
            lines=[
                (
                    as_text(get(item, "id"), f"{path}line_items.{i}.id"),
                    as_quantity(get(item, "quantity"), f"{path}line_items.{i}.quantity"),
                )
                for i, item in enumerate(
                    as_list(get(data, "line_items", default=[]), f"{path}line_items")
                )
            ],
        )

    @scoped()
    def refund(self, data: dict, order_id: str, currency: str, path: str) -> RefundData:
        transactions = as_list(get(data, "transactions", default=[]), f"{path}transactions")
        amount = as_money(0, path)
        for i, t in enumerate(transactions):
            if get(t, "kind", required=False) == "refund" and get(t, "status", required=False) in (
                "success",
                None,
            ):
                amount += as_money(get(t, "amount"), f"{path}transactions.{i}.amount")
                currency = currency or as_currency(
                    get(t, "currency", required=False) or "", f"{path}transactions.{i}.currency"
                )
        lines = []
        for i, item in enumerate(
            as_list(get(data, "refund_line_items", default=[]), f"{path}refund_line_items")
        ):
            p = f"{path}refund_line_items.{i}."
            lines.append(
                (
                    as_text(get(item, "line_item_id"), f"{p}line_item_id"),
                    as_quantity(get(item, "quantity"), f"{p}quantity"),
                    as_money(get(item, "subtotal", required=False), f"{p}subtotal"),
                )
            )
        return RefundData(
            order_external_id=order_id,
            external_id=as_text(get(data, "id"), f"{path}id"),
            amount=amount,
            currency=currency,
            refunded_at=as_datetime(get(data, "created_at"), f"{path}created_at", required=True),
            reason=as_text(get(data, "note", required=False), f"{path}note"),
            lines=lines,
        )


connector = ShopifyConnector()
