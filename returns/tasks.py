"""Returns' Celery tasks: thin, take ids, safe to run twice.

Payout tasks retry themselves with backoff (about 10 s, 20 s, 40 s … up to 30 minutes,
eight times) when Stripe or the store could not be reached (a retryable
``PaymentError``); every retry reuses the payment's key, so it can never pay twice. After
that the payment stays pending with its reason, where the reconcile beat task and agents
find it. Refusals are recorded on the payment, not retried.
"""

import random

from celery import shared_task

from .exceptions import PaymentError

BACKOFF_FIRST = 10
BACKOFF_MAX = 30 * 60
MAX_RETRIES = 8


def _run(task, call, **kwargs) -> str:
    try:
        return call(**kwargs)
    except PaymentError as exc:
        if not exc.retryable:
            return exc.message
        countdown = min(BACKOFF_FIRST * 2**task.request.retries, BACKOFF_MAX)
        raise task.retry(exc=exc, countdown=countdown + random.uniform(0, countdown / 10)) from exc


@shared_task(name="returns.tasks.return_email")
def return_email(request_id: int, kind: str) -> bool:
    """The customer's email for a step of their return, once (``notifications``)."""
    from . import notifications

    return notifications.return_email_send(request_id=request_id, kind=kind)


@shared_task(name="returns.tasks.guest_code_email")
def guest_code_email(code_id: int, language: str) -> bool:
    """A guest's one-time code: drawn, stored hashed and emailed once (``guest``)."""
    from . import guest

    return guest.guest_code_send(code_id=code_id, language=language)


@shared_task(bind=True, name="returns.tasks.return_payout", max_retries=MAX_RETRIES)
def return_payout(self, request_id: int) -> str:
    """Pay an inspected return out the way the customer chose (``payments``)."""
    from . import payments

    return _run(self, payments.return_payout, request_id=request_id)


@shared_task(bind=True, name="returns.tasks.payment_attempt", max_retries=MAX_RETRIES)
def payment_attempt(self, payment_id: int) -> str:
    """Attempt a pending payment again under its own key."""
    from . import payments

    return _run(self, payments.payment_attempt, payment_id=payment_id)


@shared_task(bind=True, name="returns.tasks.payment_refresh", max_retries=MAX_RETRIES)
def payment_refresh(self, payment_id: int) -> str:
    """Read a pending Stripe refund's status from Stripe and apply it."""
    from . import payments

    return _run(self, payments.payment_refresh, payment_id=payment_id)


@shared_task(name="returns.tasks.payment_refund_updated")
def payment_refund_updated(
    refund_id: str, status: str, metadata: dict, failure_reason: str = ""
) -> str:
    """Stripe reported a refund's status (webhook): apply it to its payment."""
    from . import payments

    return payments.payment_refund_follow(
        refund_id=refund_id, status=status, metadata=metadata, failure_reason=failure_reason
    )


@shared_task(bind=True, name="returns.tasks.exchange_send", max_retries=MAX_RETRIES)
def exchange_send(self, payment_id: int) -> str:
    """Send an exchange to the store's webhook (``exchange``)."""
    from . import exchange

    return _run(self, exchange.exchange_send, payment_id=payment_id)


@shared_task(name="returns.tasks.reconcile_payments")
def reconcile_payments() -> dict:
    """Beat: follow pending refunds, finish payouts a crash left half done, re-send
    pending exchanges (``payments.payments_reconcile``)."""
    from . import payments

    return payments.payments_reconcile()
