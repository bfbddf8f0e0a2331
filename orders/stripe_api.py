"""Every use of the Stripe API in Portico, through the official ``stripe`` library (v16).

Each call builds its own ``stripe.StripeClient`` from settings: ``STRIPE_API_KEY``, and
``STRIPE_API_BASE`` when a test or a local fake stands in for api.stripe.com. Nothing
global in the ``stripe`` module is changed, so concurrent threads and tests never see
each other's key or address. The client pins the API version the library was built for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import stripe
from django.conf import settings

# Stripe's own default tolerance for a signature's age, in seconds.
SIGNATURE_TOLERANCE = stripe.Webhook.DEFAULT_TOLERANCE
# Per request; with the library's retries a call stays well inside a Celery time limit.
TIMEOUT_SECONDS = 20
NETWORK_RETRIES = 2
# Stripe's largest page.
PAGE_SIZE = 100
# The metadata key that marks a refund Portico's returns created (its value: the return).
# The Stripe connector leaves such refunds to the returns app, which records them itself.
RETURN_METADATA_KEY = "portico_return"


# https://docs.stripe.com/currencies — amounts are in minor units; these have none.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA"}
    | {"PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
# These have three (Stripe requires the last digit to be 0, so two decimals hold them).
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def currency_exponent(currency: str) -> int:
    """Decimal places of the currency's minor unit, as Stripe counts them."""
    currency = currency.upper()
    if currency in ZERO_DECIMAL_CURRENCIES:
        return 0
    if currency in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def to_minor_units(amount: Decimal, currency: str) -> int:
    """A Decimal amount in the currency's minor unit (half up), as Stripe takes it."""
    exponent = currency_exponent(currency)
    return int(Decimal(amount).scaleb(exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor_units(value: int, currency: str) -> Decimal:
    """Stripe's integer amount in major units, to the cent as the order mirror keeps money
    (a three-decimal currency's last digit is always 0 at Stripe, so nothing is lost)."""
    exponent = currency_exponent(currency)
    return Decimal(value).scaleb(-exponent).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class StripeApiError(Exception):
    """A Stripe call failed. ``retryable`` says whether trying again later may help;
    ``code`` is Stripe's error code when it gave one (``amount_too_large``,
    ``charge_already_refunded``, ``resource_missing``…), else ""."""

    def __init__(self, message: str, *, retryable: bool, code: str = ""):
        super().__init__(message)
        self.retryable = retryable
        self.code = code


def client() -> stripe.StripeClient:
    api_key = settings.STRIPE_API_KEY
    if not api_key:
        raise StripeApiError("STRIPE_API_KEY is not set", retryable=False)
    options: dict[str, Any] = {}
    if settings.STRIPE_API_BASE:
        options["base_addresses"] = {"api": settings.STRIPE_API_BASE.rstrip("/")}
    return stripe.StripeClient(
        api_key,
        max_network_retries=NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        **options,
    )


def signature_is_valid(payload: bytes, header: str, secret: str) -> bool:
    """Whether ``Stripe-Signature`` signs ``payload`` with ``secret`` within the tolerance.

    Stripe's scheme: ``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>">`` (several
    v1 while a secret is being rolled). Verified by the library, which also rejects old
    timestamps so a captured delivery cannot be replayed later.
    """
    if not header or not secret:
        return False
    try:
        stripe.WebhookSignature.verify_header(payload, header, secret, SIGNATURE_TOLERANCE)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError):
        return False
    return True


def checkout_session_line_items(session_id: str, *, page_size: int = PAGE_SIZE) -> list[dict]:
    """All line items of a Checkout Session, as plain dicts, every page followed.

    ``GET /v1/checkout/sessions/<id>/line_items`` — the same endpoint as
    ``stripe.checkout.Session.list_line_items`` — through a per-call client, paged with
    ``starting_after`` by the library's auto-pagination.
    """
    try:
        page = client().v1.checkout.sessions.line_items.list(session_id, {"limit": page_size})
        return [item.to_dict() for item in page.auto_paging_iter()]
    except stripe.StripeError as exc:
        raise StripeApiError(
            f"listing the line items of {session_id} failed: {exc.user_message or exc}",
            retryable=_retryable(exc),
        ) from exc


def _retryable(exc: stripe.StripeError) -> bool:
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError):
        return True
    return (exc.http_status or 0) >= 500


