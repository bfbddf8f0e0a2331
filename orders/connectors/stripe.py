"""Stripe Checkout: the Stripe webhook event envelope (``{"id": "evt_…", "object": "event",
"type", "created", "data": {"object": …}}``) with the objects of the API version the
installed ``stripe`` library pins.

Signed with ``Stripe-Signature`` (``t=…,v1=…``), verified by the library. Used events:
- ``checkout.session.completed`` / ``checkout.session.async_payment_succeeded`` /
  ``checkout.session.async_payment_failed`` → the order, one per Checkout Session. The
  event has no line items: ``fetch_line_items`` asks the API for them.
- ``charge.refunded`` → one refund per entry of ``charge.refunds.data``. Since API
  version 2022-11-15 a charge no longer carries that list, so endpoints on a current
  version should also send ``refund.created`` / ``refund.updated`` / ``refund.failed``
  (older versions: ``charge.refund.updated``), which carry one refund each. Both paths
  give the same external id (``re_…``): a refund seen twice is recorded once.

Each refund is also announced (``RefundStatusData`` → ``payment_refund_updated``). One
whose metadata has ``portico_return`` is only announced: Portico's returns created it and
record its ``Refund`` row themselves, with its lines, so it never waits for its order.
The store's own refunds are recorded as before, their announcement riding along
(``RefundData.payment_refund``); one that paid nothing back is neither.

Amounts are integers in the currency's minor unit (``1050`` USD is 10.50, ``1050`` JPY is
1050): see ``minor_to_decimal``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings

from .. import stripe_api
from ..exceptions import InvalidSignature, PayloadError
from ..models import Order
from .base import (
    BaseConnector,
    Change,
    CustomerData,
    LineData,
    OrderData,
    RefundData,
    RefundStatusData,
    as_currency,
    as_datetime,
    as_email,
    as_list,
    as_object,
    as_quantity,
    as_text,
    get,
    load_json,
)
from .hmac_signing import header

FinancialStatus = Order.FinancialStatus

SESSION_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
}
# Each carries one Refund object; charge.refund.updated is the older versions' name.
REFUND_EVENTS = {"refund.created", "refund.updated", "refund.failed", "charge.refund.updated"}

# Checkout Session ``payment_status`` → financial status.
PAYMENT_STATUSES = {
    "paid": FinancialStatus.PAID,
    # A 100 % discount: nothing was owed, so nothing is outstanding.
    "no_payment_required": FinancialStatus.PAID,
    "unpaid": FinancialStatus.PENDING,
}
# A refund is recorded when its money has gone back (or is on its way). "requires_action"
# waits for the customer; "failed" and "canceled" never paid anything out.
RECORDED_REFUND_STATUSES = {"succeeded", "pending"}

SESSION = "data.object"


def minor_to_decimal(value: Any, currency: str, path: str) -> Decimal:
    """An amount in the currency's minor unit as a Decimal of major units (2 places)."""
    if value is None:
        return Decimal("0")
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(path, "must be a whole number of the currency's minor unit")
    if abs(value) >= 10**15:
        raise PayloadError(path, "is out of range")
    return stripe_api.from_minor_units(value, currency)


