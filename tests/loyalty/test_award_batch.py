"""The set-based award of a batch of paid orders (``services.orders_points_award``) leaves
the ledger that awarding each order on its own (``order_points_award``) leaves.

Each seed builds a random program (spend rules in two currencies, a first-order bonus,
tiers, campaigns limited by product type, tag, tier and first order) and random orders
around random members: repeat customers, members with a tier about to lapse, orders with
refunds, cancelled, unpaid and already-awarded orders. Both paths run from the same
database state and their ledgers are compared row by row, with the emails they queue.
"""

import random
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction

from loyalty import services
from loyalty.models import Account, Campaign, EarningRule, Entry, Lot, ProgramSettings, Tier
from orders import services as orders
from orders.connectors.base import CustomerData, LineData, OrderData, RefundData

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)
TYPES = ["mug", "plate", "print"]
TAGS = ["sale", "new", "eco"]


class Rollback(Exception):
    pass


def _program(rng: random.Random) -> None:
    settings = ProgramSettings.load()
    settings.enabled = True
    settings.return_window_days = rng.choice([14, 30])
    settings.expiry = rng.choice(list(ProgramSettings.Expiry.values))
    settings.expiry_months = 12
    settings.earn_on = rng.choice(list(ProgramSettings.EarnOn.values))
    settings.tier_basis = rng.choice(list(ProgramSettings.TierBasis.values))
    settings.tier_period = ProgramSettings.TierPeriod.CALENDAR_YEAR
    settings.campaign_overlap = rng.choice(list(ProgramSettings.CampaignOverlap.values))
    settings.save()
    EarningRule.objects.create(
        name="1 per 1", kind=EarningRule.Kind.SPEND, points=1, per_amount=Decimal("1")
    )
    EarningRule.objects.create(
        name="EUR extra",
        kind=EarningRule.Kind.SPEND,
        points=3,
        per_amount=Decimal("10"),
        currency="EUR",
    )
    if rng.random() < 0.7:
        EarningRule.objects.create(name="First order", kind=EarningRule.Kind.FIRST_ORDER, points=50)
    tiers = [
        Tier.objects.create(name="Silver", threshold=Decimal(rng.choice([80, 150])), multiplier=1),
        Tier.objects.create(
            name="Gold", threshold=Decimal(rng.choice([300, 600])), multiplier=Decimal("1.5")
        ),
    ]
    for n in range(rng.randint(0, 4)):
        starts = NOW - timedelta(days=rng.randint(1, 20))
        campaign = Campaign.objects.create(
            name=f"Campaign {n}",
            kind=rng.choice(list(Campaign.Kind.values)),
            multiplier=Decimal(rng.choice(["1.5", "2", "3"])),
            bonus_points=rng.choice([10, 25, 40]),
            starts_at=starts,
            ends_at=starts + timedelta(days=rng.randint(2, 30)),
            product_types=rng.sample(TYPES, rng.randint(0, 1)),
            tags=rng.sample(TAGS, rng.randint(0, 1)),
            first_order_only=rng.random() < 0.2,
        )
        if rng.random() < 0.3:
            campaign.tiers.set(rng.sample(tiers, 1))


def _members(rng: random.Random, emails: list[str]) -> None:
    tiers = list(Tier.objects.all())
    for email in emails:
        if rng.random() < 0.4:
            continue  # points will wait against the email
        account = Account.objects.create(
            email=email,
            joined_at=NOW - timedelta(days=400) if rng.random() < 0.7 else None,
            pending=0,
        )
        if rng.random() < 0.4:
            account.tier = rng.choice(tiers)
            # Some tiers' periods are over: the award's review demotes them, maybe.
            account.tier_until = NOW + timedelta(days=rng.choice([-3, 200]))
            account.save(update_fields=["tier", "tier_until"])


