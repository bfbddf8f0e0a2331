"""Refunds of points already spent, when the program voids the unused codes they bought.

The store order earns 100 points (lines L1: 2 x 20, L2: 60); a reward costs 80 of them;
refunding L2 takes back 60 when only 20 are left.
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from loyalty import services
from loyalty.models import Account, Entry, ProgramSettings, Redemption, Reward
from tests.loyalty.conftest import PAID
from tests.orders.fake_stripe import FakeStripe

pytestmark = pytest.mark.django_db


@pytest.fixture
def voiding(program):
    program.spent_reversal = ProgramSettings.SpentReversal.VOID
    program.save()
    return program


@pytest.fixture
def mira(voiding, spend_rule, store, user_factory):
    account = services.member_join(user=user_factory(email="mira@example.com"))
    store.order()
    services.points_release_due(now=PAID + timedelta(days=31))
    return account


@pytest.fixture
def reward(db):
    return Reward.objects.create(
        name="€8 off",
        kind=Reward.Kind.AMOUNT_OFF,
        points_cost=80,
        amount=Decimal("8.00"),
        currency="EUR",
    )


def balances(account):
    account = Account.objects.get(pk=account.pk)
    return account.pending, account.available, account.lifetime_earned


def redeem(account, reward, key="click-1"):
    return services.reward_redeem(account_id=account.pk, reward_id=reward.pk, request_key=key)


def test_a_refund_voids_the_unused_code_its_points_bought(mira, reward, store, settings):
    settings.STRIPE_API_KEY = ""
    code = redeem(mira, reward)
    assert balances(mira) == (0, 20, 100)
    store.refund("R1", lines=[("L2", 1, "60")])
    code.refresh_from_db()
    assert code.status == Redemption.Status.VOIDED
    assert "#A-1" in code.error
    # The code's 80 points came back; the refund took its 60: no debt.
    assert balances(mira) == (0, 40, 40)
    kinds = list(Entry.objects.filter(account=mira).order_by("pk").values_list("kind", flat=True))
    assert kinds[-2:] == [Entry.Kind.RESTORE, Entry.Kind.REVERSE]
    assert services.ledger_check() == []


def test_a_used_code_is_not_voided_and_the_balance_goes_negative(mira, reward, store, settings):
    settings.STRIPE_API_KEY = ""
    code = redeem(mira, reward)
    store.order("A-2", discount_codes=[code.code])  # its own 100 points wait pending
    code.refresh_from_db()
    assert code.status == Redemption.Status.USED
    store.refund("R1", lines=[("L2", 1, "60")])
    code.refresh_from_db()
    assert code.status == Redemption.Status.USED
    assert balances(mira) == (100, -40, 140)
    assert services.ledger_check() == []


def test_only_as_many_codes_as_the_debt_needs_are_voided(mira, store, settings):
    settings.STRIPE_API_KEY = ""
    small = Reward.objects.create(
        name="Free shipping", kind=Reward.Kind.FREE_SHIPPING, points_cost=40, currency="EUR"
    )
    older, newer = redeem(mira, small), redeem(mira, small, key="click-2")
    assert balances(mira) == (0, 20, 100)
    store.refund("R1", lines=[("L2", 1, "60")])
    older.refresh_from_db(), newer.refresh_from_db()
    # 20 left + 40 from the newest code = the 60 taken back: the older code stays.
    assert (newer.status, older.status) == (Redemption.Status.VOIDED, Redemption.Status.ISSUED)
    assert balances(mira) == (0, 0, 40)
    assert services.ledger_check() == []


def test_a_voided_stripe_code_is_switched_off_in_stripe(mira, reward, store, settings):
    with FakeStripe(api_key="sk_test_void") as fake:
        settings.STRIPE_API_KEY = "sk_test_void"
        settings.STRIPE_API_BASE = fake.url
        code = redeem(mira, reward)
        assert fake.promotion_codes[code.stripe_promotion_code_id]["active"] is True
        store.refund("R1", lines=[("L2", 1, "60")])
        code.refresh_from_db()
        assert code.status == Redemption.Status.VOIDED
        assert fake.promotion_codes[code.stripe_promotion_code_id]["active"] is False


def test_without_the_setting_the_code_stays_and_the_balance_goes_negative(
    mira, reward, store, settings, voiding
):
    settings.STRIPE_API_KEY = ""
    voiding.spent_reversal = ProgramSettings.SpentReversal.NEGATIVE
    voiding.save()
    code = redeem(mira, reward)
    store.refund("R1", lines=[("L2", 1, "60")])
    code.refresh_from_db()
    assert code.status == Redemption.Status.ISSUED
    assert balances(mira) == (0, -40, 40)
