"""Payouts in Wagtail admin: the payments panel of a return's page and its actions (retry,
refund in the store instead, mark refunded in the store, mark an exchange placed, pay out
now), and the "Waiting for an agent" screen.

Stripe is the local fake Stripe server, driven through the real ``stripe`` library.
``order`` (tests/returns/conftest.py) paid 113.00 USD; returning its shirt refunds 59.85.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Refund
from returns import payments, services, tasks
from returns.exceptions import PaymentError
from returns.models import ReturnEvent, ReturnLine, ReturnPayment, ReturnRequest, Status
from returns.services import Inspection
from tests.returns.admin_helpers import agent, delivered_order, editor, return_row
from tests.returns.conftest import PAYMENT_INTENT

pytestmark = pytest.mark.django_db

INTENT = PAYMENT_INTENT
WAITING = reverse("returns_waiting")


@pytest.fixture
def inspected(order, return_for, django_capture_on_commit_callbacks):
    """``inspected()``: the shirt returned, received and accepted, its payout run."""

    def make(resolution="refund", **kwargs):
        request = return_for(order, (order.shirt, 1, "too_small"), resolution=resolution, **kwargs)
        services.return_receive(request_id=request.pk)
        results = [Inspection(line.pk, "accepted") for line in request.lines.all()]
        with django_capture_on_commit_callbacks(execute=True):
            services.return_inspect(request_id=request.pk, results=results)
        return ReturnRequest.objects.get(pk=request.pk)

    return make


@pytest.fixture
def staff_client(client):
    client.force_login(agent())
    return client


def refund_posts(fake):
    return [r for r in fake.requests if r.method == "POST" and r.path == "/v1/refunds"]


def page_url(request):
    return reverse("returns_returnrequest:inspect", args=[request.pk])


def action_url(payment, action):
    return reverse("returns_returnrequest:payment", args=[payment.request_id, payment.pk, action])


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def plain(text: str) -> str:
    """The page's text without its tags."""
    return re.sub(r"<[^>]+>", "", text)


def post(client, url, **data) -> str:
    """POST an action as the page's form does; the page it comes back to, as text."""
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][1] == 302
    return text_of(response)


def failed_stripe_refund(order, stripe, inspected, django_capture_on_commit_callbacks):
    """A return whose Stripe refund was made pending and then failed (a closed card)."""
    stripe.refund_status = "pending"
    request = inspected()
    first = ReturnPayment.objects.get()
    stripe.set_refund_status(first.external_id, "failed", "expired_or_canceled_card")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.payment_refund_updated.delay(
            first.external_id, "failed", {}, "expired_or_canceled_card"
        )
    first.refresh_from_db()
    assert first.state == "failed"
    stripe.refund_status = "succeeded"
    return request, first


# --- Stripe refunds ------------------------------------------------------------------------


def test_retrying_a_failed_stripe_refund_from_the_page_pays_once(
    staff_client, order, stripe, inspected, django_capture_on_commit_callbacks
):
    request, failed = failed_stripe_refund(
        order, stripe, inspected, django_capture_on_commit_callbacks
    )
    page = text_of(staff_client.get(page_url(request)))
    assert failed.external_id in page and "expired_or_canceled_card" in page
    assert "Refund in the store instead" in page and "it cannot pay twice" in page
    assert action_url(failed, "retry") in page and action_url(failed, "in_store") in page

    done = post(staff_client, action_url(failed, "retry"))
    again = post(staff_client, action_url(failed, "retry"))  # a double click, or the back button

    refunded = f"{request.number}: $59.85 refunded to the original payment (Stripe refund re_"
    assert refunded in done and refunded in again
    assert len(refund_posts(stripe)) == 2  # the refund that failed, and one retry
    paid = [r for r in stripe.refunds.values() if r["status"] == "succeeded"]
    assert len(paid) == 1 and paid[0]["amount"] == 5985
    assert ReturnRequest.objects.get(pk=request.pk).status == Status.REFUNDED
    refund = Refund.objects.get()
    assert refund.external_id == paid[0]["id"] and refund.amount == D("59.85")
    retried = ReturnPayment.objects.latest("pk")
    assert retried.key == f"return:{request.number}:refund:after:{failed.external_id}"
    assert ReturnEvent.objects.filter(request=request, message="Payment retried.").count() == 1
    # Paid: nothing is offered any more.
    assert staff_client.get(page_url(request)).context["payment_rows"][-1].offers == []


