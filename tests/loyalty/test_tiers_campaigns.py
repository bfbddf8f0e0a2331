"""Tiers (promotion at once, demotion only when the period is over) and campaigns
(multipliers and bonuses with conditions, overlapping as the program says)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from loyalty import services
from loyalty.models import Account, Campaign, EarningRule, Lot, ProgramSettings, Tier
from orders.connectors.base import LineData

pytestmark = pytest.mark.django_db


def account(email="mira@example.com") -> Account:
    return Account.objects.get(email=email)


@pytest.fixture
def tiers(program):
    return (
        Tier.objects.create(name="Silver", threshold=150, multiplier=Decimal("1.25")),
        Tier.objects.create(name="Gold", threshold=400, multiplier=Decimal("1.5"), perks="Gifts"),
    )


def test_a_member_is_promoted_as_soon_as_their_points_reach_a_tier(store, spend_rule, tiers):
    store.order("A-1")  # 100 points
    assert account().tier is None
    store.order("A-2")  # 200 in the period: Silver
    silver, gold = tiers
    assert account().tier == silver
    # Silver earns 1.25x from now on.
    store.order("A-3")
    assert Lot.objects.get(order__external_id="A-3").points == 125
    value, upcoming, missing = services.tier_progress(account())
    assert (value, upcoming, missing) == (Decimal(325), gold, Decimal(75))


def test_a_tier_is_kept_until_the_period_ends_then_follows_that_periods_points(
    store, spend_rule, tiers
):
    silver, _gold = tiers
    store.order("A-1")
    store.order("A-2")
    mira = account()
    assert mira.tier == silver and mira.tier_until.month == 1 and mira.tier_until.day == 1
    year_end = mira.tier_until
    # Midway through the next year nothing is reviewed yet.
    assert services.tiers_review_due(now=year_end - timedelta(days=1)) == 0
    # At the new year the tier holds: last year's 200 points qualify for Silver again.
    services.tiers_review_due(now=year_end + timedelta(hours=1))
    assert account().tier == silver
    assert account().tier_until == year_end.replace(year=year_end.year + 1)
    # A year without points: demoted when that year ends.
    services.tiers_review_due(now=account().tier_until + timedelta(hours=1))
    assert account().tier is None and account().tier_until is None


def test_tiers_can_be_reached_by_money_spent(store, spend_rule, tiers, program):
    program.tier_basis = ProgramSettings.TierBasis.SPEND
    program.save()
    Tier.objects.filter(name="Gold").update(threshold=240)
    store.order("A-1")  # 120 spent: not yet Silver (150)
    assert account().tier is None
    store.order("A-2")  # 240 spent
    assert account().tier.name == "Gold"


def _campaign(**fields):
    now = timezone.now()
    defaults = {
        "name": "Double points",
        "kind": Campaign.Kind.MULTIPLIER,
        "multiplier": Decimal("2"),
        "starts_at": now - timedelta(days=400),
        "ends_at": now + timedelta(days=30),
    }
    return Campaign.objects.create(**(defaults | fields))


def test_a_multiplier_campaign_covers_only_its_product_types(store, spend_rule):
    _campaign(product_types=["Mugs"])
    store.order(
        lines=[
            LineData(external_id="L1", title="Mug", quantity=2, unit_price=Decimal("20"),
                     product_type="Mugs"),
            LineData(external_id="L2", title="Plate", quantity=1, unit_price=Decimal("60"),
                     product_type="Plates"),
        ]
    )  # fmt: skip
    lot = Lot.objects.get()
    # Mugs: 40 points doubled; plates: 60 as usual.
    assert lot.points == 140
    assert sorted(lot.lines.values_list("points", flat=True)) == [60, 80]
    assert "Double points ×2" in lot.entries.get().note


def test_overlapping_campaigns_follow_the_program_setting(store, spend_rule, program):
    _campaign(name="Double", multiplier=Decimal("2"))
    _campaign(name="Triple", multiplier=Decimal("3"))
    _campaign(name="Bonus 50", kind=Campaign.Kind.BONUS, bonus_points=50)
    _campaign(name="Bonus 80", kind=Campaign.Kind.BONUS, bonus_points=80)
    store.order("A-1")
    assert account().pending == 300 + 80  # the highest multiplier, the highest bonus
    program.campaign_overlap = ProgramSettings.CampaignOverlap.STACK
    program.save()
    store.order("A-2", email="lin@example.com")
    assert account("lin@example.com").pending == 400 + 130  # 1 + (2-1) + (3-1); 50 + 80


def test_campaign_conditions_on_dates_tiers_and_first_orders(store, spend_rule, tiers):
    _silver, gold = tiers
    _campaign(
        name="Last year",
        multiplier=Decimal("5"),
        starts_at=timezone.now() - timedelta(days=800),
        ends_at=timezone.now() - timedelta(days=500),
    )
    gold_only = _campaign(name="Gold week", multiplier=Decimal("4"))
    gold_only.tiers.add(gold)
    _campaign(
        name="Welcome bonus", kind=Campaign.Kind.BONUS, bonus_points=25, first_order_only=True
    )
    store.order("A-1", placed_at=datetime(2026, 5, 1, tzinfo=UTC))
    store.order("A-2")
    assert account().pending == 100 + 25 + 100  # neither the past nor the Gold campaign


def test_a_refund_takes_back_campaign_points_at_the_rate_they_were_earned(store, spend_rule):
    campaign = _campaign(name="Double", multiplier=Decimal("2"))
    store.order()
    Campaign.objects.filter(pk=campaign.pk).update(active=False)
    store.refund("R1", lines=[("L2", 1, "60")])
    assert account().pending == 200 - 120
    assert services.ledger_check() == []


def test_a_campaign_bonus_is_taken_back_when_the_order_is_cancelled(store, spend_rule):
    _campaign(name="Bonus", kind=Campaign.Kind.BONUS, bonus_points=30)
    EarningRule.objects.create(name="Welcome", kind=EarningRule.Kind.FIRST_ORDER, points=10)
    store.order()
    assert account().pending == 140
    store.order(cancelled_at=timezone.now(), updated_at=timezone.now())
    assert account().pending == 0
