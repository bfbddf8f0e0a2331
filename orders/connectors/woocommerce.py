"""WooCommerce: order webhooks carrying the REST API v3 order object.

Follows the published formats of
- WooCommerce webhooks (topics ``order.created`` / ``order.updated`` / ``order.deleted``,
  headers ``X-WC-Webhook-Topic``, ``X-WC-Webhook-Delivery-ID`` and
  ``X-WC-Webhook-Signature`` = base64(HMAC-SHA256(secret, raw body))), with the webhook's
  API version set to "WP REST API Integration v3": the body is the order exactly as
  ``GET /wp-json/wc/v3/orders/<id>`` returns it;
- the "WooCommerce Shipment Tracking" extension, which keeps its parcels in the order
  meta ``_wc_shipment_tracking_items`` (``tracking_id``, ``tracking_provider``,
  ``custom_tracking_provider``, ``custom_tracking_link``, ``tracking_number``,
  ``date_shipped`` as a Unix timestamp). TrackShip / Advanced Shipment Tracking add a
  parallel ``shipment_status`` meta (one ``{"status": ...}`` per tracking item), read when
  present.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime

from ..exceptions import PayloadError
from ..models import Order, ShipmentStatus
from .base import (
    BaseConnector,
    Change,
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
)
from .hmac_signing import header, verify_base64

FinancialStatus = Order.FinancialStatus

# Topics whose body is a full order. ``order.restored`` (an order taken out of the trash)
# carries the same object as an update.
ORDER_TOPICS = {"order.created", "order.updated", "order.restored"}

# WooCommerce order statuses → the financial status before refunds are counted.
# "cancelled" and unknown (plugin-defined) statuses are decided from ``date_paid`` in
# ``_financial_status``; "checkout-draft" is a Blocks checkout not placed yet and ignored.
ORDER_STATUSES = {
    "pending": FinancialStatus.PENDING,
    "on-hold": FinancialStatus.PENDING,
    "processing": FinancialStatus.PAID,
    "completed": FinancialStatus.PAID,
    "refunded": FinancialStatus.REFUNDED,
    "failed": FinancialStatus.VOIDED,
}
DRAFT_STATUSES = {"checkout-draft"}

# Shipment words → ShipmentStatus. The Shipment Tracking extension itself has no status:
# an item with a ship date is "shipped", one without is a label waiting for pickup.
# The other words are TrackShip's (Advanced Shipment Tracking) ``shipment_status`` values.
SHIPMENT_STATUSES = {
    "label_created": ShipmentStatus.INFO_RECEIVED,
    "pre_transit": ShipmentStatus.INFO_RECEIVED,
    "shipped": ShipmentStatus.IN_TRANSIT,
    "in_transit": ShipmentStatus.IN_TRANSIT,
    "out_for_delivery": ShipmentStatus.OUT_FOR_DELIVERY,
    "failure": ShipmentStatus.FAILED_ATTEMPT,
    "failed_attempt": ShipmentStatus.FAILED_ATTEMPT,
    "available_for_pickup": ShipmentStatus.AVAILABLE_FOR_PICKUP,
    "delivered": ShipmentStatus.DELIVERED,
    "exception": ShipmentStatus.EXCEPTION,
    "return_to_sender": ShipmentStatus.RETURNED_TO_SENDER,
    "returned_to_sender": ShipmentStatus.RETURNED_TO_SENDER,
}

PING_BODY = re.compile(rb"webhook_id=\d{1,20}")

TRACKING_META_KEY = "_wc_shipment_tracking_items"
TRACKING_STATUS_META_KEY = "shipment_status"

CENT = Decimal("0.01")


class WooCommerceConnector(BaseConnector):
    name = "woocommerce"
    secret_setting = "WOOCOMMERCE_WEBHOOK_SECRET"  # noqa: S105 (a setting's name)

    def verify(self, headers: dict[str, str], body: bytes) -> None:
        raw = body.encode() if isinstance(body, str) else bytes(body)
        verify_base64(
            getattr(settings, self.secret_setting, ""),
            raw,
            header(headers, "X-WC-Webhook-Signature"),
        )

    def is_ping(self, headers: dict[str, str], body: bytes) -> bool:
        """WooCommerce's test ping when a webhook is saved: an unsigned form body
        ``webhook_id=<n>`` that must be answered with 200, or the store reports an error.
        It carries nothing: answer it without storing (and without ``verify``)."""
        raw = body.encode() if isinstance(body, str) else bytes(body)
        return PING_BODY.fullmatch(raw) is not None and not header(
            headers, "X-WC-Webhook-Signature"
        )

    def delivery_id(self, headers: dict[str, str], body: bytes) -> str:
        return header(headers, "X-WC-Webhook-Delivery-ID")[:200]

    def topic(self, headers: dict[str, str], payload: Any) -> str:
        return header(headers, "X-WC-Webhook-Topic").lower()[:100]

    def parse(self, topic: str, payload: Any) -> list[Change]:
        if (topic or "").strip().lower() not in ORDER_TOPICS:
            # order.deleted carries only {"id": …}; the mirror keeps the order as it was.
            return []
        order = as_object(payload, "body")
        status = as_text(get(order, "status", required=False), "status", max_length=50).lower()
        if status in DRAFT_STATUSES:
            return []
        return [_order(order, status)]


def _text(data: dict, path: str, *, max_length: int = 255, required: bool = False) -> str:
    """The text at ``path`` (dotted, from ``data``); a wrong one names its path."""
    return as_text(get(data, path, required=required), path, max_length=max_length)


def _order(order: dict, status: str) -> OrderData:
    external_id = _text(order, "id", max_length=100, required=True)
    number = _text(order, "number", max_length=50) or external_id
    email = as_email(get(order, "billing.email"), "billing.email")
    currency = as_currency(get(order, "currency"), "currency")
    placed_at = _time(order, "date_created", required=True)
    updated_at = _time(order, "date_modified", required=True)
    paid_at = _time(order, "date_paid")
    total = as_money(get(order, "total"), "total")

    lines, subtotal = _lines(order)
    refunds = _refunds(order, external_id, currency, updated_at)
    financial_status = _financial_status(status, paid_at is not None, total, refunds)
    if paid_at is None and status in ("processing", "completed"):
        # A paid status without date_paid (set by hand in the admin, or cash on delivery):
        # the order was paid by the time of this change at the latest.
        paid_at = _time(order, "date_completed") or updated_at

    return OrderData(
        external_id=external_id,
        number=number,
        email=email,
        currency=currency,
        total=total,
        placed_at=placed_at,
        subtotal=subtotal,
        discount_total=as_money(get(order, "discount_total", required=False), "discount_total"),
        shipping_total=as_money(get(order, "shipping_total", required=False), "shipping_total"),
        tax_total=as_money(get(order, "total_tax", required=False), "total_tax"),
        financial_status=financial_status,
        paid_at=paid_at,
        cancelled_at=updated_at if status == "cancelled" else None,
        updated_at=updated_at,
        discount_codes=_discount_codes(order),
        # The gateway's own id (a Stripe PaymentIntent, a PayPal capture, ...).
        payment_reference=_text(order, "transaction_id", max_length=100),
        shipping_address=_address(order, "shipping"),
        customer=_customer(order, email),
        lines=lines,
        # Lines missing from a full order were removed in the store; but a body without
        # the key at all says nothing about lines.
        lines_complete="line_items" in order,
        shipments=_shipments(order, external_id, updated_at),
        refunds=refunds,
    )


def _time(order: dict, name: str, *, required: bool = False) -> datetime | None:
    """``<name>_gmt`` (UTC without a zone), else ``<name>`` only if it carries an offset.

    The plain field is the store's local time without a zone; read as UTC it would be
    off by the store's offset, so a local-only time is refused rather than guessed.
    """
    gmt_path = f"{name}_gmt"
    gmt = order.get(gmt_path)
    if gmt not in (None, ""):
        return as_datetime(gmt, gmt_path)
    local = order.get(name)
    if local not in (None, ""):
        parsed = as_datetime(local, name)
        if not isinstance(local, str) or parse_datetime(local.strip()).tzinfo is not None:
            return parsed
        raise PayloadError(gmt_path, "is required (the local time has no zone)")
    if required:
        raise PayloadError(gmt_path, "is required")
    return None


def _financial_status(status: str, paid: bool, total: Decimal, refunds: list) -> str:
    if status in ORDER_STATUSES:
        base = ORDER_STATUSES[status]
    elif status == "cancelled":
        # A cancelled unpaid order never took money; a paid one did until it is refunded.
        base = FinancialStatus.PAID if paid else FinancialStatus.VOIDED
    else:
        # Plugin statuses ("shipped", "delivered", ...) say nothing about money.
        base = FinancialStatus.PAID if paid else FinancialStatus.PENDING
    if base == FinancialStatus.PAID and refunds:
        # WooCommerce keeps "processing"/"completed" after a partial refund; saying so here
        # keeps a later order.updated from turning the mirror back to "paid".
        refunded = sum((refund.amount for refund in refunds), Decimal("0"))
        return FinancialStatus.REFUNDED if refunded >= total else FinancialStatus.PARTIALLY_REFUNDED
    return base


def _lines(order: dict) -> tuple[list[LineData], Decimal]:
    """The lines, and their sum before discounts (WooCommerce sends no order subtotal)."""
    items = as_list(order.get("line_items"), "line_items")
    lines, subtotal_sum = [], Decimal("0")
    for i, item in enumerate(items):
        path = f"line_items.{i}"
        as_object(item, path)
        quantity = as_quantity(get(order, f"{path}.quantity"), f"{path}.quantity")
        subtotal_raw = get(order, f"{path}.subtotal", required=False)
        total_raw = get(order, f"{path}.total", required=False)
        subtotal = as_money(subtotal_raw, f"{path}.subtotal")
        total = as_money(total_raw, f"{path}.total")
        if subtotal_raw not in (None, "") and quantity:
            # ``price`` is the total after discounts divided by the quantity (and a float);
            # the unit price before discounts is the subtotal per unit.
            unit_price = (subtotal / quantity).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            unit_price = as_money(get(order, f"{path}.price", required=False), f"{path}.price")
        discount = Decimal("0")
        if subtotal_raw not in (None, "") and total_raw not in (None, ""):
            # Coupons lower ``total`` below ``subtotal``; a total above it (a plugin's
            # surcharge) is not a negative discount.
            discount = max(subtotal - total, Decimal("0"))
        subtotal_sum += subtotal if subtotal_raw not in (None, "") else unit_price * quantity
        lines.append(
            LineData(
                external_id=_text(order, f"{path}.id", max_length=100, required=True),
                title=_text(order, f"{path}.name", required=True),
                quantity=quantity,
                unit_price=unit_price,
                sku=_text(order, f"{path}.sku", max_length=100),
                variant_title=_variant_title(order, path),
                discount_total=discount,
            )
        )
    return lines, subtotal_sum


def _variant_title(order: dict, path: str) -> str:
    """The variation's attributes as the store shows them: "Colour: Blue, Size: M"."""
    meta = as_list(get(order, f"{path}.meta_data", required=False), f"{path}.meta_data")
    parts = []
    for j, entry in enumerate(meta):
        entry = as_object(entry, f"{path}.meta_data.{j}")
        key = entry.get("key")
        if not isinstance(key, str) or key.startswith("_"):
            continue  # keys starting with "_" are WooCommerce's hidden item meta
        label = entry.get("display_key") or key
        value = entry.get("display_value", entry.get("value"))
        if isinstance(label, str) and isinstance(value, str | int | float) and str(value):
            parts.append(f"{label}: {value}")
    return ", ".join(parts)[:255]


