"""Points emails: each cause emailed once, to members only, in their language."""

from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.utils import formats, timezone

from loyalty import notifications, services, tasks
from loyalty.models import Account, EarningRule, Lot, PointsEmail, ProgramSettings, Reward, Tier

from .conftest import PAID

pytestmark = pytest.mark.django_db

REWARDS = "http://127.0.0.1:8000/rewards/"


@pytest.fixture
def member(program, spend_rule, user_factory):
    return services.member_join(user=user_factory(email="mira@example.com"))


@pytest.fixture
def first_order_bonus(program):
    return EarningRule.objects.create(
        name="First order", kind=EarningRule.Kind.FIRST_ORDER, points=50
    )


def html(message):
    return message.alternatives[0][0]


def a_date(value):
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


def adjust(account, points, key, admin_user):
    services.points_adjust(
        account_id=account.pk, points=points, staff=admin_user, reason="test", key=key
    )
    return Lot.objects.get(entries__key=key)


# --- Earned -------------------------------------------------------------------------------


def test_a_paid_order_emails_the_member_what_it_earned_once(member, store):
    order = store.order()
    store.order()  # the same webhook again

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "You earned 100 points for order #A-1"
    assert message.to == ["mira@example.com"]
    assert "Portico Demo Store" in message.body
    assert "July 1, 2026" in message.body  # paid June 1 + 30 days of return window
    assert "Your balance: 0 points ready to spend. 100 more points are on their way." in (
        message.body
    )
    assert REWARDS in message.body
    assert f'href="{REWARDS}"' in html(message) and "July 1, 2026" in html(message)

    data = {"order_id": order.pk}
    assert tasks.send_points_email(member.pk, "earned", f"earned:order:{order.pk}", data) is False
    assert len(mail.outbox) == 1
    assert PointsEmail.objects.get().key == f"earned:order:{order.pk}"


def test_a_guest_gets_no_email(program, spend_rule, store):
    order = store.order(email="guest@example.com")
    assert Lot.objects.filter(order=order).exists()  # the points wait for them
    assert mail.outbox == []

    guest = Account.objects.get(email="guest@example.com")
    data = {"order_id": order.pk}
    assert not notifications.points_email_send(
        account_id=guest.pk, kind="earned", key="earned:guest", data=data
    )
    assert mail.outbox == [] and not PointsEmail.objects.exists()


def test_a_turkish_member_is_written_to_in_turkish(program, spend_rule, store, user_factory):
    services.member_join(user=user_factory(email="mira@example.com", language="tr"))
    store.order()
    message = mail.outbox[0]
    assert "http://127.0.0.1:8000/tr/rewards/" in message.body
    assert "01 Temmuz 2026" in message.body  # the date in Turkish: the language was on
    assert '<html lang="tr">' in html(message)
    assert 'href="http://127.0.0.1:8000/tr/rewards/"' in html(message)


def test_the_store_language_is_used_when_the_member_chose_none(
    program, spend_rule, store, user_factory
):
    user = user_factory(email="mira@example.com", language="")
    services.member_join(user=user)
    store.order()  # the store knows her as the order's customer
    from orders.models import Customer

    Customer.objects.filter(email="mira@example.com").update(user=user, locale="tr-TR")
    user.refresh_from_db()
    assert notifications.member_language(user) == "tr"
    user.language = "de"  # not a language Portico speaks
    assert notifications.member_language(user) == "tr"
    Customer.objects.update(locale="")
    user.refresh_from_db()
    assert notifications.member_language(user) == "en"


# --- Available ----------------------------------------------------------------------------


def test_an_orders_points_ready_to_spend_are_one_email_with_all_its_lots(
    member, first_order_bonus, store, django_capture_on_commit_callbacks
):
    Reward.objects.create(name="Mug", kind="free_product", product_sku="MUG", points_cost=500)
    Reward.objects.create(name="Free shipping", kind="free_shipping", points_cost=120)
    Reward.objects.create(name="Ended", kind="free_shipping", points_cost=10, active=False)
    order = store.order()
    assert Lot.objects.filter(order=order).count() == 2  # spend rule and first-order bonus
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.points_release_due(now=PAID + timedelta(days=31)) == 2

    assert [m.subject for m in mail.outbox] == ["150 points are ready to spend"]
    body = mail.outbox[0].body
    assert "order #A-1 has closed: its 150 points are ready to spend" in body
    assert "You can now get Free shipping for 120 points." in body
    assert "Your balance: 150 points ready to spend." in body
    assert REWARDS in body

    lot = Lot.objects.filter(order=order).last()
    data = {"order_id": order.pk, "lot_id": lot.pk}
    assert not tasks.send_points_email(member.pk, "available", f"available:order:{order.pk}", data)
    assert len(mail.outbox) == 1


def test_no_reward_is_suggested_when_none_is_affordable(
    member, store, django_capture_on_commit_callbacks
):
    Reward.objects.create(name="Mug", kind="free_product", product_sku="MUG", points_cost=500)
    store.order()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.points_release_due(now=PAID + timedelta(days=31))
    assert mail.outbox[0].subject == "100 points are ready to spend"
    assert "You can now get" not in mail.outbox[0].body