class StripeConnector(BaseConnector):
    name = "stripe"
    secret_setting = "STRIPE_WEBHOOK_SECRET"  # noqa: S105 (a setting's name)

    def verify(self, headers: dict[str, str], body: bytes) -> None:
        secret = getattr(settings, self.secret_setting, "") or ""
        if not secret:
            # Without a secret anyone could post events: refuse everything until it is set.
            raise InvalidSignature(f"{self.secret_setting} is not set")
        signature = header(headers, "Stripe-Signature")
        if not signature:
            raise InvalidSignature("Stripe-Signature is missing")
        raw = body.encode() if isinstance(body, str) else bytes(body)
        if not stripe_api.signature_is_valid(raw, signature, secret):
            raise InvalidSignature("Stripe-Signature does not match or is too old")

    def delivery_id(self, headers: dict[str, str], body: bytes) -> str:
        # Stripe retries an event with the same id: the event id is the delivery's identity.
        try:
            event = load_json(body)
        except PayloadError:
            return ""
        event_id = event.get("id") if isinstance(event, dict) else None
        return event_id[:200] if isinstance(event_id, str) else ""

    def topic(self, headers: dict[str, str], payload: Any) -> str:
        event = as_object(payload, "body")
        return as_text(get(event, "type"), "type", max_length=100)

    def parse(self, topic: str, payload: Any) -> list[Change]:
        topic = (topic or "").strip()
        if topic not in SESSION_EVENTS | REFUND_EVENTS | {"charge.refunded"}:
            return []
        event = as_object(payload, "body")
        as_object(get(event, SESSION), SESSION)
        if topic in SESSION_EVENTS:
            order = _order(event, topic)
            return [order] if order is not None else []
        if topic == "charge.refunded":
            return _charge_refunds(event)
        return _refund_changes(event, SESSION, lambda: _refund_order_id(event, SESSION))

    def fetch_line_items(self, session_id: str) -> list[LineData]:
        """The Checkout Session's line items, from the Stripe API (every page).

        Raises ``stripe_api.StripeApiError`` when Stripe cannot be reached or refuses,
        and ``PayloadError`` (path "line_items.<i>.<field>") for an item it cannot map.
        """
        items = {"line_items": stripe_api.checkout_session_line_items(session_id)}
        return [_line(items, f"line_items.{i}") for i in range(len(items["line_items"]))]

    def enrich(self, changes: list[Change]) -> list[Change]:
        """``parse``'s changes with each session's line items fetched (network: call it
        in the task, not the view). The inbox calls it before applying the changes.

        Stripe errors propagate (``StripeApiError.retryable`` says whether to retry): an
        order is better applied late than applied without the lines it was bought with.
        """
        return [
            replace(change, lines=self.fetch_line_items(change.external_id), lines_complete=True)
            if isinstance(change, OrderData) and not change.lines_complete
            else change
            for change in changes
        ]


def fetch_line_items(session_id: str) -> list[LineData]:
    """The Checkout Session's line items through the Stripe API (see the method)."""
    return connector.fetch_line_items(session_id)


def _time(event: dict, path: str, *, required: bool = True) -> datetime | None:
    value = get(event, path, required=required)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise PayloadError(path, "must be a Unix timestamp")
    return as_datetime(value, path, required=required)


def _text(data: dict, path: str, *, max_length: int = 255, required: bool = False) -> str:
    return as_text(get(data, path, required=required), path, max_length=max_length)


def _id(data: dict, path: str, *, required: bool = False) -> str:
    """An id field, which the API may have expanded into the object it names."""
    value = get(data, path, required=required)
    if isinstance(value, dict):
        value = value.get("id")
        path = f"{path}.id"
    return as_text(value, path, max_length=100)


def _order(event: dict, topic: str) -> OrderData | None:
    s = SESSION
    mode = _text(event, f"{s}.mode", max_length=20)
    if mode == "setup":
        return None  # saves a card for later; nothing was bought
    session_id = _text(event, f"{s}.id", max_length=100, required=True)
    currency = as_currency(get(event, f"{s}.currency"), f"{s}.currency")

    def money(field: str, *, required: bool = False) -> Decimal:
        path = f"{s}.{field}"
        return minor_to_decimal(get(event, path, required=required), currency, path)

    email_path = f"{s}.customer_details.email"
    # customer_email is what the merchant pre-filled; customer_details is what was used.
    email_value = get(event, email_path, required=False) or get(
        event, f"{s}.customer_email", required=False
    )
    if email_value is None:
        raise PayloadError(email_path, "is required")
    email = as_email(email_value, email_path)

    event_time = _time(event, "created")
    payment_status = _text(event, f"{s}.payment_status", max_length=30)
    if topic == "checkout.session.async_payment_failed":
        financial_status = FinancialStatus.VOIDED
    elif payment_status in PAYMENT_STATUSES:
        financial_status = PAYMENT_STATUSES[payment_status]
    else:
        raise PayloadError(f"{s}.payment_status", "must be paid, unpaid or no_payment_required")

    metadata = get(event, f"{s}.metadata", required=False) or {}
    as_object(metadata, f"{s}.metadata")
    number = as_text(metadata.get("order_number"), f"{s}.metadata.order_number", max_length=50)

    return OrderData(
        external_id=session_id,
        # Without the shop's own number, the session id's tail is short enough to read
        # out on the phone and still unique in practice.
        number=number or session_id[-8:].upper(),
        email=email,
        currency=currency,
        total=money("amount_total", required=True),
        placed_at=_time(event, f"{s}.created"),
        subtotal=money("amount_subtotal"),
        discount_total=money("total_details.amount_discount"),
        shipping_total=money("total_details.amount_shipping"),
        tax_total=money("total_details.amount_tax"),
        financial_status=financial_status,
        # The session completes (or its delayed payment succeeds) when the event is made.
        paid_at=event_time if financial_status == FinancialStatus.PAID else None,
        updated_at=event_time,
        payment_reference=_id(event, f"{s}.payment_intent"),
        shipping_address=_shipping_address(event),
        customer=_customer(event, email),
        # Line items are not in the event; fetch_line_items completes them.
        lines=[],
        lines_complete=False,
    )