def test_a_pending_refund_is_retried_under_its_own_key(staff_client, order, stripe, return_for):
    request = return_for(order, (order.shirt, 1, "too_small"))
    services.return_receive(request_id=request.pk)
    line = request.lines.get()
    # Not run on commit here: the payout below is, while Stripe is down.
    services.return_inspect(request_id=request.pk, results=[Inspection(line.pk, "accepted")])
    stripe.failing = True
    with pytest.raises(PaymentError):
        payments.return_payout(request_id=request.pk)
    stuck = ReturnPayment.objects.get()
    assert stuck.state == "pending" and stuck.error
    page = text_of(staff_client.get(page_url(request)))
    assert "Last error:" in page and stuck.key in page and "cannot pay twice" in page

    still_down = post(staff_client, action_url(stuck, "retry"))
    assert "Not paid yet:" in still_down and "same key" in still_down
    stripe.failing = False
    done = post(staff_client, action_url(stuck, "retry"))

    assert f"{request.number}: $59.85 refunded to the original payment" in done
    assert {p.header("Idempotency-Key") for p in refund_posts(stripe)} == {stuck.key}
    assert len(stripe.refunds) == 1 and Refund.objects.count() == 1


def test_a_failed_stripe_refund_can_be_refunded_in_the_store_instead(
    staff_client, order, stripe, inspected, django_capture_on_commit_callbacks
):
    request, failed = failed_stripe_refund(
        order, stripe, inspected, django_capture_on_commit_callbacks
    )
    posts = len(refund_posts(stripe))

    text = post(staff_client, action_url(failed, "in_store"))

    assert "Refund $59.85 in the store's own admin, then mark it refunded here." in text
    assert len(refund_posts(stripe)) == posts  # Stripe is not asked again
    store = ReturnPayment.objects.latest("pk")
    assert (store.kind, store.state, store.amount) == ("store", "pending", D("59.85"))
    assert "Mark as refunded in the store" in text and action_url(store, "store_done") in text
    assert ReturnRequest.objects.get(pk=request.pk).status == Status.INSPECTED


# --- Refunds in the store ------------------------------------------------------------------


def test_marking_a_store_refund_done_writes_the_refund_and_refunds_the_return(order, inspected):
    request = inspected()  # the order was not paid through Stripe
    payment = ReturnPayment.objects.get()
    assert (payment.kind, payment.state) == ("store", "pending")
    user = agent()
    browser = Client(enforce_csrf_checks=True)  # as a browser: the form must carry its token
    browser.force_login(user)

    page = text_of(browser.get(page_url(request)))
    assert "Refund $59.85 on order #5001 in the store's own admin." in plain(page)
    form = re.search(
        r'<form[^>]*action="' + re.escape(action_url(payment, "store_done")) + r'".*?</form>',
        page,
        re.S,
    ).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert browser.post(action_url(payment, "store_done"), {"reference": "x"}).status_code == 403

    text = post(
        browser,
        action_url(payment, "store_done"),
        reference=" shop-77 ",
        csrfmiddlewaretoken=token,
    )

    assert f"{request.number}: Recorded: $59.85 refunded in the store." in text
    assert ReturnRequest.objects.get(pk=request.pk).status == Status.REFUNDED
    refund = Refund.objects.get()
    assert (refund.order_id, refund.external_id, refund.amount) == (order.pk, "shop-77", D("59.85"))
    assert [(x.line_id, x.quantity) for x in refund.lines.all()] == [(order.shirt.pk, 1)]
    event = ReturnEvent.objects.get(request=request, message__startswith="Refunded $59.85")
    assert event.actor == user and "shop-77" in event.message
    # Done again from a stale page: nothing more is written.
    post(browser, action_url(payment, "store_done"), reference="shop-77", csrfmiddlewaretoken=token)
    assert Refund.objects.count() == 1