# --- Tiers --------------------------------------------------------------------------------


@pytest.fixture
def tiers(program):
    silver = Tier.objects.create(name="Silver", threshold=Decimal("50"), perks="5% off")
    gold = Tier.objects.create(
        name="Gold", threshold=Decimal("90"), perks="Free shipping on every order"
    )
    return silver, gold


def test_reaching_a_tier_welcomes_the_member_with_its_perks_once(member, tiers, store):
    _silver, gold = tiers
    store.order()
    account = Account.objects.get(pk=member.pk)
    assert account.tier == gold
    welcome = [m for m in mail.outbox if m.subject == "Welcome to Gold"]
    assert len(welcome) == 1
    assert "Free shipping on every order" in welcome[0].body
    assert "Free shipping on every order" in html(welcome[0])
    assert f"You keep Gold at least until {a_date(account.tier_until)}." in welcome[0].body

    row = PointsEmail.objects.get(kind="tier")
    data = {"tier_id": gold.pk, "previous_tier_id": None}
    assert not tasks.send_points_email(member.pk, "tier", row.key, data)
    assert len([m for m in mail.outbox if m.subject == "Welcome to Gold"]) == 1


def test_a_lower_tier_and_no_tier_are_said_plainly(member, tiers):
    silver, gold = tiers
    Account.objects.filter(pk=member.pk).update(tier=silver, tier_until=PAID)
    data = {"tier_id": silver.pk, "previous_tier_id": gold.pk}
    assert notifications.points_email_send(account_id=member.pk, kind="tier", key="t1", data=data)
    assert mail.outbox[-1].subject == "Your tier is now Silver"
    assert "5% off" not in mail.outbox[-1].body  # perks are news on the way up only

    Account.objects.filter(pk=member.pk).update(tier=None, tier_until=None)
    data = {"tier_id": None, "previous_tier_id": silver.pk}
    assert notifications.points_email_send(account_id=member.pk, kind="tier", key="t2", data=data)
    assert mail.outbox[-1].subject == "You are no longer in a tier"


def test_a_tier_change_overtaken_by_another_sends_nothing(member, tiers):
    silver, gold = tiers
    Account.objects.filter(pk=member.pk).update(tier=silver)
    data = {"tier_id": gold.pk, "previous_tier_id": None}
    assert not notifications.points_email_send(
        account_id=member.pk, kind="tier", key="t1", data=data
    )
    assert mail.outbox == [] and not PointsEmail.objects.exists()


# --- Redeemed -----------------------------------------------------------------------------


