"""The loyalty part of ``seed_demo``: believable, consistent, idempotent and quick."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from loyalty import demo, services
from loyalty.models import (
    Account,
    Campaign,
    EarningRule,
    Entry,
    Lot,
    ProgramSettings,
    Redemption,
    Reward,
    Tier,
)
from orders import demo as orders_demo
from orders.models import Order, OrderLine
from portal import demo as portal_demo

pytestmark = pytest.mark.django_db


def _ledger():
    return (
        sorted(Entry.objects.values_list("key", "pending_delta", "available_delta", "forgiven")),
        sorted(Account.objects.values_list("email", "pending", "available", "lifetime_earned")),
        sorted(Lot.objects.values_list("pk", "status", "remaining")),
        EarningRule.objects.count(),
        sorted(Reward.objects.values_list("name", "points_cost", "stock", "ends_at")),
        sorted(Redemption.objects.values_list("code", "status", "points")),
        sorted(Tier.objects.values_list("name", "threshold", "multiplier")),
        sorted(Campaign.objects.values_list("name", "starts_at", "ends_at")),
        sorted(Account.objects.values_list("email", "tier__name", "tier_until")),
    )


@pytest.fixture
def demo_orders(settings):
    # The demo's codes are Portico's: no Stripe in a demo.
    settings.STRIPE_API_KEY = ""
    portal_demo.seed(stdout=io.StringIO())
    orders_demo.seed(stdout=io.StringIO())


def test_demo_awards_the_demo_orders_and_seeding_again_changes_nothing(demo_orders):
    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        demo.seed(stdout=io.StringIO())
    # About 10 s on a laptop for the 400 demo orders; counted in queries, not seconds, so a
    # busy machine cannot fail it. The services spend about 40 queries on an order.
    paid = Order.objects.filter(paid_at__isnull=False, cancelled_at__isnull=True).count()
    assert len(queries) < 50 * paid

    assert ProgramSettings.load().enabled
    assert set(EarningRule.objects.values_list("kind", flat=True)) == {
        EarningRule.Kind.SPEND,
        EarningRule.Kind.SIGNUP,
        EarningRule.Kind.FIRST_ORDER,
        EarningRule.Kind.BIRTHDAY,
    }
    assert services.birthday_rule().points == 200
    # Every paid demo order earned; cancelled ones were taken back; old ones released.
    assert Lot.objects.filter(order__isnull=False, rule__kind="spend").count() == paid
    assert Entry.objects.filter(kind=Entry.Kind.REVERSE).exists()
    assert Entry.objects.filter(kind=Entry.Kind.RELEASE).exists()
    assert Lot.objects.filter(status=Lot.Status.PENDING).exists()  # recent orders wait
    members = Account.objects.filter(joined_at__isnull=False)
    assert members.count() >= 60
    assert Entry.objects.filter(key__startswith="signup:").count() == members.count()
    assert services.ledger_check() == []

    # Three tiers, each with members in it, reached by the points the orders earned.
    tiers = list(Tier.objects.order_by("threshold"))
    assert [(t.name, t.multiplier) for t in tiers] == [
        ("Bronze", Decimal("1")),
        ("Silver", Decimal("1.25")),
        ("Gold", Decimal("1.5")),
    ]
    assert all(t.perks for t in tiers)
    for tier in tiers:
        assert members.filter(tier=tier, tier_until__gt=timezone.now()).exists(), tier.name
    # Later orders earned at the tier's multiplier (the entry's note names it).
    earns = Entry.objects.filter(kind=Entry.Kind.EARN, order__isnull=False)
    assert earns.filter(note__contains="Silver ×1.25").exists()
    assert earns.filter(note__contains="Gold ×1.5").exists()
    # A campaign running now, on a product type the demo orders have, and orders it doubled:
    # more points than the highest tier alone could give on the whole subtotal.
    campaign = Campaign.objects.get()
    assert campaign.active and campaign.starts_at < timezone.now() < campaign.ends_at
    assert campaign.kind == Campaign.Kind.MULTIPLIER and campaign.multiplier == 2
    assert OrderLine.objects.filter(product_type__in=campaign.product_types).exists()
    doubled = [
        lot
        for lot in Lot.objects.filter(
            rule__kind="spend", order__paid_at__gte=campaign.starts_at
        ).select_related("order")
        if lot.points > lot.order.subtotal * lot.rate * Decimal("1.5")
    ]
    assert doubled
    assert earns.filter(note__contains=f"{campaign.name} ×2").count() >= len(doubled)

    # A catalog in both of the demo's currencies, every kind, one limited and one over.
    rewards = {reward.name: reward for reward in Reward.objects.all()}
    assert set(Reward.objects.values_list("kind", flat=True)) == set(Reward.Kind.values)
    assert {r.currency for r in rewards.values() if r.kind == Reward.Kind.AMOUNT_OFF} == {
        "GBP",
        "TRY",
    }
    assert rewards["£5 off your next order"].points_cost == 500
    assert rewards["£5 off your next order"].amount == 5
    assert rewards["10% off one order"].percent == 10
    assert rewards["Free shipping"].points_cost == 300
    mug = rewards["A stoneware mug, on us"]
    assert (mug.points_cost, mug.product_sku, mug.stock) == (1200, "MUG-STONE-OAT", 25)
    ended = [r for r in rewards.values() if r.ends_at and r.ends_at < timezone.now()]
    assert [services.reward_unavailable_reason(r, None) for r in ended] == [
        "This reward has ended."
    ]
    # Members bought codes with their points, Portico's; support voided one.
    codes = Redemption.objects.select_related("account", "reward")
    assert codes.filter(status=Redemption.Status.ISSUED).count() >= 4
    assert codes.filter(status=Redemption.Status.VOIDED).count() == 1
    assert all(code.code.startswith("PTC-") for code in codes)
    assert all(code.account.is_member for code in codes)
    assert {c.reward.kind for c in codes} == {
        Reward.Kind.AMOUNT_OFF,
        Reward.Kind.PERCENT_OFF,
        Reward.Kind.FREE_SHIPPING,
    }
    for code in codes.filter(reward__currency__in=["GBP", "TRY"]):
        assert Order.objects.filter(email=code.account.email, currency=code.reward.currency)
    assert not codes.filter(reward__in=ended).exists()
    assert services.ledger_check() == []

    first = _ledger()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)  # every app's seeder again, loyalty's included
    assert "Loyalty: program on" in out.getvalue()
    assert "0 new tiers, 0 new campaigns, 0 new members" in out.getvalue()
    assert "points for 0 orders" in out.getvalue()
    assert "0 new rewards, 0 codes bought" in out.getvalue()
    assert _ledger() == first
