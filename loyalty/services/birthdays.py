"""Birthday bonuses: a member gives their birthday once; on the day, the active birthday
rule's points arrive as an available lot, and an email says so.

- Only the month and day are asked (as Smile.io and most programs do) and kept, in the
  year ``BIRTHDAY_YEAR`` (2000, a leap year, so that 29 February fits). In a year without
  29 February, such a birthday is celebrated on 28 February.
- Days are the portal's days (``TIME_ZONE``), whoever the member is.
- **Notice.** A birthday pays only if it was given at least ``NOTICE_DAYS`` days before
  the day: given closer to it (or after it), the first bonus comes the next year. Nobody
  can sign up on their birthday, or on any day, and be paid at once.
- **Once a year.** The lot's key is ``birthday:<account>:<year>``; the year is the one of
  the birthday paid, so a bonus paid a few days late in January for 30 December still
  counts for the old year.
- **Catch-up.** The beat task (daily) pays the birthdays of today and of the
  ``CATCH_UP_DAYS`` days before that are still unpaid, so a worker down for a few days
  loses nobody's bonus.
"""

from __future__ import annotations

import calendar
import operator
from datetime import date, datetime, time, timedelta
from functools import reduce

from django.db import transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from ..exceptions import BirthdayAlreadyGiven, InvalidBirthday, NotAMember
from ..models import Account, EarningRule, Entry, Lot, PointsEmail
from .ledger import _email, _locked, _open_lot, program

BIRTHDAY_YEAR = 2000
NOTICE_DAYS = 30
CATCH_UP_DAYS = 7


def birthday_on(birthday: date, year: int) -> date:
    """The day ``birthday`` is celebrated in ``year``: 29 February falls on 28 February in
    a year without it."""
    if (birthday.month, birthday.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, birthday.month, birthday.day)


def birthday_key(account_id: int, year: int) -> str:
    return f"birthday:{account_id}:{year}"


def _pays(given_at: datetime | None, day: date) -> bool:
    """Whether a birthday given at ``given_at`` pays on ``day`` (the notice rule). A
    birthday with no date it was given (written by a script) never pays."""
    return given_at is not None and timezone.localdate(given_at) <= day - timedelta(
        days=NOTICE_DAYS
    )


def birthday_rule() -> EarningRule | None:
    """The active birthday rule (the first by name, as for the sign-up bonus)."""
    return EarningRule.objects.filter(kind=EarningRule.Kind.BIRTHDAY, active=True).first()


@transaction.atomic
def birthday_set(*, account_id: int, month: int, day: int, now: datetime | None = None) -> Account:
    """The member gives their birthday: month and day, kept in ``BIRTHDAY_YEAR``.

    Once: a second time raises ``BirthdayAlreadyGiven`` and changes nothing (staff correct
    a mistake). An impossible day (31 April) raises ``InvalidBirthday``; a guest's account,
    ``NotAMember``. Locks the account. Pays nothing now: ``birthdays_reward_due`` pays on
    the day, under the notice rule.
    """
    try:
        birthday = date(BIRTHDAY_YEAR, int(month), int(day))
    except (TypeError, ValueError) as exc:
        raise InvalidBirthday(f"no such day: {month}/{day}") from exc
    account = _locked(account_id)
    if account.joined_at is None:
        raise NotAMember()
    if account.birthday is not None:
        raise BirthdayAlreadyGiven()
    account.birthday = birthday
    account.birthday_given_at = now or timezone.now()
    account.save(update_fields=["birthday", "birthday_given_at"])
    return account


@transaction.atomic
def birthday_correct(
    *, account_id: int, month: int, day: int, now: datetime | None = None
) -> Account:
    """Staff correct a member's birthday (or give it for them). The notice rule holds as
    for a birthday given now: a corrected date less than ``NOTICE_DAYS`` away pays from
    the next year, and a year already paid is not paid again (one key a year). Raises
    ``InvalidBirthday`` and ``NotAMember`` as ``birthday_set``."""
    try:
        birthday = date(BIRTHDAY_YEAR, int(month), int(day))
    except (TypeError, ValueError) as exc:
        raise InvalidBirthday(f"no such day: {month}/{day}") from exc
    account = _locked(account_id)
    if account.joined_at is None:
        raise NotAMember()
    account.birthday = birthday
    account.birthday_given_at = now or timezone.now()
    account.save(update_fields=["birthday", "birthday_given_at"])
    return account


