"""The rewards page's reads: whose account, which lots, what expires soon."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from loyalty import selectors, services
from loyalty.models import Account, Lot, ProgramSettings
from tests.loyalty.conftest import PAID

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(user_factory):
    return user_factory(email="ada@example.com")


def add(account, points, key):
    services.points_adjust(account_id=account.pk, points=points, staff=None, reason="x", key=key)
    return Lot.objects.filter(account=account).latest("pk")


def test_a_stranger_or_visitor_has_no_account(ada, program):
    from django.contrib.auth.models import AnonymousUser

    assert selectors.account_for_user(user=AnonymousUser()) is None
    assert selectors.account_for_user(user=ada) is None


def test_points_waiting_against_the_verified_login_email_are_found(ada, store, spend_rule):
    store.order(email="Ada@Example.com")
    account = selectors.account_for_user(user=ada)
    assert account.email == "ada@example.com" and account.user is None


def test_an_unverified_login_email_finds_nothing(user_factory, store, spend_rule):
    store.order(email="eve@example.com")
    eve = user_factory(email="eve@example.com", verified=False)
    assert selectors.account_for_user(user=eve) is None


def test_another_members_account_is_never_the_users(ada, user_factory, store, spend_rule):
    # The same address belongs to a member already (it was theirs first).
    store.order(email="ada@example.com")
    lin = user_factory(email="lin@example.com")
    Account.objects.filter(email="ada@example.com").update(user=lin)
    assert selectors.account_for_user(user=ada) is None
    assert selectors.account_for_user(user=lin).email == "ada@example.com"


def test_the_users_own_account_wins_over_a_waiting_one(ada, program):
    own = services.account_for_email(email="other@example.com")
    Account.objects.filter(pk=own.pk).update(user=ada)
    services.account_for_email(email="ada@example.com")  # waiting, unclaimed
    assert selectors.account_for_user(user=ada).pk == own.pk


def test_balances_list_pending_and_every_available_lot_and_what_expires_soon(
    ada, store, spend_rule
):
    store.order(email="ada@example.com")  # 100 pending until PAID + 30 days
    account = services.member_join(user=ada)
    now = timezone.now()
    soon = add(account, 7, "a")
    later = add(account, 11, "b")
    sooner = add(account, 3, "c")
    Lot.objects.filter(pk=soon.pk).update(expires_at=now + timedelta(days=14))
    Lot.objects.filter(pk=later.pk).update(expires_at=now + timedelta(days=15))
    Lot.objects.filter(pk=sooner.pk).update(expires_at=now + timedelta(days=2))
    account.refresh_from_db()

    b = selectors.balances(account=account, program=ProgramSettings.load(), now=now)

    assert (b.available, b.pending, b.lifetime_earned) == (21, 100, 100)
    assert [lot.available_at for lot in b.pending_lots] == [PAID + timedelta(days=30)]
    assert [lot.pk for lot in b.available_lots] == [sooner.pk, soon.pk, later.pk]
    assert b.expiring_soon == 10  # 14 reminder days: the 3 and the 7, not the 11
    assert b.expiring_soon_first == now + timedelta(days=2)


def test_spent_and_closed_lots_are_not_listed(ada, program):
    account = services.member_join(user=ada)
    add(account, 10, "a")
    kept = add(account, 10, "b")
    services.points_spend(account_id=account.pk, points=10, key="r:1")  # empties the first
    account.refresh_from_db()
    b = selectors.balances(account=account, program=ProgramSettings.load())
    assert [lot.pk for lot in b.available_lots] == [kept.pk]


def test_after_inactivity_everything_expires_together(ada, program):
    program.expiry = ProgramSettings.Expiry.AFTER_INACTIVITY
    program.expiry_months = 6
    program.save()
    account = services.member_join(user=ada)
    add(account, 40, "a")
    account.refresh_from_db()
    last = account.last_activity_at

    quiet = selectors.balances(account=account, program=program, now=last)
    late = selectors.balances(
        account=account, program=program, now=last + timedelta(days=6 * 31 - 10)
    )

    assert quiet.inactive_expiry_at == last + relativedelta(months=6)
    assert quiet.expiring_soon == 0
    assert late.expiring_soon == 40


def test_no_expiry_means_nothing_expires_soon(ada, program):
    program.expiry = ProgramSettings.Expiry.NEVER
    program.save()
    account = services.member_join(user=ada)
    add(account, 40, "a")
    account.refresh_from_db()
    b = selectors.balances(account=account, program=program)
    assert b.expiring_soon == 0 and b.inactive_expiry_at is None


def test_a_history_page_is_the_accounts_own_newest_first(ada, user_factory, program):
    account = services.member_join(user=ada)
    lin = services.member_join(user=user_factory(email="lin@example.com"))
    for i in range(25):
        add(account, 1, f"ada:{i}")
        add(lin, 1, f"lin:{i}")
    page = selectors.history_page(account=account, page=2)
    assert page.paginator.count == 25
    assert [e.key for e in page.object_list] == [f"ada:{i}" for i in range(4, -1, -1)]


# --- Rewards ------------------------------------------------------------------------------


@pytest.fixture
def member_with_points(ada, program, settings):
    settings.STRIPE_API_KEY = ""
    account = services.member_join(user=ada)
    add(account, 300, "seed")
    return Account.objects.get(pk=account.pk)


def _reward(**kw):
    from loyalty.models import Reward

    fields = {"name": "Ship", "kind": Reward.Kind.FREE_SHIPPING, "points_cost": 100} | kw
    return Reward.objects.create(**fields)


@pytest.mark.parametrize(
    ("fields", "redeemed", "voided"),
    [
        ({}, 0, 0),
        ({"stock": 1}, 1, 0),
        ({"stock": 2}, 1, 0),
        ({"stock": 1}, 1, 1),  # a voided code gives its stock back
        ({"per_customer_limit": 1}, 1, 0),
        ({"per_customer_limit": 2}, 1, 0),
        ({"per_customer_limit": 1}, 1, 1),
        ({"active": False}, 0, 0),
        ({"starts_at": timezone.now() + timedelta(days=1)}, 0, 0),
        ({"starts_at": timezone.now() + timedelta(days=1), "stock": 0}, 0, 0),
    ],
)
def test_each_offer_says_what_the_service_would(member_with_points, fields, redeemed, voided):
    from loyalty.models import Reward

    reward = _reward(stock=None, per_customer_limit=None)
    for i in range(redeemed):
        done = services.reward_redeem(
            account_id=member_with_points.pk, reward_id=reward.pk, request_key=f"k{i}"
        )
        if i < voided:
            services.redemption_void(redemption_id=done.pk)
    Reward.objects.filter(pk=reward.pk).update(**fields)
    reward.refresh_from_db()
    account = Account.objects.get(pk=member_with_points.pk)

    offers = selectors.reward_offers(account=account)

    expected = services.reward_unavailable_reason(reward, account)
    assert [offer.reason for offer in offers if offer.reward.pk == reward.pk] == (
        [expected] if fields.get("active", True) else []
    )


def test_anothers_codes_do_not_count_against_the_members_limit(member_with_points, user_factory):
    reward = _reward(per_customer_limit=1, stock=2)
    lin = services.member_join(user=user_factory(email="lin@example.com"))
    add(lin, 100, "lin")
    services.reward_redeem(account_id=lin.pk, reward_id=reward.pk, request_key="lin")
    [offer] = selectors.reward_offers(account=member_with_points)
    assert offer.can_redeem and offer.reason == "" and offer.reward.mine == 0
    assert offer.reward.live == 1


def test_offers_count_the_points_still_missing(member_with_points):
    cheap, dear = _reward(points_cost=300, name="A"), _reward(points_cost=420, name="B")
    offers = selectors.reward_offers(account=member_with_points)
    assert [(o.reward.pk, o.missing, o.can_redeem) for o in offers] == [
        (cheap.pk, 0, True),
        (dear.pk, 120, False),
    ]
    assert (
        offers[0].request_key != selectors.reward_offers(account=member_with_points)[0].request_key
    )


def test_redemptions_are_the_members_own_newest_first(member_with_points, user_factory):
    reward = _reward(points_cost=10)
    keys = ["a", "b", "c"]
    made = [
        services.reward_redeem(account_id=member_with_points.pk, reward_id=reward.pk, request_key=k)
        for k in keys
    ]
    lin = services.member_join(user=user_factory(email="lin@example.com"))
    add(lin, 100, "lin")
    services.reward_redeem(account_id=lin.pk, reward_id=reward.pk, request_key="lin")
    codes = selectors.redemptions(account=member_with_points)
    assert [c.pk for c in codes] == [r.pk for r in reversed(made)]
    assert len(selectors.redemptions(account=member_with_points, limit=2)) == 2


# --- Tiers --------------------------------------------------------------------------------


def test_no_tiers_no_status(member_with_points):
    assert selectors.tier_status(account=member_with_points, program=ProgramSettings.load()) is None


def test_the_tier_status_is_the_services_progress(ada, store, spend_rule):
    from decimal import Decimal

    from loyalty.models import Tier

    Tier.objects.create(name="Silver", threshold=Decimal("50"))
    gold = Tier.objects.create(name="Gold", threshold=Decimal("450"))
    store.order(email="ada@example.com")  # 100 points earned
    account = services.member_join(user=ada)
    account = Account.objects.select_related("tier").get(pk=account.pk)

    status = selectors.tier_status(account=account, program=ProgramSettings.load())

    assert status.tier.name == "Silver"  # promoted when the points were earned
    assert status.until == account.tier_until
    assert (status.value, status.next_tier, status.missing_points) == (100, gold, 350)
    assert (status.shown_value, status.goal) == (100, 450)
