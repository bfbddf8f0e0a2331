"""Stripe and WooCommerce deliveries end to end, through the endpoints, inbox and task."""

import copy

import pytest

from orders.models import Order, Refund, WebhookDelivery
from tests.orders import webhook_helpers as hooks
from tests.orders.fake_stripe import FakeStripe

pytestmark = pytest.mark.django_db

SESSION = hooks.payload("stripe_checkout_session_completed.json")
SESSION_ID = SESSION["data"]["object"]["id"]


@pytest.fixture
def fake_stripe(settings):
    with FakeStripe(api_key=settings.STRIPE_API_KEY, page_size=2) as fake:
        fake.line_items[SESSION_ID] = hooks.payload("stripe_checkout_session_line_items.json")[
            "data"
        ]
        settings.STRIPE_API_BASE = fake.url
        yield fake


def test_a_checkout_session_becomes_an_order_with_line_items_fetched_from_stripe(
    client, deliver, fake_stripe
):
    response = deliver(hooks.stripe, client, SESSION)
    assert response.status_code == 202
    order = Order.objects.get(connector="stripe", external_id=SESSION_ID)
    assert order.payment_reference == SESSION["data"]["object"]["payment_intent"]
    assert order.lines.count() == 3
    assert order.financial_status == "paid"
    assert any(r.path.endswith("/line_items") for r in fake_stripe.requests)
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PROCESSED


def test_stripe_down_leaves_the_delivery_in_the_inbox_to_retry(client, deliver, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    from celery.exceptions import Retry

    with pytest.raises(Retry):
        deliver(hooks.stripe, client, SESSION)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.RECEIVED
    assert "Stripe" in delivery.error or "stripe" in delivery.error.lower()
    assert not Order.objects.exists()


def test_a_refund_found_by_payment_intent_even_before_its_order(client, deliver, fake_stripe):
    refund_event = hooks.payload("stripe_refund_created.json")
    assert deliver(hooks.stripe, client, refund_event).status_code == 202
    waiting = WebhookDelivery.objects.get()
    assert waiting.status == WebhookDelivery.Status.WAITING

    deliver(hooks.stripe, client, SESSION)
    waiting.refresh_from_db()
    assert waiting.status == WebhookDelivery.Status.PROCESSED
    refund = Refund.objects.get()
    assert refund.order.external_id == SESSION_ID
    assert refund.order.financial_status == "partially_refunded"


def test_a_late_paid_event_does_not_undo_a_refund(client, deliver, fake_stripe):
    deliver(hooks.stripe, client, SESSION)
    deliver(hooks.stripe, client, hooks.payload("stripe_refund_created.json"))
    again = copy.deepcopy(SESSION)
    again["id"] = "evt_resent"
    again["created"] = SESSION["created"] + 3600
    deliver(hooks.stripe, client, again)
    assert Order.objects.get().financial_status == "partially_refunded"


def test_a_forged_stripe_signature_is_refused(client, deliver):
    assert deliver(hooks.stripe, client, SESSION, secret="whsec_wrong").status_code == 401
    old = deliver(hooks.stripe, client, SESSION, timestamp=1_000_000_000)
    assert old.status_code == 401  # outside the library's tolerance: a replayed request
    assert not WebhookDelivery.objects.exists()


def test_woocommerce_order_end_to_end(client, deliver):
    data = hooks.payload("woocommerce_order_updated.json")
    response = deliver(hooks.woocommerce, client, "order.updated", data)
    assert response.status_code == 202
    order = Order.objects.get(connector="woocommerce")
    assert order.lines.count() >= 2
    assert order.shipments.count() >= 1


def test_woocommerce_ping_on_saving_a_webhook_gets_200_and_stores_nothing(client):
    response = client.post(
        "/webhooks/woocommerce/",
        "webhook_id=12",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not WebhookDelivery.objects.exists()
