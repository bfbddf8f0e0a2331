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


@shared_task(name="portal.tasks.publish_scheduled")
def publish_scheduled() -> str:
    """Publish what editors scheduled (go-live) and unpublish what expired, as Wagtail's
    ``publish_scheduled`` command does; beat runs it every minute. Safe to run twice: a
    revision once published is no longer scheduled."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue()