def _orders(rng: random.Random, emails: list[str]) -> list[int]:
    ids = []
    for n in range(rng.randint(6, 18)):
        email = rng.choice(emails)
        lines = [
            LineData(
                external_id=f"L{k}",
                title=f"Item {k}",
                quantity=rng.randint(1, 3),
                unit_price=Decimal(rng.choice(["9.99", "20", "45.50", "120"])),
                discount_total=Decimal(rng.choice(["0", "0", "5"])),
                product_type=rng.choice(TYPES),
                tags=rng.sample(TAGS, rng.randint(0, 2)),
                is_gift_card=rng.random() < 0.05,
            )
            for k in range(rng.randint(1, 3))
        ]
        subtotal = sum(line.unit_price * line.quantity - line.discount_total for line in lines)
        paid = rng.random() < 0.9
        placed = NOW - timedelta(days=rng.randint(0, 10), minutes=rng.randint(0, 3))
        cancelled = rng.random() < 0.1
        data = OrderData(
            external_id=f"O{n}",
            number=f"#{1000 + n}",
            email=email.upper() if rng.random() < 0.2 else email,
            currency=rng.choice(["EUR", "EUR", "GBP"]),
            subtotal=subtotal,
            shipping_total=Decimal("5"),
            tax_total=Decimal("10"),
            total=subtotal + 15,
            placed_at=placed,
            paid_at=placed + timedelta(minutes=1) if paid else None,
            financial_status="paid" if paid else "pending",
            cancelled_at=placed + timedelta(hours=2) if cancelled else None,
            updated_at=placed + timedelta(hours=3),
            customer=CustomerData(email=email),
            lines=lines,
        )
        order = orders.order_upsert(connector="portico", data=data).order
        ids.append(order.pk)
        if paid and rng.random() < 0.15:
            first = lines[0]
            orders.refund_record(
                connector="portico",
                data=RefundData(
                    order_external_id=data.external_id,
                    external_id=f"R{n}",
                    amount=first.unit_price,
                    currency=data.currency,
                    refunded_at=placed + timedelta(days=1),
                    lines=[("L0", 1, first.unit_price)] if rng.random() < 0.7 else [],
                ),
            )
    rng.shuffle(ids)
    # Some orders were awarded already (a repeated event): both paths must skip them.
    for order_id in rng.sample(ids, rng.randint(0, 2)):
        services.order_points_award(order_id=order_id)
    # An order id twice in one batch is one award.
    return ids + rng.sample(ids, 1)


def _ledger() -> dict:
    opening = {
        lot_id: key
        for lot_id, key in Entry.objects.filter(
            kind__in=[Entry.Kind.EARN, Entry.Kind.ADJUST], lot__isnull=False
        ).values_list("lot_id", "key")
    }
    emails = dict(Account.objects.values_list("pk", "email"))

    def key(value):
        # Keys name lots and accounts by primary key, which differ between the two runs:
        # a lot is named by its opening entry, an account by its email.
        value = re.sub(r"lot:(\d+)", lambda m: f"lot:[{opening[int(m[1])]}]", value)
        return re.sub(r"first-order:(\d+)", lambda m: f"first-order:{emails[int(m[1])]}", value)

    lots = sorted(
        (
            key(opening[lot.pk]),
            lot.account.email,
            lot.status,
            lot.points,
            lot.remaining,
            lot.available_at,
            lot.expires_at,
            lot.rule_id,
            lot.rule_name,
            lot.rule_version,
            lot.rate,
            lot.order_id,
            tuple(sorted(lot.lines.values_list("line_id", "quantity", "points"))),
        )
        for lot in Lot.objects.select_related("account").prefetch_related("lines")
    )
    entries = sorted(
        (
            key(e.key),
            e.account.email,
            e.kind,
            e.pending_delta,
            e.available_delta,
            e.lifetime_delta,
            e.forgiven,
            key(opening.get(e.lot_id) or ""),
            e.order_id,
            e.note,
            tuple(sorted((key(opening[a.lot_id]), a.points) for a in e.allocations.all())),
        )
        for e in Entry.objects.select_related("account").prefetch_related("allocations")
    )
    accounts = sorted(
        (
            a.email,
            a.pending,
            a.available,
            a.lifetime_earned,
            a.tier.name if a.tier else None,
            a.tier_until.date() if a.tier_until else None,
            a.last_activity_at is not None,
        )
        for a in Account.objects.select_related("tier")
    )
    return {"lots": lots, "entries": entries, "accounts": accounts}


