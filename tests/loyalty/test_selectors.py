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
