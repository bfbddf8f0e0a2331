"""Tiers and campaigns in Wagtail admin, and the campaign preview: what a campaign would
have given last month's orders, computed without writing anything."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from loyalty import services
from loyalty.admin_campaigns import PREVIEW_MAX_ORDERS, campaign_preview
from loyalty.models import Account, Campaign, EarningRule, Entry, Lot, Reward, Tier
from orders.models import Order
from portal.groups import EDITORS, MARKETERS, SUPPORT_AGENTS
from tests.orders.factories import OrderFactory, OrderLineFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

TIERS = reverse("loyalty_tier:index")
TIER_ADD = reverse("loyalty_tier:add")
CAMPAIGNS = reverse("loyalty_campaign:index")
CAMPAIGN_ADD = reverse("loyalty_campaign:add")


def staff(group_name, email):
    user = UserFactory(email=email, is_staff=False)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def marketer():
    return staff(MARKETERS, "marketer@example.com")


@pytest.fixture
def editor():
    return staff(EDITORS, "editor@example.com")


@pytest.fixture
def agent():
    return staff(SUPPORT_AGENTS, "agent@example.com")


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def preview_url(campaign, **params):
    url = reverse("loyalty_campaign:preview", args=[campaign.pk])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


# --- Tiers --------------------------------------------------------------------------


def tier_data(**changes):
    return {"name": "Silver", "threshold": "150", "multiplier": "1.25", "perks": ""} | changes


def test_a_marketer_creates_and_edits_a_tier(client, marketer):
    client.force_login(marketer)
    response = client.post(TIER_ADD, tier_data(perks="Free gift wrap"))
    assert response.status_code == 302
    tier = Tier.objects.get()
    assert (tier.name, tier.threshold, tier.multiplier) == ("Silver", 150, Decimal("1.25"))
    edit = reverse("loyalty_tier:edit", args=[tier.pk])
    # The tier's own threshold is not "taken".
    response = client.post(edit, tier_data(name="Silver+", multiplier="1.5"))
    assert response.status_code == 302
    tier.refresh_from_db()
    assert (tier.name, tier.threshold, tier.multiplier) == ("Silver+", 150, Decimal("1.5"))


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"threshold": "400.00"}, {"threshold"}),  # Gold's
        ({"multiplier": "0.5"}, {"multiplier"}),
        ({"threshold": "-1"}, {"threshold"}),
        ({"name": "   "}, {"name"}),
        ({"threshold": "many"}, {"threshold"}),
    ],
)
def test_an_invalid_tier_is_field_errors_not_a_500(client, marketer, changes, errors):
    Tier.objects.create(name="Gold", threshold=400, multiplier=Decimal("1.5"))
    client.force_login(marketer)
    response = client.post(TIER_ADD, tier_data(**changes))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == errors
    assert list(Tier.objects.values_list("name", flat=True)) == ["Gold"]


def test_the_tier_list_counts_the_members_in_each_tier(client, marketer):
    silver = Tier.objects.create(name="Silver", threshold=150)
    Tier.objects.create(name="Gold", threshold=400, multiplier=Decimal("2"))
    for email in ("a@example.com", "b@example.com"):
        Account.objects.create(email=email, tier=silver)
    Account.objects.create(email="c@example.com")
    client.force_login(marketer)
    response = client.get(TIERS)
    assert response.status_code == 200
    counts = {tier.name: tier.members for tier in response.context["object_list"]}
    assert counts == {"Silver": 2, "Gold": 0}
    assert "×2" in response.content.decode()


def test_deleting_a_tier_members_hold_says_how_many_lose_it(client, marketer):
    silver = Tier.objects.create(name="Silver", threshold=150)
    mira = Account.objects.create(email="mira@example.com", tier=silver)
    client.force_login(marketer)
    delete = reverse("loyalty_tier:delete", args=[silver.pk])
    page = client.get(delete).content.decode()
    assert "1 member holds this tier" in page
    assert client.post(delete).status_code == 302
    assert not Tier.objects.exists()
    mira.refresh_from_db()
    assert mira.tier is None


def test_a_tier_a_campaign_is_limited_to_is_not_deleted(client, marketer):
    gold = Tier.objects.create(name="Gold", threshold=400)
    campaign = campaign_of(name="Gold week")
    campaign.tiers.add(gold)
    client.force_login(marketer)
    delete = reverse("loyalty_tier:delete", args=[gold.pk])
    assert "Gold week" in client.get(delete).content.decode()
    response = client.post(delete)
    assert response.status_code == 302
    assert Tier.objects.filter(pk=gold.pk).exists()
    assert any("Gold week" in message for message in messages_of(response))


# --- Campaigns ----------------------------------------------------------------------


def campaign_of(**fields):
    now = timezone.now()
    defaults = {
        "name": "Double points",
        "kind": Campaign.Kind.MULTIPLIER,
        "multiplier": Decimal("2"),
        "starts_at": now + timedelta(days=1),
        "ends_at": now + timedelta(days=8),
    }
    return Campaign.objects.create(**(defaults | fields))


def campaign_data(**changes):
    data = {
        "name": "Mug week",
        "kind": "multiplier",
        "multiplier": "2",
        "bonus_points": "0",
        "starts_at": "2026-07-01 00:00",
        "ends_at": "2026-07-08 00:00",
        "product_types": "",
        "tags": "",
        "active": "on",
    }
    data.update(changes)
    return data


def test_a_marketer_creates_and_edits_a_campaign(client, marketer):
    silver = Tier.objects.create(name="Silver", threshold=150)
    gold = Tier.objects.create(name="Gold", threshold=400)
    client.force_login(marketer)
    form_page = client.get(CAMPAIGN_ADD).content.decode()
    assert 'type="checkbox" name="tiers"' in form_page
    response = client.post(
        CAMPAIGN_ADD,
        campaign_data(
            product_types=" Mugs, Plates,, Mugs ,", tags="summer", tiers=[silver.pk, gold.pk]
        ),
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.product_types == ["Mugs", "Plates"]
    assert campaign.tags == ["summer"]
    assert set(campaign.tiers.all()) == {silver, gold}
    edit = reverse("loyalty_campaign:edit", args=[campaign.pk])
    page = client.get(edit).content.decode()
    assert 'value="Mugs, Plates"' in page  # shown as the text it was typed as
    assert preview_url(campaign) in page
    # Switched to a bonus: the multiplier goes back to 1, the tiers and types are cleared.
    response = client.post(
        edit, campaign_data(name="Mug bonus", kind="bonus", multiplier="", bonus_points="50")
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.kind, campaign.bonus_points, campaign.multiplier) == ("bonus", 50, 1)
    assert (campaign.product_types, campaign.tags, list(campaign.tiers.all())) == ([], [], [])


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"ends_at": "2026-07-01 00:00"}, {"ends_at"}),
        ({"starts_at": "2026-07-09 00:00"}, {"ends_at"}),
        ({"multiplier": "1"}, {"multiplier"}),
        ({"multiplier": "0.5"}, {"multiplier"}),
        ({"multiplier": "100"}, {"multiplier"}),
        ({"kind": "bonus", "bonus_points": "0"}, {"bonus_points"}),
        ({"kind": "bonus", "bonus_points": ""}, {"bonus_points"}),
        ({"kind": "bonus", "bonus_points": "-5"}, {"bonus_points"}),
        ({"kind": "sideways"}, {"kind"}),
        ({"product_types": "Mugs, " + "x" * 101}, {"product_types"}),
        ({"starts_at": "soon"}, {"starts_at"}),
        ({"tiers": ["999999"]}, {"tiers"}),
    ],
)
def test_an_invalid_campaign_is_field_errors_not_a_500(client, marketer, changes, errors):
    client.force_login(marketer)
    response = client.post(CAMPAIGN_ADD, campaign_data(**changes))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == errors
    assert not Campaign.objects.exists()


def test_the_campaign_list_says_where_each_campaign_stands(client, marketer):
    now = timezone.now()
    scheduled = campaign_of(name="Next week")
    campaign_of(name="This week", starts_at=now - timedelta(days=1))
    campaign_of(
        name="Last month",
        kind=Campaign.Kind.BONUS,
        bonus_points=75,
        starts_at=now - timedelta(days=40),
        ends_at=now - timedelta(days=30),
        active=False,
    )
    client.force_login(marketer)
    response = client.get(CAMPAIGNS)
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Scheduled", "Running", "Ended", "×2", "+75 points", preview_url(scheduled)):
        assert text in page


# --- The preview --------------------------------------------------------------------


def paid_order(email, *, days_ago, lines, paid=True, **fields):
    """A paid order ``days_ago`` days ago with ``lines``: (product type, quantity, price)."""
    placed_at = timezone.now() - timedelta(days=days_ago, minutes=5)
    subtotal = sum(Decimal(price) * quantity for _, quantity, price in lines)
    order = OrderFactory(
        customer=None,
        email=email,
        currency="EUR",
        subtotal=subtotal,
        placed_at=placed_at,
        paid_at=placed_at + timedelta(minutes=5) if paid else None,
        **fields,
    )
    for product_type, quantity, price in lines:
        OrderLineFactory(
            order=order, product_type=product_type, quantity=quantity, unit_price=Decimal(price)
        )
    return order


@pytest.fixture
def last_month(spend_rule):
    """Orders around the last 30 days: Mira (Gold, x1.5) bought before and twice since,
    Lin once (a guest's first order, with no account yet); an order too old, a cancelled
    and an unpaid one are not read."""
    EarningRule.objects.create(name="Welcome", kind=EarningRule.Kind.FIRST_ORDER, points=25)
    gold = Tier.objects.create(name="Gold", threshold=100000, multiplier=Decimal("1.5"))
    Account.objects.create(email="mira@example.com", joined_at=timezone.now(), tier=gold)
    mug = ("Mugs", 2, "20.00")
    paid_order("mira@example.com", days_ago=60, lines=[mug])
    orders = [
        paid_order("Mira@Example.com", days_ago=2, lines=[mug, ("Plates", 1, "60.00")]),
        paid_order("mira@example.com", days_ago=5, lines=[("Plates", 1, "33.00")]),
        paid_order("lin@example.com", days_ago=10, lines=[("Mugs", 1, "31.00")]),
    ]
    paid_order("old@example.com", days_ago=40, lines=[mug])
    paid_order("gone@example.com", days_ago=3, lines=[mug], cancelled_at=timezone.now())
    paid_order("later@example.com", days_ago=1, lines=[mug], paid=False)
    return {"gold": gold, "orders": orders}


@pytest.fixture
def rewards(db):
    def amount_off(amount, points, currency="EUR", **fields):
        return Reward.objects.create(
            name=f"{amount} off",
            kind=Reward.Kind.AMOUNT_OFF,
            points_cost=points,
            amount=Decimal(amount),
            currency=currency,
            **fields,
        )

    # EUR: 0.01, 0.02, 0.03 a point; the median is 0.02. The others are not counted.
    amount_off("5.00", 500)
    amount_off("10.00", 500)
    amount_off("3.00", 100)
    amount_off("50.00", 100, currency="USD")
    amount_off("90.00", 100, active=False)
    Reward.objects.create(name="Ship", kind=Reward.Kind.FREE_SHIPPING, points_cost=1)


def ledger_rows():
    return (Entry.objects.count(), Lot.objects.count(), Account.objects.count())


def what_the_ledger_says(campaign, orders):
    """Each order's points with the campaign off (``order_earnings``), then really
    awarded with the campaign on over the whole period (``order_points_award``)."""
    campaign.active = False
    campaign.save()
    without = {}
    for order in orders:
        account = Account.objects.filter(email=order.email.lower()).first() or Account(
            email=order.email.lower()
        )
        without[order.pk] = sum(e.points for e in services.order_earnings(order, account=account))
    campaign.active = True
    campaign.starts_at = timezone.now() - timedelta(days=31)
    campaign.ends_at = timezone.now() + timedelta(days=1)
    campaign.save()
    awarded = {}
    for order in sorted(orders, key=lambda o: o.placed_at):
        lots = services.order_points_award(order_id=order.pk)
        awarded[order.pk] = sum(lot.points for lot in lots)
    return {pk: awarded[pk] - without[pk] for pk in without}


@pytest.mark.parametrize(
    "fields",
    [
        {"product_types": ["Mugs"]},
        {"multiplier": Decimal("3"), "tags": [], "active": False},
        {"kind": Campaign.Kind.BONUS, "bonus_points": 40, "first_order_only": True},
        {"multiplier": Decimal("2.5"), "gold_only": True},
    ],
    ids=["mugs-x2", "inactive-x3", "first-order-bonus", "gold-x2.5"],
)
def test_the_preview_gives_what_the_ledger_would_and_writes_nothing(
    client, marketer, last_month, rewards, fields
):
    fields = dict(fields)
    gold_only = fields.pop("gold_only", False)
    campaign = campaign_of(**fields)
    if gold_only:
        campaign.tiers.add(last_month["gold"])
    stored = Campaign.objects.filter(pk=campaign.pk).values().get()
    before = ledger_rows()

    client.force_login(marketer)
    response = client.get(preview_url(campaign))
    assert response.status_code == 200
    preview = response.context["preview"]

    assert ledger_rows() == before
    assert Campaign.objects.filter(pk=campaign.pk).values().get() == stored
    assert preview.days == 30 and preview.orders == 3 and not preview.truncated

    extras = what_the_ledger_says(campaign, last_month["orders"])
    changed = {pk: extra for pk, extra in extras.items() if extra}
    assert changed  # each campaign here changes something
    assert {row.order.pk: row.extra for row in preview.rows} == changed
    assert preview.affected == len(changed)
    assert preview.extra_points == sum(changed.values())
    assert [row.extra for row in preview.rows] == sorted(changed.values(), reverse=True)
    assert preview.value_per_point == Decimal("0.02") and preview.currency == "EUR"
    assert preview.liability == (Decimal("0.02") * preview.extra_points).quantize(Decimal("0.01"))


def test_the_preview_counts_only_the_chosen_days_and_shows_its_figures(
    client, marketer, last_month, rewards
):
    campaign = campaign_of(product_types=["Mugs"])
    client.force_login(marketer)
    # Lin's order (10 days ago) is outside the last 7 days; Mira's mugs (2 days ago) are in.
    preview = client.get(preview_url(campaign, days=7)).context["preview"]
    assert (preview.days, preview.orders, preview.affected) == (7, 2, 1)
    mira = last_month["orders"][0]
    # 40 of Mira's 100 merchandise were mugs: 40 x 1.5 (Gold) more with x2.
    assert [(row.order.pk, row.extra) for row in preview.rows] == [(mira.pk, 60)]
    page = client.get(preview_url(campaign, days=7)).content.decode()
    assert mira.number in page and "+60" in page and "€1.20" in page


@pytest.mark.parametrize("days", ["0", "366", "many", ""])
def test_a_bad_number_of_days_is_a_field_error(client, marketer, last_month, days):
    campaign = campaign_of()
    client.force_login(marketer)
    response = client.get(preview_url(campaign, days=days))
    assert response.status_code == 200
    assert response.context["preview"] is None
    assert "days" in response.context["form"].errors


def test_the_preview_reads_at_most_its_bound_of_orders(last_month, monkeypatch):
    from loyalty import admin_campaigns

    monkeypatch.setattr(admin_campaigns, "PREVIEW_MAX_ORDERS", 2)
    preview = campaign_preview(campaign=campaign_of(), days=30)
    assert (preview.orders, preview.truncated) == (2, True)
    assert PREVIEW_MAX_ORDERS == 5000


def test_without_amount_off_rewards_the_liability_is_unknown(last_month):
    preview = campaign_preview(campaign=campaign_of(), days=30)
    assert preview.extra_points > 0
    assert (preview.value_per_point, preview.liability) == (None, None)


def test_the_preview_leaves_no_trace_even_inside_a_failing_request(last_month, monkeypatch):
    campaign = campaign_of()  # active: the preview switches it off first
    stored = Campaign.objects.filter(pk=campaign.pk).values().get()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "order_earnings", broken)
    with pytest.raises(RuntimeError):
        campaign_preview(campaign=campaign, days=30)
    assert Campaign.objects.filter(pk=campaign.pk).values().get() == stored


# --- Who may -----------------------------------------------------------------------


def test_staff_without_the_rights_reach_none_of_it(client, editor, agent, last_month):
    tier = last_month["gold"]
    campaign = campaign_of()
    urls = (
        TIERS,
        TIER_ADD,
        reverse("loyalty_tier:edit", args=[tier.pk]),
        reverse("loyalty_tier:delete", args=[tier.pk]),
        CAMPAIGNS,
        CAMPAIGN_ADD,
        reverse("loyalty_campaign:edit", args=[campaign.pk]),
        preview_url(campaign),
    )
    for user in (editor, agent):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (302, 403), url
            assert response.status_code == 403 or response.url == reverse("wagtailadmin_home")
        response = client.post(reverse("loyalty_tier:delete", args=[tier.pk]))
        assert response.status_code in (302, 403)
        response = client.post(CAMPAIGN_ADD, campaign_data(name="Sneaky"))
        assert response.status_code in (302, 403)
    assert Tier.objects.filter(pk=tier.pk).exists()
    assert not Campaign.objects.filter(name="Sneaky").exists()
    assert Order.objects.count() == 7
