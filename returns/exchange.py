"""Exchanges: the store is asked for the replacement by a signed webhook.

An exchange is recorded as a ``ReturnPayment`` of kind "exchange" (what the customer asked
for is the return's ``exchange_for`` and ``exchange_difference``); no money goes back, so
it writes no refund to the order mirror. ``exchange_send`` POSTs it as JSON to
``EXCHANGE_WEBHOOK_URL``:

    X-Portico-Signature:   sha256=<hex HMAC-SHA256 of the body with EXCHANGE_WEBHOOK_SECRET>
    X-Portico-Delivery-Id: the payment's key (the same on every attempt: drop repeats)
    X-Portico-Event:       return.exchange

A 2xx answer completes the payment and the return becomes "exchanged". Anything else is
retried by the ``exchange_send`` task with backoff, and by the reconcile beat task after
that. With no URL set, the exchange waits for an agent, who places the replacement order
in the store and marks it done (``payments.payment_store_done``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import requests
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .exceptions import PaymentError
from .models import ReturnLine, ReturnPayment
from .payments.core import State, event, payment_complete
from .payments.reconcile import WAITING_FOR_AGENT

log = logging.getLogger(__name__)

EXCHANGE_EVENT = "return.exchange"
TIMEOUT_SECONDS = 10


def signature(body: bytes, secret: str) -> str:
    """``X-Portico-Signature``: ``sha256=`` + hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def exchange_payload(payment: ReturnPayment) -> dict:
    """What the store needs to send the replacement: the same on every attempt."""
    request, order = payment.request, payment.order
    lines = (
        request.lines.filter(outcome__in=(ReturnLine.Outcome.ACCEPTED, ReturnLine.Outcome.PARTIAL))
        .select_related("order_line")
        .order_by("pk")
    )
    return {
        "event": EXCHANGE_EVENT,
        "delivery_id": payment.key,
        "return": request.number,
        "order": {
            "number": order.number,
            "id": order.external_id,
            "source": order.connector,
        },
        "email": request.email,
        "exchange_for": request.exchange_for,
        "price_difference": str(request.exchange_difference),
        "value": str(payment.amount),
        "currency": payment.currency,
        "lines": [
            {
                "line_id": line.order_line.external_id,
                "sku": line.order_line.sku,
                "title": line.order_line.title,
                "variant": line.order_line.variant_title,
                "quantity": line.quantity,
                "reason": line.reason,
            }
            for line in lines
        ],
        "shipping_address": order.shipping_address,
        "requested_at": payment.created_at.isoformat(),
    }


def exchange_send(*, payment_id: int) -> str:
    """Tell the store of a pending exchange; the payment's state ("waiting" with no URL).

    Safe to run twice and from two places at once: the payment row is locked for the
    attempt (the POST included, so a second attempt waits and then sees it done), and a
    completed exchange is never sent again. Each attempt is counted; a failure keeps the
    reason on the payment (pending, visible) and raises ``PaymentError`` — retryable,
    unless the secret is missing — for the task to retry with backoff. On a 2xx the
    payment completes and the return becomes "exchanged".
    """
    retryable = True
    with transaction.atomic():
        payment = (
            ReturnPayment.objects.select_for_update(of=("self",))
            .select_related("request", "order")
            .filter(pk=payment_id)
            .first()
        )
        if payment is None or payment.kind != ReturnPayment.Kind.EXCHANGE:
            return ""
        if payment.state != State.PENDING:
            return payment.state
        url, secret = settings.EXCHANGE_WEBHOOK_URL, settings.EXCHANGE_WEBHOOK_SECRET
        if not url:
            if payment.external_status != WAITING_FOR_AGENT:
                payment.external_status = WAITING_FOR_AGENT
                payment.save(update_fields=["external_status", "updated_at"])
                event(
                    payment.request,
                    _(
                        "No exchange webhook is set up: place the replacement order "
                        "(%(wanted)s) in the store, then mark the exchange done."
                    )
                    % {"wanted": payment.request.exchange_for},
                    public=False,
                )
            return "waiting"
        payment.attempts += 1
        error = ""
        if not secret:
            error = _("EXCHANGE_WEBHOOK_SECRET is not set; exchanges are not sent unsigned.")
            retryable = False
        else:
            error = _post(url, secret, payment)
        if error:
            payment.error = error[:500]
            payment.save(update_fields=["attempts", "error", "updated_at"])
        else:
            payment.external_status = "delivered"
            payment.save(update_fields=["attempts", "external_status", "updated_at"])
            payment_complete(
                payment_id=payment.pk,
                message=_("The store was asked to send the replacement: %(wanted)s.")
                % {"wanted": payment.request.exchange_for},
            )
    if error:
        log.warning("Exchange %s not sent: %s", payment.key, error)
        raise PaymentError(error, retryable=retryable)
    return State.SUCCEEDED


def _post(url: str, secret: str, payment: ReturnPayment) -> str:
    """POST the exchange; "" when the store took it, else why not."""
    body = json.dumps(exchange_payload(payment), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Portico-Exchange/1",
        "X-Portico-Signature": signature(body, secret),
        "X-Portico-Delivery-Id": payment.key,
        "X-Portico-Event": EXCHANGE_EVENT,
    }
    try:
        response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {exc}"
    if 200 <= response.status_code < 300:
        return ""
    return f"HTTP {response.status_code}: {response.text[:300]}"
