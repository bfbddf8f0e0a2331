"""Refunds of returns: through Stripe (the real ``stripe`` library against the local fake
Stripe server), or by an agent in the store, written to the order mirror once.

``order`` (tests/returns/conftest.py) paid 113.00 USD; returning the shirt (60.00 + 4.80
tax, less 4.95 return shipping) refunds 59.85, the two mugs 38.25.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone

from loyalty import services as loyalty
from loyalty.models import Account, EarningRule, ProgramSettings
from orders import stripe_api
from orders.models import Order, Refund
from returns import payments, services, tasks
from returns.exceptions import PaymentError
from returns.models import ReturnEvent, ReturnLine, ReturnPayment, ReturnRequest, Status
from returns.services import Inspection
from tests.returns.conftest import PAYMENT_INTENT

pytestmark = pytest.mark.django_db

INTENT = PAYMENT_INTENT
# Decided before any fixture runs: a skipped transactional test would still empty the
# database behind the tests after it.
needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"
)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call something and run what it queues on commit (tasks run eagerly)."""

    def call(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


@pytest.fixture
def inspected(order, return_for, run):
    """``inspected(line, quantity)``: a return received and accepted, its payout run."""

    def make(*picks, resolution="refund", request=None):
        request = request or return_for(order, *picks, resolution=resolution)
        services.return_receive(request_id=request.pk)
        results = [Inspection(line.pk, "accepted") for line in request.lines.all()]
        run(services.return_inspect, request_id=request.pk, results=results)
        return ReturnRequest.objects.get(pk=request.pk)

    return make


@pytest.fixture
def stuck(order, stripe, return_for):
    """A return whose payout found Stripe down (its payment pending); Stripe is back."""
    request = return_for(order, shirt(order))
    services.return_receive(request_id=request.pk)
    line = request.lines.get()
    # Not run on commit here: the payout below is.
    services.return_inspect(request_id=request.pk, results=[Inspection(line.pk, "accepted")])
    stripe.failing = True
    with pytest.raises(PaymentError) as failed:
        payments.return_payout(request_id=request.pk)
    assert failed.value.retryable
    stripe.failing = False
    return request, ReturnPayment.objects.get()


@pytest.fixture
def worker_retries(monkeypatch):
    """Eager tasks retry as a worker would (at once): an eager task that propagates its
    errors would raise Celery's ``Retry`` to the caller instead."""
    from portal.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


@pytest.fixture
def agent(django_user_model):
    return django_user_model.objects.create_user(email="agent@example.com", password="x")


def refund_posts(fake):
    return [r for r in fake.requests if r.method == "POST" and r.path == "/v1/refunds"]


def shirt(order):
    return (order.shirt, 1, "too_small")


def test_a_refund_goes_to_stripe_under_a_key_derived_from_the_return(order, stripe, inspected):
    request = inspected(shirt(order))

    (post,) = refund_posts(stripe)
    key = f"return:{request.number}:refund"
    assert post.header("Idempotency-Key") == key
    assert post.query["payment_intent"] == INTENT and post.query["amount"] == "5985"
    assert post.query["metadata[portico_return]"] == request.number
    assert post.query["metadata[portico_payment]"] == key
    payment = ReturnPayment.objects.get()
    assert (payment.kind, payment.key, payment.state) == ("stripe", key, "succeeded")
    assert payment.external_id in stripe.refunds and payment.completed_at
    assert request.status == Status.REFUNDED

    # The task again (a redelivery) pays nothing more and asks Stripe nothing.
    assert tasks.return_payout.delay(request.pk).get() == "succeeded"
    assert len(refund_posts(stripe)) == 1 and len(stripe.refunds) == 1


def test_the_refund_is_written_to_the_order_mirror_with_its_lines(order, stripe, inspected):
    request = inspected(shirt(order))

    refund = Refund.objects.get()
    payment = ReturnPayment.objects.get()
    assert payment.order_refund_id == refund.pk
    assert (refund.connector, refund.external_id, refund.source) == (
        "stripe",
        payment.external_id,
        Refund.Source.RETURN,
    )
    assert (refund.amount, refund.currency) == (D("59.85"), "USD")
    assert [(x.line_id, x.quantity, x.amount) for x in refund.lines.all()] == [
        (order.shirt.pk, 1, D("64.80"))
    ]
    assert Order.objects.get(pk=order.pk).financial_status == "partially_refunded"
    messages = list(request.events.filter(kind="payment").values_list("message", "public"))
    assert messages == [
        (f"Refunded $59.85 to the original payment (Stripe refund {refund.external_id}).", True)
    ]


def test_a_500_then_success_pays_once(order, stripe, inspected, worker_retries):
    stripe.fail_posts = 3  # more than the library's own retries: the task retries too
    request = inspected(shirt(order))

    posts = refund_posts(stripe)
    assert len(posts) == 4
    assert {p.header("Idempotency-Key") for p in posts} == {f"return:{request.number}:refund"}
    assert len(stripe.refunds) == 1 and Refund.objects.count() == 1
    assert ReturnPayment.objects.get().attempts == 2
    assert request.status == Status.REFUNDED


def test_a_lost_answer_then_a_retry_pays_once(order, stripe, inspected, worker_retries):
    stripe.lose_responses = 3  # Stripe made the refund; nobody heard it, three times
    request = inspected(shirt(order))

    assert len(refund_posts(stripe)) == 4
    assert len(stripe.refunds) == 1
    payment = ReturnPayment.objects.get()
    assert payment.external_id == next(iter(stripe.refunds))
    assert request.status == Status.REFUNDED and Refund.objects.count() == 1


def test_stripe_down_leaves_the_payment_pending_with_the_reason(stripe, stuck, run):
    request, payment = stuck
    assert payment.state == "pending" and "Something went wrong" in payment.error
    assert request.events.filter(kind="payment").count() == 0

    assert run(payments.return_payout, request_id=request.pk) == "succeeded"
    assert len(stripe.refunds) == 1


def test_a_refund_past_the_key_window_is_found_by_its_metadata(stripe, stuck, run):
    request, payment = stuck
    # Stripe made it after all, and the key has since expired there.
    made = stripe_api.refund_create(
        payment_intent=INTENT,
        amount=D("59.85"),
        currency="USD",
        idempotency_key="expired-elsewhere",
        metadata={"portico_return": request.number, "portico_payment": payment.key},
    )
    ReturnPayment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    posts = len(refund_posts(stripe))

    assert run(payments.payment_attempt, payment_id=payment.pk) == "succeeded"
    assert len(refund_posts(stripe)) == posts  # found, not made again
    assert ReturnPayment.objects.get().external_id == made.id
    assert len(stripe.refunds) == 1


def test_two_returns_never_refund_more_than_was_paid(
    order, stripe, inspected, return_for, run, store_refund
):
    # The store refunded 20.00 itself: 20 + 59.85 + 38.25 is more than the 113.00 paid.
    # Both returns are quoted before either is paid, so each quote alone fits.
    store_refund("store-1", "20.00")
    waiting = return_for(order, (order.mug, 2, "too_small"))
    assert waiting.total == D("38.25")
    first = inspected(shirt(order))
    assert first.status == Status.REFUNDED
    posts = len(refund_posts(stripe))

    second = inspected(request=waiting)

    assert len(refund_posts(stripe)) == posts  # Stripe was never asked
    refused = second.payments.get()
    assert refused.state == "failed"
    assert refused.error == (
        f"Not paid: $38.25 more would bring what order {order.number} got back to "
        "$118.10, more than the $113.00 paid (already given back or on its way: "
        "$79.85)."
    )
    assert second.events.filter(kind="payment", message=refused.error, public=False).exists()
    assert second.status == Status.INSPECTED
    assert sum(r.amount for r in Refund.objects.all()) == D("79.85")
    assert refused in payments.payments_needing_agent()


def test_a_pending_refund_is_finished_by_the_signed_webhook(client, order, stripe, inspected, run):
    program = ProgramSettings.load()
    program.enabled = True
    program.save()
    EarningRule.objects.create(name="1 a dollar", kind="spend", points=1, per_amount=D("1"))
    loyalty.order_points_award(order_id=order.pk)
    assert Account.objects.get(email="grace@example.com").pending == 100  # 60 + 40
    stripe.refund_status = "pending"

    request = inspected(shirt(order))
    payment = ReturnPayment.objects.get()
    assert (request.status, payment.state) == (Status.INSPECTED, "pending")
    assert not Refund.objects.exists()

    stripe.set_refund_status(payment.external_id, "succeeded")
    body, signature = stripe.refund_event(payment.external_id, "refund.updated")
    response = run(
        client.post,
        "/webhooks/stripe/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )

    assert response.status_code == 202
    assert ReturnRequest.objects.get(pk=request.pk).status == Status.REFUNDED
    refund = Refund.objects.get()
    assert refund.external_id == payment.external_id
    assert [(x.line_id, x.quantity) for x in refund.lines.all()] == [(order.shirt.pk, 1)]
    # Loyalty took back the shirt's 60 points; the mugs' 40 stay.
    assert Account.objects.get(email="grace@example.com").pending == 40
    assert loyalty.ledger_check() == []

    # The same news again (charge.refunded lists the refund too) changes nothing.
    body, signature = stripe.refund_event(payment.external_id, "charge.refunded")
    run(client.post, "/webhooks/stripe/", body, "application/json", HTTP_STRIPE_SIGNATURE=signature)
    assert Refund.objects.count() == 1
    assert request.events.filter(kind="payment").count() == 1


def test_a_refund_whose_id_was_never_stored_is_found_by_its_key(stuck, run):
    request, payment = stuck
    made = stripe_api.refund_create(  # what the lost attempt made
        payment_intent=INTENT,
        amount=payment.amount,
        currency="USD",
        idempotency_key=payment.key,
        metadata={"portico_return": request.number, "portico_payment": payment.key},
    )

    run(
        tasks.payment_refund_updated.delay,
        made.id,
        "succeeded",
        {"portico_return": request.number, "portico_payment": payment.key},
    )

    payment.refresh_from_db()
    assert (payment.external_id, payment.state) == (made.id, "succeeded")
    assert Refund.objects.get().external_id == made.id


def test_a_failed_refund_is_visible_and_a_retry_pays_once(order, stripe, inspected, agent, run):
    stripe.refund_status = "pending"
    request = inspected(shirt(order))
    first = ReturnPayment.objects.get()
    stripe.set_refund_status(first.external_id, "failed", "expired_or_canceled_card")
    run(tasks.payment_refund_updated.delay, first.external_id, "failed", {"portico_return": "x"})
    # Told again by another event: still one failure.
    run(tasks.payment_refund_updated.delay, first.external_id, "failed", {"portico_return": "x"})

    first.refresh_from_db()
    assert first.state == "failed" and first.external_status == "failed"
    assert ReturnRequest.objects.get(pk=request.pk).status == Status.INSPECTED
    assert request.events.filter(kind="payment", public=False, message__contains="failed").count()
    assert list(payments.payments_needing_agent()) == [first]

    stripe.refund_status = "succeeded"
    retried = run(payments.payment_retry, payment_id=first.pk, actor=agent)
    again = run(payments.payment_retry, payment_id=first.pk, actor=agent)  # a double click

    assert retried.pk == again.pk and retried.state == "succeeded"
    assert retried.key == f"return:{request.number}:refund:after:{first.external_id}"
    keys = [p.header("Idempotency-Key") for p in refund_posts(stripe)]
    assert keys == [first.key, retried.key]
    assert ReturnRequest.objects.get(pk=request.pk).status == Status.REFUNDED
    assert Refund.objects.get().external_id == retried.external_id
    assert not payments.payments_needing_agent().exists()

    # A late (or replayed) "succeeded" about the refund that failed pays nothing more.
    run(tasks.payment_refund_updated.delay, first.external_id, "succeeded", {"portico_return": "x"})
    first.refresh_from_db()
    assert first.state == "failed"
    assert Refund.objects.count() == 1


def test_a_stripe_refusal_fails_the_payment_with_stripes_words(order, stripe, inspected):
    stripe.payment_intents[INTENT]["amount"] = 1000  # only 10.00 is left to refund
    request = inspected(shirt(order))

    payment = ReturnPayment.objects.get()
    assert payment.state == "failed"
    assert "greater than unrefunded amount" in payment.error
    assert request.status == Status.INSPECTED and not Refund.objects.exists()


def test_reconcile_finishes_what_stripe_settled_and_payouts_a_crash_left(
    order, stripe, inspected, return_for, run
):
    stripe.refund_status = "pending"
    settled = inspected(shirt(order))
    pending = ReturnPayment.objects.get()
    stripe.set_refund_status(pending.external_id, "succeeded")  # no webhook came
    orphan = return_for(order, (order.mug, 2, "too_small"))  # inspected, then a crash
    ReturnLine.objects.filter(request=orphan).update(outcome="accepted")
    ReturnRequest.objects.filter(pk=orphan.pk).update(status=Status.INSPECTED)
    stripe.refund_status = "succeeded"
    later = timezone.now() + timedelta(minutes=10)

    assert run(payments.payments_reconcile) == dict.fromkeys(  # too soon: left alone
        ("refreshed", "attempted", "exchanges", "payouts"), 0
    )
    counts = run(payments.payments_reconcile, now=later)

    assert counts == {"refreshed": 1, "attempted": 0, "exchanges": 0, "payouts": 1}
    assert ReturnRequest.objects.get(pk=settled.pk).status == Status.REFUNDED
    assert ReturnRequest.objects.get(pk=orphan.pk).status == Status.REFUNDED
    assert Refund.objects.count() == 2 and len(stripe.refunds) == 2


def test_an_order_not_paid_through_stripe_is_refunded_in_the_store(
    order, inspected, agent, run, store_refund
):
    request = inspected(shirt(order))

    payment = ReturnPayment.objects.get()
    assert (payment.kind, payment.state, payment.amount) == ("store", "pending", D("59.85"))
    task = request.events.get(kind="payment")
    assert task.message == "Refund $59.85 in the store, then mark it done here."
    assert list(payments.payments_needing_agent()) == [payment]
    assert request.status == Status.INSPECTED

    run(payments.payment_store_done, payment_id=payment.pk, actor=agent, reference="shop-77")
    run(payments.payment_store_done, payment_id=payment.pk, actor=agent, reference="shop-77")

    payment.refresh_from_db()
    assert payment.state == "succeeded"
    assert ReturnRequest.objects.get(pk=request.pk).status == Status.REFUNDED
    refund = Refund.objects.get()
    assert (refund.connector, refund.external_id, refund.amount) == (
        "portico",
        "shop-77",
        D("59.85"),
    )
    assert refund.lines.get().line_id == order.shirt.pk
    assert ReturnEvent.objects.get(message__startswith="Refunded $59.85").actor == agent
    # The store's own webhook for that refund later: counted once.
    store_refund("shop-77", "59.85")
    assert Refund.objects.count() == 1


def _inspected_without_payout(request):
    ReturnLine.objects.filter(request=request).update(outcome="accepted")
    ReturnRequest.objects.filter(pk=request.pk).update(status=Status.INSPECTED)


def _at_once(*calls):
    barrier, outcomes = threading.Barrier(len(calls)), []

    def attempt(call):
        try:
            barrier.wait()
            outcomes.append(call())
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_two_payouts_of_one_return_at_once_pay_once(migrated_db, order, stripe, return_for):
    request = return_for(order, shirt(order))
    _inspected_without_payout(request)

    outcomes = _at_once(*[lambda: payments.return_payout(request_id=request.pk)] * 2)

    assert outcomes == ["succeeded", "succeeded"]
    assert len(stripe.refunds) == 1 and ReturnPayment.objects.count() == 1
    assert {p.header("Idempotency-Key") for p in refund_posts(stripe)} == {
        f"return:{request.number}:refund"
    }
    assert Refund.objects.count() == 1
    assert ReturnEvent.objects.filter(kind="payment").count() == 1
    assert ReturnEvent.objects.filter(to_status=Status.REFUNDED).count() == 1


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_two_returns_paid_at_once_never_exceed_the_order(migrated_db, order, stripe, return_for):
    Refund.objects.create(
        order=order, connector="portico", external_id="store-1", amount=D("20.00"),
        currency="USD", refunded_at=timezone.now(),
    )  # fmt: skip
    first = return_for(order, shirt(order))
    second = return_for(order, (order.mug, 2, "too_small"))
    for request in (first, second):
        _inspected_without_payout(request)

    outcomes = _at_once(
        lambda: payments.return_payout(request_id=first.pk),
        lambda: payments.return_payout(request_id=second.pk),
    )

    assert sorted(outcomes) == ["failed", "succeeded"]
    assert len(stripe.refunds) == 1
    assert sum(r.amount for r in Refund.objects.all()) <= D("113.00")
    assert ReturnPayment.objects.get(state="failed").error.startswith("Not paid:")


def test_inspection_never_pays_more_than_the_quote_left(
    order, stripe, inspected, run, store_refund
):
    """The store refunded most of the order before the return: the quote held the shirt
    to what was left, and the inspection keeps it there, so the payout can be made."""
    store_refund("store-60", "60.00")
    request = inspected(shirt(order))
    assert request.total == D("53.00")  # 113.00 - 60.00, less than the shirt's 59.85
    assert request.status == Status.REFUNDED
    assert ReturnPayment.objects.get().amount == D("53.00")
