"""Tasks through a real broker and a real worker (the filesystem transport locally,
Redis in CI), not eager mode."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.test import override_settings

from portal.celery import app as celery_app
from portal.models import Heartbeat

PASSWORD = "a-long-Unusual-passphrase-42"


@pytest.fixture
def worker(migrated_db, settings, tmp_path):
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield
    finally:
        celery_app.conf.task_always_eager = previous


def _wait_for(predicate, timeout=20.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_signup_email_is_sent_by_the_worker_not_the_web_request(client, worker):
    mail.outbox = []
    response = client.post(
        "/accounts/signup/",
        {"email": "queued@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    # The request has returned; the email arrives when the worker has run the task.
    assert _wait_for(lambda: len(mail.outbox) == 1), "the worker never sent the email"
    assert mail.outbox[0].to == ["queued@example.com"]


@pytest.mark.django_db(transaction=True)
def test_heartbeat_task_runs_on_the_worker_and_twice_leaves_one_row(worker):
    from portal.tasks import heartbeat

    heartbeat.delay()
    heartbeat.delay()
    assert _wait_for(lambda: Heartbeat.objects.filter(name="beat").exists())
    assert _wait_for(lambda: Heartbeat.objects.count() == 1)


def test_beat_schedule_runs_the_heartbeat_every_minute():
    entry = celery_app.conf.beat_schedule["heartbeat"]
    assert entry["task"] == "portal.tasks.heartbeat"
    assert entry["schedule"] == 60.0
    assert "portal.tasks.heartbeat" in celery_app.tasks


def test_tasks_are_acknowledged_late_and_retried_with_backoff():
    from portal.tasks import heartbeat, send_email

    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert heartbeat.max_retries == 8
    assert ConnectionError in send_email.autoretry_for or OSError in send_email.autoretry_for


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_email_send_round_trips_html_and_reply_to():
    from django.core.mail import EmailMultiAlternatives

    from portal import services

    message = EmailMultiAlternatives(
        "Hello", "Plain", "shop@example.com", ["a@example.com"], reply_to=["help@example.com"]
    )
    message.attach_alternative("<p>Rich</p>", "text/html")
    data = services.email_message_to_dict(message)
    import json

    services.email_send(message=json.loads(json.dumps(data)))
    sent = mail.outbox[-1]
    assert sent.reply_to == ["help@example.com"]
    assert sent.alternatives[0][0] == "<p>Rich</p>"


def test_shipment_emails_go_through_the_bulk_queue_and_the_worker_takes_both():
    router = celery_app.amqp.router
    assert router.route({}, "orders.tasks.notify_shipment")["queue"].name == "bulk"
    assert router.route({}, "orders.tasks.process_delivery")["queue"].name == "celery"
    assert router.route({}, "portal.tasks.send_email")["queue"].name == "celery"
    assert router.route({}, "loyalty.tasks.award_order_points")["queue"].name == "bulk"
    assert list(celery_app.amqp.queues) == ["celery", "bulk"]  # the order workers take them


@pytest.mark.django_db(transaction=True)
def test_a_webhook_shipment_email_is_sent_by_the_worker_from_the_bulk_queue(client, worker):
    from django.utils import timezone

    from tests.orders.test_webhooks_portico import order_record, shipment_record
    from tests.orders.webhook_helpers import portico

    mail.outbox = []
    now = timezone.now().isoformat()
    order = order_record(email="parcel@example.com")
    order["data"]["shipments"] = [shipment_record(updated_at=now, shipped_at=now)["data"]]
    assert portico(client, order).status_code == 202
    assert _wait_for(lambda: len(mail.outbox) == 1), "the shipment email never went out"
    assert mail.outbox[0].to == ["parcel@example.com"]
