"""VIP tiers: the qualifying value, promotion at once, demotion at the period's end."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from orders.models import Order, Refund

from ..models import (
    Account,
    Entry,
    ProgramSettings,
    Tier,
)
from .ledger import (
    _email,
    _locked,
    program,
)

Kind = Entry.Kind


# --- Tiers --------------------------------------------------------------------------------


def _period(settings: ProgramSettings, at: datetime) -> tuple[datetime, datetime]:
    """The qualifying period that ``at`` falls in: [start, end)."""
    if settings.tier_period == ProgramSettings.TierPeriod.CALENDAR_YEAR:
        start = at.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        return start, start + relativedelta(years=1)
    return at - relativedelta(years=1), at


def tier_progress(account: Account, *, settings: ProgramSettings | None = None, now=None):
    """(qualifying value so far, the next tier or None, what is still missing)."""
    settings = settings or program()
    now = now or timezone.now()
    start, end = _period(settings, now)
    value = _qualifying_value(account, settings, start, min(end, now))
    upcoming = Tier.objects.filter(threshold__gt=value).order_by("threshold").first()
    return value, upcoming, (upcoming.threshold - value) if upcoming else Decimal(0)


def _qualifying_value(account: Account, settings, start: datetime, end: datetime) -> Decimal:
    if settings.tier_basis == ProgramSettings.TierBasis.POINTS:
        earned = Entry.objects.filter(
            account=account,
            kind__in=[Kind.EARN, Kind.REVERSE],
            created_at__gte=start,
            created_at__lt=end,
        ).aggregate(n=Sum("lifetime_delta"))["n"]
        return Decimal(earned or 0)
    orders = Order.objects.alias(email_lower=Lower("email")).filter(
        email_lower=account.email,
        paid_at__gte=start,
        paid_at__lt=end,
        cancelled_at__isnull=True,
    )
    spent = orders.aggregate(t=Sum("total"))["t"] or Decimal(0)
    refunded = Refund.objects.filter(order__in=orders).aggregate(t=Sum("amount"))["t"] or Decimal(0)
    return max(spent - refunded, Decimal(0))


def _best_tier(value: Decimal) -> Tier | None:
    return Tier.objects.filter(threshold__lte=value).order_by("-threshold").first()


def _qualifying_values(accounts: list[Account], settings, start, end) -> dict[int, Decimal]:
    """``_qualifying_value`` of many accounts in one or two statements."""
    if settings.tier_basis == ProgramSettings.TierBasis.POINTS:
        rows = (
            Entry.objects.filter(
                account__in=accounts,
                kind__in=[Kind.EARN, Kind.REVERSE],
                created_at__gte=start,
                created_at__lt=end,
            )
            .values("account")
            .annotate(n=Sum("lifetime_delta"))
            .values_list("account", "n")
        )
        return {pk: Decimal(n or 0) for pk, n in rows}
    orders = Order.objects.annotate(email_lower=Lower("email")).filter(
        email_lower__in=[account.email for account in accounts],
        paid_at__gte=start,
        paid_at__lt=end,
        cancelled_at__isnull=True,
    )
    spent = dict(
        orders.values("email_lower").annotate(t=Sum("total")).values_list("email_lower", "t")
    )
    refunded = dict(
        Refund.objects.filter(order__in=orders.values("pk"))
        .annotate(email_lower=Lower("order__email"))
        .values("email_lower")
        .annotate(t=Sum("amount"))
        .values_list("email_lower", "t")
    )
    return {
        account.pk: max(
            (spent.get(account.email) or Decimal(0)) - (refunded.get(account.email) or Decimal(0)),
            Decimal(0),
        )
        for account in accounts
    }


def _tiers_review(accounts: list[Account], *, settings: ProgramSettings, now=None) -> None:
    """``_tier_review`` of the locked ``accounts``, for those it would change: promotions
    (the value now reaches a higher tier) in one statement per tier, reviews of tiers
    whose period is over one account at a time (they are rare). The rest are left alone
    without a statement each."""
    tiers = sorted(Tier.objects.all(), key=lambda tier: tier.threshold)
    if not tiers or not accounts:
        return
    now = now or timezone.now()
    start, end = _period(settings, now)
    values = _qualifying_values(accounts, settings, start, min(end, now))
    until = _promotion_until(end, now)
    promoted: dict[int, list[Account]] = {}
    for account in accounts:
        value = values.get(account.pk, Decimal(0))
        best = next((t for t in reversed(tiers) if t.threshold <= value), None)
        current = account.tier
        if best is not None and (current is None or best.threshold > current.threshold):
            promoted.setdefault(best.pk, []).append(account)
            account.tier, account.tier_until = best, until
            _tier_email(account, current, now)
        elif current is not None and account.tier_until and account.tier_until <= now:
            _tier_review(account, settings=settings, now=now)
    for tier_id, members in promoted.items():
        Account.objects.filter(pk__in=[a.pk for a in members]).update(
            tier=tier_id, tier_until=until, ledger_version=F("ledger_version") + 1
        )


def _tier_review(account: Account, *, settings: ProgramSettings, now=None) -> bool:
    """Promote at once; demote only when the period the tier was held for is over, to
    what the period just ended qualifies for. The caller holds the account lock. True if
    the tier changed."""
    now = now or timezone.now()
    current = account.tier
    start, end = _period(settings, now)
    best_now = _best_tier(_qualifying_value(account, settings, start, min(end, now)))
    if best_now and (current is None or best_now.threshold > current.threshold):
        account.tier = best_now
        account.tier_until = _promotion_until(end, now)
    elif current is not None and account.tier_until and account.tier_until <= now:
        ended_start, ended_end = _period(settings, account.tier_until - relativedelta(days=1))
        if settings.tier_period == ProgramSettings.TierPeriod.ROLLING_YEAR:
            ended_start, ended_end = account.tier_until - relativedelta(years=1), account.tier_until
        kept = _best_tier(_qualifying_value(account, settings, ended_start, ended_end))
        if best_now and (kept is None or best_now.threshold > kept.threshold):
            kept = best_now
        account.tier = kept
        account.tier_until = _period(settings, now)[1] if kept else None
        if kept and settings.tier_period == ProgramSettings.TierPeriod.ROLLING_YEAR:
            account.tier_until = now + relativedelta(years=1)
    else:
        return False
    account.ledger_version += 1
    account.save(update_fields=["tier", "tier_until", "ledger_version"])
    changed = account.tier_id != (current.pk if current else None)
    if changed:
        _tier_email(account, current, now)
    return changed


def _promotion_until(end: datetime, now: datetime) -> datetime:
    """How long a tier reached now is held: to the end of the qualifying period."""
    return end if end > now else now + relativedelta(years=1)


def _tier_email(account: Account, previous: Tier | None, now: datetime) -> None:
    """The tier-change email, once per change and day."""
    _email(
        account,
        "tier",
        f"tier:{account.pk}:{previous.pk if previous else 0}:{account.tier_id or 0}:{now:%Y%m%d}",
        tier_id=account.tier_id,
        previous_tier_id=previous.pk if previous else None,
    )


@transaction.atomic
def account_tier_review(*, account_id: int, now=None) -> bool:
    """Review one member's tier now (see ``_tier_review``). Idempotent."""
    account = _locked(account_id)
    return _tier_review(account, settings=program(), now=now)


def tiers_review_due(*, now=None) -> int:
    """Review every member whose tier's period is over; returns how many changed."""
    now = now or timezone.now()
    due = Account.objects.filter(tier__isnull=False, tier_until__lte=now).values_list(
        "pk", flat=True
    )
    return sum(1 for pk in list(due) if account_tier_review(account_id=pk, now=now))
