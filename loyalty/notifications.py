"""Points emails: earned, available, tier changed, reward redeemed, expiring soon,
birthday bonus.

Each is sent once per cause: a ``PointsEmail`` row with the cause's key is written in the
same transaction as the send, so a task run twice sends once. Emails go to members only
(an account with a user that joined), in the member's language, branded like the shipment
emails (``templates/email/base.html``), as HTML and text.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Account, Lot, PointsEmail, ProgramSettings, Redemption, Reward, Tier

log = logging.getLogger(__name__)

Kind = PointsEmail.Kind
# Rewards looked at when suggesting the cheapest one a member can afford: the first few by
# cost are enough (the ones skipped have run out or hit the member's limit).
REWARDS_LOOKED_AT = 20
# How much wider than the window the database pre-filter of "after inactivity" expiry is:
# ``last + N months`` is checked exactly afterwards (month ends make it uneven).
INACTIVITY_SLACK = timedelta(days=4)


def member_language(user) -> str:
    """The member's language if Portico speaks it, else the site's.

    As ``orders.services.notifications.customer_language`` for an order: the user's own
    choice first, then the language the store knows the customer in.
    """
    supported = {code for code, _ in settings.LANGUAGES}
    candidates = [getattr(user, "language", "")]
    customer = getattr(user, "customer", None)  # the reverse one-to-one may be missing
    if customer is not None:
        candidates.append(customer.locale)
    for candidate in candidates:
        code = (candidate or "").split("-")[0].split("_")[0].lower()
        if code in supported:
            return code
    return settings.LANGUAGE_CODE


UNSUBSCRIBE_SALT = "loyalty.points-emails-off"


def unsubscribe_token(account_id: int) -> str:
    """The signed part of the link in every points email that turns them off."""
    return signing.dumps({"a": account_id}, salt=UNSUBSCRIBE_SALT)


def points_email_send(*, account_id: int, kind: str, key: str, data: dict) -> bool:
    """Send the member's email about ``kind``; True if sent now (False: already sent, or
    nothing to send).

    Idempotent per ``key``: the ``PointsEmail`` row is inserted in the transaction that
    sends, so a duplicate key sends nothing and a failed send rolls the row back for a
    retry. Nothing is sent when the program is off, to a guest (no user, or not joined),
    or when what the email would say no longer holds (the tier changed again, the code was
    voided, the points are gone). An "expiring" email also records each lot it covered
    (``expiring_key``), so each lot is reminded once per expiry date.
    """
    program = ProgramSettings.load()
    build = BUILDERS.get(kind)
    if not program.enabled or build is None:
        return False
    account = Account.objects.select_related("user", "tier").filter(pk=account_id).first()
    if account is None or account.user_id is None or account.joined_at is None:
        return False
    if not account.points_emails:
        return False  # the member turned them off
    context = build(account, program, data or {})
    if context is None:
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                PointsEmail.objects.create(account=account, kind=kind, key=key)
                covered = [k for k in context.get("covered_keys", ()) if k != key]
                PointsEmail.objects.bulk_create(
                    [PointsEmail(account=account, kind=kind, key=k) for k in covered]
                )
        except IntegrityError:
            return False  # sent already (or, for a reminder, one of its lots was)
        _send(account, kind, context, program)
    return True


def points_expiry_remind(*, now: datetime | None = None) -> int:
    """Queue one reminder per member whose available points expire within the program's
    ``expiry_reminder_days``, listing the lots not reminded yet; returns how many were
    queued.

    Each lot is reminded once per expiry date (``expiring_key``; with expiry after
    inactivity the date moves when the member is active, and a lot that reaches the
    window again is reminded again). The email's key is that of its lowest lot; a lot that
    comes into the window later gets a reminder of its own. Safe to run twice: a second
    run finds the lots reminded and queues nothing.
    """
    from .tasks import send_points_email

    now = now or timezone.now()
    program = ProgramSettings.load()
    if not program.enabled or program.expiry == ProgramSettings.Expiry.NEVER:
        return 0
    end = now + timedelta(days=program.expiry_reminder_days)
    lots = Lot.objects.filter(
        status=Lot.Status.AVAILABLE,
        remaining__gt=0,
        account__joined_at__isnull=False,
        account__user__isnull=False,
    ).select_related("account")
    if program.expiry == ProgramSettings.Expiry.AFTER_EARNED:
        lots = lots.filter(expires_at__gt=now, expires_at__lte=end)
    else:
        months = relativedelta(months=program.expiry_months)
        lots = lots.filter(
            account__last_activity_at__gt=now - months - INACTIVITY_SLACK,
            account__last_activity_at__lte=end - months + INACTIVITY_SLACK,
        )
    due: dict[int, list[tuple[Lot, str]]] = defaultdict(list)
    for lot in lots.order_by("account_id", "pk"):
        expires = lot_expiry(lot.account, lot, program)
        if expires is not None and now < expires <= end:
            due[lot.account_id].append((lot, expiring_key(lot, expires)))
    keys = [key for found in due.values() for _, key in found]
    reminded = set()
    for start in range(0, len(keys), 500):
        reminded.update(
            PointsEmail.objects.filter(key__in=keys[start : start + 500]).values_list(
                "key", flat=True
            )
        )
    queued = 0
    for account_id, found in due.items():
        new = [(lot, key) for lot, key in found if key not in reminded]
        if not new:
            continue
        data = {"lot_ids": [lot.pk for lot, _ in new], "as_of": now.isoformat()}
        send_points_email.delay(account_id, Kind.EXPIRING.value, new[0][1], data)
        queued += 1
    return queued


def expiring_key(lot: Lot, expires: datetime) -> str:
    """The key that records a lot was reminded of its expiry on that date."""
    return f"expiring:{lot.account_id}:{lot.pk}:{expires.astimezone(UTC):%Y%m%d}"


def lot_expiry(account: Account, lot: Lot, program: ProgramSettings) -> datetime | None:
    """When the points left in an available lot expire, as ``services.ledger._is_expired`` sees
    it: the lot's own date, or N months after the member's last activity."""
    if program.expiry == ProgramSettings.Expiry.AFTER_EARNED:
        return lot.expires_at
    if program.expiry == ProgramSettings.Expiry.AFTER_INACTIVITY:
        last = account.last_activity_at or lot.created_at
        return last + relativedelta(months=program.expiry_months)
    return None


# --- What each email says -----------------------------------------------------------------


def _balance(account: Account) -> dict:
    return {"balance": account.available, "pending": account.pending}


def _earned(account: Account, program: ProgramSettings, data: dict) -> dict | None:
    lots = list(
        Lot.objects.filter(account=account, order_id=data.get("order_id")).select_related("order")
    )
    points = sum(lot.points for lot in lots)
    if not points or lots[0].order.cancelled_at:
        return None
    dates = [lot.available_at for lot in lots if lot.available_at]
    return {
        "order": lots[0].order,
        "points": points,
        "available_at": min(dates) if dates else None,
        **_balance(account),
    }


def _available(account: Account, program: ProgramSettings, data: dict) -> dict | None:
    now = timezone.now()
    order_id = data.get("order_id")
    if order_id:
        lots = list(Lot.objects.filter(account=account, order_id=order_id).select_related("order"))
    else:
        lots = list(Lot.objects.filter(account=account, pk=data.get("lot_id")))
    # ``points_release_due`` releases an order's lots one transaction at a time and the
    # first commit queues this email: lots of the order due with the one released count
    # as ready too, or the email would name only the first lot's points.
    released = next((lot for lot in lots if lot.pk == data.get("lot_id")), None)
    due_at = released.available_at if released else None
    due = [
        lot
        for lot in lots
        if lot.status == Lot.Status.PENDING
        and due_at
        and lot.available_at
        and lot.available_at <= due_at
    ]
    ready = [lot for lot in lots if lot.status == Lot.Status.AVAILABLE] + due
    points = sum(lot.remaining for lot in ready)
    if points <= 0:
        return None
    balance = account.available + sum(lot.remaining for lot in due)
    return {
        "order": lots[0].order if order_id else None,
        "points": points,
        "balance": balance,
        "pending": account.pending - sum(lot.remaining for lot in due),
        "reward": _cheapest_reward(account, balance, now),
    }


def _cheapest_reward(account: Account, points: int, now: datetime) -> Reward | None:
    from .services import reward_unavailable_reason

    rewards = (
        Reward.objects.filter(active=True, points_cost__lte=points)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .order_by("points_cost", "pk")
    )
    for reward in rewards[:REWARDS_LOOKED_AT]:
        if not reward_unavailable_reason(reward, account, now):
            return reward
    return None


def _tier(account: Account, program: ProgramSettings, data: dict) -> dict | None:
    if account.tier_id != data.get("tier_id"):
        return None  # the tier changed again since: that change has its own email
    previous_id = data.get("previous_tier_id")
    previous = Tier.objects.filter(pk=previous_id).first() if previous_id else None
    tier = account.tier
    promoted = tier is not None and (previous is None or tier.threshold > previous.threshold)
    return {
        "tier": tier,
        "previous": previous,
        "promoted": promoted,
        "tier_until": account.tier_until if tier else None,
    }


def _redeemed(account: Account, program: ProgramSettings, data: dict) -> dict | None:
    redemption = (
        Redemption.objects.select_related("reward")
        .filter(pk=data.get("redemption_id"), account=account)
        .filter(status__in=[Redemption.Status.ISSUED, Redemption.Status.USED])
        .first()
    )
    if redemption is None:
        return None  # failed or voided before the email went out
    return {"redemption": redemption, "reward": redemption.reward, "points": redemption.points}


def _expiring(account: Account, program: ProgramSettings, data: dict) -> dict | None:
    as_of = datetime.fromisoformat(data["as_of"]) if data.get("as_of") else timezone.now()
    end = as_of + timedelta(days=program.expiry_reminder_days)
    lots = Lot.objects.filter(
        account=account,
        pk__in=data.get("lot_ids") or [],
        status=Lot.Status.AVAILABLE,
        remaining__gt=0,
    ).order_by("pk")
    by_date: dict = defaultdict(int)
    covered = []
    for lot in lots:
        expires = lot_expiry(account, lot, program)
        if expires is None or not as_of < expires <= end:
            continue
        by_date[timezone.localdate(expires)] += lot.remaining
        covered.append(expiring_key(lot, expires))
    if not covered:
        return None
    dates = [{"date": day, "points": points} for day, points in sorted(by_date.items())]
    return {
        "dates": dates,
        "first_date": dates[0]["date"],
        "points": sum(row["points"] for row in dates),
        "inactivity": program.expiry == ProgramSettings.Expiry.AFTER_INACTIVITY,
        "months": program.expiry_months,
        "covered_keys": covered,
        **_balance(account),
    }


def _birthday(account: Account, program: ProgramSettings, data: dict) -> dict | None:
    lot = Lot.objects.filter(account=account, pk=data.get("lot_id")).first()
    if lot is None:
        return None
    return {
        "points": lot.points,
        "reward": _cheapest_reward(account, account.available, timezone.now()),
        **_balance(account),
    }


BUILDERS = {
    Kind.EARNED: _earned,
    Kind.AVAILABLE: _available,
    Kind.TIER: _tier,
    Kind.REDEEMED: _redeemed,
    Kind.EXPIRING: _expiring,
    Kind.BIRTHDAY: _birthday,
}


def _send(account: Account, kind: str, context: dict, program: ProgramSettings) -> None:
    user = account.user
    with translation.override(member_language(user)):
        context = {
            **context,
            "kind": kind,
            "account": account,
            "program_name": program.program_name,
            "rewards_url": settings.SITE_URL + reverse("loyalty:rewards"),
            "unsubscribe_url": settings.SITE_URL
            + reverse("loyalty:emails_off", args=[unsubscribe_token(account.pk)]),
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("loyalty/email/subject.txt", context).strip()
        text = render_to_string("loyalty/email/message.txt", context)
        html = render_to_string("loyalty/email/message.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[user.email or account.email],
        headers={"List-Unsubscribe": f"<{context['unsubscribe_url']}>"},
    )
    message.attach_alternative(html, "text/html")
    # Raising here rolls back the PointsEmail row, so a retry sends it.
    message.send()
