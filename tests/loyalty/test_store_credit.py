"""Store credit (a return paid out as credit): a single-use code or points through the
ledger, as the program setting says, once per key."""

from decimal import Decimal

import pytest

from loyalty import services
from loyalty.models import Account, Entry, Lot, ProgramSettings, StoreCredit
from orders.stripe_api import StripeApiError
from tests.orders.fake_stripe import FakeStripe

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_points(program):
    program.store_credit_as = ProgramSettings.StoreCreditAs.POINTS
    program.store_credit_points_per_unit = Decimal("20")
    program.save()
    return program


@pytest.fixture
def stripe(settings):
    with FakeStripe(api_key=settings.STRIPE_API_KEY) as fake:
        settings.STRIPE_API_BASE = fake.url
        yield fake


def issue(amount="25.00", key="return:R-1:credit", email="Mira@Example.com", **kw):
    return services.store_credit_issue(
        email=email, amount=Decimal(amount), currency="eur", key=key, reason="Return R-1", **kw
    )


def test_points_are_an_available_lot_posted_through_the_ledger(as_points):
    credit = issue("25.00")

    assert (credit.kind, credit.status, credit.points, credit.currency) == (
        "points",
        "issued",
        500,
        "EUR",
    )
    account = Account.objects.get(email="mira@example.com")
    assert (account.available, account.pending, account.lifetime_earned) == (500, 0, 0)
    assert account.last_activity_at is not None
    entry = Entry.objects.get(key=f"store-credit:{credit.pk}")
    assert (entry.kind, entry.note, entry.lot.status) == ("credit", "Return R-1", "available")
    assert entry.lot.order is None
    assert services.ledger_check() == []


def test_the_same_key_twice_is_one_credit(as_points):
    first, second = issue(), issue()

    assert first.pk == second.pk
    assert StoreCredit.objects.count() == 1 and Entry.objects.count() == 1
    assert Account.objects.get().available == 500


def test_points_are_rounded_half_up_and_never_zero(as_points):
    assert issue("0.025", key="a").points == 1  # 0.5 points
    assert issue("0.01", key="b").points == 1  # 0.2 points: still something
    assert issue("10.03", key="c").points == 201  # 200.6
    assert services.ledger_check() == []


def test_credit_points_repay_a_negative_balance_first(as_points, spend_rule, store):
    from datetime import timedelta

    from .conftest import PAID

    order = store.order()  # 100 points
    services.order_points_award(order_id=order.pk)
    services.points_release_due(now=PAID + timedelta(days=31))
    account = Account.objects.get(email="mira@example.com")
    services.points_spend(account_id=account.pk, points=100, key="spent")
    store.refund("R-ALL", amount="120")  # the spent points are taken back: -100
    assert Account.objects.get(pk=account.pk).available == -100

    issue("25.00")  # 500 points

    assert Account.objects.get(pk=account.pk).available == 400
    lot = Lot.objects.get(entries__key__startswith="store-credit:")
    assert (lot.points, lot.remaining) == (500, 400)
    assert services.ledger_check() == []


def test_while_the_program_is_off_credit_is_a_code(as_points, settings):
    as_points.enabled = False
    as_points.save()
    settings.STRIPE_API_KEY = ""

    credit = issue()

    assert credit.kind == "code" and credit.code.startswith("PTC-")
    assert not Entry.objects.exists()


def test_a_code_without_stripe_is_a_portico_code(program, settings):
    settings.STRIPE_API_KEY = ""
    credit = issue()
    assert (credit.kind, credit.status, credit.amount) == ("code", "issued", Decimal("25.00"))
    assert credit.issued_at and not credit.stripe_coupon_id


def test_a_code_with_stripe_is_a_single_use_promotion_code(program, stripe):
    credit = issue("25.00")

    coupon = stripe.coupons[credit.stripe_coupon_id]
    assert (coupon["amount_off"], coupon["currency"], coupon["max_redemptions"]) == (
        2500,
        "eur",
        1,
    )
    assert coupon["duration"] == "once"
    promotion = stripe.promotion_codes[credit.stripe_promotion_code_id]
    assert (promotion["code"], promotion["max_redemptions"]) == (credit.code, 1)
    keys = {r.header("Idempotency-Key") for r in stripe.requests if r.method == "POST"}
    assert keys == {f"portico-credit-{credit.pk}:coupon", f"portico-credit-{credit.pk}:promotion"}


def test_stripe_down_keeps_the_credit_being_issued_and_a_retry_makes_one_code(program, stripe):
    stripe.failing = True
    with pytest.raises(StripeApiError) as failed:
        issue()
    assert failed.value.retryable
    credit = StoreCredit.objects.get()
    assert credit.status == "issuing" and "Something went wrong" in credit.error

    stripe.failing = False
    again = issue()

    assert again.pk == credit.pk and again.status == "issued" and again.error == ""
    assert len(stripe.coupons) == 1 and len(stripe.promotion_codes) == 1


def test_a_refusal_by_stripe_fails_the_credit_with_its_reason(program, stripe, settings):
    settings.STRIPE_API_KEY = "sk_test_revoked"  # Stripe answers 401: trying again won't help

    credit = issue()

    assert credit.status == "failed" and "Invalid API Key" in credit.error


def test_credit_points_stay_when_the_order_is_later_refunded_in_full(as_points, spend_rule, store):
    order = store.order()
    services.order_points_award(order_id=order.pk)
    issue("20.00", order_id=order.pk)

    store.refund("R-ALL", amount="120")  # the whole order

    account = Account.objects.get(email="mira@example.com")
    assert (account.pending, account.available) == (0, 400)  # the order's points went back
    assert services.ledger_check() == []
