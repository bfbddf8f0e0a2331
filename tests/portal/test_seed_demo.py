import io
import re

import pytest
from allauth.account.models import EmailAddress
from celery.signals import before_task_publish
from django.apps import apps
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command

from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db
OUR_APPS = {"portal", "orders", "knowledgebase", "loyalty", "returns", "feedback"}


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"wagtailcore", "account", "auth", *OUR_APPS}
        and not model._meta.proxy
        and model._meta.label != "wagtailcore.ModelLogEntry"
    }


SENT = []


class RecordingBackend(BaseEmailBackend):
    """The mail server of these tests: what reached it, outside ``mail.outbox``."""

    def send_messages(self, messages):
        SENT.extend(messages)
        return len(messages)


@pytest.fixture
def published():
    """Tasks sent to the broker, with the worker's settings (not the tests' eager mode)."""
    sent = []

    def record(sender=None, **kwargs):
        sent.append(sender)

    before_task_publish.connect(record, weak=False)
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield sent
    finally:
        celery_app.conf.task_always_eager = previous
        before_task_publish.disconnect(record)


# Committed for real (not inside the test's transaction), as `make run` commits: the tasks
# the seed's commits queue would otherwise never be sent at all.
@pytest.mark.django_db(transaction=True)
def test_seed_demo_builds_a_store_and_running_it_again_changes_nothing(
    migrated_db, published, settings
):
    settings.STRIPE_API_KEY = ""  # as `make run` has it: the demo needs no Stripe account
    settings.EMAIL_BACKEND = f"{__name__}.RecordingBackend"
    SENT.clear()
    mail.outbox = []
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "admin@portico.test" in out.getvalue()
    # The demo's past ran in the seed: the worker starts on an empty queue, and its
    # customers were not emailed about shipments and points of days ago.
    assert published == []
    assert SENT == [] and mail.outbox == []
    held = re.search(r"(\d+) tasks ran in the seed .*; (\d+) emails to demo", out.getvalue())
    assert held and int(held.group(1)) > 0 and int(held.group(2)) > 0
    first = _counts()
    assert first["orders.Order"] >= 400
    assert first["returns.ReturnRequest"] >= 20
    assert first["portal.User"] >= 60
    assert EmailAddress.objects.filter(verified=True).count() == first["portal.User"]
    assert first["portal.StandardPage"] == 4  # two pages, each in English and Turkish
    assert first["knowledgebase.ArticlePage"] >= 80  # the help center, in both languages

    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first


def test_demo_admin_can_sign_in_to_wagtail(client):
    call_command("seed_demo", stdout=io.StringIO())
    response = client.post(
        "/admin/login/", {"username": "admin@portico.test", "password": "portico-demo"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
