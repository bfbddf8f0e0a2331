"""Birthday bonuses: a member gives month and day once; the beat task pays the active
birthday rule's points on the day (28 February for 29 February in other years), once a
year, catching up a missed week, never for a birthday given less than 30 days before it."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loyalty import services, tasks
from loyalty.exceptions import BirthdayAlreadyGiven, InvalidBirthday, NotAMember
from loyalty.forms import BirthdayForm
from loyalty.models import Account, EarningRule, Entry, Lot, PointsEmail, ProgramSettings

pytestmark = pytest.mark.django_db

URL = "/rewards/"
GIVEN = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)  # long before the birthdays below


def morning(day: date, hour: int = 6) -> datetime:
    """The beat task's run on ``day`` (the test portal's clock is UTC)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def rule(program):
    return EarningRule.objects.create(name="Birthday", kind=EarningRule.Kind.BIRTHDAY, points=200)


@pytest.fixture
def join(program, user_factory):
    def join(email="mira@example.com"):
        return services.member_join(user=user_factory(email=email))

    return join


@pytest.fixture
def member(join):
    return join()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """The beat task's service on a day, its emails sent."""

    def run(day: date, hour: int = 6) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return services.birthdays_reward_due(now=morning(day, hour))

    return run


def give(account, month, day, at=GIVEN) -> Account:
    return services.birthday_set(account_id=account.pk, month=month, day=day, now=at)


def bonus_keys(account=None) -> list[str]:
    entries = Entry.objects.filter(key__startswith="birthday:")
    if account is not None:
        entries = entries.filter(account=account)
    return sorted(entries.values_list("key", flat=True))


# --- Giving a birthday --------------------------------------------------------------------


def test_a_member_gives_month_and_day_kept_in_a_leap_year(member):
    account = give(member, 3, 14)

    account.refresh_from_db()
    assert account.birthday == date(2000, 3, 14)
    assert account.birthday_given_at == GIVEN
    assert give(Account.objects.create(email="x@example.com", joined_at=GIVEN), 2, 29).birthday == (
        date(2000, 2, 29)
    )


def test_a_second_birthday_is_refused_and_the_first_kept(member):
    give(member, 3, 14)

    with pytest.raises(BirthdayAlreadyGiven):
        give(member, 5, 1, at=GIVEN + timedelta(days=3))

    member.refresh_from_db()
    assert (member.birthday, member.birthday_given_at) == (date(2000, 3, 14), GIVEN)


@pytest.mark.parametrize(("month", "day"), [(4, 31), (2, 30), (13, 1), (0, 5), (6, 0), (6, 32)])
def test_an_impossible_day_is_refused(member, month, day):
    with pytest.raises(InvalidBirthday):
        give(member, month, day)

    member.refresh_from_db()
    assert member.birthday is None and member.birthday_given_at is None


def test_a_guest_account_cannot_give_a_birthday(program):
    guest = services.account_for_email(email="guest@example.com")

    with pytest.raises(NotAMember):
        give(guest, 3, 14)
    guest.refresh_from_db()
    assert guest.birthday is None


def test_the_form_names_an_impossible_date_and_takes_29_february():
    form = BirthdayForm({"month": "4", "day": "31"})
    assert not form.is_valid()
    assert form.errors["day"] == ["April has only 30 days. Please check the day."]
    assert BirthdayForm({"month": "2", "day": "30"}).errors["day"] == [
        "February has only 29 days. Please check the day."
    ]
    assert BirthdayForm({"month": "2", "day": "29"}).is_valid()
    empty = BirthdayForm({"month": "", "day": ""})
    assert empty.errors == {
        "month": ["Choose the month of your birthday."],
        "day": ["Choose the day of your birthday."],
    }
    assert not BirthdayForm({"month": "13", "day": "1"}).is_valid()


# --- Paying -------------------------------------------------------------------------------


