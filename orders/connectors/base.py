"""What every connector produces: the store's data in one normalised shape.

A connector verifies a delivery, names it (topic, delivery id) and maps its payload to
these records; ``orders.services`` applies them. Connectors do no database work.
"""

from __future__ import annotations

import functools
import inspect
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.utils.dateparse import parse_datetime

from ..exceptions import PayloadError


@dataclass
class CustomerData:
    email: str
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    locale: str = ""
    accepts_marketing: bool = False
    external_id: str = ""


@dataclass
class LineData:
    external_id: str
    title: str
    quantity: int
    unit_price: Decimal
    sku: str = ""
    variant_title: str = ""
    discount_total: Decimal = Decimal("0")
    product_type: str = ""
    tags: list[str] = field(default_factory=list)
    is_final_sale: bool = False
    is_gift_card: bool = False


@dataclass
class TrackingEventData:
    status: str
    occurred_at: datetime
    message: str = ""
    location: str = ""


@dataclass
class ShipmentData:
    order_external_id: str
    external_id: str
    status: str
    carrier: str = ""
    carrier_name: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    shipped_at: datetime | None = None
    estimated_delivery_at: datetime | None = None
    delivered_at: datetime | None = None
    updated_at: datetime | None = None
    # (line external id, quantity); empty means "the whole order"
    lines: list[tuple[str, int]] = field(default_factory=list)
    events: list[TrackingEventData] = field(default_factory=list)


@dataclass
class RefundStatusData:
    """A payment platform's refund as it now stands (Stripe: a ``re_…`` object), whether
    or not it becomes a ``Refund`` row. It changes no row: applying it announces
    ``payment_refund_updated`` on commit, for whoever created the refund (Portico's
    returns) to follow it. ``status``: pending, succeeded, failed, canceled or
    requires_action."""

    refund_id: str
    status: str
    payment_intent: str = ""
    amount: Decimal = Decimal("0")
    currency: str = ""
    failure_reason: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class RefundData:
    order_external_id: str
    external_id: str
    amount: Decimal
    currency: str
    refunded_at: datetime
    reason: str = ""
    # (line external id, quantity, amount)
    lines: list[tuple[str, int, Decimal]] = field(default_factory=list)
    # The payment refund's status, announced along with recording the row (Stripe).
    payment_refund: RefundStatusData | None = None


@dataclass
class OrderData:
    external_id: str
    number: str
    email: str
    currency: str
    total: Decimal
    placed_at: datetime
    subtotal: Decimal = Decimal("0")
    discount_total: Decimal = Decimal("0")
    shipping_total: Decimal = Decimal("0")
    tax_total: Decimal = Decimal("0")
    financial_status: str = "pending"
    paid_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    updated_at: datetime | None = None
    discount_codes: list[str] = field(default_factory=list)
    payment_reference: str = ""
    shipping_address: dict = field(default_factory=dict)
    customer: CustomerData | None = None
    lines: list[LineData] = field(default_factory=list)
    # Whether ``lines`` is the order's complete list (lines missing from it were removed).
    lines_complete: bool = True
    shipments: list[ShipmentData] = field(default_factory=list)
    refunds: list[RefundData] = field(default_factory=list)


Change = OrderData | ShipmentData | RefundData | RefundStatusData


class BaseConnector:
    """One store platform. Subclasses set ``name`` and implement the four methods."""

    name: ClassVar[str]
    secret_setting: ClassVar[str]

    def verify(self, headers: dict[str, str], body: bytes) -> None:
        """Raise ``InvalidSignature`` unless the delivery is signed with our secret."""
        raise NotImplementedError

    def delivery_id(self, headers: dict[str, str], body: bytes) -> str:
        raise NotImplementedError

    def topic(self, headers: dict[str, str], payload: Any) -> str:
        raise NotImplementedError

    def parse(self, topic: str, payload: Any) -> list[Change]:
        """The changes a delivery carries; [] for a topic Portico does not use."""
        raise NotImplementedError


# --- Helpers every adapter uses: each raises PayloadError naming the field -------------


def load_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError("body", f"not valid JSON ({exc})") from None


_REQUIRED = object()


def get(data: Any, path: str, *, required: bool | None = None, default: Any = _REQUIRED) -> Any:
    """``get(payload, "customer.email")``. Required unless a default is given or
    ``required=False``; a missing required value raises ``PayloadError`` naming its path."""
    if required is None:
        required = default is _REQUIRED
    current = data
    for part in path.split("."):
        if isinstance(current, dict) and current.get(part) is not None:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            if required:
                raise PayloadError(path, "is required")
            return None if default is _REQUIRED else default
    return current


@contextmanager
def scope(prefix: str):
    """Errors raised inside name their field from ``prefix`` ("lines.2." + "quantity")."""
    try:
        yield
    except PayloadError as exc:
        if prefix and not exc.field.startswith(prefix):
            raise PayloadError(prefix + exc.field, exc.message) from None
        raise


def scoped(path_arg: str = "path"):
    """Decorate a parser whose ``path_arg`` argument is where its data sits in the payload."""

    def decorate(fn):
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            prefix = bound.arguments.get(path_arg) or ""
            if prefix and not prefix.endswith("."):
                prefix += "."
            with scope(prefix):
                return fn(*args, **kwargs)

        return wrapper

    return decorate


def as_object(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise PayloadError(path, "must be an object")
    return value


def as_list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(path, "must be a list")
    return value


def as_text(value: Any, path: str, *, max_length: int = 255) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(path, "must be a string")
    text = str(value).strip()
    if "\x00" in text:
        raise PayloadError(path, "must not contain NUL characters")
    if len(text) > max_length:
        raise PayloadError(path, f"must be at most {max_length} characters")
    return text


def as_money(value: Any, path: str) -> Decimal:
    """Platforms send money as strings ("12.50"); numbers are accepted, floats via str."""
    if value is None or value == "":
        return Decimal("0")
    if isinstance(value, bool):
        raise PayloadError(path, "must be an amount")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise PayloadError(path, "must be an amount like 12.50") from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise PayloadError(path, "must be an amount like 12.50")
    return amount.quantize(Decimal("0.01"))


def as_quantity(value: Any, path: str) -> int:
    if isinstance(value, bool):
        raise PayloadError(path, "must be a whole number")
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        raise PayloadError(path, "must be a whole number") from None
    if quantity < 0 or quantity > 1_000_000 or (isinstance(value, float) and value != quantity):
        raise PayloadError(path, "must be a whole number from 0")
    return quantity


def as_datetime(value: Any, path: str, *, required: bool = False) -> datetime | None:
    """ISO 8601 with a zone; a time without a zone is read as UTC."""
    from datetime import UTC

    if value in (None, ""):
        if required:
            raise PayloadError(path, "is required")
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise PayloadError(path, "is not a valid time") from None
    if not isinstance(value, str):
        raise PayloadError(path, "must be an ISO 8601 time")
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise PayloadError(path, "must be an ISO 8601 time like 2026-05-01T10:00:00+03:00")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def as_currency(value: Any, path: str) -> str:
    text = as_text(value, path, max_length=3).upper()
    if len(text) != 3 or not text.isalpha():
        raise PayloadError(path, "must be a three-letter ISO 4217 code")
    return text


def as_email(value: Any, path: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    text = as_text(value, path, max_length=254).lower()
    try:
        validate_email(text)
    except ValidationError:
        raise PayloadError(path, "must be an email address") from None
    return text
