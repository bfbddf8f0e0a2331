"""Writes the portal allows. Each function is one transaction and safe to repeat."""

from datetime import datetime

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import Heartbeat


def email_message_to_dict(message: EmailMultiAlternatives) -> dict:
    """A rendered email as JSON-safe data, so a task can send it in another process."""
    return {
        "subject": str(message.subject),
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in message.alternatives],
    }


def email_send(*, message: dict) -> int:
    """Send an email given as ``email_message_to_dict`` data. Returns messages sent (0 or 1).

    Not idempotent on its own (SMTP offers no key); the task retries only on connection
    errors raised before the server accepted the message.
    """
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message.get("from_email"),
        to=message.get("to") or [],
        cc=message.get("cc") or [],
        bcc=message.get("bcc") or [],
        reply_to=message.get("reply_to") or [],
        headers=message.get("headers") or {},
    )
    for content, mimetype in message.get("alternatives") or []:
        email.attach_alternative(content, mimetype)
    return email.send()


def email_enqueue(*, message: EmailMultiAlternatives) -> None:
    """Hand an email to the worker once the current transaction commits."""
    from .tasks import send_email

    data = email_message_to_dict(message)
    transaction.on_commit(lambda: send_email.delay(message=data))


def heartbeat_record(*, name: str) -> datetime:
    """Record that ``name`` is alive now. Idempotent: one row per name."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"last_seen": now})
    return now