def birthday_next_bonus(*, account: Account, now: datetime | None = None) -> date | None:
    """The next day (today included, unless paid) the member's birthday will pay, under
    the notice rule; None without a birthday. Whether a rule is active is the caller's
    business."""
    if account.birthday is None or account.birthday_given_at is None:
        return None
    today = timezone.localdate(now)
    for year in range(today.year, today.year + 3):
        day = birthday_on(account.birthday, year)
        if (
            day >= today
            and _pays(account.birthday_given_at, day)
            and not Entry.objects.filter(key=birthday_key(account.pk, year)).exists()
        ):
            return day
    return None


def _due_day(account: Account, today: date) -> date | None:
    """The member's birthday in the catch-up window that the notice rule lets pay."""
    if account.birthday is None:
        return None
    for year in (today.year, today.year - 1):
        day = birthday_on(account.birthday, year)
        if today - timedelta(days=CATCH_UP_DAYS) <= day <= today:
            return day if _pays(account.birthday_given_at, day) else None
    return None


def birthday_reward(*, account_id: int, now: datetime | None = None) -> Lot | None:
    """Pay the member's birthday bonus when a birthday of theirs in the catch-up window
    (today and the ``CATCH_UP_DAYS`` days before) is unpaid and passes the notice rule:
    the active birthday rule's points as an available lot keyed
    ``birthday:<account>:<year>``, then after commit the birthday email (once per key;
    not when the member turned points emails off).

    Nothing when the program is off, no birthday rule is active, or the account has not
    joined. Idempotent (the key); locks the account. Returns the lot opened now.
    """
    now = now or timezone.now()
    settings = program()
    rule = birthday_rule()
    if not settings.enabled or rule is None:
        return None
    with transaction.atomic():
        account = _locked(account_id)
        day = _due_day(account, timezone.localdate(now))
        if day is None or account.joined_at is None:
            return None
        key = birthday_key(account.pk, day.year)
        lot = _open_lot(
            account,
            key=key,
            points=rule.points,
            status=Lot.Status.AVAILABLE,
            earned_at=now,
            available_at=now,
            rule=rule,
            note=rule.name,
            settings=settings,
        )
        if lot is not None:
            _email(account, PointsEmail.Kind.BIRTHDAY, key, lot_id=lot.pk)
    return lot


def _birthdays_on(day: date) -> list[tuple[int, int]]:
    """The (month, day) birthdays celebrated on ``day``."""
    found = [(day.month, day.day)]
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        found.append((2, 29))
    return found


def birthdays_reward_due(*, now: datetime | None = None) -> int:
    """Pay every member whose birthday fell today or in the ``CATCH_UP_DAYS`` days before
    and is unpaid (``birthday_reward``). Who is due is one statement (members, their
    birthdays in the window under the notice rule, without the year's key in the ledger);
    then one transaction per member. Safe to run twice; returns how many were paid now."""
    now = now or timezone.now()
    if not program().enabled or birthday_rule() is None:
        return 0
    today = timezone.localdate(now)
    matches, years = [], []
    for offset in range(CATCH_UP_DAYS + 1):
        day = today - timedelta(days=offset)
        # Given before this instant (the start of the portal's day NOTICE_DAYS - 1 days
        # before) is given at least NOTICE_DAYS days before: ``_pays``, in SQL.
        given_by = timezone.make_aware(
            datetime.combine(day - timedelta(days=NOTICE_DAYS - 1), time.min)
        )
        for month, dom in _birthdays_on(day):
            born = Q(birthday__month=month, birthday__day=dom)
            matches.append(born & Q(birthday_given_at__lt=given_by))
            years.append(When(born, then=Value(str(day.year))))
    due = (
        Account.objects.filter(joined_at__isnull=False)
        .filter(reduce(operator.or_, matches))
        .annotate(
            bonus_key=Concat(
                Value("birthday:"),
                Cast("pk", CharField()),
                Value(":"),
                Case(*years, output_field=CharField()),
                output_field=CharField(),
            )
        )
        .filter(~Exists(Entry.objects.filter(key=OuterRef("bonus_key"))))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in list(due) if birthday_reward(account_id=pk, now=now) is not None)
