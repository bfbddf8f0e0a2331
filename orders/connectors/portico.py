"""Portico's own JSON format, for stores without a built-in connector (docs/connectors.md).

``POST /webhooks/portico/`` with ``X-Portico-Signature: sha256=<hex HMAC-SHA256 of the raw
body>`` and ``X-Portico-Delivery-Id``. The body is one record, ``{"type": "order" |
"shipment" | "refund", "data": {...}}``, or a batch of them, ``{"type": "batch",
"records": [...]}``. The same records, one per line, are what ``import_orders`` reads
from a JSON Lines file.
"""

from typing import Any

from django.conf import settings

from ..exceptions import PayloadError
from ..models import Order, ShipmentStatus
from .base import (
    BaseConnector,
    CustomerData,
    LineData,
    OrderData,
    RefundData,
    ShipmentData,
    TrackingEventData,
    as_currency,
    as_datetime,
    as_email,
    as_list,
    as_money,
    as_object,
    as_quantity,
    as_text,
    get,
    scope,
    scoped,
)
from .hmac_signing import header, verify_hex

TYPES = ("order", "shipment", "refund")
BATCH = "batch"
# A store's sync job sends up to this many records in one delivery (about 2 MB of orders,
# well under the endpoint's 5 MB limit).
MAX_BATCH_RECORDS = 1000
STATUSES = set(ShipmentStatus.values)
FINANCIAL = set(Order.FinancialStatus.values)


def _status(value: Any, path: str) -> str:
    status = as_text(value, path) or ShipmentStatus.PENDING
    if status not in STATUSES:
        raise PayloadError(path, f"must be one of {', '.join(sorted(STATUSES))}")
    return status


def _tags(value: Any, path: str) -> list[str]:
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    return [as_text(t, f"{path}.{i}", max_length=100) for i, t in enumerate(as_list(value, path))]


def _flag(value: Any, path: str) -> bool:
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise PayloadError(path, "must be true or false")


@scoped()
def parse_order(data: dict, path: str = "data.") -> OrderData:
    external_id = as_text(get(data, "id"), f"{path}id", max_length=100)
    currency = as_currency(get(data, "currency"), f"{path}currency")
    financial = as_text(get(data, "financial_status", required=False), f"{path}financial_status")
    paid_at = as_datetime(get(data, "paid_at", required=False), f"{path}paid_at")
    if not financial:
        financial = "paid" if paid_at else "pending"
    if financial not in FINANCIAL:
        raise PayloadError(
            f"{path}financial_status", f"must be one of {', '.join(sorted(FINANCIAL))}"
        )
    email = as_email(get(data, "email"), f"{path}email")
    customer = get(data, "customer", required=False) or {}
    customer = as_object(customer, f"{path}customer")
    return OrderData(
        external_id=external_id,
        number=as_text(get(data, "number"), f"{path}number", max_length=50),
        email=email,
        currency=currency,
        subtotal=as_money(get(data, "subtotal", required=False), f"{path}subtotal"),
        discount_total=as_money(
            get(data, "discount_total", required=False), f"{path}discount_total"
        ),
        shipping_total=as_money(
            get(data, "shipping_total", required=False), f"{path}shipping_total"
        ),
        tax_total=as_money(get(data, "tax_total", required=False), f"{path}tax_total"),
        total=_non_negative(as_money(get(data, "total"), f"{path}total"), f"{path}total"),
        placed_at=as_datetime(get(data, "placed_at"), f"{path}placed_at", required=True),
        financial_status=financial,
        paid_at=paid_at,
        cancelled_at=as_datetime(get(data, "cancelled_at", required=False), f"{path}cancelled_at"),
        updated_at=as_datetime(get(data, "updated_at", required=False), f"{path}updated_at"),
        discount_codes=_tags(get(data, "discount_codes", default=[]), f"{path}discount_codes"),
        payment_reference=as_text(
            get(data, "payment_reference", required=False),
            f"{path}payment_reference",
            max_length=100,
        ),
        customer=CustomerData(
            email=as_email(
                get(customer, "email", required=False) or email, f"{path}customer.email"
            ),
            first_name=as_text(
                get(customer, "first_name", required=False),
                f"{path}customer.first_name",
                max_length=150,
            ),
            last_name=as_text(
                get(customer, "last_name", required=False),
                f"{path}customer.last_name",
                max_length=150,
            ),
            phone=as_text(
                get(customer, "phone", required=False), f"{path}customer.phone", max_length=40
            ),
            locale=as_text(
                get(customer, "locale", required=False), f"{path}customer.locale", max_length=12
            ),
            accepts_marketing=_flag(
                get(customer, "accepts_marketing", required=False),
                f"{path}customer.accepts_marketing",
            ),
            external_id=as_text(
                get(customer, "id", required=False), f"{path}customer.id", max_length=100
            ),
        ),
        lines=[
            parse_line(as_object(item, f"{path}lines.{i}"), f"{path}lines.{i}.")
            for i, item in enumerate(as_list(get(data, "lines", default=[]), f"{path}lines"))
        ],
        shipments=[
            parse_shipment(
                as_object(s, f"{path}shipments.{i}"), f"{path}shipments.{i}.", external_id
            )
            for i, s in enumerate(as_list(get(data, "shipments", default=[]), f"{path}shipments"))
        ],
        refunds=[
            parse_refund(as_object(r, f"{path}refunds.{i}"), f"{path}refunds.{i}.", external_id)
            for i, r in enumerate(as_list(get(data, "refunds", default=[]), f"{path}refunds"))
        ],
    )


