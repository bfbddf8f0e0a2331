"""Returns' Celery tasks: thin, take ids, safe to run twice."""

from celery import shared_task


@shared_task(name="returns.tasks.return_email")
def return_email(request_id: int, kind: str) -> bool:
    """The customer's email for a step of their return, once (``notifications``)."""
    from . import notifications

    return notifications.return_email_send(request_id=request_id, kind=kind)


@shared_task(name="returns.tasks.return_payout")
def return_payout(request_id: int) -> str:
    """Pay an inspected return out the way the customer chose (``payments``)."""
    from . import payments

    return payments.return_payout(request_id=request_id)
