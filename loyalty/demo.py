"""Demo loyalty program: the program on, its earning rules (a birthday bonus among them),
three tiers and a running campaign, the demo customers as members, and the points the demo
orders earned (with the tiers' and the campaign's multipliers; reversed where cancelled or
refunded, available where the return window has closed); a rewards catalog in the demo's
currencies, and a few codes members bought with their points (one of them voided by staff).

Everything goes through ``loyalty.services``, whose ledger keys make each step idempotent:
seeding again writes nothing. Rules, tiers, campaigns and rewards are looked up by name
before they are created (and before any points are earned, so the balances reflect them);
the demo's codes are bought once (their request keys start with ``demo:``).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from orders.demo import PREFIX
from orders.models import Connector, Order

from . import services
from .models import (
    Account,
    Campaign,
    EarningRule,
    Entry,
    ProgramSettings,
    Redemption,
    Reward,
    Tier,
)

# (name, kind, points, per amount, currency). The demo store sells in pounds and in lira
# (at about 30 lira to the pound), so spending earns about the same in both.
RULES = [
    ("1 point per £1.00 spent", EarningRule.Kind.SPEND, 1, "1.00", "GBP"),
    ("1 point per ₺30.00 spent", EarningRule.Kind.SPEND, 1, "30.00", "TRY"),
    ("Sign-up bonus", EarningRule.Kind.SIGNUP, 100, "1", ""),
    ("First order bonus", EarningRule.Kind.FIRST_ORDER, 50, "1", ""),
    ("Birthday bonus", EarningRule.Kind.BIRTHDAY, 200, "1", ""),
]

# (name, threshold, multiplier, perks). Tiers are reached by points earned in the calendar
# year (the program's default), and points are earned alike in pounds and lira, so one set
# of thresholds serves both currencies.
TIERS = [
    ("Bronze", "250", "1.00", "Early access to our sales."),
    ("Silver", "1500", "1.25", "1.25× points on every order.\nFree returns."),
    (
        "Gold",
        "2500",
        "1.50",
        "1.5× points on every order.\nFree returns.\nA gift on your birthday.",
    ),
]

# (name, product types, multiplier, days from now it started, days from now it ends): the
# demo orders of the last weeks that had bedding in them earned double on those lines.
CAMPAIGNS = [
    ("Double points on bedroom linen", ["Bedroom"], "2.00", -21, 21),
]


# The catalog: (name, description, kind, points, what it gives, availability). The store
# sells in pounds and lira, so the amount off comes in both; dates are days from now.
Kind = Reward.Kind
REWARDS = [
    ("Free shipping", "Free standard delivery on one order.", Kind.FREE_SHIPPING, 300, {}, {}),
    (
        "£5 off your next order",
        "On orders of £20 or more.",
        Kind.AMOUNT_OFF,
        500,
        {"amount": Decimal("5.00"), "currency": "GBP", "minimum_order": Decimal("20.00")},
        {},
    ),
    (
        "₺150 off your next order",
        "On orders of ₺600 or more.",
        Kind.AMOUNT_OFF,
        500,
        {"amount": Decimal("150.00"), "currency": "TRY", "minimum_order": Decimal("600.00")},
        {},
    ),
    ("10% off one order", "Everything in one order.", Kind.PERCENT_OFF, 800, {"percent": 10}, {}),
    (
        "A stoneware mug, on us",
        "Our Oat stoneware mug with your next order, while they last.",
        Kind.FREE_PRODUCT,
        1200,
        {"product_sku": "MUG-STONE-OAT"},
        {"stock": 25, "per_customer_limit": 1},
    ),
    (
        "Summer napkins",
        "A set of four linen napkins: the summer offer.",
        Kind.FREE_PRODUCT,
        900,
        {"product_sku": "NPK-4"},
        {"starts_at": -120, "ends_at": -30},
    ),
]
# Which rewards the demo's members bought, richest first in each currency; the last of them
# is voided, as support would for a member who changed their mind.
# Nobody has the mug's 1,200 points yet: the demo's best customers have about 1,100.
PURCHASES = [
    ("10% off one order", None),
    ("£5 off your next order", "GBP"),
    ("₺150 off your next order", "TRY"),
    ("Free shipping", None),
    ("Free shipping", None),
    ("£5 off your next order", "GBP"),
]
DEMO_KEY = "demo:"


def seed_rewards() -> int:
    """The catalog, created once by name (a marketer's later edits are kept). Returns how
    many rewards were created now."""
    now = timezone.now()
    created = 0
    for name, description, kind, points, gives, availability in REWARDS:
        defaults = {"description": description, "kind": kind, "points_cost": points, **gives}
        for field, value in availability.items():
            defaults[field] = now + timedelta(days=value) if field.endswith("_at") else value
        _, is_new = Reward.objects.get_or_create(name=name, defaults=defaults)
        created += is_new
    return created


def _currency_of(account: Account) -> str:
    order = Order.objects.filter(email=account.email).order_by("-placed_at").first()
    return order.currency if order else ""


def seed_redemptions() -> int:
    """Members buy the ``PURCHASES`` through ``services.reward_redeem``, once: a second seed
    finds the demo's codes and buys nothing. With Stripe set up, the amount and percentage
    rewards would become real promotion codes, so they are left out. Returns how many codes
    were bought now."""
    if Redemption.objects.filter(request_key__startswith=DEMO_KEY).exists():
        return 0
    rewards = {reward.name: reward for reward in Reward.objects.all()}
    members = list(
        Account.objects.filter(joined_at__isnull=False, email__endswith="@example.com").order_by(
            "-available", "email"
        )
    )
    currencies = {account.pk: _currency_of(account) for account in members}
    bought, redemptions = set(), []
    for index, (name, currency) in enumerate(PURCHASES):
        reward = rewards.get(name)
        if reward is None:
            continue
        if settings.STRIPE_API_KEY and reward.kind in services.STRIPE_KINDS:
            continue
        for account in members:
            account.refresh_from_db(fields=["available"])
            if (
                account.pk in bought
                or account.available < reward.points_cost
                or (currency and currencies[account.pk] != currency)
                or services.reward_unavailable_reason(reward, account)
            ):
                continue
            redemptions.append(
                services.reward_redeem(
                    account_id=account.pk,
                    reward_id=reward.pk,
                    request_key=f"{DEMO_KEY}{index}:{account.email}",
                )
            )
            bought.add(account.pk)
            break
    if len(redemptions) > 1:
        services.redemption_void(
            redemption_id=redemptions[-1].pk, reason="Ordered by phone instead; points returned."
        )
    return len(redemptions)


def seed_program() -> None:
    program = ProgramSettings.load()
    if not program.enabled:
        program.enabled = True
        program.save(update_fields=["enabled"])
    for name, kind, points, per_amount, currency in RULES:
        EarningRule.objects.get_or_create(
            name=name,
            kind=kind,
            defaults={"points": points, "per_amount": Decimal(per_amount), "currency": currency},
        )


def seed_tiers_and_campaigns() -> tuple[int, int]:
    """The tiers and the campaign, created once by name (a marketer's later edits are
    kept). Returns how many of each were created now."""
    tiers = 0
    for name, threshold, multiplier, perks in TIERS:
        _, is_new = Tier.objects.get_or_create(
            name=name,
            defaults={
                "threshold": Decimal(threshold),
                "multiplier": Decimal(multiplier),
                "perks": perks,
            },
        )
        tiers += is_new
    now = timezone.now()
    campaigns = 0
    for name, product_types, multiplier, start, end in CAMPAIGNS:
        _, is_new = Campaign.objects.get_or_create(
            name=name,
            defaults={
                "kind": Campaign.Kind.MULTIPLIER,
                "multiplier": Decimal(multiplier),
                "product_types": product_types,
                "starts_at": now + timedelta(days=start),
                "ends_at": now + timedelta(days=end),
            },
        )
        campaigns += is_new
    return tiers, campaigns


def seed_members() -> int:
    """Demo customers have verified emails: they join, as the email confirmation would
    have made them."""
    User = get_user_model()
    joined = 0
    for user in User.objects.filter(email__startswith="customer", email__endswith="@example.com"):
        account = getattr(user, "loyalty_account", None)
        if account is not None and account.joined_at is not None:
            continue
        services.member_join(user=user)
        joined += 1
    return joined


def seed_order_points() -> int:
    """Award every paid demo order in the order it was placed (the first-order bonus goes
    to each customer's first), reverse what cancellations and refunds took back. Returns
    how many orders were looked at for the first time."""
    orders = Order.objects.filter(connector=Connector.PORTICO, external_id__startswith=PREFIX)
    seen = set(Entry.objects.filter(order__in=orders).values_list("order_id", flat=True).distinct())
    fresh = 0
    refunded = (Order.FinancialStatus.REFUNDED, Order.FinancialStatus.PARTIALLY_REFUNDED)
    rows = orders.order_by("placed_at", "pk").values_list(
        "pk", "paid_at", "cancelled_at", "financial_status"
    )
    for order_id, paid_at, cancelled_at, financial_status in rows:
        # Unpaid orders earn nothing yet; demo orders are cancelled before they are
        # awarded, so there is nothing to take back (the award refuses them).
        if order_id in seen or not paid_at or cancelled_at:
            continue
        fresh += 1
        services.order_points_award(order_id=order_id)
        if financial_status in refunded:
            # The award already reverses refunds it finds; this is the path a refund
            # arriving later takes, and converges to the same ledger.
            services.order_points_reverse(order_id=order_id)
    return fresh


@transaction.atomic
def seed(*, stdout=None) -> None:
    # One transaction: a failed seed leaves nothing half done, and SQLite commits once.
    seed_program()
    # Before any points: tiers and the campaign shape what the demo orders earn.
    tiers, campaigns = seed_tiers_and_campaigns()
    joined = seed_members()
    fresh = seed_order_points()
    released = services.points_release_due(now=timezone.now())
    rewards = seed_rewards()
    codes = seed_redemptions()
    if stdout is not None:
        stdout.write(
            f"Loyalty: program on, {len(RULES)} rules, {tiers} new tiers, {campaigns} new "
            f"campaigns, {joined} new members, points for "
            f"{fresh} orders, {released} lots released; {Account.objects.count()} accounts; "
            f"{rewards} new rewards, {codes} codes bought."
        )
