"""The loyalty program's staff side in Wagtail admin: earning rules, members, manual
adjustments and the ledger export."""

import csv
import io
import uuid

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from loyalty import rules, services
from loyalty.models import Account, EarningRule, Entry, Lot
from loyalty.wagtail_hooks import LoyaltyViewSetGroup
from portal.groups import EDITORS, MARKETERS, SUPPORT_AGENTS
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

RULES = reverse("loyalty_earningrule:index")
MEMBERS = reverse("loyalty_account:index")
MEMBERS_RESULTS = reverse("loyalty_account:index_results")
EXPORT = reverse("loyalty_account:export")
ADMIN_LOGIN = reverse("wagtailadmin_login")


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


@pytest.fixture
def member(program):
    """Mira: a member with 120 available points (a staff gift) and an order's pending 100."""
    account = Account.objects.create(email="mira@example.com", joined_at=timezone.now())
    services.points_adjust(
        account_id=account.pk, points=120, staff=None, reason="Welcome gift", key="setup:1"
    )
    return account


@pytest.fixture
def guest(program):
    return Account.objects.create(email="=cmd|guest@example.com")


def member_url(account):
    return reverse("loyalty_account:inspect", args=[account.pk])


def adjust_url(account):
    return reverse("loyalty_account:adjust", args=[account.pk])


def adjust(client, account, points, reason="Parcel lost", key=None):
    return client.post(
        adjust_url(account),
        {"points": points, "reason": reason, "key": str(key or uuid.uuid4())},
    )


def edit_rule(client, rule, **changes):
    data = {
        "name": rule.name,
        "kind": rule.kind,
        "points": rule.points,
        "per_amount": str(rule.per_amount),
        "currency": rule.currency,
        "active": "on" if rule.active else "",
        **changes,
    }
    return client.post(reverse("loyalty_earningrule:edit", args=[rule.pk]), data)


# --- Earning rules ------------------------------------------------------------------


def test_changing_what_a_rule_pays_bumps_its_version_and_renaming_does_not(
    client, marketer, spend_rule
):
    client.force_login(marketer)

    response = edit_rule(client, spend_rule, name="Points on everything", active="")
    assert response.status_code == 302
    spend_rule.refresh_from_db()
    assert (spend_rule.name, spend_rule.active, spend_rule.version) == (
        "Points on everything",
        False,
        1,
    )

    edit_rule(client, spend_rule, points=2)
    spend_rule.refresh_from_db()
    assert (spend_rule.points, spend_rule.version) == (2, 2)

    edit_rule(client, spend_rule, per_amount="1.00")  # the same amount, written differently
    spend_rule.refresh_from_db()
    assert spend_rule.version == 2

    edit_rule(client, spend_rule, currency="try")
    spend_rule.refresh_from_db()
    assert (spend_rule.currency, spend_rule.version) == ("TRY", 3)


def test_lots_keep_the_version_their_points_were_earned_at(store, spend_rule):
    store.order("A-1")
    spend_rule.points = 3
    rules.rule_save(rule=spend_rule)
    store.order("A-2", email="other@example.com")
    assert sorted(Lot.objects.values_list("rule_version", "points")) == [(1, 100), (2, 300)]


def test_a_stale_form_saving_old_points_makes_a_new_version_not_an_old_one(spend_rule):
    stale = EarningRule.objects.get(pk=spend_rule.pk)
    spend_rule.points = 5
    rules.rule_save(rule=spend_rule)
    # A form opened before that change writes points=1 back: that pays differently from
    # version 2, so it is version 3 (never 1 again, which lots already name).
    stale.name = "Renamed"
    rules.rule_save(rule=stale)
    spend_rule.refresh_from_db()
    assert (spend_rule.name, spend_rule.points, spend_rule.version) == ("Renamed", 1, 3)
    rules.rule_save(rule=spend_rule)  # saved unchanged: no new version
    spend_rule.refresh_from_db()
    assert spend_rule.version == 3


def test_a_marketer_adds_a_rule_and_a_bad_currency_is_a_form_error(client, marketer, program):
    client.force_login(marketer)
    data = {"name": "Lira", "kind": "spend", "points": 1, "per_amount": "30", "active": "on"}

    bad = client.post(reverse("loyalty_earningrule:add"), {**data, "currency": "lira"})
    assert bad.status_code == 200 and not EarningRule.objects.exists()

    ok = client.post(reverse("loyalty_earningrule:add"), {**data, "currency": "try"})
    assert ok.status_code == 302
    assert EarningRule.objects.values_list("currency", "version").get() == ("TRY", 1)


