"""Refunds through Stripe: creating one under the payment's key, and following its status
(our own answer, the webhook, the reconcile task) to the payment's end."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import stripe_api

from ..exceptions import PaymentError
from ..models import ReturnPayment, ReturnRequest
from .core import (
    PAYMENT_METADATA_KEY,
    State,
    amount,
    event,
    payment_complete,
    payment_fail,
    payment_note_error,
)

log = logging.getLogger(__name__)

# Stripe keeps an idempotency key for 24 hours. A payment row older than this (counted
# from before its first call, so never younger than its key) looks for its refund by
# metadata before creating again, since Stripe would no longer recognise the key.
KEY_WINDOW = timedelta(hours=23)
FAILED = frozenset({"failed", "canceled"})


def stripe_attempt(payment: ReturnPayment) -> str:
    """Ask Stripe to refund a pending payment, under the payment's own key; the state.

    The same key on every attempt: a retry after a 500, a lost answer or a crash gets the
    refund the first attempt made, never a second one. Raises ``PaymentError``
    (``retryable``) when Stripe could not be reached, leaving the payment pending with the
    reason; Stripe's refusals fail the payment with Stripe's message.
    """
    request = ReturnRequest.objects.only("number").get(pk=payment.request_id)
    intent = payment.order.payment_reference
    now = timezone.now()
    # Counted before the call: a crash after it still shows that Stripe may know the key.
    ReturnPayment.objects.filter(pk=payment.pk).update(attempts=F("attempts") + 1, updated_at=now)
    try:
        if payment.attempts and payment.created_at <= now - KEY_WINDOW:
            found = _refund_by_metadata(intent, payment.key)
            if found is not None:
                return refund_status_apply(
                    payment_id=payment.pk,
                    refund_id=found.id,
                    status=found.status,
                    failure_reason=found.failure_reason,
                )
        result = stripe_api.refund_create(
            payment_intent=intent,
            amount=payment.amount,
            currency=payment.currency,
            idempotency_key=payment.key,
            metadata={
                stripe_api.RETURN_METADATA_KEY: request.number,
                PAYMENT_METADATA_KEY: payment.key,
            },
        )
    except stripe_api.StripeApiError as exc:
        message = str(exc)
        # An idempotency error is another request with this key still running (two
        # workers at once): never a reason to give up on the payment.
        if exc.retryable or exc.code == "idempotency_error":
            payment_note_error(payment_id=payment.pk, message=message)
            raise PaymentError(message, retryable=True) from exc
        return payment_fail(payment_id=payment.pk, message=message)
    return refund_status_apply(
        payment_id=payment.pk,
        refund_id=result.id,
        status=result.status,
        failure_reason=result.failure_reason,
    )


def _refund_by_metadata(intent: str, key: str):
    for refund in stripe_api.refunds_for_payment(payment_intent=intent):
        if refund.metadata.get(PAYMENT_METADATA_KEY) == key:
            return refund
    return None


def refund_status_apply(
    *, payment_id: int, refund_id: str, status: str, failure_reason: str = ""
) -> str:
    """Apply what Stripe says of the payment's refund; the payment's state.

    succeeded → the payment completes (once, ``payment_complete``); failed or canceled →
    a pending payment fails with Stripe's reason; pending or requires_action → it stays
    pending (the webhook and the reconcile task follow it). The first refund id seen is
    kept; a status about another refund id changes nothing. Safe to run twice.
    """
    with transaction.atomic():
        payment = ReturnPayment.objects.select_for_update().get(pk=payment_id)
        if payment.external_id and payment.external_id != refund_id:
            log.warning(
                "payment %s is refund %s; ignoring %s", payment.key, payment.external_id, refund_id
            )
            return payment.state
        previous = payment.external_status
        changed = []
        if not payment.external_id:
            payment.external_id = refund_id
            changed.append("external_id")
        # Only a pending payment follows Stripe's word; events may arrive late or again.
        if payment.external_status != status and (
            payment.state == State.PENDING or status in FAILED
        ):
            payment.external_status = status
            changed.append("external_status")
        if changed:
            payment.save(update_fields=[*changed, "updated_at"])
        if status == "succeeded":
            if payment.state == State.FAILED:
                log.warning("payment %s failed; ignoring a late 'succeeded'", payment.key)
                return payment.state
            if payment.state == State.PENDING:
                payment_complete(
                    payment_id=payment.pk,
                    message=_("Refunded %(amount)s to the original payment (Stripe refund %(id)s).")
                    % {"amount": amount(payment.amount, payment.currency), "id": refund_id},
                )
            return State.SUCCEEDED
        if status in FAILED:
            reason = failure_reason or status
            if payment.state == State.PENDING:
                return payment_fail(
                    payment_id=payment.pk,
                    message=_("Stripe refund %(id)s %(status)s: %(reason)s")
                    % {"id": refund_id, "status": status, "reason": reason},
                )
            if payment.state == State.SUCCEEDED and previous != status:
                # Stripe can fail a refund after it succeeded (a closed card). The money
                # did not arrive: an agent must pay the customer another way.
                event(
                    payment.request,
                    _(
                        "Stripe reports that refund %(id)s %(status)s after it succeeded "
                        "(%(reason)s): the customer did not get %(amount)s back. Refund "
                        "them another way."
                    )
                    % {
                        "id": refund_id,
                        "status": status,
                        "reason": reason,
                        "amount": amount(payment.amount, payment.currency),
                    },
                    public=False,
                )
        return payment.state


def payment_refund_follow(
    *, refund_id: str, status: str, metadata: dict | None = None, failure_reason: str = ""
) -> str:
    """A Stripe refund event (webhook): apply its status to the payment it belongs to,
    found by the refund id, else by the ``portico_payment`` metadata (the id was never
    stored: a crash between Stripe's answer and our save). "unknown" when it is not ours.
    """
    payments = ReturnPayment.objects.filter(kind=ReturnPayment.Kind.STRIPE)
    payment = payments.filter(external_id=refund_id).first()
    if payment is None:
        key = (metadata or {}).get(PAYMENT_METADATA_KEY, "")
        payment = payments.filter(key=key).first() if key else None
    if payment is None:
        return "unknown"
    return refund_status_apply(
        payment_id=payment.pk, refund_id=refund_id, status=status, failure_reason=failure_reason
    )


def payment_refresh(*, payment_id: int) -> str:
    """Ask Stripe how a pending payment's refund stands and apply it (the reconcile task).
    A payment with no refund id yet is attempted again under its key. Raises
    ``PaymentError`` (retryable) when Stripe cannot be reached."""
    payment = ReturnPayment.objects.select_related("order").get(pk=payment_id)
    if payment.state != State.PENDING or payment.kind != ReturnPayment.Kind.STRIPE:
        return payment.state
    if not payment.external_id:
        return stripe_attempt(payment)
    try:
        refund = stripe_api.refund_retrieve(refund_id=payment.external_id)
    except stripe_api.StripeApiError as exc:
        raise PaymentError(str(exc), retryable=exc.retryable) from exc
    return refund_status_apply(
        payment_id=payment.pk,
        refund_id=refund.id,
        status=refund.status,
        failure_reason=refund.failure_reason,
    )
