"""Portal tasks: email delivery off the request path, and beat's heartbeat."""

from celery import shared_task

from . import services


# Only errors raised before the mail server accepted the message: not the task class's
# database errors, after which a retry would send the email twice.
@shared_task(name="portal.tasks.send_email", autoretry_for=(OSError,))
def send_email(*, message: dict) -> int:
    """Send one rendered email (see ``services.email_message_to_dict``)."""
    return services.email_send(message=message)


# Never retried: beat sends the next one within a minute, and a retry stamped late would
# show a beat that died with the database as alive.
@shared_task(name="portal.tasks.heartbeat", autoretry_for=())
def heartbeat(name: str = "beat") -> str:
    return services.heartbeat_record(name=name).isoformat()


# Beat runs it again within a minute: no retries piling up while the database is away.
@shared_task(name="portal.tasks.publish_scheduled", autoretry_for=())
def publish_scheduled() -> str:
    """Publish what editors scheduled (go-live) and unpublish what expired, as Wagtail's
    ``publish_scheduled`` command does; beat runs it every minute. Safe to run twice: a
    revision once published is no longer scheduled."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue()
