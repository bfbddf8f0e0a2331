"""Rewards: points buy single-use codes, in Stripe when it is set up, else Portico's."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from loyalty import services
from loyalty.exceptions import InsufficientPoints, NotAMember, RewardUnavailable
from loyalty.models import Account, Entry, Lot, Redemption, Reward
from tests.orders.fake_stripe import FakeStripe

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(program, user_factory, admin_user):
    user = user_factory(email="mira@example.com")
    account = services.member_join(user=user)
    services.points_adjust(
        account_id=account.pk, points=500, staff=admin_user, reason="welcome", key="seed"
    )
    return Account.objects.get(pk=account.pk)


@pytest.fixture
def ten_off(db):
    return Reward.objects.create(
        name="€10 off",
        kind=Reward.Kind.AMOUNT_OFF,
        points_cost=200,
        amount=Decimal("10.00"),
        currency="EUR",
        minimum_order=Decimal("30.00"),
    )


@pytest.fixture
def stripe(settings):
    with FakeStripe(api_key="sk_test_rewards") as fake:
        settings.STRIPE_API_KEY = "sk_test_rewards"
        settings.STRIPE_API_BASE = fake.url
        yield fake


def redeem(member, reward, key="click-1"):
    return services.reward_redeem(account_id=member.pk, reward_id=reward.pk, request_key=key)


def available(member):
    return Account.objects.get(pk=member.pk).available


def test_without_stripe_a_reward_is_a_portico_code_bought_with_points(member, ten_off, settings):
    settings.STRIPE_API_KEY = ""
    redemption = redeem(member, ten_off)
    assert redemption.status == Redemption.Status.ISSUED
    assert redemption.code.startswith("PTC-") and len(redemption.code) == 14
    assert available(member) == 300
    assert Entry.objects.get(key=f"redemption:{redemption.pk}").available_delta == -200
    assert services.ledger_check() == []


def test_the_same_click_twice_is_one_redemption(member, ten_off, settings):
    settings.STRIPE_API_KEY = ""
    first, second = redeem(member, ten_off), redeem(member, ten_off)
    assert first.pk == second.pk and Redemption.objects.count() == 1
    assert available(member) == 300


def test_with_stripe_the_code_is_a_single_use_promotion_code(member, ten_off, stripe):
    redemption = redeem(member, ten_off)
    assert redemption.status == Redemption.Status.ISSUED
    coupon = stripe.coupons[redemption.stripe_coupon_id]
    assert (coupon["amount_off"], coupon["currency"], coupon["duration"]) == (1000, "eur", "once")
    promotion = stripe.promotion_codes[redemption.stripe_promotion_code_id]
    assert promotion["code"] == redemption.code
    assert promotion["max_redemptions"] == 1
    assert promotion["restrictions"]["minimum_amount"] == 3000
    keys = [r.header("Idempotency-Key") for r in stripe.requests if r.method == "POST"]
    assert keys == [
        f"portico-redemption-{redemption.pk}:coupon",
        f"portico-redemption-{redemption.pk}:promotion",
    ]


def test_issuing_again_creates_nothing_more_in_stripe(member, ten_off, stripe):
    redemption = redeem(member, ten_off)
    services.redemption_issue(redemption_id=redemption.pk)
    Redemption.objects.filter(pk=redemption.pk).update(status=Redemption.Status.ISSUING)
    services.redemption_issue(redemption_id=redemption.pk)  # as after a crash mid-way
    assert len(stripe.coupons) == len(stripe.promotion_codes) == 1


def test_a_percentage_reward_is_a_percent_off_coupon(member, stripe):
    reward = Reward.objects.create(
        name="15% off", kind=Reward.Kind.PERCENT_OFF, points_cost=100, percent=15
    )
    redemption = redeem(member, reward)
    assert stripe.coupons[redemption.stripe_coupon_id]["percent_off"] == 15


def test_free_shipping_and_products_are_portico_codes_even_with_stripe(member, stripe):
    reward = Reward.objects.create(
        name="Free mug", kind=Reward.Kind.FREE_PRODUCT, points_cost=100, product_sku="MUG-1"
    )
    redemption = redeem(member, reward)
    assert redemption.status == Redemption.Status.ISSUED and not redemption.stripe_coupon_id
    assert stripe.requests == []


def test_when_stripe_fails_the_points_stay_where_they_were(member, ten_off, stripe):
    stripe.failing = True
    redemption = redeem(member, ten_off)
    assert redemption.status == Redemption.Status.FAILED
    assert "failed" in redemption.error
    assert available(member) == 500
    assert Lot.objects.get(account=member).remaining == 500
    assert services.ledger_check() == []
    stripe.failing = False
    again = redeem(member, ten_off, key="click-2")  # the member tries again
    assert again.status == Redemption.Status.ISSUED and available(member) == 300


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"active": False}, RewardUnavailable),
        ({"ends_at": timezone.now() - timedelta(days=1)}, RewardUnavailable),
        ({"points_cost": 501}, InsufficientPoints),
        ({"stock": 0}, RewardUnavailable),
    ],
)
def test_a_reward_that_cannot_be_redeemed_says_why_and_spends_nothing(
    member, ten_off, change, error, settings
):
    settings.STRIPE_API_KEY = ""
    Reward.objects.filter(pk=ten_off.pk).update(**change)
    with pytest.raises(error):
        redeem(member, ten_off)
    assert available(member) == 500 and not Redemption.objects.exists()


def test_the_per_customer_limit_and_the_stock_count_live_codes(member, ten_off, settings):
    settings.STRIPE_API_KEY = ""
    Reward.objects.filter(pk=ten_off.pk).update(per_customer_limit=1, stock=5)
    redeem(member, ten_off)
    with pytest.raises(RewardUnavailable, match="as many times"):
        redeem(member, ten_off, key="click-2")


def test_only_members_redeem(program, ten_off, user_factory):
    account = services.account_for_email(email="guest@example.com")
    with pytest.raises(NotAMember):
        redeem(account, ten_off)


def test_a_code_is_used_when_an_order_arrives_with_it(member, ten_off, store, settings):
    settings.STRIPE_API_KEY = ""
    redemption = redeem(member, ten_off)
    order = store.order("A-9", discount_codes=[redemption.code.lower()])
    redemption.refresh_from_db()
    assert redemption.status == Redemption.Status.USED
    assert redemption.used_order == order


def test_staff_void_an_unused_code_and_the_points_come_back(member, ten_off, store, settings):
    settings.STRIPE_API_KEY = ""
    unused, used = redeem(member, ten_off), redeem(member, ten_off, key="click-2")
    store.order("A-9", discount_codes=[used.code])
    services.redemption_void(redemption_id=unused.pk, reason="lost")
    services.redemption_void(redemption_id=unused.pk, reason="lost")
    assert available(member) == 300
    with pytest.raises(RewardUnavailable):
        services.redemption_void(redemption_id=used.pk)
    assert services.ledger_check() == []


def test_a_request_key_never_returns_another_members_code(member, ten_off, settings, user_factory):
    settings.STRIPE_API_KEY = ""
    redeem(member, ten_off, key="shared")
    other = services.member_join(user=user_factory(email="lin@example.com"))
    with pytest.raises(RewardUnavailable):
        redeem(other, ten_off, key="shared")


def test_voiding_a_stripe_code_switches_it_off_in_stripe_first(member, ten_off, stripe):
    redemption = redeem(member, ten_off)
    stripe.failing = True
    with pytest.raises(Exception, match="switching off"):
        services.redemption_void(redemption_id=redemption.pk, reason="lost")
    assert available(member) == 300  # nothing changed while Stripe could not switch it off
    stripe.failing = False
    services.redemption_void(redemption_id=redemption.pk, reason="lost")
    assert stripe.promotion_codes[redemption.stripe_promotion_code_id]["active"] is False
    assert available(member) == 500


def test_a_code_left_being_issued_is_issued_again_without_a_second_coupon(member, ten_off, stripe):
    redemption = redeem(member, ten_off)
    # As after a crash between Stripe's answer and saving it.
    Redemption.objects.filter(pk=redemption.pk).update(
        status=Redemption.Status.ISSUING, stripe_coupon_id="", stripe_promotion_code_id=""
    )
    assert services.redemptions_issue_stuck(now=timezone.now()) == 0  # too recent
    later = timezone.now() + timedelta(minutes=10)
    assert services.redemptions_issue_stuck(now=later) == 1
    redemption.refresh_from_db()
    assert redemption.status == Redemption.Status.ISSUED and redemption.stripe_coupon_id
    assert len(stripe.coupons) == len(stripe.promotion_codes) == 1
    assert available(member) == 300