def test_the_bonus_is_paid_on_the_day_once_with_one_email(member, rule, run):
    give(member, 3, 14)

    assert run(date(2026, 3, 13)) == 0
    assert run(date(2026, 3, 14)) == 1
    assert run(date(2026, 3, 14), hour=18) == 0  # the task again the same day
    assert run(date(2026, 3, 16)) == 0  # within the catch-up window, already paid

    member.refresh_from_db()
    assert (member.available, member.pending, member.lifetime_earned) == (200, 0, 200)
    lot = Lot.objects.get(account=member, rule=rule)
    assert (lot.status, lot.points, lot.rule_name) == (Lot.Status.AVAILABLE, 200, "Birthday")
    assert bonus_keys() == [f"birthday:{member.pk}:2026"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Happy birthday! Here are 200 points for you"
    assert "Happy birthday from Rewards! To celebrate, we have added 200 points" in message.body
    assert "Your balance: 200 points ready to spend." in message.body
    assert PointsEmail.objects.get().key == f"birthday:{member.pk}:2026"
    assert services.ledger_check() == []


def test_the_bonus_comes_again_next_year(member, rule, run):
    give(member, 3, 14)

    assert run(date(2026, 3, 14)) == 1
    assert run(date(2027, 3, 14)) == 1
    assert run(date(2027, 3, 15)) == 0

    assert bonus_keys() == [f"birthday:{member.pk}:2026", f"birthday:{member.pk}:2027"]
    member.refresh_from_db()
    assert member.available == 400
    assert len(mail.outbox) == 2
    assert services.ledger_check() == []


def test_the_beat_task_pays_todays_birthdays_once(member, rule, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    give(member, today.month, today.day, at=timezone.now() - timedelta(days=60))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reward_birthdays() == 1
        assert tasks.reward_birthdays() == 0

    assert bonus_keys() == [f"birthday:{member.pk}:{today.year}"]
    assert len(mail.outbox) == 1
    beat = settings.CELERY_BEAT_SCHEDULE["loyalty-birthdays"]
    assert beat["task"] == "loyalty.tasks.reward_birthdays"
    assert (beat["schedule"].hour, beat["schedule"].minute) == ({6}, {0})
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE  # 06:00 on the portal's clock


# --- The notice rule ----------------------------------------------------------------------


def test_a_birthday_given_30_days_before_pays_this_year(member, rule, run):
    member = give(member, 3, 14, at=datetime(2026, 2, 12, 23, 59, tzinfo=UTC))

    assert services.birthday_next_bonus(account=member, now=morning(date(2026, 2, 12))) == date(
        2026, 3, 14
    )
    assert run(date(2026, 3, 14)) == 1
    assert bonus_keys() == [f"birthday:{member.pk}:2026"]


def test_a_birthday_given_29_days_before_waits_for_next_year(member, rule, run):
    member = give(member, 3, 14, at=datetime(2026, 2, 13, 0, 0, tzinfo=UTC))

    assert services.birthday_next_bonus(account=member, now=morning(date(2026, 2, 13))) == date(
        2027, 3, 14
    )
    for day in range(14, 22):  # the birthday and the whole catch-up window after it
        assert run(date(2026, 3, day)) == 0
    assert services.birthday_reward(account_id=member.pk, now=morning(date(2026, 3, 14))) is None
    assert run(date(2027, 3, 14)) == 1
    assert bonus_keys() == [f"birthday:{member.pk}:2027"]


def test_a_birthday_given_on_the_day_or_after_it_pays_nothing_this_year(join, rule, run):
    today = join("today@example.com")
    late = join("late@example.com")
    give(today, 3, 14, at=morning(date(2026, 3, 14), hour=5))
    give(late, 3, 10, at=morning(date(2026, 3, 14), hour=5))  # four days too late

    assert run(date(2026, 3, 14)) == 0
    assert run(date(2026, 3, 15)) == 0
    assert bonus_keys() == []
    assert run(date(2027, 3, 10)) == 1
    assert run(date(2027, 3, 14)) == 1
    assert bonus_keys() == sorted([f"birthday:{late.pk}:2027", f"birthday:{today.pk}:2027"])


def test_a_birthday_written_without_when_it_was_given_pays_nothing(member, rule, run):
    Account.objects.filter(pk=member.pk).update(birthday=date(2000, 3, 14))

    assert run(date(2026, 3, 14)) == 0
    assert services.birthday_reward(account_id=member.pk, now=morning(date(2026, 3, 14))) is None


# --- 29 February --------------------------------------------------------------------------


def test_29_february_is_celebrated_on_28_february_in_other_years(join, rule, run):
    leap = join("leap@example.com")
    eve = join("eve@example.com")
    give(leap, 2, 29)
    give(eve, 2, 28)

    assert run(date(2026, 2, 27)) == 0
    assert run(date(2026, 2, 28)) == 2
    assert run(date(2026, 3, 1)) == 0
    assert run(date(2027, 2, 28)) == 2
    assert run(date(2028, 2, 28)) == 1  # a leap year: only the 28 February birthday
    assert bonus_keys(leap) == [f"birthday:{leap.pk}:2026", f"birthday:{leap.pk}:2027"]
    assert run(date(2028, 2, 29)) == 1
    assert run(date(2028, 3, 1)) == 0
    assert bonus_keys(leap)[-1] == f"birthday:{leap.pk}:2028"
    assert bonus_keys(eve)[-1] == f"birthday:{eve.pk}:2028"
    assert len(bonus_keys()) == 6
    assert services.ledger_check() == []


def test_every_day_of_two_years_pays_each_birthday_once_a_year_on_its_day(join, rule):
    """The set-based selection and the per-member check agree, whatever the day."""
    birthdays = [(1, 1), (2, 28), (2, 29), (3, 1), (12, 31)]
    accounts = {}
    for month, day in birthdays:
        account = join(f"b{month}-{day}@example.com")
        give(account, month, day, at=datetime(2026, 6, 1, tzinfo=UTC))
        accounts[account.pk] = (month, day)

    paid_on = {}
    day = date(2026, 12, 1)
    while day <= date(2028, 12, 31):
        before = set(bonus_keys())
        services.birthdays_reward_due(now=morning(day))
        for key in set(bonus_keys()) - before:
            paid_on[key] = day
        day += timedelta(days=1)

    expected = {}
    for pk, (month, dom) in accounts.items():
        for year in (2027, 2028):
            if (month, dom) == (2, 29) and year == 2027:
                expected[f"birthday:{pk}:{year}"] = date(2027, 2, 28)
            else:
                expected[f"birthday:{pk}:{year}"] = date(year, month, dom)
        if (month, dom) == (12, 31):
            expected[f"birthday:{pk}:2026"] = date(2026, 12, 31)
    assert paid_on == expected
    assert services.ledger_check() == []


# --- Catching up --------------------------------------------------------------------------


def test_a_missed_week_is_caught_up_and_no_more(join, rule, run):
    week = join("week@example.com")
    older = join("older@example.com")
    give(week, 3, 14)
    give(older, 3, 13)

    # The worker was down from 13 March until 21 March.
    assert run(date(2026, 3, 21)) == 1

    assert bonus_keys() == [f"birthday:{week.pk}:2026"]
    assert len(mail.outbox) == 1


def test_a_birthday_in_december_caught_up_in_january_counts_for_its_year(member, rule, run):
    give(member, 12, 30)

    assert run(date(2027, 1, 3)) == 1
    assert bonus_keys() == [f"birthday:{member.pk}:2026"]
    assert run(date(2027, 12, 30)) == 1
    assert bonus_keys() == [f"birthday:{member.pk}:2026", f"birthday:{member.pk}:2027"]


def test_the_day_is_the_portals_day(member, rule, settings, django_capture_on_commit_callbacks):
    settings.TIME_ZONE = "Europe/Istanbul"  # UTC+3
    give(member, 3, 14)

    # 22:30 UTC on 13 March is already 14 March in Istanbul.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.birthdays_reward_due(now=datetime(2026, 3, 13, 20, 30, tzinfo=UTC)) == 0
        assert services.birthdays_reward_due(now=datetime(2026, 3, 13, 22, 30, tzinfo=UTC)) == 1
    assert bonus_keys() == [f"birthday:{member.pk}:2026"]


# --- Who gets nothing ---------------------------------------------------------------------


def test_nothing_while_the_program_is_off(member, rule, program, run):
    give(member, 3, 14)
    program.enabled = False
    program.save()

    assert run(date(2026, 3, 14)) == 0
    assert services.birthday_reward(account_id=member.pk, now=morning(date(2026, 3, 14))) is None
    assert bonus_keys() == []

    program.enabled = True  # back on within the week: the birthday is caught up
    program.save()
    assert run(date(2026, 3, 16)) == 1


def test_nothing_without_an_active_birthday_rule(member, rule, run):
    give(member, 3, 14)
    rule.active = False
    rule.save()

    assert run(date(2026, 3, 14)) == 0
    EarningRule.objects.all().delete()
    assert run(date(2026, 3, 14)) == 0
    assert bonus_keys() == []


def test_nothing_for_an_account_that_has_not_joined(program, rule, run):
    guest = services.account_for_email(email="guest@example.com")
    Account.objects.filter(pk=guest.pk).update(birthday=date(2000, 3, 14), birthday_given_at=GIVEN)

    assert run(date(2026, 3, 14)) == 0
    assert services.birthday_reward(account_id=guest.pk, now=morning(date(2026, 3, 14))) is None
    assert bonus_keys() == []


def test_a_member_who_turned_points_emails_off_gets_the_points_without_an_email(member, rule, run):
    give(member, 3, 14)
    services.points_emails_off(account_id=member.pk)

    assert run(date(2026, 3, 14)) == 1
    assert mail.outbox == []
    member.refresh_from_db()
    assert member.available == 200


def test_who_is_due_is_one_statement_whatever_the_members(join, rule, run):
    for i in range(6):
        give(join(f"m{i}@example.com"), 3, 14)
    give(join("other@example.com"), 7, 1)
    assert run(date(2026, 3, 14)) == 6

    ProgramSettings.load()  # cached, as it is in a running worker
    with CaptureQueriesContext(connection) as queries:
        assert services.birthdays_reward_due(now=morning(date(2026, 3, 15))) == 0
    selects = [q["sql"] for q in queries.captured_queries if "loyalty_account" in q["sql"]]
    assert len(selects) == 1
    assert len(queries.captured_queries) <= 3


# --- The rewards page ---------------------------------------------------------------------


def page_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


def test_a_member_gives_their_birthday_on_the_rewards_page(client, member, rule):
    client.force_login(member.user)

    page = client.get(URL)
    html = page.content.decode()
    assert "200 points on your birthday" in page_text(page)  # ways to earn
    assert "Tell us your birthday and get 200 points on the day, every year." in page_text(page)
    assert '<label for="birthday-month">Month</label>' in html
    assert '<label for="birthday-day">Day</label>' in html
    assert 'autocomplete="bday-month"' in html

    wrong = client.post(reverse_birthday(), {"month": "4", "day": "31"})
    assert wrong.status_code == 200
    assert "April has only 30 days. Please check the day." in page_text(wrong)
    assert re.search(r'<select name="day"[^>]*aria-invalid="true"', wrong.content.decode())
    member.refresh_from_db()
    assert member.birthday is None

    saved = client.post(reverse_birthday(), {"month": "3", "day": "14"})
    assert saved.status_code == 302 and saved["Location"] == "/rewards/#birthday"
    member.refresh_from_db()
    assert member.birthday == date(2000, 3, 14)
    shown = page_text(client.get(URL))
    assert "Thank you! We have saved your birthday." in shown
    assert "We have your birthday as March 14 ." in shown
    assert "Your next birthday bonus of 200 points comes on" in shown
    assert "Tell us your birthday" not in shown

    again = client.post(reverse_birthday(), {"month": "5", "day": "1"}, follow=True)
    assert "We already have your birthday." in page_text(again)
    member.refresh_from_db()
    assert member.birthday == date(2000, 3, 14)


def test_no_birthday_form_without_a_birthday_rule(client, member):
    client.force_login(member.user)

    assert 'id="birthday"' not in client.get(URL).content.decode()


def test_a_signed_in_customer_who_has_not_joined_cannot_give_a_birthday(
    client, program, rule, user_factory
):
    user = user_factory(email="ada@example.com")
    client.force_login(user)

    response = client.post(reverse_birthday(), {"month": "3", "day": "14"}, follow=True)

    assert "Join the rewards program to get a birthday bonus." in page_text(response)
    assert not Account.objects.filter(birthday__isnull=False).exists()


def reverse_birthday() -> str:
    from django.urls import reverse

    return reverse("loyalty:birthday")
