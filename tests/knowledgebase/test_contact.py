"""The contact form: a request is stored, emailed to support and the customer, forwarded to
the helpdesk as signed JSON (retried when it fails, never sent twice); spam and bad input
are turned away without a 500; opened suggestions without a request are deflections."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from knowledgebase import contact
from knowledgebase.models import ContactRequest, SuggestionOpen
from knowledgebase.tasks import forward_contact_request
from tests.knowledgebase.factories import article, category, help_center
from tests.orders.factories import OrderFactory

pytestmark = pytest.mark.django_db

SECRET = "helpdesk-test-secret"


class Helpdesk:
    """A local helpdesk that records what it receives and answers ``status``."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        self.answers: list[int] = []  # answered first, one per request, before ``status``
        helpdesk = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                helpdesk.received.append({"headers": dict(self.headers), "body": body})
                status = helpdesk.answers.pop(0) if helpdesk.answers else helpdesk.status
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"helpdesk is down")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/portico"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def helpdesk(settings):
    desk = Helpdesk()
    settings.HELPDESK_WEBHOOK_URL = desk.url
    settings.HELPDESK_WEBHOOK_SECRET = SECRET
    yield desk
    desk.close()


@pytest.fixture
def branding(db):
    from wagtail.models import Site

    from portal.models import BrandingSettings

    settings_row = BrandingSettings.for_site(Site.objects.get(is_default_site=True))
    settings_row.support_email = "support@shop.example"
    settings_row.save()
    return settings_row


@pytest.fixture
def art():
    return article(category(help_center(), "Shipping"), "Track your parcel")


def _send(client, django_capture_on_commit_callbacks, url=None, **data):
    form = {
        "subject": "Where is my parcel?",
        "message": "It has been a week.",
        "email": "grace@example.com",
        "visit": data.pop("visit", "v" * 22),
        **data,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url or reverse("knowledgebase:contact"), form)


def test_contact_page_renders_for_guests_and_customers(client, verified_user):
    response = client.get(reverse("knowledgebase:contact"))
    body = response.content.decode()
    assert response.status_code == 200 and 'name="email"' in body and 'name="visit"' in body
    assert "/help-center/suggest/" in body
    client.force_login(verified_user)
    body = client.get("/tr" + reverse("knowledgebase:contact")).content.decode()
    assert 'name="email"' not in body  # theirs, not asked again
    assert "/tr/help-center/suggest/" in body


def test_request_is_stored_emailed_and_confirmed(
    client, branding, art, django_capture_on_commit_callbacks
):
    contact.suggestion_open_record(visit="v" * 22, article_id=art.pk)
    response = _send(client, django_capture_on_commit_callbacks)
    request = ContactRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("knowledgebase:contact_sent", args=[request.reference])
    assert request.reference.startswith("HC-") and len(request.reference) == 9
    assert request.forward_status == ContactRequest.Forward.OFF  # no helpdesk configured
    assert SuggestionOpen.objects.get().contact_request == request

    support, confirmation = sorted(mail.outbox, key=lambda m: m.to[0] != "support@shop.example")
    assert support.to == ["support@shop.example"]
    assert support.reply_to == ["grace@example.com"]
    assert request.reference in support.subject and "It has been a week." in support.body
    assert "Track your parcel" in support.body
    assert confirmation.to == ["grace@example.com"]
    assert request.reference in confirmation.subject and request.reference in confirmation.body

    page = client.get(response["Location"])
    assert page.status_code == 200 and request.reference in page.content.decode()


def test_confirmation_page_is_only_for_the_sender(client, django_capture_on_commit_callbacks):
    from django.test import Client

    response = _send(client, django_capture_on_commit_callbacks)
    assert Client().get(response["Location"]).status_code == 404


def test_turkish_customer_gets_a_turkish_request(client, django_capture_on_commit_callbacks):
    _send(client, django_capture_on_commit_callbacks, url="/tr" + reverse("knowledgebase:contact"))
    assert ContactRequest.objects.get().language == "tr"