def _discount_codes(order: dict) -> list[str]:
    coupons = as_list(order.get("coupon_lines"), "coupon_lines")
    codes = []
    for i, _coupon in enumerate(coupons):
        path = f"coupon_lines.{i}.code"
        codes.append(_text(order, path, max_length=100, required=True))
    return codes


def _customer(order: dict, email: str) -> CustomerData:
    customer_id = get(order, "customer_id", required=False)
    return CustomerData(
        email=email,
        first_name=_text(order, "billing.first_name", max_length=150),
        last_name=_text(order, "billing.last_name", max_length=150),
        phone=_text(order, "billing.phone", max_length=40),
        # 0 is WooCommerce's guest checkout.
        external_id=as_text(customer_id, "customer_id", max_length=100) if customer_id else "",
    )


ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "phone",
)


def _address(order: dict, name: str) -> dict:
    address = order.get(name)
    if address is None:
        return {}
    address = as_object(address, name)
    return {
        field: as_text(address[field], f"{name}.{field}")
        for field in ADDRESS_FIELDS
        if address.get(field) not in (None, "")
    }


def _refunds(
    order: dict, external_id: str, currency: str, updated_at: datetime
) -> list[RefundData]:
    """The order's refund summaries: ``{"id", "reason", "total": "-10.00"}``.

    The summary has no date; the order's modification time is the closest we know, and
    a refund is recorded once, so later updates do not move it.
    """
    refunds = []
    for i, _refund in enumerate(as_list(order.get("refunds"), "refunds")):
        path = f"refunds.{i}"
        as_object(_refund, path)
        refunds.append(
            RefundData(
                order_external_id=external_id,
                external_id=_text(order, f"{path}.id", max_length=100, required=True),
                # The summary's total is negative ("-10.00"); a refund's amount is not.
                amount=abs(as_money(get(order, f"{path}.total"), f"{path}.total")),
                currency=currency,
                refunded_at=updated_at,
                reason=_text(order, f"{path}.reason"),
            )
        )
    return refunds