def promotion_code_create(
    *,
    key: str,
    code: str,
    name: str,
    amount_off: Decimal | None = None,
    currency: str = "",
    percent_off: int | None = None,
    minimum_order: Decimal | None = None,
) -> tuple[str, str]:
    """A single-use promotion code on a coupon of its own; (coupon id, promotion code id).

    ``key`` makes both calls idempotent (Stripe's ``Idempotency-Key``): retrying after a
    timeout or a crash returns the objects the first attempt created, never a second
    coupon. The coupon applies once; the code can be redeemed once.
    """
    coupon: dict[str, Any] = {"name": name[:40], "duration": "once", "max_redemptions": 1}
    if amount_off is not None:
        coupon |= {"amount_off": to_minor_units(amount_off, currency), "currency": currency.lower()}
    else:
        coupon["percent_off"] = percent_off
    promotion: dict[str, Any] = {
        "promotion": {"type": "coupon", "coupon": ""},
        "code": code,
        "max_redemptions": 1,
    }
    if minimum_order and currency:
        promotion["restrictions"] = {
            "minimum_amount": to_minor_units(minimum_order, currency),
            "minimum_amount_currency": currency.lower(),
        }
    try:
        api = client().v1
        created = api.coupons.create(coupon, {"idempotency_key": f"{key}:coupon"})
        promotion["promotion"]["coupon"] = created.id
        promo = api.promotion_codes.create(promotion, {"idempotency_key": f"{key}:promotion"})
    except stripe.StripeError as exc:
        raise StripeApiError(
            f"creating the promotion code {code} failed: {exc.user_message or exc}",
            retryable=_retryable(exc),
        ) from exc
    return created.id, promo.id


def promotion_code_deactivate(*, promotion_code_id: str) -> None:
    """Switch a promotion code off (``active=false``): it can no longer be redeemed.
    Idempotent: switching off a code that is off changes nothing."""
    try:
        client().v1.promotion_codes.update(promotion_code_id, {"active": False})
    except stripe.StripeError as exc:
        raise StripeApiError(
            f"switching off the promotion code {promotion_code_id} failed: "
            f"{exc.user_message or exc}",
            retryable=_retryable(exc),
        ) from exc


# --- Refunds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundResult:
    """A Stripe Refund as Portico reads it. ``status``: "pending", "succeeded", "failed",
    "canceled" or "requires_action"; ``amount`` in major units; ``currency`` upper case."""

    id: str
    status: str
    amount: Decimal
    currency: str
    payment_intent: str
    failure_reason: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


def _refund_result(refund: stripe.Refund) -> RefundResult:
    data = refund.to_dict()
    intent = data.get("payment_intent") or ""
    if isinstance(intent, dict):  # expanded
        intent = intent.get("id") or ""
    currency = (data.get("currency") or "").upper()
    return RefundResult(
        id=data["id"],
        status=data.get("status") or "",
        amount=from_minor_units(data.get("amount") or 0, currency),
        currency=currency,
        payment_intent=intent,
        failure_reason=data.get("failure_reason") or "",
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
    )


def _refund_error(what: str, exc: stripe.StripeError) -> StripeApiError:
    return StripeApiError(
        f"{what} failed: {exc.user_message or exc}",
        retryable=_retryable(exc),
        # Stripe gives an idempotency error no code: its type says what happened.
        code=getattr(exc, "code", None)
        or ("idempotency_error" if isinstance(exc, stripe.IdempotencyError) else ""),
    )


def refund_create(
    *,
    payment_intent: str,
    amount: Decimal,
    currency: str,
    idempotency_key: str,
    metadata: dict[str, str],
    reason: str = "requested_by_customer",
) -> RefundResult:
    """Refund ``amount`` of a PaymentIntent (``POST /v1/refunds``).

    ``idempotency_key`` is sent as Stripe's ``Idempotency-Key``, and the library's own
    retries (a 5xx, a timeout, a dropped connection) reuse it: Stripe answers a repeat
    with the first attempt's response and creates nothing more. The caller must derive the
    key from what is being refunded and reuse it on every retry of its own. Stripe keeps
    keys for 24 hours only; past that, look for the refund with ``refunds_for_payment``
    (by ``metadata``) before calling again. ``amount`` is in ``currency``'s major units,
    which must be the PaymentIntent's currency.

    Raises ``StripeApiError``: ``retryable`` when Stripe could not be reached or failed
    (the refund may exist: retry with the same key), ``code`` for Stripe's refusals
    (``amount_too_large``, ``charge_already_refunded``, ``resource_missing``).
    """
    params: dict[str, Any] = {
        "payment_intent": payment_intent,
        "amount": to_minor_units(amount, currency),
        "metadata": dict(metadata),
    }
    if reason:
        params["reason"] = reason
    try:
        refund = client().v1.refunds.create(params, {"idempotency_key": idempotency_key})
    except stripe.StripeError as exc:
        raise _refund_error(f"refunding {payment_intent}", exc) from exc
    return _refund_result(refund)


def refund_retrieve(*, refund_id: str) -> RefundResult:
    """The refund as Stripe has it now (``GET /v1/refunds/<id>``)."""
    try:
        refund = client().v1.refunds.retrieve(refund_id)
    except stripe.StripeError as exc:
        raise _refund_error(f"reading the refund {refund_id}", exc) from exc
    return _refund_result(refund)


def refunds_for_payment(*, payment_intent: str, page_size: int = PAGE_SIZE) -> list[RefundResult]:
    """Every refund of a PaymentIntent, newest first (``GET /v1/refunds?payment_intent=``,
    every page followed): how a refund whose creation succeeded but whose answer was lost
    is found by its metadata once the idempotency key has expired."""
    try:
        page = client().v1.refunds.list({"payment_intent": payment_intent, "limit": page_size})
        return [_refund_result(refund) for refund in page.auto_paging_iter()]
    except stripe.StripeError as exc:
        raise _refund_error(f"listing the refunds of {payment_intent}", exc) from exc