def test_support_address_falls_back_to_server_email(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SERVER_EMAIL = "ops@shop.example"
    _send(client, django_capture_on_commit_callbacks)
    assert ["ops@shop.example"] in [m.to for m in mail.outbox]


def test_request_is_forwarded_with_a_valid_signature(
    client, helpdesk, art, django_capture_on_commit_callbacks
):
    contact.suggestion_open_record(visit="v" * 22, article_id=art.pk)
    _send(client, django_capture_on_commit_callbacks)
    request = ContactRequest.objects.get()
    assert request.forward_status == ContactRequest.Forward.SENT
    assert request.forward_attempts == 1 and request.forwarded_at is not None
    (delivery,) = helpdesk.received
    body, headers = delivery["body"], delivery["headers"]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Portico-Signature"], expected)
    assert headers["X-Portico-Delivery-Id"] == f"contact-{request.reference}"
    payload = json.loads(body)
    assert payload["event"] == "contact_request.created"
    assert payload["reference"] == request.reference
    assert payload["customer"] == {"email": "grace@example.com", "signed_in": False}
    assert payload["subject"] == "Where is my parcel?"
    assert payload["suggested_articles_opened"][0]["title"] == "Track your parcel"
    # Running the task again (a redelivery) sends nothing more.
    forward_contact_request.apply(args=[request.pk])
    assert len(helpdesk.received) == 1


def test_failed_forward_is_retried_and_sent_once(helpdesk, django_capture_on_commit_callbacks):
    helpdesk.status = 503
    request = contact.contact_request_submit(
        email="grace@example.com", subject="Hello", message="Hi", language="en"
    )
    with pytest.raises(contact.ForwardFailed):
        contact.contact_forward(contact_request_id=request.pk)
    request.refresh_from_db()
    assert request.forward_status == ContactRequest.Forward.FAILED
    assert "503" in request.forward_error and request.forward_attempts == 1

    helpdesk.status = 200
    assert contact.forward_retry(contact_request_id=request.pk) == ContactRequest.Forward.SENT
    assert contact.forward_retry(contact_request_id=request.pk) == ContactRequest.Forward.SENT
    request.refresh_from_db()
    assert request.forward_attempts == 2 and request.forward_error == ""
    assert len(helpdesk.received) == 2  # the failed attempt and the one that worked
    assert (
        helpdesk.received[0]["headers"]["X-Portico-Delivery-Id"]
        == (helpdesk.received[1]["headers"]["X-Portico-Delivery-Id"])
    )


def test_task_retries_until_the_helpdesk_answers(helpdesk):
    """The task's own retries (run inline here): two 500s, then accepted."""
    helpdesk.answers = [500, 500]
    request = ContactRequest.objects.create(
        reference="HC-TEST22",
        email="a@example.com",
        subject="s",
        message="m",
        language="en",
        forward_status=ContactRequest.Forward.PENDING,
    )
    # Eager tasks propagate errors in tests; a worker would retry instead, as here.
    app = forward_contact_request.app
    propagates, app.conf.task_eager_propagates = app.conf.task_eager_propagates, False
    try:
        forward_contact_request.apply(args=[request.pk], throw=False)
    finally:
        app.conf.task_eager_propagates = propagates
    request.refresh_from_db()
    assert request.forward_status == ContactRequest.Forward.SENT
    assert request.forward_attempts == 3 and len(helpdesk.received) == 3


def test_no_secret_means_no_unsigned_forward(helpdesk, settings):
    settings.HELPDESK_WEBHOOK_SECRET = ""
    request = ContactRequest.objects.create(
        reference="HC-NOSEC2",
        email="a@example.com",
        subject="s",
        message="m",
        language="en",
        forward_status=ContactRequest.Forward.PENDING,
    )
    with pytest.raises(contact.ForwardFailed):
        contact.contact_forward(contact_request_id=request.pk)
    assert helpdesk.received == []
    request.refresh_from_db()
    assert "HELPDESK_WEBHOOK_SECRET" in request.forward_error


def test_honeypot_gets_the_sent_page_but_nothing_is_stored_or_sent(
    client, helpdesk, django_capture_on_commit_callbacks
):
    response = _send(client, django_capture_on_commit_callbacks, website="http://spam.example")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert not ContactRequest.objects.exists()
    assert mail.outbox == [] and helpdesk.received == []


def test_too_many_requests_from_one_client_get_429(
    client, settings, django_capture_on_commit_callbacks
):
    settings.CONTACT_RATE_LIMIT = 2
    assert _send(client, django_capture_on_commit_callbacks).status_code == 302
    assert _send(client, django_capture_on_commit_callbacks).status_code == 302
    response = _send(client, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "Too many messages" in response.content.decode()
    assert ContactRequest.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"subject": "x" * 201}, "subject"),
        ({"message": "x" * 6000}, "message"),
        ({"email": "not-an-address"}, "email"),
        ({"subject": ""}, "subject"),
        ({"order_number": "9" * 80}, "order_number"),
    ],
)
def test_bad_input_is_a_clear_message(client, django_capture_on_commit_callbacks, data, field):
    response = _send(client, django_capture_on_commit_callbacks, **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ContactRequest.objects.exists()


def test_forged_visit_is_ignored_not_an_error(client, art, django_capture_on_commit_callbacks):
    contact.suggestion_open_record(visit="v" * 22, article_id=art.pk)
    response = _send(client, django_capture_on_commit_callbacks, visit="<script>" * 10)
    assert response.status_code == 302
    assert SuggestionOpen.objects.get().contact_request is None


def test_customer_picks_one_of_their_own_orders(
    client, verified_user, django_capture_on_commit_callbacks
):
    mine = OrderFactory(customer=None, email=verified_user.email)
    theirs = OrderFactory(customer=None, email="someone@example.com")
    client.force_login(verified_user)
    form = client.get(reverse("knowledgebase:contact")).context["form"]
    assert list(form.fields["order"].queryset) == [mine]

    response = _send(client, django_capture_on_commit_callbacks, order=str(theirs.pk))
    assert response.status_code == 400 and "order" in response.context["form"].errors
    response = _send(client, django_capture_on_commit_callbacks, order="not-a-number")
    assert response.status_code == 400

    response = _send(client, django_capture_on_commit_callbacks, order=str(mine.pk))
    request = ContactRequest.objects.get()
    assert request.order == mine and request.user == verified_user
    assert request.email == verified_user.email  # the posted email is ignored


def test_guest_order_number_links_only_with_its_email(client, django_capture_on_commit_callbacks):
    order = OrderFactory(customer=None, email="grace@example.com")
    _send(client, django_capture_on_commit_callbacks, order_number=order.number)
    _send(
        client,
        django_capture_on_commit_callbacks,
        order_number=order.number,
        email="mallory@example.com",
    )
    linked, unlinked = ContactRequest.objects.order_by("pk")
    assert linked.order == order
    assert unlinked.order is None and order.number in unlinked.message


def test_suggestion_open_endpoint(client, art):
    url = reverse("knowledgebase:contact_suggestion_opened")
    assert client.post(url, {"visit": "v" * 22, "article": art.pk}).status_code == 204
    assert client.post(url, {"visit": "v" * 22, "article": art.pk}).status_code == 204
    assert SuggestionOpen.objects.count() == 1
    for data, field in [
        ({"visit": "v" * 22, "article": "abc"}, "article"),
        ({"visit": "v" * 22, "article": "99999999999999999999"}, "article"),
        ({"visit": "v" * 22, "article": "424242"}, "article"),
        ({"visit": "bad visit!", "article": art.pk}, "visit"),
        ({"article": art.pk}, "visit"),
    ]:
        response = client.post(url, data)
        assert response.status_code == 400 and field in response.json()["errors"]


def test_deflections_are_opened_suggestions_without_a_request(art):
    other = article(category(help_center(), "Payments"), "Pay by card")
    now = timezone.now()
    contact.suggestion_open_record(visit="a" * 22, article_id=art.pk)  # deflected
    contact.suggestion_open_record(visit="b" * 22, article_id=other.pk)  # then sent
    contact.suggestion_open_record(visit="c" * 22, article_id=art.pk)  # too recent to tell
    SuggestionOpen.objects.exclude(visit="c" * 22).update(opened_at=now - timedelta(hours=1))
    contact.contact_request_submit(
        email="a@example.com", subject="s", message="m", language="en", visit="b" * 22
    )
    # From yesterday: an hour ago is yesterday just after midnight.
    today = timezone.localdate()
    start = today - timedelta(days=1)
    summary = contact.deflection_summary(start=start, end=today)
    assert (summary.visits_opened, summary.deflected, summary.opened_then_sent) == (3, 1, 1)
    assert summary.requests == 1 and summary.rate == 0.5
    top = contact.deflecting_articles(start=start, end=today)
    assert [(a["article__title"], a["opens"]) for a in top] == [("Track your parcel", 1)]


def _staff(user_factory, *codenames):
    from django.contrib.auth.models import Group, Permission

    user = user_factory(email=f"staff-{'-'.join(codenames) or 'none'}@example.com")
    group = Group.objects.create(name=f"g-{user.pk}")
    group.permissions.add(*Permission.objects.filter(codename__in=["access_admin", *codenames]))
    user.groups.add(group)
    return user


def test_admin_lists_requests_and_retries_a_failed_forward(client, helpdesk, user_factory):
    helpdesk.status = 500
    request = contact.contact_request_submit(
        email="grace@example.com", subject="Broken zip", message="m", language="en"
    )
    with pytest.raises(contact.ForwardFailed):
        contact.contact_forward(contact_request_id=request.pk)

    reader = _staff(user_factory, "view_contactrequest")
    client.force_login(reader)
    listing = client.get(reverse("knowledgebase_contact_list"), {"status": "failed"})
    assert listing.status_code == 200 and request.reference in listing.content.decode()
    detail = client.get(reverse("knowledgebase_contact_detail", args=[request.pk]))
    assert "Retry forwarding" not in detail.content.decode()
    retry_url = reverse("knowledgebase_contact_retry", args=[request.pk])
    assert client.post(retry_url).status_code in (302, 403)  # Wagtail: back to the dashboard
    assert len(helpdesk.received) == 1

    agent = _staff(user_factory, "view_contactrequest", "retry_contactrequest")
    client.force_login(agent)
    detail = client.get(reverse("knowledgebase_contact_detail", args=[request.pk]))
    assert "Retry forwarding" in detail.content.decode() and "HTTP 500" in detail.content.decode()
    helpdesk.status = 200
    assert client.post(retry_url).status_code == 302
    assert client.post(retry_url).status_code == 302  # a double submit forwards once
    request.refresh_from_db()
    assert request.forward_status == ContactRequest.Forward.SENT
    assert len(helpdesk.received) == 2

    nobody = _staff(user_factory)
    client.force_login(nobody)
    assert client.get(reverse("knowledgebase_contact_list")).status_code in (302, 403)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_racing_retries_deliver_once(helpdesk):
    """Two staff retries (or a retry and the task) at the same moment: one delivery."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for concurrent transactions")
    request = ContactRequest.objects.create(
        reference="HC-RACE22",
        email="a@example.com",
        subject="s",
        message="m",
        language="en",
        forward_status=ContactRequest.Forward.FAILED,
    )
    results, barrier = [], threading.Barrier(4)

    def retry():
        try:
            barrier.wait()
            results.append(contact.forward_retry(contact_request_id=request.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [ContactRequest.Forward.SENT] * 4
    assert len(helpdesk.received) == 1
