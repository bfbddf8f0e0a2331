"""The customer's emails about a return: one per step, once, in the return's language."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from returns import notifications, services, tasks
from returns.models import AutomationRule, ReturnEmail, Status

pytestmark = pytest.mark.django_db

KINDS = [
    "requested",
    "approved",
    "label_issued",
    "dropoff_issued",
    "received",
    "rejected",
    "refunded",
    "credited",
    "exchanged",
    "cancelled",
]


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service and the emails it queues on commit."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


@pytest.fixture
def review_all():
    AutomationRule.objects.all().delete()  # nothing is approved automatically


def test_a_turkish_return_is_emailed_once_per_step_in_turkish(order, return_for, run, settings):
    ret = return_for(order, (order.shirt, 1, "too_small"), language="tr")
    # Approved at once: the label's email says so; "requested" and "approved" add nothing.
    assert ret.status == Status.LABEL_ISSUED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert message.to == ["grace@example.com"]
    assert ret.number in message.subject
    assert '<html lang="tr">' in html
    assert "Çok küçük" in message.body and "Çok küçük" in html  # the reason, in Turkish
    assert ret.label_tracking_number in message.body
    assert "$59,85" in message.body  # 60.00 + 4.80 tax - 4.95 shipping, Turkish notation
    assert f"{settings.SITE_URL}/tr/returns/link/" in message.body
    assert set(ReturnEmail.objects.values_list("kind", flat=True)) == {"label_issued"}

    for kind in KINDS:  # a worker running every task again
        tasks.return_email(ret.pk, kind)
    assert len(mail.outbox) == 1

    run(services.return_in_transit, request_id=ret.pk)
    run(services.return_receive, request_id=ret.pk)
    assert len(mail.outbox) == 2
    assert '<html lang="tr">' in mail.outbox[1].alternatives[0][0]
    assert tasks.return_email(ret.pk, "received") is False
    assert len(mail.outbox) == 2


def test_a_return_waiting_for_an_agent_is_acknowledged_then_approved(
    order, return_for, run, review_all
):
    ret = return_for(order)
    assert ret.status == Status.REQUESTED
    assert len(mail.outbox) == 1
    assert "We have your return request" in mail.outbox[0].subject
    run(services.return_approve, request_id=ret.pk)
    assert len(mail.outbox) == 2
    assert "is approved" in mail.outbox[1].subject
    assert "Print the return label" in mail.outbox[1].body
    kinds = set(ReturnEmail.objects.values_list("kind", flat=True))
    assert kinds == {"requested", "label_issued"}


def test_a_rejection_email_carries_the_agents_message(order, return_for, run, review_all):
    ret = return_for(order)
    run(services.return_reject, request_id=ret.pk, message="Worn and washed.")
    assert "Worn and washed." in mail.outbox[-1].body
    assert "Worn and washed." in mail.outbox[-1].alternatives[0][0]


def test_a_cancelled_return_is_confirmed(order, return_for, run):
    ret = return_for(order)
    run(services.return_cancel, request_id=ret.pk, by_customer=True)
    assert "was cancelled" in mail.outbox[-1].subject


def test_steps_customers_are_not_told_about_send_nothing(order, return_for):
    ret = return_for(order)
    sent = len(mail.outbox)
    for kind in ("in_transit", "inspected", "closed", "nonsense", ""):
        assert notifications.return_email_send(request_id=ret.pk, kind=kind) is False
    assert notifications.return_email_send(request_id=ret.pk + 1000, kind="received") is False
    assert len(mail.outbox) == sent


def test_the_emails_link_opens_the_return_page(client, order, return_for, settings):
    ret = return_for(order)
    link = re.search(r"https?://\S+/returns/link/\S+/", mail.outbox[-1].body).group(0)
    response = client.get(link.removeprefix(settings.SITE_URL))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and ret.number in page.content.decode()


def test_a_failed_send_leaves_no_trace_and_the_retry_sends_it_once(order, return_for, settings):
    ret = return_for(order)
    services.return_in_transit(request_id=ret.pk)  # emails not run: on_commit is not
    services.return_receive(request_id=ret.pk)
    sent = len(mail.outbox)
    settings.EMAIL_BACKEND = "tests.returns.test_notifications.RefusingBackend"
    with pytest.raises(ConnectionRefusedError):
        notifications.return_email_send(request_id=ret.pk, kind="received")
    assert not ReturnEmail.objects.filter(request=ret, kind="received").exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.return_email_send(request_id=ret.pk, kind="received") is True
    assert notifications.return_email_send(request_id=ret.pk, kind="received") is False
    assert len(mail.outbox) == sent + 1
