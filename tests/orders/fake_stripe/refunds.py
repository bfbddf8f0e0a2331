"""The fake Stripe's refunds: ``POST /v1/refunds``, ``GET /v1/refunds/<id>``, ``GET
/v1/refunds?payment_intent=``, and signed webhook events about them.

A test registers a paid PaymentIntent (``fake.payment_intents["pi_…"] = {"amount": 6580,
"currency": "eur"}``, amounts in minor units; ``"charge"`` optional). Refunds never exceed
what is left unrefunded on it (refunds that failed or were cancelled gave the money back
to it); Stripe's refusals come with Stripe's error objects and codes.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time

# Refunds that hold money back from the PaymentIntent; failed and canceled ones do not.
HOLDING = frozenset({"pending", "succeeded", "requires_action"})
REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})


def error_body(kind: str, message: str, *, code=None, param=None) -> dict:
    """Stripe's error object."""
    error = {"type": kind, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    return {"error": error}


def stripe_signature(body: bytes, secret: str, *, at: int | None = None) -> str:
    """``Stripe-Signature`` by Stripe's published scheme (not with the code under test):
    ``t=<unix time>,v1=hex(HMAC-SHA256(secret, "<t>.<raw body>"))``."""
    timestamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


class RefundsMixin:
    def __init__(self):
        self.payment_intents: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        # The status a new refund gets; card refunds succeed at once, others may pend.
        self.refund_status = "succeeded"
        self._ids = itertools.count(1)

    # --- controls -----------------------------------------------------------------------

    def set_refund_status(self, refund_id: str, status: str, failure_reason: str = "") -> dict:
        """Move a refund on, as Stripe does later (a pending refund succeeds, a bank
        refuses one); the refund as it now is."""
        with self._lock:
            refund = self.refunds[refund_id]
            refund["status"] = status
            refund["failure_reason"] = failure_reason or None
            return json.loads(json.dumps(refund))

    def refund_event(
        self, refund_id: str, type: str = "refund.updated", *, secret: str | None = None
    ) -> tuple[bytes, str]:
        """A signed webhook event about the refund: (raw body, ``Stripe-Signature``).

        ``refund.created`` / ``refund.updated`` / ``charge.refund.updated`` carry the
        refund; ``charge.refunded`` its charge, with the PaymentIntent's refunds listed
        (as API versions before 2022-11-15 send it). ``secret`` defaults to the setting.
        """
        if secret is None:
            from django.conf import settings

            secret = settings.STRIPE_WEBHOOK_SECRET
        with self._lock:
            refund = self.refunds[refund_id]
            data = self._charge(refund) if type == "charge.refunded" else refund
            event = {
                "id": f"evt_fake{next(self._ids):06d}",
                "object": "event",
                "api_version": _api_version(),
                "created": int(time.time()),
                "data": {"object": data},
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "type": type,
            }
            body = json.dumps(event).encode()
        return body, stripe_signature(body, secret)

    # --- the API ------------------------------------------------------------------------

    def _refund_create(self, form: dict[str, str]) -> tuple[int, dict]:
        def invalid(message, param=None, code=None, status=400):
            return status, error_body("invalid_request_error", message, code=code, param=param)

        intent_id = form.get("payment_intent", "")
        if not intent_id:
            if form.get("charge"):
                return invalid("This fake refunds PaymentIntents only.", "charge")
            return invalid(
                "One of the following params should be provided for this request: "
                "payment_intent or charge."
            )
        intent = self.payment_intents.get(intent_id)
        if intent is None:
            return invalid(
                f"No such payment_intent: '{intent_id}'",
                "payment_intent",
                code="resource_missing",
                status=404,
            )
        reason = form.get("reason") or None
        if reason is not None and reason not in REASONS:
            return invalid(f"Invalid reason: must be one of {', '.join(sorted(REASONS))}", "reason")
        remaining = intent["amount"] - self._held(intent_id)
        amount = remaining
        if "amount" in form:
            try:
                amount = int(form["amount"])
            except ValueError:
                amount = 0
            if amount < 1:
                return invalid("Invalid positive integer", "amount")
        charge = self._charge_id(intent_id)
        if remaining <= 0:
            return invalid(
                f"Charge {charge} has already been refunded.", code="charge_already_refunded"
            )
        if amount > remaining:
            currency = intent["currency"].upper()
            return invalid(
                f"Refund amount ({amount} {currency}) is greater than unrefunded amount on "
                f"charge ({remaining} {currency})",
                "amount",
                code="amount_too_large",
            )
        refund = {
            "id": f"re_fake{next(self._ids):06d}",
            "object": "refund",
            "amount": amount,
            "balance_transaction": None,
            "charge": charge,
            "created": int(time.time()),
            "currency": intent["currency"].lower(),
            "failure_reason": None,
            "metadata": {
                key[len("metadata[") : -1]: value
                for key, value in form.items()
                if key.startswith("metadata[") and key.endswith("]")
            },
            "payment_intent": intent_id,
            "reason": reason,
            "receipt_number": None,
            "source_transfer_reversal": None,
            "status": self.refund_status,
            "transfer_reversal": None,
        }
        self.refunds[refund["id"]] = refund
        return 200, refund

    def _refunds_get(self, path: str, query: dict[str, str]) -> tuple[int, dict]:
        if path.startswith("/v1/refunds/"):
            refund_id = path.removeprefix("/v1/refunds/")
            refund = self.refunds.get(refund_id)
            if refund is None:
                return 404, error_body(
                    "invalid_request_error",
                    f"No such refund: '{refund_id}'",
                    code="resource_missing",
                    param="id",
                )
            return 200, refund
        refunds = list(reversed(self.refunds.values()))  # newest first, as Stripe lists
        intent_id = query.get("payment_intent")
        if intent_id is not None:
            if intent_id not in self.payment_intents:
                return 404, error_body(
                    "invalid_request_error",
                    f"No such payment_intent: '{intent_id}'",
                    code="resource_missing",
                    param="payment_intent",
                )
            refunds = [r for r in refunds if r["payment_intent"] == intent_id]
        return self._page(refunds, query, "/v1/refunds")

    def _held(self, intent_id: str) -> int:
        return sum(
            refund["amount"]
            for refund in self.refunds.values()
            if refund["payment_intent"] == intent_id and refund["status"] in HOLDING
        )

    def _charge_id(self, intent_id: str) -> str:
        return self.payment_intents[intent_id].get("charge") or "ch_" + intent_id.removeprefix(
            "pi_"
        )

    def _charge(self, refund: dict) -> dict:
        intent_id = refund["payment_intent"]
        intent = self.payment_intents[intent_id]
        refunds = [r for r in reversed(self.refunds.values()) if r["payment_intent"] == intent_id]
        held = self._held(intent_id)
        charge = self._charge_id(intent_id)
        return {
            "id": charge,
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount"],
            "amount_refunded": held,
            "created": refund["created"],
            "currency": intent["currency"].lower(),
            "metadata": {},
            "paid": True,
            "payment_intent": intent_id,
            "refunded": held >= intent["amount"],
            "refunds": {
                "object": "list",
                "data": refunds,
                "has_more": False,
                "total_count": len(refunds),
                "url": f"/v1/charges/{charge}/refunds",
            },
            "status": "succeeded",
        }


def _api_version() -> str:
    import stripe

    return stripe.api_version
