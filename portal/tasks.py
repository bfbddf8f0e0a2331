"""Portal tasks: email delivery off the request path, and beat's heartbeat."""

from celery import shared_task

from . import services


@shared_task(name="portal.tasks.send_email", autoretry_for=(OSError,))
def send_email(*, message: dict) -> int:
    """Send one rendered email (see ``services.email_message_to_dict``)."""
    return services.email_send(message=message)


@shared_task(name="portal.tasks.heartbeat")
def heartbeat(name: str = "beat") -> str:
    return services.heartbeat_record(name=name).isoformat()