def _meta(order: dict, key: str) -> tuple[str, Any] | None:
    """(path, value) of the order meta ``key``, or None."""
    for i, entry in enumerate(as_list(order.get("meta_data"), "meta_data")):
        entry = as_object(entry, f"meta_data.{i}")
        if entry.get("key") == key:
            path = f"meta_data.{i}.value"
            value = entry.get("value")
            if isinstance(value, str) and value.strip().startswith(("[", "{")):
                # Some stores' REST filters hand array meta out JSON-encoded.
                try:
                    value = json.loads(value)
                except ValueError:
                    raise PayloadError(path, "is not valid JSON") from None
            return path, value
    return None


def _shipments(order: dict, external_id: str, updated_at: datetime) -> list[ShipmentData]:
    found = _meta(order, TRACKING_META_KEY)
    if found is None:
        return []
    path, value = found
    # A PHP array whose keys have gaps (an item was deleted) arrives as an object.
    items = list(value.values()) if isinstance(value, dict) else as_list(value, path)
    statuses = _tracking_statuses(order)
    shipments = []
    for j, item in enumerate(items):
        item_path = f"{path}.{j}"
        item = as_object(item, item_path)
        number = _item_text(item, item_path, "tracking_number", 100)
        provider = _item_text(item, item_path, "tracking_provider", 100)
        custom = _item_text(item, item_path, "custom_tracking_provider", 100)
        link = _item_text(item, item_path, "custom_tracking_link", 500)
        if link and number:
            # Custom links may hold the extension's placeholder for the number.
            link = link.replace("%1$s", quote(number, safe=""))
        # Items saved by versions before tracking_id existed: the number is unique enough.
        tracking_id = _item_text(item, item_path, "tracking_id", 100) or number
        if not tracking_id:
            raise PayloadError(f"{item_path}.tracking_id", "is required")
        shipped_at = _shipped_at(item.get("date_shipped"), f"{item_path}.date_shipped")
        word = statuses.get(j) or ("shipped" if shipped_at else "label_created")
        status = SHIPMENT_STATUSES.get(word) or (
            ShipmentStatus.IN_TRANSIT if shipped_at else ShipmentStatus.INFO_RECEIVED
        )
        shipments.append(
            ShipmentData(
                order_external_id=external_id,
                external_id=tracking_id,
                status=status,
                carrier=custom or provider,
                carrier_name=custom,
                tracking_number=number,
                tracking_url=link,
                shipped_at=shipped_at,
                updated_at=updated_at,
            )
        )
    return shipments


def _item_text(item: dict, item_path: str, key: str, max_length: int) -> str:
    return as_text(item.get(key), f"{item_path}.{key}", max_length=max_length)


def _tracking_statuses(order: dict) -> dict[int, str]:
    """TrackShip's per-item status words, by tracking item index; {} without TrackShip."""
    found = _meta(order, TRACKING_STATUS_META_KEY)
    if found is None:
        return {}
    _path, value = found
    if isinstance(value, dict):
        entries = value.items()
    elif isinstance(value, list):
        entries = enumerate(value)
    else:
        return {}
    statuses = {}
    for key, entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("status"), str):
            try:
                statuses[int(key)] = entry["status"].strip().lower()
            except (TypeError, ValueError):
                continue  # a status we cannot tie to an item: the ship date decides
    return statuses


def _shipped_at(value: Any, path: str) -> datetime | None:
    """The extension stores a Unix timestamp (often as a string); its REST API a date."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return as_datetime(int(text), path)
        try:
            day = parse_date(text) if len(text) == 10 else None
        except ValueError:
            raise PayloadError(path, "is not a valid date") from None
        if day is not None:
            return datetime.combine(day, time(0), tzinfo=UTC)
    return as_datetime(value, path)


connector = WooCommerceConnector()