def test_a_refusal_is_an_error_message_not_an_error_page(staff_client, order, inspected):
    request = inspected()
    payment = ReturnPayment.objects.get()

    too_long = post(staff_client, action_url(payment, "store_done"), reference="x" * 101)
    assert "Keep the store's reference under 100 characters." in too_long
    # A retry of a store refund that is pending only says what to do.
    assert "then mark it refunded here" in post(staff_client, action_url(payment, "retry"))

    ReturnPayment.objects.filter(pk=payment.pk).update(state="failed", error="Not paid: too much")
    failed = post(staff_client, action_url(payment, "store_done"))
    assert f"{request.number}: This payment failed: retry it instead." in failed
    ReturnRequest.objects.filter(pk=request.pk).update(status=Status.CLOSED)
    closed = post(staff_client, action_url(payment, "retry"))
    assert "Only an inspected return is paid out." in closed
    assert not Refund.objects.exists() and ReturnPayment.objects.count() == 1


def test_a_store_refund_id_already_recorded_for_another_refund_is_refused(
    staff_client, order, inspected, store_refund
):
    inspected()
    payment = ReturnPayment.objects.get()
    # The store's webhook recorded refund 7001 for 20.00 (not this payout's 59.85).
    store_refund("7001", "20.00", refunded_at=order.placed_at)
    text = post(staff_client, action_url(payment, "store_done"), reference="7001")
    assert "already recorded for another refund" in text
    assert ReturnPayment.objects.get().state == "pending"
    nul = post(staff_client, action_url(payment, "store_done"), reference="a\x00b")
    assert "cannot be stored" in nul
    assert Refund.objects.count() == 1


# --- Exchanges and payouts that never started -----------------------------------------------


def test_an_exchange_waiting_for_an_agent_is_marked_placed(
    settings, staff_client, order, inspected
):
    settings.EXCHANGE_WEBHOOK_URL = ""
    request = inspected(resolution="exchange", exchange_for="Sand / M")
    payment = ReturnPayment.objects.get()
    assert payment.external_status == "waiting_for_agent"

    page = text_of(staff_client.get(page_url(request)))
    assert "The customer asked for" in page and "Sand / M" in page
    bad = post(staff_client, action_url(payment, "store_done"), difference="twelve")
    assert "Give the price difference as a number" in bad
    assert ReturnRequest.objects.get(pk=request.pk).status == Status.INSPECTED
    text = post(
        staff_client, action_url(payment, "store_done"), reference="#9001", difference="12,50"
    )

    assert f"{request.number}: The exchange is done." in text
    done = ReturnRequest.objects.get(pk=request.pk)
    assert done.status == Status.EXCHANGED and done.exchange_difference == D("12.50")
    assert not Refund.objects.exists()  # no money went back
    assert ReturnEvent.objects.filter(
        message="The replacement is ordered: Sand / M. Price difference: $12.50. (#9001)"
    )


def test_pay_out_now_pays_an_inspected_return_once(staff_client, order, stripe, return_for):
    request = return_for(order, (order.shirt, 1, "too_small"))
    ReturnLine.objects.filter(request=request).update(outcome="accepted")
    ReturnRequest.objects.filter(pk=request.pk).update(status=Status.INSPECTED)  # task never ran
    url = reverse("returns_returnrequest:payout", args=[request.pk])
    page = text_of(staff_client.get(page_url(request)))
    panel = plain(page)
    assert re.search(r"Amount\s*\$59\.85\s*Paid as\s*Refund through Stripe", panel)
    assert url in page

    text = post(staff_client, url)
    post(staff_client, url)  # the form sent twice

    assert f"{request.number}: $59.85 refunded to the original payment" in text
    assert len(refund_posts(stripe)) == 1 and ReturnPayment.objects.count() == 1
    assert ReturnRequest.objects.get(pk=request.pk).status == Status.REFUNDED
    assert "Pay out now" not in text_of(staff_client.get(page_url(request)))


# --- Who may do what -----------------------------------------------------------------------