def _non_negative(amount, path):
    if amount < 0:
        raise PayloadError(path, "must not be negative")
    return amount


@scoped()
def parse_line(item: dict, path: str) -> LineData:
    return LineData(
        external_id=as_text(get(item, "id"), f"{path}id", max_length=100),
        title=as_text(get(item, "title"), f"{path}title"),
        quantity=as_quantity(get(item, "quantity"), f"{path}quantity"),
        unit_price=_non_negative(
            as_money(get(item, "unit_price"), f"{path}unit_price"), f"{path}unit_price"
        ),
        sku=as_text(get(item, "sku", required=False), f"{path}sku", max_length=100),
        variant_title=as_text(get(item, "variant", required=False), f"{path}variant"),
        discount_total=as_money(get(item, "discount", required=False), f"{path}discount"),
        product_type=as_text(
            get(item, "product_type", required=False), f"{path}product_type", max_length=100
        ),
        tags=_tags(get(item, "tags", default=[]), f"{path}tags"),
        is_final_sale=_flag(get(item, "final_sale", required=False), f"{path}final_sale"),
        is_gift_card=_flag(get(item, "gift_card", required=False), f"{path}gift_card"),
    )


@scoped()
def parse_shipment(data: dict, path: str, order_id: str | None = None) -> ShipmentData:
    order_id = order_id or as_text(get(data, "order_id"), f"{path}order_id", max_length=100)
    return ShipmentData(
        order_external_id=order_id,
        external_id=as_text(get(data, "id"), f"{path}id", max_length=100),
        status=_status(get(data, "status", required=False), f"{path}status"),
        carrier=as_text(get(data, "carrier", required=False), f"{path}carrier", max_length=100),
        carrier_name=as_text(
            get(data, "carrier", required=False), f"{path}carrier", max_length=100
        ),
        tracking_number=as_text(
            get(data, "tracking_number", required=False), f"{path}tracking_number", max_length=100
        ),
        tracking_url=as_text(
            get(data, "tracking_url", required=False), f"{path}tracking_url", max_length=500
        ),
        shipped_at=as_datetime(get(data, "shipped_at", required=False), f"{path}shipped_at"),
        estimated_delivery_at=as_datetime(
            get(data, "estimated_delivery_at", required=False), f"{path}estimated_delivery_at"
        ),
        delivered_at=as_datetime(get(data, "delivered_at", required=False), f"{path}delivered_at"),
        updated_at=as_datetime(get(data, "updated_at", required=False), f"{path}updated_at"),
        lines=[
            (
                as_text(get(item, "line_id"), f"{path}lines.{i}.line_id", max_length=100),
                as_quantity(get(item, "quantity"), f"{path}lines.{i}.quantity"),
            )
            for i, item in enumerate(as_list(get(data, "lines", default=[]), f"{path}lines"))
        ],
        events=[
            parse_event(as_object(e, f"{path}events.{i}"), f"{path}events.{i}.")
            for i, e in enumerate(as_list(get(data, "events", default=[]), f"{path}events"))
        ],
    )


