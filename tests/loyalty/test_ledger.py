"""The points ledger, driven the way production drives it: store events reach the order
mirror, its signals enqueue the loyalty tasks (run inline here), the services write."""

from datetime import timedelta

import pytest

from loyalty import services
from loyalty.exceptions import InsufficientPoints
from loyalty.models import Account, EarningRule, Entry, Lot, ProgramSettings
from tests.loyalty.conftest import PAID

pytestmark = pytest.mark.django_db


def account(email="mira@example.com") -> Account:
    return Account.objects.get(email=email)


def balances(email="mira@example.com"):
    a = account(email)
    return a.pending, a.available, a.lifetime_earned


def test_a_paid_order_earns_pending_points_on_what_the_goods_cost(store, spend_rule):
    store.order()  # total 120, shipping 5, tax 15: 100 earns 100 points
    assert balances() == (100, 0, 100)
    lot = Lot.objects.get()
    assert lot.status == Lot.Status.PENDING
    assert lot.available_at == PAID + timedelta(days=30)
    assert lot.expires_at == PAID.replace(year=2027)
    assert (lot.rule_name, lot.rule_version, lot.rate) == ("1 point per 1.00", 1, 1)
    # Spread over the lines by what they cost: 40 of 100 and 60 of 100.
    assert sorted(lot.lines.values_list("points", flat=True)) == [40, 60]
    assert services.ledger_check() == []


def test_the_same_payment_delivered_ten_times_earns_once(store, spend_rule):
    for _ in range(10):
        store.order()
    assert balances() == (100, 0, 100)
    assert Entry.objects.count() == 1


def test_an_unpaid_order_earns_nothing_until_it_is_paid(store, spend_rule):
    store.order(paid=False, updated_at=PAID - timedelta(minutes=1))
    assert not Account.objects.exists() or balances() == (0, 0, 0)
    store.order()
    assert balances() == (100, 0, 100)


def test_a_cancelled_order_removes_its_pending_points(store, spend_rule):
    store.order()
    store.order(cancelled_at=PAID + timedelta(hours=1), updated_at=PAID + timedelta(hours=1))
    assert balances() == (0, 0, 0)
    assert services.ledger_check() == []


def test_a_partial_refund_reverses_the_points_of_the_refunded_lines(store, spend_rule):
    store.order()
    store.refund("R1", lines=[("L1", 1, "20")])  # one of two mugs: 20 of L1's 40 points
    assert balances() == (80, 0, 80)
    store.refund("R2", lines=[("L1", 1, "20")])
    assert balances() == (60, 0, 60)
    store.refund("R2", lines=[("L1", 1, "20")])  # the same refund again
    assert balances() == (60, 0, 60)
    assert services.ledger_check() == []


def test_a_refund_without_lines_reverses_its_share_of_the_total(store, spend_rule):
    store.order()
    store.refund("R1", amount="30")  # a quarter of 120
    assert balances() == (75, 0, 75)


def test_a_refund_before_the_payment_ends_as_in_order(store, spend_rule, django_db_blocker):
    store.order("B-1", email="late@example.com", paid=False, updated_at=PAID - timedelta(hours=1))
    store.refund("RB", order="B-1", lines=[("L2", 1, "60")])
    store.order("B-1", email="late@example.com")
    store.order("A-1")
    store.refund("RA", lines=[("L2", 1, "60")])
    assert balances("late@example.com") == balances() == (40, 0, 40)


def test_points_become_available_when_the_return_window_closes(store, spend_rule):
    store.order()
    assert services.points_release_due(now=PAID + timedelta(days=29)) == 0
    assert services.points_release_due(now=PAID + timedelta(days=30)) == 1
    assert services.points_release_due(now=PAID + timedelta(days=31)) == 0
    assert balances() == (0, 100, 100)
    assert services.ledger_check() == []


def test_points_are_spent_soonest_expiring_first_and_never_beyond_the_balance(
    store, spend_rule, program
):
    store.order("A-1", placed_at=PAID - timedelta(days=1))
    store.order("A-2")
    services.points_release_due(now=PAID + timedelta(days=31))
    first, second = Lot.objects.order_by("pk")
    first.expires_at = second.expires_at + timedelta(days=1)
    first.save()
    mira = account()
    services.points_spend(account_id=mira.pk, points=150, key="redemption:1")
    first.refresh_from_db(), second.refresh_from_db()
    assert (second.remaining, first.remaining) == (0, 50)
    with pytest.raises(InsufficientPoints):
        services.points_spend(account_id=mira.pk, points=51, key="redemption:2")
    assert services.points_spend(account_id=mira.pk, points=150, key="redemption:1") is None
    assert balances() == (0, 50, 200)
    assert services.ledger_check() == []


def test_a_refund_of_spent_points_leaves_a_negative_balance_that_new_points_repay(
    store, spend_rule
):
    store.order()
    services.points_release_due(now=PAID + timedelta(days=31))
    services.points_spend(account_id=account().pk, points=100, key="redemption:1")
    store.refund("R1", lines=[("L2", 1, "60")])
    assert balances() == (0, -60, 40)
    store.order("A-2")
    services.points_release_due(now=PAID + timedelta(days=31))
    assert balances() == (0, 40, 140)
    assert Lot.objects.get(order__external_id="A-2").remaining == 40
    assert services.ledger_check() == []


