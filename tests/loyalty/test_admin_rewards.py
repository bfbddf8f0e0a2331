"""Rewards and reward codes in Wagtail admin: the catalog a marketer edits, the codes
members bought, and voiding a code (its points go back)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from loyalty import services
from loyalty.models import Account, Entry, Redemption, Reward
from portal.groups import EDITORS, MARKETERS, SUPPORT_AGENTS
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

REWARDS = reverse("loyalty_reward:index")
ADD = reverse("loyalty_reward:add")
CODES = reverse("loyalty_redemption:index")
CODES_RESULTS = reverse("loyalty_redemption:index_results")


def staff(group_name, email):
    user = UserFactory(email=email, is_staff=False)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def marketer():
    return staff(MARKETERS, "marketer@example.com")


@pytest.fixture
def agent():
    return staff(SUPPORT_AGENTS, "agent@example.com")


@pytest.fixture
def editor():
    return staff(EDITORS, "editor@example.com")


@pytest.fixture(autouse=True)
def portico_codes(settings):
    # Without Stripe a reward is a Portico code: no network in these tests.
    settings.STRIPE_API_KEY = ""


@pytest.fixture
def member(program):
    """Mira: a member with 1,000 available points (a staff gift)."""
    account = Account.objects.create(email="mira@example.com", joined_at=timezone.now())
    services.points_adjust(
        account_id=account.pk, points=1000, staff=None, reason="Welcome gift", key="setup:1"
    )
    return account


@pytest.fixture
def shipping(db):
    return Reward.objects.create(
        name="Free shipping", kind=Reward.Kind.FREE_SHIPPING, points_cost=300
    )


@pytest.fixture
def code(member, shipping):
    return services.reward_redeem(account_id=member.pk, reward_id=shipping.pk, request_key="k1")


def available(account):
    return Account.objects.get(pk=account.pk).available


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def reward_data(**changes):
    data = {
        "name": "A reward",
        "description": "",
        "kind": "free_shipping",
        "points_cost": "300",
        "amount": "",
        "currency": "",
        "percent": "",
        "product_sku": "",
        "minimum_order": "",
        "starts_at": "",
        "ends_at": "",
        "stock": "",
        "per_customer_limit": "",
        "active": "on",
    }
    data.update(changes)
    return data


def inspect_url(redemption):
    return reverse("loyalty_redemption:inspect", args=[redemption.pk])


def void_url(redemption):
    return reverse("loyalty_redemption:void", args=[redemption.pk])


# --- The catalog --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "stored"),
    [
        (
            {"kind": "amount_off", "amount": "5.00", "currency": "gbp", "minimum_order": "20"},
            {"amount": Decimal("5.00"), "currency": "GBP", "minimum_order": Decimal("20.00")},
        ),
        ({"kind": "percent_off", "percent": "100"}, {"percent": 100}),
        ({"kind": "free_shipping"}, {}),
        ({"kind": "free_product", "product_sku": " MUG-STONE "}, {"product_sku": "MUG-STONE"}),
    ],
)
def test_a_marketer_creates_each_kind_of_reward(client, marketer, changes, stored):
    client.force_login(marketer)
    response = client.post(ADD, reward_data(**changes))
    assert response.status_code == 302
    reward = Reward.objects.get()
    assert reward.kind == changes["kind"]
    for field, value in stored.items():
        assert getattr(reward, field) == value


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"kind": "amount_off"}, {"amount", "currency"}),
        ({"kind": "amount_off", "amount": "0", "currency": "GBP"}, {"amount"}),
        ({"kind": "amount_off", "amount": "5", "currency": ""}, {"currency"}),
        ({"kind": "amount_off", "amount": "5", "currency": "pounds"}, {"currency"}),
        ({"kind": "percent_off"}, {"percent"}),
        ({"kind": "percent_off", "percent": "0"}, {"percent"}),
        ({"kind": "percent_off", "percent": "101"}, {"percent"}),
        ({"kind": "free_product", "product_sku": "  "}, {"product_sku"}),
        ({"minimum_order": "20"}, {"currency"}),
        ({"points_cost": "0"}, {"points_cost"}),
        (
            {"starts_at": "2026-06-01 10:00", "ends_at": "2026-06-01 10:00"},
            {"ends_at"},
        ),
    ],
)
def test_an_invalid_reward_is_field_errors_not_a_500(client, marketer, changes, errors):
    client.force_login(marketer)
    response = client.post(ADD, reward_data(**changes))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == errors
    assert not Reward.objects.exists()


def test_changing_a_reward_kind_leaves_nothing_of_the_old_kind(client, marketer):
    reward = Reward.objects.create(
        name="£5 off", kind="amount_off", points_cost=500, amount=Decimal("5"), currency="GBP"
    )
    client.force_login(marketer)
    edit = reverse("loyalty_reward:edit", args=[reward.pk])
    response = client.post(edit, reward_data(name="10% off", kind="percent_off", percent="10"))
    assert response.status_code == 302
    reward.refresh_from_db()
    assert (reward.kind, reward.percent, reward.amount) == ("percent_off", 10, None)


def test_the_catalog_shows_stock_left_after_live_codes(client, marketer, member, shipping):
    shipping.stock = 5
    shipping.save()
    for key in ("a", "b"):
        services.reward_redeem(account_id=member.pk, reward_id=shipping.pk, request_key=key)
    services.redemption_void(
        redemption_id=Redemption.objects.get(request_key="b").pk, reason="Changed mind"
    )
    client.force_login(marketer)
    response = client.get(REWARDS)
    assert response.status_code == 200
    (row,) = [r for r in response.context["object_list"] if r.pk == shipping.pk]
    assert (row.redeemed, row.stock_left) == (1, 4)  # the voided code gave its stock back
    shipping.stock = None
    shipping.save()
    assert "No limit" in client.get(REWARDS).content.decode()


def test_a_reward_with_codes_is_not_deleted_but_says_to_make_it_inactive(
    client, admin_user, code, shipping
):
    client.force_login(admin_user)
    delete = reverse("loyalty_reward:delete", args=[shipping.pk])
    response = client.post(delete)
    assert response.status_code == 302
    assert Reward.objects.filter(pk=shipping.pk).exists()
    assert any("make it inactive" in m for m in messages_of(response))
    unbought = Reward.objects.create(name="Unbought", kind="free_shipping", points_cost=1)
    client.post(reverse("loyalty_reward:delete", args=[unbought.pk]))
    assert not Reward.objects.filter(pk=unbought.pk).exists()


# --- Reward codes -------------------------------------------------------------------


def test_codes_are_found_by_code_or_email_and_filtered_by_status(client, agent, code, member):
    other = Account.objects.create(email="omar@example.com", joined_at=timezone.now())
    services.points_adjust(account_id=other.pk, points=300, staff=None, reason="x", key="o")
    omar = services.reward_redeem(account_id=other.pk, reward_id=code.reward_id, request_key="o")
    services.redemption_void(redemption_id=omar.pk, reason="Duplicate")
    client.force_login(agent)

    def listed(**params):
        response = client.get(CODES_RESULTS, params)
        assert response.status_code == 200
        return {r.code for r in response.context["object_list"]}

    assert listed() == {code.code, omar.code}
    assert listed(q=code.code.lower()) == {code.code}
    assert listed(q="omar@") == {omar.code}
    assert listed(status="voided") == {omar.code}
    assert listed(status="issued") == {code.code}
    page = client.get(CODES).content.decode()
    assert code.code in page and "mira@example.com" in page


def test_a_support_agent_voids_a_code_and_the_points_come_back(client, agent, code, member):
    assert available(member) == 700
    client.force_login(agent)
    page = client.get(inspect_url(code)).content.decode()
    assert void_url(code) in page

    response = client.post(void_url(code), {"reason": "Ordered by phone"})

    assert response.status_code == 302 and response.url == inspect_url(code)
    code.refresh_from_db()
    assert (code.status, code.error) == (Redemption.Status.VOIDED, "Ordered by phone")
    assert available(member) == 1000
    assert Entry.objects.get(key=f"restore:redemption:{code.pk}").available_delta == 300
    assert services.ledger_check() == []
    assert any("voided" in m for m in messages_of(response))
    # The code's page no longer offers voiding, and a second post gives nothing back twice.
    assert void_url(code) not in client.get(inspect_url(code)).content.decode()
    client.post(void_url(code), {"reason": "Again"})
    assert available(member) == 1000
    assert Entry.objects.filter(kind=Entry.Kind.RESTORE).count() == 1


def test_a_marketer_voids_a_code_and_must_say_why(client, marketer, code, member):
    client.force_login(marketer)
    response = client.post(void_url(code), {"reason": "  "})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    code.refresh_from_db()
    assert code.status == Redemption.Status.ISSUED and available(member) == 700

    assert client.post(void_url(code), {"reason": "Goodwill"}).status_code == 302
    assert available(member) == 1000
    assert services.ledger_check() == []


def test_a_used_code_cannot_be_voided_and_says_so(client, agent, code, member):
    Redemption.objects.filter(pk=code.pk).update(
        status=Redemption.Status.USED, used_at=timezone.now()
    )
    client.force_login(agent)
    assert void_url(code) not in client.get(inspect_url(code)).content.decode()

    response = client.post(void_url(code), {"reason": "Please"}, follow=True)

    assert response.status_code == 200
    assert any("cannot be voided" in m for m in messages_of(response))
    code.refresh_from_db()
    assert code.status == Redemption.Status.USED
    assert available(member) == 700
    assert not Entry.objects.filter(kind=Entry.Kind.RESTORE).exists()


def test_the_member_page_lists_their_codes(client, agent, code, member):
    client.force_login(agent)
    page = client.get(reverse("loyalty_account:inspect", args=[member.pk])).content.decode()
    assert code.code in page and inspect_url(code) in page


# --- Who may -----------------------------------------------------------------------


def test_an_editor_reaches_none_of_it(client, editor, code, shipping):
    client.force_login(editor)
    for url in (
        REWARDS,
        ADD,
        reverse("loyalty_reward:edit", args=[shipping.pk]),
        CODES,
        inspect_url(code),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert response.status_code == 403 or response.url == reverse("wagtailadmin_home")
    response = client.post(void_url(code), {"reason": "Because"})
    assert response.status_code in (302, 403)
    code.refresh_from_db()
    assert code.status == Redemption.Status.ISSUED


def test_a_support_agent_sees_codes_but_cannot_edit_rewards(client, agent, code, shipping):
    client.force_login(agent)
    assert client.get(CODES).status_code == 200
    for url in (ADD, reverse("loyalty_reward:edit", args=[shipping.pk])):
        response = client.get(url)
        assert response.status_code in (302, 403), url
    response = client.post(ADD, reward_data(name="Sneaky"))
    assert response.status_code in (302, 403)
    assert not Reward.objects.filter(name="Sneaky").exists()


def test_a_stripe_code_stripe_cannot_switch_off_is_not_voided_and_says_so(
    client, program, user_factory, admin_user, settings
):
    from loyalty.models import Account, Redemption, Reward
    from tests.orders.fake_stripe import FakeStripe

    with FakeStripe(api_key="sk_test_void") as fake:
        settings.STRIPE_API_KEY, settings.STRIPE_API_BASE = "sk_test_void", fake.url
        account = services.member_join(user=user_factory(email="void@example.com"))
        services.points_adjust(
            account_id=account.pk, points=500, staff=admin_user, reason="seed", key="seed"
        )
        reward = Reward.objects.create(
            name="10% off", kind=Reward.Kind.PERCENT_OFF, points_cost=100, percent=10
        )
        redemption = services.reward_redeem(
            account_id=account.pk, reward_id=reward.pk, request_key="k"
        )
        fake.failing = True
        client.force_login(admin_user)
        url = reverse("loyalty_redemption:void", args=[redemption.pk])
        response = client.post(url, {"reason": "lost"}, follow=True)
    assert response.status_code == 200
    assert "could not switch code" in response.content.decode()
    assert Redemption.objects.get(pk=redemption.pk).status == Redemption.Status.ISSUED
    assert Account.objects.get(pk=account.pk).available == 400