@scoped()
def parse_event(data: dict, path: str) -> TrackingEventData:
    return TrackingEventData(
        status=_status(get(data, "status"), f"{path}status"),
        occurred_at=as_datetime(get(data, "occurred_at"), f"{path}occurred_at", required=True),
        message=as_text(get(data, "message", required=False), f"{path}message", max_length=500),
        location=as_text(get(data, "location", required=False), f"{path}location", max_length=200),
    )


@scoped()
def parse_refund(data: dict, path: str, order_id: str | None = None) -> RefundData:
    order_id = order_id or as_text(get(data, "order_id"), f"{path}order_id", max_length=100)
    return RefundData(
        order_external_id=order_id,
        external_id=as_text(get(data, "id"), f"{path}id", max_length=100),
        amount=_non_negative(as_money(get(data, "amount"), f"{path}amount"), f"{path}amount"),
        currency=as_currency(get(data, "currency"), f"{path}currency"),
        refunded_at=as_datetime(get(data, "refunded_at"), f"{path}refunded_at", required=True),
        reason=as_text(get(data, "reason", required=False), f"{path}reason"),
        lines=[
            (
                as_text(get(item, "line_id"), f"{path}lines.{i}.line_id", max_length=100),
                as_quantity(get(item, "quantity"), f"{path}lines.{i}.quantity"),
                as_money(get(item, "amount", required=False), f"{path}lines.{i}.amount"),
            )
            for i, item in enumerate(as_list(get(data, "lines", default=[]), f"{path}lines"))
        ],
    )


def parse_record(record: Any):
    """One ``{"type": …, "data": {…}}`` record → one normalised change."""
    record = as_object(record, "body")
    kind = as_text(get(record, "type"), "type")
    if kind not in TYPES:
        raise PayloadError("type", f"must be one of {', '.join(TYPES)}")
    data = as_object(get(record, "data"), "data")
    if kind == "order":
        return parse_order(data)
    if kind == "shipment":
        return parse_shipment(data, "data.")
    return parse_refund(data, "data.")


def parse_batch(payload: dict) -> list:
    """``{"type": "batch", "records": [record, …]}`` → its changes, in order.

    A batch is all or nothing: one bad record fails the delivery, naming its field as
    ``records.<n>.<field>``, and none of its records is applied.
    """
    records = as_list(get(payload, "records"), "records")
    if not records:
        raise PayloadError("records", "must hold at least one record")
    if len(records) > MAX_BATCH_RECORDS:
        raise PayloadError("records", f"must hold at most {MAX_BATCH_RECORDS} records")
    changes = []
    for i, record in enumerate(records):
        with scope(f"records.{i}."):
            changes.append(parse_record(record))
    return changes


class PorticoConnector(BaseConnector):
    name = "portico"
    secret_setting = "PORTICO_WEBHOOK_SECRET"  # noqa: S105 - a setting's name

    def verify(self, headers, body):
        verify_hex(settings.PORTICO_WEBHOOK_SECRET, body, header(headers, "X-Portico-Signature"))

    def delivery_id(self, headers, body):
        return header(headers, "X-Portico-Delivery-Id")

    def topic(self, headers, payload):
        if isinstance(payload, dict) and isinstance(payload.get("type"), str):
            return payload["type"][:100]
        return ""

    def parse(self, topic, payload):
        if isinstance(payload, dict) and payload.get("type") == BATCH:
            return parse_batch(payload)
        return [parse_record(payload)]


connector = PorticoConnector()
