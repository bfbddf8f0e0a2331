"""Stripe refund events → ``payment_refund_updated``, end to end: signed events from the
fake Stripe, through ``/webhooks/stripe/``, the inbox and the task.

Refunds Portico's returns made (metadata ``portico_return``) are announced and never
recorded by the connector: the returns app records its own ``Refund`` row, with its
lines, once the refund succeeds. The store's own refunds are recorded as before, and
announced too.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from orders import services, signals, stripe_api
from orders.connectors import get_connector
from orders.connectors.base import RefundData, RefundStatusData
from orders.exceptions import PayloadError
from orders.models import Order, Refund, WebhookDelivery
from tests.orders import webhook_helpers as hooks
from tests.orders.fake_stripe import FakeStripe

pytestmark = pytest.mark.django_db

SESSION = hooks.payload("stripe_checkout_session_completed.json")
SESSION_ID = SESSION["data"]["object"]["id"]
INTENT = SESSION["data"]["object"]["payment_intent"]


@pytest.fixture
def fake(settings):
    with FakeStripe(api_key=settings.STRIPE_API_KEY) as fake:
        fake.line_items[SESSION_ID] = hooks.payload("stripe_checkout_session_line_items.json")[
            "data"
        ]
        fake.payment_intents[INTENT] = {"amount": 6580, "currency": "eur"}
        settings.STRIPE_API_BASE = fake.url
        yield fake


@pytest.fixture
def announced():
    """Every ``payment_refund_updated``, as its keyword arguments."""
    calls = []

    def receiver(sender, **kwargs):
        kwargs.pop("signal", None)
        calls.append(kwargs)

    signals.payment_refund_updated.connect(receiver, weak=False)
    yield calls
    signals.payment_refund_updated.disconnect(receiver)


@pytest.fixture
def order(client, deliver, fake):
    deliver(hooks.stripe, client, SESSION)
    return Order.objects.get(connector="stripe", external_id=SESSION_ID)


def make_refund(amount="15.00", key="return-7:refund", **metadata):
    return stripe_api.refund_create(
        payment_intent=INTENT,
        amount=Decimal(amount),
        currency="EUR",
        idempotency_key=key,
        metadata=metadata,
    )


def post(client, deliver, event):
    body, signature = event
    return deliver(
        client.post,
        "/webhooks/stripe/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )


def announcement(refund, status="succeeded", failure_reason="", **metadata):
    return {
        "refund_id": refund.id,
        "status": status,
        "payment_intent": INTENT,
        "metadata": metadata,
        "amount": str(refund.amount),
        "currency": "EUR",
        "failure_reason": failure_reason,
    }


def test_a_returns_refund_is_announced_once_and_not_recorded(
    client, deliver, fake, order, announced, sent
):
    refund = make_refund(portico_return="7")
    sent.clear()

    response = post(client, deliver, fake.refund_event(refund.id, "refund.updated"))

    assert response.status_code == 202
    delivery = WebhookDelivery.objects.get(topic="refund.updated")
    assert delivery.status == WebhookDelivery.Status.PROCESSED
    assert not Refund.objects.exists()
    assert Order.objects.get(pk=order.pk).financial_status == Order.FinancialStatus.PAID
    assert announced == [announcement(refund, portico_return="7")]
    assert sent == []  # no order_refunded: the returns app records that row


def test_the_same_event_again_announces_nothing_more(client, deliver, fake, order, announced):
    event = fake.refund_event(make_refund(portico_return="7").id)

    post(client, deliver, event)
    assert post(client, deliver, event).status_code == 200  # duplicate

    assert len(announced) == 1


def test_a_returns_refund_never_waits_for_its_order(client, deliver, fake, announced):
    refund = make_refund(portico_return="7")  # no order in the mirror for this payment

    post(client, deliver, fake.refund_event(refund.id, "refund.created"))

    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PROCESSED
    assert announced == [announcement(refund, portico_return="7")]


@pytest.mark.parametrize("topic", ["refund.updated", "refund.failed", "charge.refund.updated"])
def test_a_failed_returns_refund_is_announced_with_its_reason(
    client, deliver, fake, order, announced, topic
):
    refund = make_refund(portico_return="7")
    fake.set_refund_status(refund.id, "failed", "expired_or_canceled_card")

    post(client, deliver, fake.refund_event(refund.id, topic))

    assert announced == [
        announcement(
            refund, status="failed", failure_reason="expired_or_canceled_card", portico_return="7"
        )
    ]
    assert not Refund.objects.exists()


def test_later_events_do_not_duplicate_the_row_the_returns_app_recorded(
    client, deliver, fake, order, announced
):
    refund = make_refund(portico_return="7")
    line = order.lines.order_by("pk").first()
    services.refund_record(
        connector="stripe",
        data=RefundData(
            order_external_id=SESSION_ID,
            external_id=refund.id,
            amount=refund.amount,
            currency=refund.currency,
            refunded_at=datetime.now(UTC),
            lines=[(line.external_id, 1, refund.amount)],
        ),
        source=Refund.Source.RETURN,
    )

    post(client, deliver, fake.refund_event(refund.id, "refund.updated"))
    post(client, deliver, fake.refund_event(refund.id, "charge.refunded"))

    recorded = Refund.objects.get()
    assert (recorded.external_id, recorded.source) == (refund.id, Refund.Source.RETURN)
    assert recorded.lines.get().line == line
    assert [call["status"] for call in announced] == ["succeeded", "succeeded"]


def test_a_store_refund_is_recorded_as_before_and_announced(
    client, deliver, fake, order, announced, sent
):
    refund = make_refund("15.00", key="dashboard-1")
    sent.clear()

    post(client, deliver, fake.refund_event(refund.id, "refund.created"))

    recorded = Refund.objects.get()
    assert (recorded.external_id, recorded.amount) == (refund.id, Decimal("15.00"))
    assert recorded.source == Refund.Source.STORE
    order.refresh_from_db()
    assert order.financial_status == Order.FinancialStatus.PARTIALLY_REFUNDED
    assert sent == [("order_refunded", {"order_id": order.pk, "refund_id": recorded.pk})]
    assert announced == [announcement(refund)]


def test_a_charge_refunded_event_records_the_stores_refunds_only_and_announces_all(
    client, deliver, fake, order, announced
):
    ours = make_refund("15.00", key="return-7:refund", portico_return="7")
    theirs = make_refund("10.00", key="dashboard-1")

    post(client, deliver, fake.refund_event(ours.id, "charge.refunded"))

    assert list(Refund.objects.values_list("external_id", flat=True)) == [theirs.id]
    assert sorted(call["refund_id"] for call in announced) == sorted([ours.id, theirs.id])


def test_a_store_refund_waiting_for_its_order_is_announced_once_recorded(
    client, deliver, fake, announced
):
    refund = make_refund(key="dashboard-1")

    post(client, deliver, fake.refund_event(refund.id, "refund.created"))
    waiting = WebhookDelivery.objects.get()
    assert waiting.status == WebhookDelivery.Status.WAITING
    assert announced == []

    deliver(hooks.stripe, client, SESSION)
    waiting.refresh_from_db()
    assert waiting.status == WebhookDelivery.Status.PROCESSED
    assert Refund.objects.get().external_id == refund.id
    assert announced == [announcement(refund)]


def test_the_announcement_goes_out_on_commit_only(django_capture_on_commit_callbacks, announced):
    status = RefundStatusData(refund_id="re_1", status="succeeded", payment_intent="pi_1")

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.apply(connector="stripe", change=status)
        raise RuntimeError("rolled back")
    assert announced == []

    with django_capture_on_commit_callbacks(execute=True):
        services.apply(connector="stripe", change=status)
    assert [call["refund_id"] for call in announced] == ["re_1"]


# --- Parsing ------------------------------------------------------------------------------


def returns_refund_event(**changes):
    event = hooks.payload("stripe_refund_created.json")
    event["data"]["object"]["metadata"] = {"portico_return": "7"}
    event["data"]["object"].update(changes)
    return event


def test_a_returns_refund_parses_to_its_status_only():
    (change,) = get_connector("stripe").parse("refund.created", returns_refund_event())

    assert change == RefundStatusData(
        refund_id="re_3TJqA0LkdIwHu7ix1Nw0Ref2",
        status="succeeded",
        payment_intent=INTENT,
        amount=Decimal("15.00"),
        currency="EUR",
        metadata={"portico_return": "7"},
    )


def test_a_store_refund_carries_its_status(fake):
    (change,) = get_connector("stripe").parse(
        "refund.created", hooks.payload("stripe_refund_created.json")
    )

    assert isinstance(change, RefundData)
    assert change.payment_refund.status == "succeeded"
    assert change.payment_refund.refund_id == change.external_id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": None}, "data.object.status"),
        ({"status": " "}, "data.object.status"),
        ({"metadata": {"portico_return": ["7"]}}, "data.object.metadata.portico_return"),
        ({"metadata": "portico_return"}, "data.object.metadata"),
        ({"amount": "15.00"}, "data.object.amount"),
    ],
)
def test_a_returns_refund_that_cannot_be_read_names_the_field(changes, field):
    with pytest.raises(PayloadError) as error:
        get_connector("stripe").parse("refund.updated", returns_refund_event(**changes))
    assert error.value.field == field


def test_a_returns_refund_that_cannot_be_read_is_kept_as_failed_not_a_500(client, deliver):
    response = deliver(hooks.stripe, client, returns_refund_event(amount="15.00"))

    assert response.status_code == 400
    assert response.json()["field"] == "data.object.amount"
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.FAILED
