"""Returns paid out as store credit, through ``loyalty.services``: a single-use code (a
Stripe promotion code against the fake Stripe server, or Portico's own) or points through
the ledger; the bonus goes to the customer, only the money to the order mirror.

Returning the shirt of ``order`` pays 59.85; with a 10 % bonus the credit is 65.84.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from loyalty import services as loyalty
from loyalty.models import Account, EarningRule, Entry, ProgramSettings, StoreCredit
from orders.models import Refund
from returns import payments, services
from returns.exceptions import PaymentError
from returns.models import ReturnPayment, ReturnPolicy, ReturnRequest, Status
from returns.services import Inspection
from tests.orders.fake_stripe import FakeStripe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bonus(db):
    policy = ReturnPolicy.load()
    policy.credit_bonus_percent = D("10")
    policy.save()


@pytest.fixture
def stripe(settings):
    with FakeStripe(api_key=settings.STRIPE_API_KEY) as fake:
        settings.STRIPE_API_BASE = fake.url
        yield fake


@pytest.fixture
def program(db):
    settings = ProgramSettings.load()
    settings.enabled = True
    settings.save()
    return settings


@pytest.fixture
def credited(order, return_for, django_capture_on_commit_callbacks):
    """The shirt returned for store credit, received and accepted, payout run."""

    def make():
        request = return_for(order, (order.shirt, 1, "too_small"), resolution="credit")
        services.return_receive(request_id=request.pk)
        line = request.lines.get()
        with django_capture_on_commit_callbacks(execute=True):
            services.return_inspect(
                request_id=request.pk, results=[Inspection(line.pk, "accepted")]
            )
        return ReturnRequest.objects.get(pk=request.pk)

    return make


def test_credit_as_a_stripe_code_with_the_bonus(order, stripe, credited):
    request = credited()

    assert (request.total, request.bonus_credit) == (D("65.84"), D("5.99"))
    assert request.status == Status.CREDITED
    credit = StoreCredit.objects.get()
    assert (credit.kind, credit.status, credit.amount, credit.currency) == (
        "code",
        "issued",
        D("65.84"),
        "USD",
    )
    assert credit.account.email == "grace@example.com"
    coupon = stripe.coupons[credit.stripe_coupon_id]
    assert (coupon["amount_off"], coupon["currency"], coupon["max_redemptions"]) == (
        6584,
        "usd",
        1,
    )
    promotion = stripe.promotion_codes[credit.stripe_promotion_code_id]
    assert promotion["code"] == credit.code and promotion["max_redemptions"] == 1
    payment = ReturnPayment.objects.get()
    assert (payment.kind, payment.state, payment.external_id) == (
        "credit",
        "succeeded",
        f"store-credit:{credit.pk}",
    )
    event = request.events.get(kind="payment")
    assert event.public and credit.code in event.message


def test_the_mirror_gets_the_money_not_the_bonus(order, stripe, credited):
    credited()

    refund = Refund.objects.get()
    assert (refund.amount, refund.source, refund.connector) == (D("59.85"), "return", "portico")
    assert refund.external_id == f"portico:{ReturnPayment.objects.get().key}"
    assert [(x.line_id, x.quantity) for x in refund.lines.all()] == [(order.shirt.pk, 1)]
    assert ReturnPayment.objects.get().order_refund_id == refund.pk


def test_without_stripe_the_credit_is_a_portico_code(order, settings, credited):
    settings.STRIPE_API_KEY = ""
    credited()

    credit = StoreCredit.objects.get()
    assert credit.status == "issued" and credit.code.startswith("PTC-")
    assert not credit.stripe_promotion_code_id


def test_credit_as_points_goes_through_the_ledger(order, program, credited):
    program.store_credit_as = ProgramSettings.StoreCreditAs.POINTS
    program.store_credit_points_per_unit = D("20")
    program.save()
    EarningRule.objects.create(name="1 a dollar", kind="spend", points=1, per_amount=D("1"))
    loyalty.order_points_award(order_id=order.pk)

    request = credited()

    credit = StoreCredit.objects.get()
    assert (credit.kind, credit.points) == ("points", 1317)  # 65.84 x 20, half up
    entry = Entry.objects.get(key=f"store-credit:{credit.pk}")
    assert (entry.kind, entry.available_delta, entry.lifetime_delta) == ("credit", 1317, 0)
    account = Account.objects.get(email="grace@example.com")
    # The credit is spendable at once; the returned shirt's 60 pending points went back.
    assert (account.available, account.pending) == (1317, 40)
    assert loyalty.ledger_check() == []
    assert request.status == Status.CREDITED
    assert "1317 points" in request.events.get(kind="payment").message


def test_stripe_down_leaves_the_credit_pending_and_a_retry_makes_one_code(
    order, stripe, return_for, django_capture_on_commit_callbacks
):
    request = return_for(order, (order.shirt, 1, "too_small"), resolution="credit")
    services.return_receive(request_id=request.pk)
    line = request.lines.get()
    services.return_inspect(request_id=request.pk, results=[Inspection(line.pk, "accepted")])
    stripe.failing = True
    with pytest.raises(PaymentError) as failed:
        payments.return_payout(request_id=request.pk)
    assert failed.value.retryable
    assert ReturnPayment.objects.get().state == "pending"
    assert StoreCredit.objects.get().status == "issuing"

    stripe.failing = False
    with django_capture_on_commit_callbacks(execute=True):
        counts = payments.payments_reconcile(now=timezone.now() + timedelta(minutes=10))
        payments.return_payout(request_id=request.pk)  # a late duplicate of the task

    assert counts["attempted"] == 1

    assert ReturnRequest.objects.get(pk=request.pk).status == Status.CREDITED
    assert len(stripe.coupons) == 1 and len(stripe.promotion_codes) == 1
    assert StoreCredit.objects.get().status == "issued"
    assert Refund.objects.count() == 1


def test_the_customer_is_shown_and_emailed_the_code(
    order, stripe, credited, client, owner, mailoutbox
):
    from django.urls import reverse

    request = credited()
    credit = StoreCredit.objects.get()
    client.force_login(owner)
    page = client.get(reverse("returns:detail", args=[request.number]))
    assert page.status_code == 200
    assert credit.code in page.content.decode()
    emails = [m for m in mailoutbox if request.number in m.body and credit.code in m.body]
    assert len(emails) == 1
    assert credit.code in emails[0].alternatives[0][0]