def test_the_loyalty_menu_offers_rules_members_rewards_codes_and_program_settings(
    client, marketer, rf
):
    request = rf.get("/admin/")
    request.user = marketer
    submenu = LoyaltyViewSetGroup().get_menu_item().menu.menu_items_for_request(request)
    # As Wagtail renders them: by their order.
    assert [item.url for item in sorted(submenu, key=lambda item: item.order)] == [
        reverse("loyalty_dashboard"),
        RULES,
        reverse("loyalty_tier:index"),
        reverse("loyalty_campaign:index"),
        MEMBERS,
        reverse("loyalty_reward:index"),
        reverse("loyalty_redemption:index"),
        reverse("loyalty_referral:index"),
        reverse("wagtailsettings:edit", args=["loyalty", "programsettings"]),
    ]
    client.force_login(marketer)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert RULES in home and MEMBERS in home
    assert reverse("wagtailsettings:edit", args=["loyalty", "programsettings"]) in home
    settings_page = client.get(
        reverse("wagtailsettings:edit", args=["loyalty", "programsettings"]), follow=True
    )
    assert settings_page.status_code == 200
    assert settings_page.redirect_chain[-1][0] != reverse("wagtailadmin_home")
    assert "return_window_days" in settings_page.content.decode()


# --- Members ------------------------------------------------------------------------


def listed(response):
    return {a.email for a in response.context["object_list"]}


def test_members_are_listed_searched_and_filtered(client, agent, member, guest):
    client.force_login(agent)
    response = client.get(MEMBERS)
    assert response.status_code == 200
    assert listed(response) == {"mira@example.com", "=cmd|guest@example.com"}
    assert listed(client.get(MEMBERS_RESULTS, {"q": "mira"})) == {"mira@example.com"}
    assert listed(client.get(MEMBERS_RESULTS, {"status": "member"})) == {"mira@example.com"}
    assert listed(client.get(MEMBERS_RESULTS, {"status": "guest"})) == {"=cmd|guest@example.com"}


def test_member_page_shows_balances_lots_and_paginated_ledger(client, agent, member):
    for n in range(55):
        services.points_adjust(
            account_id=member.pk, points=1, staff=agent, reason=f"Gift {n}", key=f"g:{n}"
        )
    client.force_login(agent)

    first = client.get(member_url(member))
    assert first.status_code == 200
    html = first.content.decode()
    assert "mira@example.com" in html and "175" in html  # 120 + 55 available
    assert "Gift 54" in html and "agent@example.com" in html
    entries = first.context["entries"]
    assert entries.paginator.count == 56 and len(entries.object_list) == 50
    assert "Welcome gift" not in {e.note for e in entries.object_list}
    assert first.context["lots"].paginator.count == 56

    second = client.get(member_url(member), {"page": 2})
    assert "Welcome gift" in {e.note for e in second.context["entries"].object_list}
    assert 'href="?page=1#' in second.content.decode()


# --- Adjustments --------------------------------------------------------------------


def test_a_marketer_adjusts_points_and_the_same_form_twice_adjusts_once(client, marketer, member):
    client.force_login(marketer)
    key = uuid.uuid4()

    first = adjust(client, member, 30, key=key)
    second = adjust(client, member, 30, key=key)  # a double click
    assert first.status_code == second.status_code == 302
    assert first["Location"] == member_url(member)

    member.refresh_from_db()
    assert member.available == 150
    entry = Entry.objects.get(kind=Entry.Kind.ADJUST, staff=marketer)
    assert (entry.points, entry.note) == (30, "Parcel lost")
    assert services.ledger_check() == []


def test_each_shown_form_carries_a_new_key(client, agent, member):
    client.force_login(agent)
    keys = {client.get(member_url(member)).context["form"]["key"].value() for _ in range(2)}
    assert len(keys) == 2


def test_removing_more_than_available_is_a_form_error_not_a_500(client, agent, member):
    client.force_login(agent)
    response = adjust(client, member, -500)
    assert response.status_code == 400
    assert "Only 120 points are available" in response.content.decode()
    member.refresh_from_db()
    assert member.available == 120

    assert adjust(client, member, -20).status_code == 302
    member.refresh_from_db()
    assert member.available == 100