def test_a_redeemed_reward_emails_its_code_and_how_to_use_it_once(
    member, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_API_KEY = ""
    adjust(member, 500, "seed", admin_user)
    reward = Reward.objects.create(
        name="€10 off",
        kind=Reward.Kind.AMOUNT_OFF,
        points_cost=200,
        amount=Decimal("10.00"),
        currency="EUR",
        minimum_order=Decimal("30.00"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        redemption = services.reward_redeem(
            account_id=member.pk, reward_id=reward.pk, request_key="click-1"
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Your code for €10 off"
    assert redemption.code in message.body
    assert "10.00 off orders over" in message.body
    assert "Enter the code at checkout" in message.body
    assert "You spent 200 points on €10 off." in message.body
    assert "monospace" in html(message) and redemption.code in html(message)
    assert "http://127.0.0.1:8000/rewards/" in message.body

    data = {"redemption_id": redemption.pk}
    assert not tasks.send_points_email(member.pk, "redeemed", f"redeemed:{redemption.pk}", data)
    assert len(mail.outbox) == 1


def test_a_code_voided_before_its_email_went_out_is_not_sent(member, admin_user, settings):
    settings.STRIPE_API_KEY = ""
    adjust(member, 500, "seed", admin_user)
    reward = Reward.objects.create(name="Ship", kind="free_shipping", points_cost=100)
    redemption = services.reward_redeem(
        account_id=member.pk, reward_id=reward.pk, request_key="click-1"
    )
    services.redemption_void(redemption_id=redemption.pk)
    data = {"redemption_id": redemption.pk}
    assert not tasks.send_points_email(member.pk, "redeemed", "redeemed:x", data)
    assert mail.outbox == []


# --- Expiring -----------------------------------------------------------------------------


def test_the_reminder_covers_each_lot_once_and_a_later_lot_gets_its_own(member, admin_user):
    now = timezone.now()
    soon = adjust(member, 120, "a", admin_user)
    later = adjust(member, 45, "b", admin_user)
    far = adjust(member, 7, "c", admin_user)
    Lot.objects.filter(pk=soon.pk).update(expires_at=now + timedelta(days=5))
    Lot.objects.filter(pk=later.pk).update(expires_at=now + timedelta(days=20))
    Lot.objects.filter(pk=far.pk).update(expires_at=now + timedelta(days=200))

    assert tasks.remind_expiring_points(now=now.isoformat()) == 1
    message = mail.outbox[0]
    expires = now + timedelta(days=5)
    assert message.subject == f"120 points expire on {a_date(expires)}"
    assert f"- 120 points on {a_date(expires)}" in message.body
    assert "45 points" not in message.body and "7 points" not in message.body
    assert "Your balance: 172 points ready to spend." in message.body
    assert a_date(expires) in html(message)

    assert notifications.points_expiry_remind(now=now) == 0
    assert notifications.points_expiry_remind(now=now + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1

    # A week on, the second lot comes into the window: a reminder of its own.
    assert notifications.points_expiry_remind(now=now + timedelta(days=7)) == 1
    assert len(mail.outbox) == 2
    body = mail.outbox[1].body
    assert f"- 45 points on {a_date(now + timedelta(days=20))}" in body
    assert "120 points" not in body
    assert notifications.points_expiry_remind(now=now + timedelta(days=7)) == 0
    assert PointsEmail.objects.filter(kind="expiring").count() == 2


def test_one_reminder_lists_every_lot_and_date_of_an_account(member, admin_user):
    now = timezone.now()
    lots = [adjust(member, points, f"k{points}", admin_user) for points in (10, 20, 30)]
    for lot, days in zip(lots, (3, 3, 9), strict=True):
        Lot.objects.filter(pk=lot.pk).update(expires_at=now + timedelta(days=days))
    assert notifications.points_expiry_remind(now=now) == 1
    assert mail.outbox[0].subject == f"60 points expire from {a_date(now + timedelta(days=3))}"
    body = mail.outbox[0].body
    assert f"- 30 points on {a_date(now + timedelta(days=3))}" in body
    assert f"- 30 points on {a_date(now + timedelta(days=9))}" in body
    assert "60 of your points will expire soon" in body
    # Every lot is recorded: the email under its lowest lot's key, the others beside it.
    assert PointsEmail.objects.filter(kind="expiring").count() == 3
    assert notifications.points_expiry_remind(now=now) == 0


def test_spent_points_are_not_reminded(member, admin_user):
    now = timezone.now()
    lot = adjust(member, 100, "a", admin_user)
    Lot.objects.filter(pk=lot.pk).update(expires_at=now + timedelta(days=3))
    services.points_adjust(account_id=member.pk, points=-100, staff=admin_user, reason="x", key="b")
    assert notifications.points_expiry_remind(now=now) == 0
    assert mail.outbox == []


def test_after_inactivity_the_reminder_follows_the_last_activity(member, admin_user, program):
    program.expiry = ProgramSettings.Expiry.AFTER_INACTIVITY
    program.expiry_months = 12
    program.save()
    adjust(member, 80, "a", admin_user)
    now = timezone.now()
    Account.objects.filter(pk=member.pk).update(last_activity_at=now - relativedelta(months=11))
    assert notifications.points_expiry_remind(now=now) == 0  # a month to go: not yet

    last = now - relativedelta(months=12) + timedelta(days=6)
    Account.objects.filter(pk=member.pk).update(last_activity_at=last)
    assert notifications.points_expiry_remind(now=now) == 1
    body = mail.outbox[0].body
    assert f"- 80 points on {a_date(last + relativedelta(months=12))}" in body
    assert "12 months without activity" in body
    assert notifications.points_expiry_remind(now=now) == 0

    # Active again, then quiet for a year: the same points are reminded of their new date.
    Account.objects.filter(pk=member.pk).update(last_activity_at=now)
    assert notifications.points_expiry_remind(now=now) == 0
    later = now + relativedelta(months=12) - timedelta(days=2)
    assert notifications.points_expiry_remind(now=later) == 1
    assert len(mail.outbox) == 2


# --- Off ----------------------------------------------------------------------------------


def test_nothing_is_sent_while_the_program_is_off(member, admin_user, store):
    lot = adjust(member, 100, "a", admin_user)
    Lot.objects.filter(pk=lot.pk).update(expires_at=timezone.now() + timedelta(days=3))
    settings = ProgramSettings.load()
    settings.enabled = False
    settings.save()

    store.order()
    assert notifications.points_expiry_remind() == 0
    data = {"tier_id": None, "previous_tier_id": None}
    assert not notifications.points_email_send(
        account_id=member.pk, kind="tier", key="t", data=data
    )
    assert mail.outbox == [] and not PointsEmail.objects.exists()


def test_a_member_turns_points_emails_off_from_the_link_in_every_email(
    client, store, spend_rule, user_factory
):
    from django.conf import settings

    services.member_join(user=user_factory(email="mira@example.com"))
    mail.outbox = []
    store.order("A-1")
    message = mail.outbox[-1]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body and link in message.alternatives[0][0]
    path = link.removeprefix(settings.SITE_URL)
    assert "Turn off points emails" in client.get(path).content.decode()
    assert Account.objects.get(email="mira@example.com").points_emails  # GET changes nothing
    assert client.post(path).status_code == 200
    assert not Account.objects.get(email="mira@example.com").points_emails
    sent = len(mail.outbox)
    store.order("A-2")
    assert len(mail.outbox) == sent  # no "earned" email any more
    assert client.get(path[:-3] + "xx/").status_code == 404  # a tampered link
