"""Help center tasks: thin, take ids, safe to run twice.

Every task here derives from the project's ``PorticoTask`` (the Celery app's default task
class, see ``portal/celery.py``). A task that names its own ``autoretry_for`` replaces the
class's list, so the forward repeats the passing failures it retries (network, database)
beside its own, and retries more slowly. The emails keep to errors raised before the mail
server accepted the message: a database error after sending would send twice.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import contact


# Roughly 10 s, 20 s, 40 s … up to 30 minutes apart, eight times; after that the request
# stays FAILED in admin, where staff retry it by hand.
@shared_task(
    name="knowledgebase.tasks.forward_contact_request",
    autoretry_for=(
        contact.ForwardFailed,
        ConnectionError,
        TimeoutError,
        OperationalError,
        InterfaceError,
    ),
    retry_backoff=10,
    retry_backoff_max=30 * 60,
    max_retries=8,
)
def forward_contact_request(contact_request_id: int) -> str:
    # A SENT request is not sent again (contact_forward locks the row and checks).
    return contact.contact_forward(contact_request_id=contact_request_id)


@shared_task(name="knowledgebase.tasks.send_contact_email", autoretry_for=(OSError,))
def send_contact_email(contact_request_id: int, kind: str) -> bool:
    """One email of a contact request: "support" or "confirmation"."""
    return contact.contact_email_send(contact_request_id=contact_request_id, kind=kind)
