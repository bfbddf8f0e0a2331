"""The customer's rewards page, for a visitor, a signed-in customer and a member, with real
points made the way production makes them: store events through the order mirror."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from loyalty import services
from loyalty.models import (
    Account,
    EarningRule,
    Entry,
    Lot,
    ProgramSettings,
    Redemption,
    Reward,
    Tier,
)
from tests.loyalty.conftest import PAID
from tests.orders.fake_stripe import FakeStripe

pytestmark = pytest.mark.django_db

URL = "/rewards/"


def text(response) -> str:
    """The page's visible words, tags dropped and spaces collapsed."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


def history(response) -> str:
    """The words of the history table only."""
    html = response.content.decode()
    table = html[html.index('class="points-table points-history"') :]
    table = table[: table.index("</table>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table)).strip()


def history_rows(response) -> int:
    return response.content.decode().count('class="points-history__entry"')


@pytest.fixture
def ada(user_factory):
    return user_factory(email="ada@example.com")


@pytest.fixture
def member(ada, program):
    services.member_join(user=ada)
    return ada


def history_of(store, email: str, entries: int, order: str = "H") -> Account:
    """An account with ``entries`` ledger entries, oldest first: a paid order every third
    entry, staff additions between them (each a lot of its own, so lots grow too)."""
    for i in range(entries):
        if i % 3 == 0:
            store.order(f"{order}-{i}", email=email)
            account = Account.objects.get(email=email)
        else:
            services.points_adjust(
                account_id=account.pk,
                points=5,
                staff=None,
                reason=f"Thanks {i}",
                key=f"{email}:{i}",
            )
    assert Entry.objects.filter(account=account).count() == entries
    return account


# --- A visitor ----------------------------------------------------------------------------


def test_a_visitor_reads_how_it_works_and_the_rules_in_words(client, program, spend_rule):
    spend_rule.currency = "EUR"
    spend_rule.save()
    EarningRule.objects.create(name="Welcome", kind=EarningRule.Kind.SIGNUP, points=50)
    EarningRule.objects.create(name="First", kind=EarningRule.Kind.FIRST_ORDER, points=1200)
    EarningRule.objects.create(name="Old", kind=EarningRule.Kind.BIRTHDAY, points=77, active=False)
    program.how_it_works = "<p>Collect points, <b>spend them</b> on anything.</p>"
    program.save()

    response = client.get(URL)

    assert response.status_code == 200
    page = text(response)
    assert "Collect points, spend them on anything." in page
    assert "<b>spend them</b>" in response.content.decode()
    assert "1 point for every €1.00 you spend" in page
    assert "50 bonus points when you join" in page
    assert "1,200 extra points on your first order" in page
    assert "77" not in page  # an inactive rule is not offered
    assert "become available 30 days after it is paid" in page
    assert "Points expire 12 months after you earn them." in page


def test_a_visitor_is_offered_sign_up_and_sign_in_that_come_back_here(client, program):
    html = client.get(URL).content.decode()
    assert f'href="{reverse("account_signup")}?next=/rewards/"' in html
    assert f'href="{reverse("account_login")}?next=/rewards/"' in html
    assert reverse("loyalty:join") not in html  # no join form without an account
    assert "Your points" not in html


def test_the_url_name_is_what_the_home_page_quick_link_resolves():
    assert reverse("loyalty:rewards") == "/rewards/"


# --- Signed in, not a member --------------------------------------------------------------


def test_a_customer_who_is_not_a_member_gets_a_join_button(client, ada, program):
    client.force_login(ada)
    html = client.get(URL).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form.group(1) == "/rewards/join/"
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert "Join the rewards program" in form.group(2)
    assert "Your points" not in html


def test_points_waiting_against_a_verified_email_are_shown_before_joining(
    client, ada, store, spend_rule
):
    store.order(email="ADA@example.com")
    client.force_login(ada)
    page = text(client.get(URL))
    assert "100 points are waiting for you" in page  # 120 total less shipping and tax


def test_an_unverified_email_shows_no_waiting_points_and_cannot_join(
    client, user_factory, store, spend_rule
):
    store.order(email="eve@example.com")
    eve = user_factory(email="eve@example.com", verified=False)
    client.force_login(eve)
    assert "waiting for you" not in text(client.get(URL))

    response = client.post(reverse("loyalty:join"), follow=True)

    assert "verify your email address" in text(response)
    account = Account.objects.get(email="eve@example.com")
    assert account.user is None and not account.is_member


# --- Joining ------------------------------------------------------------------------------


def test_joining_makes_a_member_once_with_one_sign_up_bonus(client, ada, program):
    EarningRule.objects.create(name="Welcome", kind=EarningRule.Kind.SIGNUP, points=50)
    client.force_login(ada)

    response = client.post(reverse("loyalty:join"))
    assert response.status_code == 302 and response["Location"] == URL
    again = client.post(reverse("loyalty:join"), follow=True)

    account = Account.objects.get(user=ada)
    assert account.is_member
    assert (account.available, Entry.objects.filter(account=account).count()) == (50, 1)
    page = text(again)
    assert "You are already a member." in page
    assert "Available to spend 50" in page
    assert "Sign-up bonus" in page


def test_joining_claims_the_points_that_waited(client, ada, store, spend_rule):
    store.order(email="ada@example.com")
    client.force_login(ada)
    response = client.post(reverse("loyalty:join"), follow=True)
    page = text(response)
    assert "You are now a member." in page
    assert "Pending 100" in page
    assert Account.objects.get(email="ada@example.com").user == ada


def test_join_is_post_only(client, ada, program):
    client.force_login(ada)
    assert client.get(reverse("loyalty:join")).status_code == 405
    assert not Account.objects.filter(user=ada).exists()


def test_join_refuses_a_post_without_the_csrf_token(ada, program):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    assert client.post(reverse("loyalty:join")).status_code == 403
    assert not Account.objects.filter(user=ada).exists()


def test_join_with_the_csrf_token_from_the_page_works(ada, program):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    html = client.get(URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert client.post(reverse("loyalty:join"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert Account.objects.get(user=ada).is_member


def test_a_visitor_who_presses_join_is_sent_to_sign_in_and_back_to_the_page(client, program):
    response = client.post(reverse("loyalty:join"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/rewards/"
    assert not Account.objects.exists()


def test_a_closed_program_takes_no_new_members(client, ada, program):
    program.enabled = False
    program.save()
    client.force_login(ada)
    response = client.post(reverse("loyalty:join"), follow=True)
    assert "closed to new members" in text(response)
    assert not Account.objects.filter(user=ada, joined_at__isnull=False).exists()


# --- A member -----------------------------------------------------------------------------


def test_a_member_sees_balances_pending_dates_and_every_expiry(client, member, store, spend_rule):
    store.order("A-1", email="ada@example.com")  # 100 pending until 1 July 2026
    account = Account.objects.get(user=member)
    for key, points in (("adj:1", 1234), ("adj:2", 10)):
        services.points_adjust(
            account_id=account.pk, points=points, staff=None, reason="Goodwill", key=key
        )
    soon, later = Lot.objects.filter(account=account, status=Lot.Status.AVAILABLE).order_by("pk")
    now = timezone.now()
    Lot.objects.filter(pk=soon.pk).update(expires_at=now + timedelta(days=3))
    Lot.objects.filter(pk=later.pk).update(expires_at=now + timedelta(days=200))

    client.force_login(member)
    response = client.get(URL)

    page = text(response)
    assert "Available to spend 1,244" in page
    assert "Pending 100" in page
    assert "Earned in total 100" in page  # staff additions are not earnings
    assert "100 July 1, 2026 Order #A-1" in page
    assert "1,234 points expiring soon" in page
    html = response.content.decode()
    for lot_expiry in (now + timedelta(days=3), now + timedelta(days=200)):
        assert f'datetime="{lot_expiry.isoformat()}"' in html, lot_expiry


def test_the_history_says_each_cause_in_words(client, member, store, spend_rule):
    store.order("A-1", email="ada@example.com")
    store.refund("R1", lines=[("L1", 1, "20")])  # one of two mugs: 20 of 100 points back
    account = Account.objects.get(user=member)
    services.points_release_due(now=PAID + timedelta(days=31))
    services.points_spend(account_id=account.pk, points=30, key="r:1", note="Free shipping")
    services.points_adjust(
        account_id=account.pk, points=25, staff=None, reason="Sorry for the wait", key="a:1"
    )
    order_lot = Lot.objects.get(account=account, order__isnull=False)
    services.lot_expire(lot_id=order_lot.pk, now=PAID + timedelta(days=400))

    client.force_login(member)
    page = text(client.get(URL))

    history = page[page.index("History") : page.index("How it works")]
    expected = [
        "Expired −50",
        "Adjusted: Sorry for the wait +25",
        "Spent on Free shipping −30",
        "Became available Order #A-1 80",
        "Refund on order #A-1 −20",
        "Order #A-1 +100",
    ]
    positions = [history.index(line) for line in expected]
    assert positions == sorted(positions), history


def test_a_cancelled_order_is_named_as_such(client, member, store, spend_rule):
    store.order("A-1", email="ada@example.com")
    store.order(
        "A-1",
        email="ada@example.com",
        cancelled_at=PAID + timedelta(hours=1),
        updated_at=PAID + timedelta(hours=1),
    )
    client.force_login(member)
    assert "Order #A-1 was cancelled −100" in text(client.get(URL))


def test_a_member_never_sees_another_accounts_entries(client, member, user_factory, store):
    EarningRule.objects.create(name="1 per 1", kind=EarningRule.Kind.SPEND, points=1)
    store.order("MINE-1", email="ada@example.com")
    store.order("THEIRS-1", email="lin@example.com")  # points waiting, no user
    lin = user_factory(email="lin@example.com")
    services.member_join(user=lin)
    store.order("THEIRS-2", email="lin@example.com")

    client.force_login(member)
    page = text(client.get(URL))

    assert "Order #MINE-1" in page
    assert "THEIRS" not in page
    assert history_rows(client.get(URL)) == 1
    # A page number is the only thing the URL carries; it cannot name an account.
    assert "THEIRS" not in text(client.get(URL + "?page=2&account=2"))


def test_the_history_is_paginated_twenty_to_a_page(client, member, store, spend_rule):
    history_of(store, "ada@example.com", 45)
    client.force_login(member)

    first = client.get(URL)
    assert history_rows(first) == 20
    assert "45 changes to your points, newest first (page 1 of 3)" in text(first)
    assert 'href="?page=2" rel="next"' in first.content.decode()
    last = client.get(URL + "?page=3")
    assert history_rows(last) == 5
    # The oldest entry, last on the last page.
    assert history(last).endswith("Order #H-0 Pending +100")
    assert 'href="?page=2" rel="prev"' in last.content.decode()
    assert history_rows(client.get(URL + "?page=99")) == 5  # past the end: the last page
    assert history_rows(client.get(URL + "?page=nonsense")) == 20


def test_the_member_page_costs_the_same_queries_whatever_the_history(
    client, member, user_factory, store, spend_rule, settings, django_assert_num_queries
):
    settings.STRIPE_API_KEY = ""
    Tier.objects.create(name="Silver", threshold=Decimal("50"), perks="Free returns")
    Tier.objects.create(name="Gold", threshold=Decimal("5000"))
    reward = Reward.objects.create(
        name="Tote", kind=Reward.Kind.FREE_PRODUCT, points_cost=10, product_sku="TOTE", stock=50
    )
    history_of(store, "ada@example.com", 3)
    ada = Account.objects.get(user=member)
    services.reward_redeem(account_id=ada.pk, reward_id=reward.pk, request_key="ada-1")
    lin = user_factory(email="lin@example.com")
    services.member_join(user=lin)
    client.force_login(member)
    client.get(URL)  # warm per-process caches (content types, the site)

    # Program settings (the user and the session come from the cache), the account (with
    # its tier), the rules, the open lots, the entries' count and their page, the orders
    # of both (on their primary keys), the rewards
    # (with their live and own codes counted), the codes, whether there are tiers, the
    # qualifying points and the next tier, and the shell's site and branding (its footer
    # menu comes from the cache). The ledger's panels are drawn afresh: a new ledger
    # version is a new cache key.
    ledger_changed(member)
    with django_assert_num_queries(QUERIES):
        small = client.get(URL)

    # Many more entries, lots, rewards (with stock and per-customer limits) and codes, one
    # of them used on an order, for the second member.
    history_of(store, "lin@example.com", 60, order="L")
    lin_account = Account.objects.get(user=lin)
    for i in range(6):
        more = Reward.objects.create(
            name=f"Mug {i}",
            kind=Reward.Kind.FREE_PRODUCT,
            points_cost=10 + i,
            product_sku=f"MUG-{i}",
            stock=100,
            per_customer_limit=3,
        )
        services.reward_redeem(account_id=lin_account.pk, reward_id=more.pk, request_key=f"l{i}")
    used = Redemption.objects.filter(account=lin_account).first()
    store.order("L-USED", email="lin@example.com", discount_codes=[used.code])
    assert Redemption.objects.get(pk=used.pk).status == Redemption.Status.USED
    client.force_login(lin)
    client.get(URL)
    ledger_changed(lin)
    with django_assert_num_queries(QUERIES):
        big = client.get(URL)

    assert (history_rows(small), history_rows(big)) == (4, 20)
    assert big.content.decode().count('class="reward-card"') == 7
    assert big.content.decode().count('<li class="code-card') == 6
    assert "Used on order #L-USED" in text(big)
    # Entries of orders on both pages: their order numbers cost no query each (the six
    # newest entries are the codes, then the order of L-USED and the last 13 of history).
    assert history(big).count("Order #L-") == 5
    assert Lot.objects.filter(account__user=lin).count() == 61


QUERIES = 14
# Without the ledger's panels (the open lots, the entries' count and page, their orders,
# whether there are tiers, the qualifying points, the next tier), drawn from the cache.
CACHED_QUERIES = QUERIES - 7


def ledger_changed(user):
    """What every entry posted does to the account: a new ledger version."""
    from django.db.models import F

    Account.objects.filter(user=user).update(ledger_version=F("ledger_version") + 1)


def test_the_ledger_panels_come_from_the_cache_until_the_ledger_changes(
    client, member, store, spend_rule, admin_user, django_assert_num_queries
):
    Tier.objects.create(name="Silver", threshold=Decimal("50"))
    history_of(store, "ada@example.com", 3)
    client.force_login(member)
    first = text(client.get(URL))
    with django_assert_num_queries(CACHED_QUERIES):
        again = text(client.get(URL))
    assert again == first
    ada = Account.objects.get(user=member)
    services.points_adjust(
        account_id=ada.pk, points=7, staff=admin_user, reason="Sorry for the wait", key="k1"
    )
    after = text(client.get(URL))
    assert "Adjusted: Sorry for the wait" in after
    assert after != first
    # Another language is another copy of the panels, not the English one.
    turkish = text(client.get("/tr/rewards/"))
    assert "Puanlarınız" in turkish and "Your points" not in turkish


# --- Rewards and codes --------------------------------------------------------------------

REDEEM = "/rewards/redeem/"


@pytest.fixture
def rich(member, settings):
    """Ada with 500 available points; no Stripe (rewards are Portico codes)."""
    settings.STRIPE_API_KEY = ""
    account = Account.objects.get(user=member)
    services.points_adjust(account_id=account.pk, points=500, staff=None, reason="x", key="seed")
    return member


@pytest.fixture
def ten_off(db):
    return Reward.objects.create(
        name="Ten off",
        description="For your next order.",
        kind=Reward.Kind.AMOUNT_OFF,
        points_cost=200,
        amount=Decimal("10"),
        currency="EUR",
        minimum_order=Decimal("30"),
    )


def offer_forms(html: str) -> dict[str, dict[str, str]]:
    """Each redeem form on the page by reward id: its action and hidden fields."""
    forms = {}
    for action, body in re.findall(
        r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S
    ):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]+)">', body))
        if "reward" in fields:
            forms[fields["reward"]] = {"action": action, **fields}
    return forms


def balance(user) -> int:
    return Account.objects.get(user=user).available


def test_the_catalog_is_in_points_order_and_says_what_each_reward_gives(client, rich, ten_off):
    Reward.objects.create(name="Fifteen", kind=Reward.Kind.PERCENT_OFF, points_cost=150, percent=15)
    Reward.objects.create(name="Shipping", kind=Reward.Kind.FREE_SHIPPING, points_cost=50)
    Reward.objects.create(
        name="Mug", kind=Reward.Kind.FREE_PRODUCT, points_cost=620, product_sku="MUG-1"
    )
    Reward.objects.create(name="Off", kind=Reward.Kind.FREE_SHIPPING, points_cost=1, active=False)
    Reward.objects.create(
        name="Gone",
        kind=Reward.Kind.FREE_SHIPPING,
        points_cost=2,
        ends_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(rich)

    page = text(client.get(URL))

    offers = page[page.index("Rewards you can redeem") : page.index("Your codes")]
    expected = [
        "Shipping 50 points Free shipping Redeem",
        "Fifteen 150 points 15% off Redeem",
        "Ten off 200 points €10.00 off orders over €30.00 For your next order. Redeem",
        "Mug 620 points A free MUG-1 You need 120 more points",
    ]
    positions = [offers.index(line) for line in expected]
    assert positions == sorted(positions), offers
    assert "Off" not in offers.replace("off", "") and "Gone" not in offers


def test_a_member_redeems_a_reward_and_sees_the_code(client, rich, ten_off):
    client.force_login(rich)
    form = offer_forms(client.get(URL).content.decode())[str(ten_off.pk)]
    assert form["action"] == REDEEM
    uuid.UUID(form["request_key"])

    response = client.post(REDEEM, form)

    assert response.status_code == 302 and response["Location"] == "/rewards/#codes"
    redemption = Redemption.objects.get()
    assert redemption.status == Redemption.Status.ISSUED
    assert balance(rich) == 300
    page = text(client.get(response["Location"]))
    assert f"Your code for Ten off is {redemption.code}." in page
    codes = page[page.index("Your codes") :]
    assert f"{redemption.code} Ten off Ready to use" in codes
    assert "Available to spend 300" in page


def test_each_rendering_has_its_own_key(client, rich, ten_off):
    client.force_login(rich)
    first = offer_forms(client.get(URL).content.decode())[str(ten_off.pk)]["request_key"]
    second = offer_forms(client.get(URL).content.decode())[str(ten_off.pk)]["request_key"]
    assert first != second


def test_the_same_form_sent_twice_redeems_once(client, rich, ten_off):
    client.force_login(rich)
    form = offer_forms(client.get(URL).content.decode())[str(ten_off.pk)]

    client.post(REDEEM, form)
    again = client.post(REDEEM, form, follow=True)

    assert Redemption.objects.count() == 1
    assert balance(rich) == 300
    code = Redemption.objects.get().code
    assert f"Your code for Ten off is {code}." in text(again)
    # A new rendering of the page redeems anew.
    fresh = offer_forms(client.get(URL).content.decode())[str(ten_off.pk)]
    client.post(REDEEM, fresh)
    assert Redemption.objects.count() == 2 and balance(rich) == 100


def test_not_enough_points_is_a_message_and_spends_nothing(client, rich, ten_off):
    client.force_login(rich)
    form = offer_forms(client.get(URL).content.decode())[str(ten_off.pk)]
    Reward.objects.filter(pk=ten_off.pk).update(points_cost=1620)  # changed meanwhile

    response = client.post(REDEEM, form, follow=True)

    assert response.status_code == 200
    assert "You need 1,120 more points for this reward." in text(response)
    assert not Redemption.objects.exists() and balance(rich) == 500
    # The page itself offers no button for it, and says why.
    assert str(ten_off.pk) not in offer_forms(response.content.decode())
    assert "You need 1,120 more points" in text(response)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"stock": 0}, "This reward has run out."),
        ({"starts_at": timezone.now() + timedelta(days=3)}, "This reward is not available yet."),
        ({"active": False}, "This reward is not available."),
        ({"ends_at": timezone.now() - timedelta(minutes=1)}, "This reward has ended."),
    ],
)
def test_an_unavailable_reward_says_why_and_spends_nothing(client, rich, ten_off, change, reason):
    client.force_login(rich)
    form = offer_forms(client.get(URL).content.decode())[str(ten_off.pk)]
    Reward.objects.filter(pk=ten_off.pk).update(**change)

    response = client.post(REDEEM, form, follow=True)

    assert response.status_code == 200
    assert reason in text(response)
    assert not Redemption.objects.exists() and balance(rich) == 500


def test_the_page_gives_the_services_reason_instead_of_a_button(client, rich, ten_off):
    Reward.objects.filter(pk=ten_off.pk).update(per_customer_limit=1)
    Reward.objects.create(name="Rare", kind=Reward.Kind.FREE_SHIPPING, points_cost=5, stock=0)
    soon = Reward.objects.create(
        name="Soon",
        kind=Reward.Kind.FREE_SHIPPING,
        points_cost=6,
        starts_at=timezone.now() + timedelta(days=2),
    )
    client.force_login(rich)
    client.post(REDEEM, offer_forms(client.get(URL).content.decode())[str(ten_off.pk)])

    response = client.get(URL)

    page = text(response)
    assert "Rare 5 points Free shipping This reward has run out." in page
    assert "Soon 6 points Free shipping This reward is not available yet." in page
    assert "You have redeemed this reward as many times as it allows." in page
    assert set(offer_forms(response.content.decode())) == set()
    account = Account.objects.get(user=rich)
    for reward in Reward.objects.all():  # the page says what the service would
        assert services.reward_unavailable_reason(reward, account) in page
    assert soon.pk


def test_a_reward_that_does_not_exist_is_a_message(client, rich):
    client.force_login(rich)
    response = client.post(REDEEM, {"reward": 999, "request_key": str(uuid.uuid4())}, follow=True)
    assert response.status_code == 200
    assert "This reward is not available any more." in text(response)


@pytest.mark.parametrize(
    "data",
    [{}, {"reward": "x", "request_key": str(uuid.uuid4())}, {"reward": "1", "request_key": "no"}],
)
def test_a_broken_form_is_a_message(client, rich, ten_off, data):
    client.force_login(rich)
    response = client.post(REDEEM, data, follow=True)
    assert response.status_code == 200
    assert "Something went wrong with that form" in text(response)
    assert not Redemption.objects.exists()


def test_a_customer_who_is_not_a_member_cannot_redeem(client, ada, program, ten_off, store):
    store.order(email="ada@example.com")  # points wait against the email, not joined
    client.force_login(ada)
    html = client.get(URL).content.decode()
    assert offer_forms(html) == {} and "Rewards you can redeem" not in html

    response = client.post(
        REDEEM, {"reward": ten_off.pk, "request_key": str(uuid.uuid4())}, follow=True
    )

    assert "Join the rewards program to redeem rewards." in text(response)
    assert not Redemption.objects.exists()


def test_a_visitor_who_redeems_is_sent_to_sign_in(client, ten_off, program):
    response = client.post(REDEEM, {"reward": ten_off.pk, "request_key": str(uuid.uuid4())})
    assert response["Location"] == f"{reverse('account_login')}?next=/rewards/"
    assert not Redemption.objects.exists()


def test_redeem_is_post_only(client, rich, ten_off):
    client.force_login(rich)
    assert (
        client.get(REDEEM, {"reward": ten_off.pk, "request_key": uuid.uuid4()}).status_code == 405
    )
    assert not Redemption.objects.exists()


def test_redeem_refuses_a_post_without_the_csrf_token(rich, ten_off):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rich)
    response = client.post(REDEEM, {"reward": ten_off.pk, "request_key": str(uuid.uuid4())})
    assert response.status_code == 403 and not Redemption.objects.exists()


def test_a_member_never_sees_another_members_codes(client, rich, ten_off, user_factory):
    lin = user_factory(email="lin@example.com")
    services.member_join(user=lin)
    lin_account = Account.objects.get(user=lin)
    services.points_adjust(account_id=lin_account.pk, points=900, staff=None, reason="x", key="l")
    key = str(uuid.uuid4())
    lins = Client()
    lins.force_login(lin)
    lins.post(REDEEM, {"reward": ten_off.pk, "request_key": key}, follow=True)
    theirs = Redemption.objects.get(account=lin_account)
    client.force_login(rich)

    page = text(client.get(URL))
    assert theirs.code not in page
    assert "Codes you redeem your points for will appear here." in page
    # Nor by sending their form's key: a key names a redemption of the sender's only.
    mine = client.post(REDEEM, {"reward": ten_off.pk, "request_key": key}, follow=True)
    assert theirs.code not in text(mine)
    mine_code = Redemption.objects.get(account__user=rich).code
    assert f"Your code for Ten off is {mine_code}." in text(mine)
    assert balance(rich) == 300 and balance(lin) == 700


def test_codes_are_newest_first_with_their_status_in_words(client, rich, ten_off, store):
    ship = Reward.objects.create(name="Shipping", kind=Reward.Kind.FREE_SHIPPING, points_cost=10)
    account = Account.objects.get(user=rich)
    old = services.reward_redeem(account_id=account.pk, reward_id=ship.pk, request_key="1")
    used = services.reward_redeem(account_id=account.pk, reward_id=ship.pk, request_key="2")
    voided = services.reward_redeem(account_id=account.pk, reward_id=ship.pk, request_key="3")
    new = services.reward_redeem(account_id=account.pk, reward_id=ten_off.pk, request_key="4")
    services.redemption_void(redemption_id=voided.pk, reason="asked")
    store.order("U-1", email="ada@example.com", discount_codes=[used.code.lower()])
    client.force_login(rich)

    page = text(client.get(URL))

    codes = page[page.index("Your codes") :]
    expected = [
        f"{new.code} Ten off Ready to use",
        f"{voided.code} Shipping Voided",
        f"{used.code} Shipping Used on order #U-1",
        f"{old.code} Shipping Ready to use",
    ]
    positions = [codes.index(line) for line in expected]
    assert positions == sorted(positions), codes
    html = client.get(URL).content.decode()
    # Copy buttons for the codes that can still be used only; hidden until the script runs.
    assert html.count('data-copy="code-') == 2
    assert f'data-copy="code-{new.pk}"' in html and f'data-copy="code-{old.pk}"' in html
    assert re.search(r'<button type="button" [^>]*data-copy="code-\d+"[^>]* hidden>', html)
    assert html.count('aria-live="polite"') == 2
    assert '<script src="/static/js/copy-code.js" defer></script>' in html


@pytest.fixture
def stripe(settings):
    with FakeStripe(api_key="sk_test_rewards") as fake:
        settings.STRIPE_API_KEY = "sk_test_rewards"
        settings.STRIPE_API_BASE = fake.url
        yield fake


def test_a_code_stripe_could_not_make_gives_the_points_back_and_says_so(
    client, rich, ten_off, stripe
):
    stripe.failing = True
    client.force_login(rich)
    form = offer_forms(client.get(URL).content.decode())[str(ten_off.pk)]

    response = client.post(REDEEM, form, follow=True)

    assert response.status_code == 200
    page = text(response)
    assert "We could not create your code; your points are back. Please try again." in page
    failed = Redemption.objects.get()
    assert failed.status == Redemption.Status.FAILED and balance(rich) == 500
    assert f"{failed.code} Ten off Could not be issued" in page
    assert f'data-copy="code-{failed.pk}"' not in response.content.decode()
    assert "Available to spend 500" in page

    stripe.failing = False
    retry = offer_forms(response.content.decode())[str(ten_off.pk)]
    ok = client.post(REDEEM, retry, follow=True)
    issued = Redemption.objects.get(status=Redemption.Status.ISSUED)
    assert f"Your code for Ten off is {issued.code}." in text(ok)
    assert issued.stripe_promotion_code_id and balance(rich) == 300


def test_the_redeem_page_in_turkish_comes_back_to_it(client, rich, ten_off):
    client.force_login(rich)
    form = offer_forms(client.get("/tr/rewards/").content.decode())[str(ten_off.pk)]
    assert form["action"] == "/tr/rewards/redeem/"
    response = client.post(form["action"], form)
    assert response["Location"] == "/tr/rewards/#codes"


# --- Tiers --------------------------------------------------------------------------------


def test_without_tiers_there_is_no_tier_section(client, rich):
    client.force_login(rich)
    assert "Your tier" not in text(client.get(URL))


def test_a_member_sees_their_tier_perks_and_progress_to_the_next(client, member, store, spend_rule):
    silver = Tier.objects.create(name="Silver", threshold=Decimal("50"), perks="Free returns")
    Tier.objects.create(name="Gold", threshold=Decimal("450"))
    store.order("A-1", email="ada@example.com")  # 100 points earned this year
    account = Account.objects.get(user=member)
    until = timezone.now() + timedelta(days=100)
    Account.objects.filter(pk=account.pk).update(tier=silver, tier_until=until)
    client.force_login(member)

    response = client.get(URL)

    page = text(response)
    value, upcoming, missing = services.tier_progress(Account.objects.get(pk=account.pk))
    assert (value, upcoming.name, missing) == (100, "Gold", 350)
    tier = page[page.index("Your tier") : page.index("Rewards you can redeem")]
    assert "Silver" in tier and "Free returns" in tier
    assert f"Yours until {until:%B} {until.day}, {until.year}" in tier
    assert "350 more points to Gold" in tier
    html = response.content.decode()
    bar = re.search(r"<progress [^>]*>", html).group(0)
    assert 'max="450.00"' in bar and 'value="100"' in bar
    assert 'aria-labelledby="tier-progress-text"' in bar
    assert 'id="tier-progress-text">350 more points to Gold' in html


def test_a_member_without_a_tier_sees_the_way_to_the_first(client, rich):
    Tier.objects.create(name="Silver", threshold=Decimal("1"))
    client.force_login(rich)
    tier = text(client.get(URL))
    assert "You have not reached a tier yet." in tier
    assert "1 more point to Silver" in tier


def test_at_the_top_tier_the_bar_is_full(client, member, store, spend_rule):
    gold = Tier.objects.create(name="Gold", threshold=Decimal("50"))
    store.order("A-1", email="ada@example.com")
    Account.objects.filter(user=member).update(tier=gold, tier_until=timezone.now())
    client.force_login(member)
    response = client.get(URL)
    assert "You have reached our highest tier." in text(response)
    bar = re.search(r"<progress [^>]*>", response.content.decode()).group(0)
    assert 'max="100"' in bar and 'value="100"' in bar


def test_tiers_reached_by_spending_say_the_amount(client, member, store, spend_rule):
    program = ProgramSettings.load()
    program.tier_basis = ProgramSettings.TierBasis.SPEND
    program.save()
    Tier.objects.create(name="Gold", threshold=Decimal("500"))
    store.order("A-1", email="ada@example.com")  # 120 spent
    client.force_login(member)
    # A threshold has no currency: it is read in the portal's default one.
    assert "Spend $380.00 more to reach Gold" in text(client.get(URL))


# --- Languages ----------------------------------------------------------------------------


def test_the_turkish_page_renders_with_turkish_grouping(client, member, program):
    account = Account.objects.get(user=member)
    services.points_adjust(account_id=account.pk, points=1234, staff=None, reason="x", key="k")
    client.force_login(member)

    response = client.get("/tr/rewards/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="tr"' in html
    assert "1.234" in text(response)
    assert "1,234" in text(client.get(URL))


def test_joining_from_the_turkish_page_comes_back_to_it(client, ada, program):
    client.force_login(ada)
    response = client.post("/tr/rewards/join/")
    assert response["Location"] == "/tr/rewards/"