def test_staff_who_may_only_look_see_the_payments_but_get_403_on_every_action(
    client, order, inspected
):
    request = inspected()
    payment = ReturnPayment.objects.get()
    viewer = editor("viewer@example.com")
    viewer.user_permissions.add(Permission.objects.get(codename="view_returnrequest"))
    client.force_login(viewer)

    page = text_of(client.get(page_url(request)))
    assert "$59.85" in page and "Refund in the store (by an agent)" in page
    assert "Mark as refunded in the store" not in page
    assert action_url(payment, "store_done") not in page

    for action in ("store_done", "retry", "in_store"):
        assert client.post(action_url(payment, action), {"reference": "x"}).status_code == 403
    payout = reverse("returns_returnrequest:payout", args=[request.pk])
    assert client.post(payout).status_code == 403
    payment.refresh_from_db()
    assert payment.state == "pending" and not Refund.objects.exists()
    assert client.get(WAITING).status_code == 200  # looking is allowed


def test_a_payment_id_that_is_not_the_returns_is_not_found(staff_client, order, inspected):
    request = inspected()
    payment = ReturnPayment.objects.get()
    other = return_row(order, status=Status.INSPECTED)
    url = "returns_returnrequest:payment"

    assert staff_client.post(reverse(url, args=[request.pk, 999999, "retry"])).status_code == 404
    assert staff_client.post(reverse(url, args=[other.pk, payment.pk, "retry"])).status_code == 404
    assert staff_client.post(action_url(payment, "refund")).status_code == 404
    assert staff_client.get(action_url(payment, "store_done")).status_code == 405
    payout = reverse("returns_returnrequest:payout", args=[999999])
    assert staff_client.post(payout).status_code == 404
    payment.refresh_from_db()
    assert payment.state == "pending"


# --- Waiting for an agent ------------------------------------------------------------------


def test_waiting_screen_lists_a_store_refund_until_it_is_done(staff_client, order, inspected):
    request = inspected()
    payment = ReturnPayment.objects.get()

    listed = staff_client.get(WAITING)
    text = text_of(listed)
    assert [p.pk for p in listed.context["rows"]] == [payment.pk]
    assert page_url(request) in text and request.number in text
    assert "#5001" in text and "grace@example.com" in text and "$59.85" in text
    assert "Refund it in the store's own admin, then mark it refunded." in text

    post(staff_client, action_url(payment, "store_done"))

    after = staff_client.get(WAITING)
    assert after.context["rows"] == [] and "Nothing is waiting for an agent." in text_of(after)


def test_waiting_screen_is_newest_first_and_paginated(staff_client, monkeypatch):
    from returns import admin_payments

    monkeypatch.setattr(admin_payments, "PER_PAGE", 2)
    made = waiting_payments(3)

    first = staff_client.get(WAITING)
    second = staff_client.get(WAITING, {"p": 2})

    assert [p.pk for p in first.context["rows"]] == [made[2].pk, made[1].pk]
    assert [p.pk for p in second.context["rows"]] == [made[0].pk]
    assert "Page 1 of 2" in text_of(first)


def test_waiting_screen_costs_the_same_for_one_row_or_ten(staff_client):
    waiting_payments(1)
    staff_client.get(WAITING)
    with CaptureQueriesContext(connection) as one:
        assert len(staff_client.get(WAITING).context["rows"]) == 1
    waiting_payments(9)
    with CaptureQueriesContext(connection) as ten:
        assert len(staff_client.get(WAITING).context["rows"]) == 10

    assert len(ten) == len(one), [q["sql"] for q in ten.captured_queries]


def waiting_payments(count: int) -> list[ReturnPayment]:
    """``count`` returns on their own orders, each with a payment an agent must act on
    (refunds in the store, failed refunds, an exchange with no webhook), oldest first."""
    kinds = [
        {"kind": "store"},
        {"kind": "stripe", "state": "failed", "error": "card_declined"},
        {"kind": "exchange", "external_status": "waiting_for_agent"},
    ]
    made = []
    for n in range(count):
        order = delivered_order(email=f"customer{n}@example.com")
        request = return_row(order, status=Status.INSPECTED, review="")
        made.append(
            payments_row(request, order, key=f"waiting-{request.number}", **kinds[n % len(kinds)])
        )
    return made


def payments_row(request, order, **fields) -> ReturnPayment:
    payment = ReturnPayment.objects.create(
        request=request, order=order, amount=D("10.00"), currency=order.currency, **fields
    )
    assert payment in payments.payments_needing_agent()
    return payment