def _customer(event: dict, email: str) -> CustomerData:
    s = SESSION
    name = _text(event, f"{s}.customer_details.name", max_length=300)
    # Stripe collects one name field; the first word is the closest to a first name.
    first, _, last = name.partition(" ")
    locale = _text(event, f"{s}.locale", max_length=12)
    return CustomerData(
        email=email,
        first_name=first[:150],
        last_name=last.strip()[:150],
        phone=_text(event, f"{s}.customer_details.phone", max_length=40),
        locale="" if locale == "auto" else locale,
        external_id=_id(event, f"{s}.customer"),
    )


def _shipping_address(event: dict) -> dict:
    """``collected_information.shipping_details`` (API 2025-03-31 and later), or the
    older top-level ``shipping_details``."""
    s = SESSION
    for path in (f"{s}.collected_information.shipping_details", f"{s}.shipping_details"):
        details = get(event, path, required=False)
        if details is None:
            continue
        as_object(details, path)
        address = {"name": _text(event, f"{path}.name")}
        for field in ("line1", "line2", "city", "state", "postal_code", "country"):
            address[field] = _text(event, f"{path}.address.{field}")
        return {key: value for key, value in address.items() if value}
    return {}


def _charge_refunds(event: dict) -> list[Change]:
    charge = SESSION
    order_id = _refund_order_id(event, charge)
    refunds_path = f"{charge}.refunds.data"
    # Absent on API versions from 2022-11-15: refund.created / refund.updated carry them.
    items = as_list(get(event, refunds_path, required=False), refunds_path)
    changes: list[Change] = []
    for i in range(len(items)):
        path = f"{refunds_path}.{i}"
        as_object(items[i], path)
        changes += _refund_changes(event, path, lambda: order_id)
    return changes


def _refund_changes(event: dict, path: str, order_id: Callable[[], str]) -> list[Change]:
    """What one refund object gives: Portico's own refunds only their status; the
    store's the refund to record (with its status), when it returned money.
    ``order_id()`` names the order, asked only for the store's refunds."""
    metadata = _metadata(event, f"{path}.metadata")
    if stripe_api.RETURN_METADATA_KEY in metadata:
        return [_refund_status(event, path, metadata, required=True)]
    refund = _refund(event, path, order_id())
    if refund is None:
        return []
    refund.payment_refund = _refund_status(event, path, metadata)
    return [refund]


def _metadata(event: dict, path: str) -> dict[str, str]:
    """Stripe metadata: string keys and values (``portico_return`` marks our refunds)."""
    metadata = as_object(get(event, path, required=False) or {}, path)
    return {
        as_text(key, path, max_length=40): as_text(value, f"{path}.{key}", max_length=500)
        for key, value in metadata.items()
    }


