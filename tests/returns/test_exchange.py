"""Exchanges: the store is asked for the replacement by a signed webhook, retried until it
answers; with no webhook set up, an agent places the order by hand. No money goes back,
so no refund reaches the order mirror."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from orders.models import Order, Refund
from returns import exchange, payments, services
from returns.exceptions import PaymentError
from returns.models import ReturnPayment, ReturnRequest, Status
from returns.services import Inspection

pytestmark = pytest.mark.django_db

SECRET = "exchange-secret"


class Store:
    """The store's webhook endpoint: a real HTTP server on 127.0.0.1 that records each
    request and answers with the next of ``statuses`` (then 200)."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        store = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                store.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = store.statuses.pop(0) if store.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/portico/exchanges"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def store(settings):
    store = Store()
    settings.EXCHANGE_WEBHOOK_URL, settings.EXCHANGE_WEBHOOK_SECRET = store.url, SECRET
    yield store
    store.stop()


@pytest.fixture
def worker_retries(monkeypatch):
    """Eager tasks retry as a worker would (at once), instead of raising ``Retry``."""
    from portal.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


@pytest.fixture
def exchanged(order, return_for, django_capture_on_commit_callbacks):
    """An exchange of the shirt for another size, received and accepted; what the
    inspection queues on commit (the payout, the webhook) has run."""

    def make():
        request = return_for(
            order, (order.shirt, 1, "too_small"), resolution="exchange", exchange_for="Sand / M"
        )
        services.return_receive(request_id=request.pk)
        line = request.lines.get()
        with django_capture_on_commit_callbacks(execute=True):
            services.return_inspect(
                request_id=request.pk, results=[Inspection(line.pk, "accepted")]
            )
        return ReturnRequest.objects.get(pk=request.pk)

    return make


def test_the_store_gets_the_exchange_signed_and_the_return_is_exchanged(order, store, exchanged):
    request = exchanged()

    ((headers, body),) = store.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-portico-signature"] == expected
    payment = ReturnPayment.objects.get()
    assert headers["x-portico-delivery-id"] == payment.key == f"return:{request.number}:exchange"
    assert headers["x-portico-event"] == "return.exchange"
    data = json.loads(body)
    assert data["return"] == request.number and data["exchange_for"] == "Sand / M"
    assert data["order"] == {"number": "#5001", "id": order.external_id, "source": "portico"}
    assert data["price_difference"] == "0.00" and data["currency"] == "USD"
    assert [(x["sku"], x["quantity"]) for x in data["lines"]] == [("LS-L", 1)]

    assert request.status == Status.EXCHANGED
    assert (payment.kind, payment.state, payment.external_status) == (
        "exchange",
        "succeeded",
        "delivered",
    )
    assert not Refund.objects.exists()  # nothing went back
    assert Order.objects.get(pk=order.pk).financial_status == "paid"
    assert request.events.filter(kind="payment", public=True).count() == 2  # recorded, sent


def test_a_store_that_fails_is_asked_again_with_the_same_delivery(
    order, store, exchanged, worker_retries
):
    store.statuses = [500, 502]
    request = exchanged()

    assert len(store.requests) == 3
    assert len({headers["x-portico-delivery-id"] for headers, _ in store.requests}) == 1
    assert len({body for _, body in store.requests}) == 1  # the same signed body
    payment = ReturnPayment.objects.get()
    assert (payment.state, payment.attempts) == ("succeeded", 3)
    assert request.status == Status.EXCHANGED


def test_an_exchange_the_store_never_took_is_sent_again_by_the_reconcile_task(
    order, store, return_for, django_capture_on_commit_callbacks
):
    request = return_for(
        order, (order.shirt, 1, "too_small"), resolution="exchange", exchange_for="Sand / M"
    )
    services.return_receive(request_id=request.pk)
    line = request.lines.get()
    services.return_inspect(request_id=request.pk, results=[Inspection(line.pk, "accepted")])
    store.statuses = [503]
    assert payments.return_payout(request_id=request.pk) == "pending"
    payment = ReturnPayment.objects.get()
    with pytest.raises(PaymentError) as failed:
        exchange.exchange_send(payment_id=payment.pk)  # what the task's first try does
    assert failed.value.retryable
    payment.refresh_from_db()
    assert (payment.state, payment.error) == ("pending", "HTTP 503: {}")

    with django_capture_on_commit_callbacks(execute=True):
        counts = payments.payments_reconcile(now=timezone.now() + timedelta(minutes=10))

    assert counts["exchanges"] == 1
    assert ReturnPayment.objects.get().state == "succeeded"
    assert ReturnRequest.objects.get(pk=request.pk).status == Status.EXCHANGED
    assert len(store.requests) == 2


def test_without_a_webhook_the_exchange_waits_for_an_agent(
    order, settings, exchanged, django_user_model, django_capture_on_commit_callbacks
):
    settings.EXCHANGE_WEBHOOK_URL = ""
    agent = django_user_model.objects.create_user(email="agent@example.com", password="x")
    request = exchanged()

    payment = ReturnPayment.objects.get()
    assert (payment.state, payment.external_status) == ("pending", "waiting_for_agent")
    assert request.status == Status.INSPECTED
    assert request.events.filter(kind="payment", public=False, message__contains="Sand / M")
    assert list(payments.payments_needing_agent()) == [payment]

    with django_capture_on_commit_callbacks(execute=True):
        payments.payment_store_done(payment_id=payment.pk, actor=agent, reference="#5002")

    assert ReturnRequest.objects.get(pk=request.pk).status == Status.EXCHANGED
    assert ReturnPayment.objects.get().state == "succeeded"
    assert not Refund.objects.exists()
    assert not payments.payments_needing_agent().exists()


def test_an_exchange_is_never_sent_unsigned(order, store, settings, exchanged):
    settings.EXCHANGE_WEBHOOK_SECRET = ""
    request = exchanged()

    assert store.requests == []
    payment = ReturnPayment.objects.get()
    assert payment.state == "pending" and "not sent unsigned" in payment.error
    assert request.status == Status.INSPECTED