def _run(award) -> tuple[dict, list]:
    """The ledger and the emails ``award()`` leaves, rolled back afterwards."""
    emails = []

    def record(account, kind, key, **data):
        if account.joined_at is not None:
            emails.append((account.email, kind, key, tuple(sorted(data.items()))))

    result = {}
    patches = [
        mock.patch(f"loyalty.services.{module}._email", side_effect=record)
        for module in ("ledger", "earning", "tiers")
    ]
    for patch in patches:
        patch.start()
    try:
        with transaction.atomic():
            award()
            result = _ledger()
            raise Rollback
    except Rollback:
        pass
    finally:
        for patch in patches:
            patch.stop()
    return result, sorted(emails)


@pytest.mark.parametrize("seed", range(24))
def test_the_batch_award_leaves_the_ledger_that_one_by_one_leaves(seed):
    rng = random.Random(seed)
    _program(rng)
    emails = [f"member{n}@example.com" for n in range(rng.randint(3, 8))]
    _members(rng, emails)
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        order_ids = _orders(rng, emails)

        def one_by_one():
            for order_id in order_ids:
                services.order_points_award(order_id=order_id)

        expected = _run(one_by_one)
        got = _run(lambda: services.orders_points_award(order_ids=order_ids))

    assert expected[0]["lots"], "the scenario earned nothing: it tests nothing"
    for part in ("lots", "entries", "accounts"):
        missing = [row for row in expected[0][part] if row not in got[0][part]]
        extra = [row for row in got[0][part] if row not in expected[0][part]]
        assert (part, missing, extra) == (part, [], [])
    assert got[1] == expected[1]
    assert services.ledger_check() == []


def test_a_batch_costs_a_fixed_number_of_statements(django_assert_max_num_queries):
    rng = random.Random(7)
    _program(rng)
    Tier.objects.all().delete()
    Campaign.objects.all().delete()
    for conditions in ({"tags": ["sale"]}, {"product_types": ["mug"]}):
        Campaign.objects.create(
            name="Running",
            kind=Campaign.Kind.MULTIPLIER,
            starts_at=NOW - timedelta(days=1),
            ends_at=NOW + timedelta(days=1),
            **conditions,
        )

    def batch(count: int, offset: int) -> list[int]:
        ids = []
        for n in range(offset, offset + count):
            data = OrderData(
                external_id=f"B{n}",
                number=f"#B{n}",
                email=f"buyer{n}@example.com",
                currency="EUR",
                total=Decimal("80"),
                subtotal=Decimal("80"),
                placed_at=NOW,
                paid_at=NOW,
                financial_status="paid",
                customer=CustomerData(email=f"buyer{n}@example.com"),
                lines=[LineData(external_id="L1", title="Mug", quantity=2, unit_price=Decimal(40))],
            )
            ids.append(orders.order_upsert(connector="portico", data=data).order.pk)
        return ids

    small, large = batch(5, 0), batch(60, 100)
    with django_assert_max_num_queries(25) as small_queries:
        services.orders_points_award(order_ids=small)
    with django_assert_max_num_queries(25) as large_queries:
        services.orders_points_award(order_ids=large)
    # Twelve times the orders, about the same statements: nothing is done per order (on
    # SQLite, whose statements take at most 999 parameters, a bulk insert of many rows is
    # split in two).
    assert len(large_queries) <= len(small_queries) + 2
    assert Entry.objects.filter(kind=Entry.Kind.EARN, order_id__in=large).count() == 60 * 2
    assert services.ledger_check() == []