def _refund_status(
    event: dict, path: str, metadata: dict[str, str], *, required: bool = False
) -> RefundStatusData | None:
    """The refund's status to announce; None for a store refund that names none."""
    status = _text(event, f"{path}.status", max_length=30)
    if not status:
        if required:
            raise PayloadError(f"{path}.status", "is required")
        return None
    currency = as_currency(get(event, f"{path}.currency"), f"{path}.currency")
    return RefundStatusData(
        refund_id=_text(event, f"{path}.id", max_length=100, required=True),
        status=status,
        payment_intent=_id(event, f"{path}.payment_intent"),
        amount=minor_to_decimal(get(event, f"{path}.amount"), currency, f"{path}.amount"),
        currency=currency,
        failure_reason=_text(event, f"{path}.failure_reason", max_length=100),
        metadata=metadata,
    )


def _refund_order_id(event: dict, path: str) -> str:
    """The order a charge or refund belongs to.

    The order's external id is the Checkout Session id, which charges and refunds do not
    carry. Where the integration put it in ``metadata.checkout_session`` it is used;
    otherwise the PaymentIntent, as "pi:<id>", for services to find the order by its
    payment reference.
    """
    session_id = as_text(
        get(event, f"{path}.metadata.checkout_session", required=False),
        f"{path}.metadata.checkout_session",
        max_length=100,
    )
    if session_id:
        return session_id
    intent = _id(event, f"{path}.payment_intent")
    if not intent:
        raise PayloadError(f"{path}.payment_intent", "is required to find the order")
    return f"pi:{intent}"


def _refund(event: dict, path: str, order_id: str) -> RefundData | None:
    status = _text(event, f"{path}.status", max_length=30)
    if status and status not in RECORDED_REFUND_STATUSES:
        return None
    if order_id.startswith("pi:"):
        # A refund's own metadata may name the session even when its charge does not.
        own = _text(event, f"{path}.metadata.checkout_session", max_length=100)
        order_id = own or order_id
    currency = as_currency(get(event, f"{path}.currency"), f"{path}.currency")
    reason = _text(event, f"{path}.reason", max_length=100)
    return RefundData(
        order_external_id=order_id,
        external_id=_text(event, f"{path}.id", max_length=100, required=True),
        amount=minor_to_decimal(get(event, f"{path}.amount"), currency, f"{path}.amount"),
        currency=currency,
        refunded_at=_time(event, f"{path}.created"),
        # Stripe's reason codes read well enough: "requested_by_customer" → words.
        reason=reason.replace("_", " "),
    )


def _line(data: dict, path: str) -> LineData:
    """A Checkout Session line item (``"object": "item"``)."""
    as_object(get(data, path), path)
    currency = as_currency(get(data, f"{path}.currency"), f"{path}.currency")
    quantity = as_quantity(
        get(data, f"{path}.quantity", required=False, default=1), f"{path}.quantity"
    )
    subtotal = minor_to_decimal(
        get(data, f"{path}.amount_subtotal"), currency, f"{path}.amount_subtotal"
    )
    if quantity:
        # amount_subtotal is the line before discounts and taxes; unit_amount may be
        # null (custom or tiered prices), the subtotal never is.
        unit_price = (subtotal / quantity).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    else:
        unit_price = minor_to_decimal(
            get(data, f"{path}.price.unit_amount", required=False),
            currency,
            f"{path}.price.unit_amount",
        )
    return LineData(
        external_id=_text(data, f"{path}.id", max_length=100, required=True),
        title=_line_title(data, path),
        quantity=quantity,
        unit_price=unit_price,
        sku=_text(data, f"{path}.price.lookup_key", max_length=100),
        discount_total=minor_to_decimal(
            get(data, f"{path}.amount_discount", required=False),
            currency,
            f"{path}.amount_discount",
        ),
    )


def _line_title(data: dict, path: str) -> str:
    # description defaults to the product's name; a null one falls back to the price's
    # nickname or, when the product was expanded, its name.
    for field in ("description", "price.nickname", "price.product.name"):
        title = _text(data, f"{path}.{field}")
        if title:
            return title
    raise PayloadError(f"{path}.description", "is required")


connector = StripeConnector()
