"""The customer's rewards page, for a visitor, a signed-in customer and a member, with real
points made the way production makes them: store events through the order mirror."""

import re
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
    Redemption,
    Reward,
    Tier,
)
from tests.loyalty.conftest import PAID

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

    # The user (the session comes from the cache), program settings, the account (with
    # its tier), the rules, the open lots, the entries' count and their page, the rewards
    # (with their live and own codes counted), the codes, whether there are tiers, the
    # qualifying points and the next tier, and the shell's site, branding and locale.
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


QUERIES = 15


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
