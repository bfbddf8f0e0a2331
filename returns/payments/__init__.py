"""Paying returns out: refunds through Stripe or in the store, store credit, exchanges.

One ``ReturnPayment`` row per payout, written before anything is paid, in a transaction
that locks the return and the order and checks that the order's refunds (the mirror's,
and payments not written there yet) never add up to more than it paid. Its ``key`` derives
from the return (``return:<number>:refund``) and is Stripe's idempotency key on every
attempt, so retries after a 500, a lost answer or a crash pay once. A refund Stripe failed
is only ever followed by one under a key derived from that refund's id.

A payment ends once (``payment_complete``, under the payment's row lock): succeeded, the
return resolved, and the money written to the order mirror as an ``orders.Refund`` row
with the accepted lines, from which loyalty reverses their points. Statuses arrive from
Stripe's answer, the refund webhook (``payment_refund_follow``) and the beat task
(``payments_reconcile``).

Modules: ``core`` (rows, the check, the ends), ``payout`` (the payout, attempts, agents'
actions), ``refunds`` (Stripe), ``reconcile`` (the sweep); exchanges in ``..exchange``.
"""

from .core import (
    PAYMENT_METADATA_KEY,
    over_refund_refusal,
    payment_complete,
    payment_fail,
    payment_key,
    payout_kind,
)
from .payout import payment_attempt, payment_retry, payment_store_done, return_payout
from .reconcile import payments_needing_agent, payments_reconcile
from .refunds import payment_refresh, payment_refund_follow, refund_status_apply

__all__ = [
    "PAYMENT_METADATA_KEY",
    "over_refund_refusal",
    "payment_attempt",
    "payment_complete",
    "payment_fail",
    "payment_key",
    "payment_refresh",
    "payment_refund_follow",
    "payment_retry",
    "payment_store_done",
    "payments_needing_agent",
    "payments_reconcile",
    "payout_kind",
    "refund_status_apply",
    "return_payout",
]