def test_a_refund_of_spent_points_can_be_forgiven(store, spend_rule, program):
    program.spent_reversal = ProgramSettings.SpentReversal.FORGIVE
    program.save()
    store.order()
    services.points_release_due(now=PAID + timedelta(days=31))
    services.points_spend(account_id=account().pk, points=100, key="redemption:1")
    store.refund("R1", lines=[("L2", 1, "60")])
    assert balances() == (0, 0, 40)
    assert Entry.objects.get(kind=Entry.Kind.REVERSE).forgiven == 60
    assert services.ledger_check() == []


def test_spent_points_are_taken_back_from_other_points_before_going_negative(store, spend_rule):
    store.order()
    store.order("A-2")
    services.points_release_due(now=PAID + timedelta(days=31))
    services.points_spend(account_id=account().pk, points=100, key="redemption:1")
    store.refund("R1", lines=[("L2", 1, "60")])
    assert balances() == (0, 40, 140)
    assert services.ledger_check() == []


def test_a_reversal_takes_back_the_points_at_the_rate_they_were_earned(store, spend_rule):
    store.order()
    spend_rule.points, spend_rule.version = 5, 2  # five times as generous now
    spend_rule.save()
    store.refund("R1", lines=[("L1", 2, "40")])
    assert balances() == (60, 0, 60)
    spend_rule.delete()
    store.refund("R2", lines=[("L2", 1, "60")])
    assert balances() == (0, 0, 0)


def test_the_first_order_bonus_is_given_once(store, spend_rule):
    EarningRule.objects.create(name="Welcome", kind=EarningRule.Kind.FIRST_ORDER, points=50)
    store.order("A-1", placed_at=PAID - timedelta(days=2))
    store.order("A-2")
    assert balances() == (250, 0, 250)


def test_points_expire_after_the_months_the_program_says(store, spend_rule):
    store.order()
    services.points_release_due(now=PAID + timedelta(days=31))
    assert services.points_expire_due(now=PAID + timedelta(days=364)) == 0
    assert services.points_expire_due(now=PAID + timedelta(days=366)) == 1
    assert balances() == (0, 0, 100)
    assert services.ledger_check() == []


def test_points_expire_after_months_without_activity(store, spend_rule, program):
    program.expiry = ProgramSettings.Expiry.AFTER_INACTIVITY
    program.expiry_months = 6
    program.save()
    store.order()
    services.points_release_due(now=PAID + timedelta(days=31))
    Account.objects.update(last_activity_at=PAID + timedelta(days=31))
    assert services.points_expire_due(now=PAID + timedelta(days=200)) == 0
    assert services.points_expire_due(now=PAID + timedelta(days=31 + 185)) == 1
    assert balances() == (0, 0, 100)


def test_staff_adjust_with_a_reason_and_cannot_go_below_zero(store, spend_rule, admin_user):
    mira = services.account_for_email(email="Mira@Example.com")
    services.points_adjust(
        account_id=mira.pk, points=30, staff=admin_user, reason="Parcel lost", key="adj:1"
    )
    services.points_adjust(
        account_id=mira.pk, points=30, staff=admin_user, reason="Parcel lost", key="adj:1"
    )
    with pytest.raises(InsufficientPoints):
        services.points_adjust(
            account_id=mira.pk, points=-31, staff=admin_user, reason="Typo", key="adj:2"
        )
    services.points_adjust(
        account_id=mira.pk, points=-10, staff=admin_user, reason="Typo", key="adj:3"
    )
    assert balances() == (0, 20, 0)
    entry = Entry.objects.get(key="adj:1")
    assert (entry.staff, entry.note) == (admin_user, "Parcel lost")
    assert services.ledger_check() == []


def test_verifying_an_email_claims_the_points_that_waited_for_it(store, spend_rule, user_factory):
    EarningRule.objects.create(name="Welcome aboard", kind=EarningRule.Kind.SIGNUP, points=25)
    store.order()  # a guest order
    user = user_factory(email="mira@example.com")  # signs up and verifies
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_confirmed

    address = EmailAddress.objects.get(user=user)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    mira = account()
    assert mira.user == user and mira.is_member
    assert (mira.pending, mira.available) == (100, 25)


def test_the_check_finds_a_balance_that_disagrees_with_the_ledger(store, spend_rule):
    store.order()
    Account.objects.update(pending=99)
    problems = services.ledger_check()
    assert problems and "pending is 99, the ledger says 100" in problems[0]


def test_a_batch_of_paid_orders_is_one_award_task_and_every_order_earns(
    client, spend_rule, django_capture_on_commit_callbacks, monkeypatch
):
    from loyalty import tasks
    from tests.orders.test_batches import batch, order
    from tests.orders.webhook_helpers import portico

    calls = []
    original = tasks.award_orders_points.delay
    monkeypatch.setattr(
        tasks.award_orders_points, "delay", lambda ids: (calls.append(ids), original(ids))
    )
    with django_capture_on_commit_callbacks(execute=True):
        portico(client, batch(*(order(n) for n in range(3))))
    assert len(calls) == 1 and len(calls[0]) == 3
    # Each: total 85.00 less 5.00 shipping and 15.20 tax earns 64 points.
    assert sorted(Account.objects.values_list("pending", flat=True)) == [64, 64, 64]