@pytest.mark.parametrize(
    "data",
    [
        {"points": 0, "reason": "Nothing"},
        {"points": 10, "reason": "   "},
        {"points": "ten", "reason": "Typo"},
        {"points": 10**9, "reason": "Too many"},
        {"points": 10, "reason": "No key", "key": "not-a-uuid"},
    ],
)
def test_invalid_adjustments_change_nothing(client, agent, member, data):
    client.force_login(agent)
    response = client.post(adjust_url(member), {"key": str(uuid.uuid4()), **data})
    assert response.status_code == 400
    assert Entry.objects.count() == 1


def test_an_editor_cannot_see_members_or_adjust(client, editor, member):
    client.force_login(editor)
    for response in (
        client.get(MEMBERS),
        client.get(member_url(member)),
        adjust(client, member, 10),
        client.get(EXPORT),
        client.get(RULES),
    ):
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"] == reverse("wagtailadmin_home")
    member.refresh_from_db()
    assert member.available == 120


def test_a_marketer_without_adjust_sees_the_member_but_no_form(client, marketer, member):
    group = Group.objects.get(name=MARKETERS)
    group.permissions.remove(group.permissions.get(codename="adjust_account"))
    client.force_login(marketer)
    page = client.get(member_url(member))
    assert page.status_code == 200 and page.context["form"] is None
    assert adjust(client, member, 10).status_code == 302
    assert Entry.objects.count() == 1


@pytest.mark.parametrize("signed_in", [False, True])
def test_customers_and_visitors_are_sent_to_the_admin_login(client, member, signed_in):
    if signed_in:
        client.force_login(UserFactory(email="shopper@example.com"))
    for response in (
        client.get(MEMBERS),
        client.get(member_url(member)),
        adjust(client, member, 10),
        client.get(EXPORT),
        client.get(RULES),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(ADMIN_LOGIN)
    assert Entry.objects.count() == 1


# --- Export -------------------------------------------------------------------------


def rows(response):
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_ledger_exports_as_streamed_csv(client, agent, store, spend_rule, member, guest):
    store.order()  # Mira's order: 100 pending
    services.points_adjust(
        account_id=guest.pk, points=5, staff=agent, reason="=HYPERLINK(evil)", key="g:1"
    )
    client.force_login(agent)

    everything = rows(client.get(EXPORT))
    assert list(everything[0]) == [
        "created_at",
        "account_email",
        "kind",
        "pending_delta",
        "available_delta",
        "lifetime_delta",
        "forgiven",
        "key",
        "order_number",
        "note",
        "staff_email",
    ]
    assert len(everything) == Entry.objects.count() == 3
    earn = next(r for r in everything if r["kind"] == "earn")
    assert (earn["account_email"], earn["pending_delta"], earn["order_number"]) == (
        "mira@example.com",
        "100",
        "#A-1",
    )
    gift = next(r for r in everything if r["key"] == "g:1")
    # Text a spreadsheet would run as a formula is quoted; numbers stay numbers.
    assert gift["note"] == "'=HYPERLINK(evil)"
    assert gift["account_email"] == "'=cmd|guest@example.com"
    assert (gift["available_delta"], gift["staff_email"]) == ("5", "agent@example.com")

    one = rows(client.get(reverse("loyalty_account:export_member", args=[member.pk])))
    assert {r["account_email"] for r in one} == {"mira@example.com"} and len(one) == 2


# --- Birthdays ----------------------------------------------------------------------


def birthday_url(account):
    return reverse("loyalty_account:birthday", args=[account.pk])


def test_staff_who_adjust_points_correct_a_members_birthday(client, agent, member):
    from datetime import date

    services.birthday_set(account_id=member.pk, month=3, day=4)
    client.force_login(agent)
    page = client.get(member_url(member)).content.decode()
    assert "Correct the birthday" in page and "March 4" in page
    response = client.post(birthday_url(member), {"month": "4", "day": "31"})
    assert response.status_code == 400
    assert "April has only 30 days" in response.content.decode()
    member.refresh_from_db()
    assert member.birthday == date(2000, 3, 4)  # unchanged by the refused date
    before = timezone.now()
    response = client.post(birthday_url(member), {"month": "4", "day": "30"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.birthday == date(2000, 4, 30)
    # Corrected now: the notice rule counts from the correction.
    assert member.birthday_given_at >= before


def test_staff_without_the_adjust_right_cannot_correct_a_birthday(client, editor, member):
    client.force_login(editor)
    response = client.post(birthday_url(member), {"month": "4", "day": "30"})
    assert response.status_code in (302, 403)
    member.refresh_from_db()
    assert member.birthday is None


def test_a_guest_account_has_no_birthday_form(client, agent, guest):
    client.force_login(agent)
    page = client.get(member_url(guest)).content.decode()
    assert "Correct the birthday" not in page
