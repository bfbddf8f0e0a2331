"""Referrals: a member's link, the friend's code, the friend's first order, the member's
points once that order can no longer be returned, and the fraud rules that hold a
referral for staff to review.

The life of a referral (``Referral.Status``), one service per transition:

    claim ──► pending ──(first paid order)──► ordered ──(return window over)──► rewarded
      │           │                              │                     └──► rejected
      └─► review ◄┴──────── (a rule fires) ──────┘   (order cancelled or fully refunded)
            ├─ approve ──► pending (code issued now) or ordered
            └─ cancel ───► cancelled (an unused code is voided)

Fraud rules (``Referral.Flag``): the friend's email is the member's written differently
(``+tags``, Gmail dots), the friend had paid for an order before the invitation, the name or
shipping address of the friend's order matches one of the member's orders, more than the
program's weekly number of referrals came from one client address. The client address is
kept only as an HMAC with ``SECRET_KEY``. An exact self-referral is refused outright.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from orders.models import Order

from ..exceptions import LoyaltyError, RewardUnavailable
from ..models import Account, Entry, Lot, Redemption, Referral, ReferralCode, Reward
from .ledger import _locked, _open_lot, _post, account_for_email, program
from .rewards import CODE_ALPHABET, DEAD, _new_code, redemption_issue, redemption_void

log = logging.getLogger(__name__)

Status = Referral.Status
Flag = Referral.Flag
# Referrals the friend's first order can still attach to.
AWAITING_ORDER = (Status.PENDING, Status.REVIEW)
OPEN = (Status.PENDING, Status.ORDERED, Status.REVIEW)
REFERRAL_CODE_LENGTH = 8  # 32^8: about a trillion links, none guessable in practice
CLIENT_WINDOW = timedelta(days=7)
GMAIL_DOMAINS = ("gmail.com", "googlemail.com")


class ReferralRefused(LoyaltyError):
    """The friend cannot claim the invitation; the message says why, for the friend."""


# --- The member's link --------------------------------------------------------------------


def referral_code_for(*, account: Account) -> ReferralCode:
    """The member's referral code, made the first time it is asked for. Unguessable
    (``secrets``), short, without 0/O/1/I. Safe under concurrency: the unique constraints
    decide, and a racing request gets the code the other one made."""
    existing = ReferralCode.objects.filter(account=account).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(REFERRAL_CODE_LENGTH))
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(account=account, code=code)
        except IntegrityError:
            existing = ReferralCode.objects.filter(account=account).first()
            if existing is not None:
                return existing  # made meanwhile by another request
    raise RuntimeError("could not find a free referral code")


def referrer_for_code(code: str) -> Account | None:
    """The member a referral link belongs to, when referrals are on and they are a member."""
    code = (code or "").strip().upper()
    if not code or len(code) > 20:
        return None
    found = ReferralCode.objects.select_related("account__user").filter(code=code).first()
    if found is None or not found.account.is_member:
        return None
    return found.account


def referral_offer(settings=None) -> Reward | None:
    """The friend's reward, when referrals are on (else None)."""
    settings = settings or program()
    if not (settings.enabled and settings.referrals_enabled and settings.referral_reward_id):
        return None
    return settings.referral_reward


def client_hash(address: str) -> str:
    """The client address as a keyed hash: referrals can be counted per address without
    storing it."""
    return salted_hmac("loyalty.referral.client", address or "unknown").hexdigest()


# --- Matching people ----------------------------------------------------------------------


def email_identity(email: str) -> str:
    """An email as a mailbox: lower case, no ``+tag``; for Gmail, no dots in the name."""
    email = (email or "").strip().lower()
    local, _, domain = email.partition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _words(value: str) -> list[str]:
    # Case, accents, whitespace and punctuation do not make a different person or street.
    folded = unicodedata.normalize("NFKD", str(value or "")).casefold()
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", folded)


def name_key(name: str) -> str:
    """A person's name, whatever its order or punctuation ("Doe, Jane" = "jane doe");
    "" when it is a single word (too common to tell two people apart)."""
    words = _words(name)
    return " ".join(sorted(words)) if len(words) >= 2 else ""


def _part(address: dict, keys: tuple[str, ...]) -> str:
    return next((str(address[k]) for k in keys if address.get(k)), "")


def address_key(address: dict) -> str:
    """A shipping address (Shopify, WooCommerce or Stripe shape) as its street lines and
    postcode, normalised; "" when it has no street."""
    if not isinstance(address, dict):
        return ""
    street = _part(address, ("address1", "address_1", "line1"))
    if not _words(street):
        return ""
    parts = (street, _part(address, ("address2", "address_2", "line2")))
    postcode = _part(address, ("zip", "postcode", "postal_code"))
    return "".join(w for part in parts for w in _words(part)) + "|" + "".join(_words(postcode))


def order_names(order: Order) -> set[str]:
    """The names an order was placed or shipped under, as ``name_key``s."""
    address = order.shipping_address if isinstance(order.shipping_address, dict) else {}
    names = {
        address.get("name", ""),
        f"{address.get('first_name', '')} {address.get('last_name', '')}",
    }
    if order.customer_id:
        names.add(f"{order.customer.first_name} {order.customer.last_name}")
    return {key for key in map(name_key, names) if key}


def _orders_of(email: str):
    # lower(email) = …: the expression the orders' email index is built on.
    return (
        Order.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=email.strip().lower())
        .select_related("customer")
    )


def _referrer_emails(referrer: Account) -> set[str]:
    emails = {referrer.email}
    if referrer.user_id:
        emails.add((referrer.user.email or "").lower())
        emails.update(
            e.lower()
            for e in EmailAddress.objects.filter(user_id=referrer.user_id).values_list(
                "email", flat=True
            )
        )
    return {e for e in emails if e}


def _ordered_before(emails: set[str], before: datetime) -> bool:
    return (
        Order.objects.alias(email_lower=Lower("email"))
        .filter(email_lower__in=sorted(emails), paid_at__isnull=False, paid_at__lt=before)
        .exists()
    )


def _claim_flags(referrer: Account, email: str, client: str, now: datetime) -> list[str]:
    flags = []
    identity = email_identity(email)
    if any(email_identity(e) == identity for e in _referrer_emails(referrer)):
        flags.append(Flag.SAME_EMAIL.value)
    if _ordered_before({email}, now):
        flags.append(Flag.ORDERED_BEFORE.value)
    limit = program().referral_weekly_limit_per_client
    if limit and client:
        recent = Referral.objects.filter(client_hash=client, created_at__gte=now - CLIENT_WINDOW)
        if recent.count() >= limit:
            flags.append(Flag.BUSY_CLIENT.value)
    return flags


def _order_flags(referral: Referral, order: Order) -> list[str]:
    referrer = referral.referrer
    flags = []
    identity = email_identity(order.email)
    if any(email_identity(e) == identity for e in _referrer_emails(referrer)):
        flags.append(Flag.SAME_EMAIL.value)
    friend_emails = {referral.friend_email, order.email.strip().lower()}
    # Paid before the invitation: an earlier order, or this one arriving late.
    if _ordered_before(friend_emails, referral.created_at):
        flags.append(Flag.ORDERED_BEFORE.value)
    theirs = [o for e in _referrer_emails(referrer) for o in _orders_of(e).exclude(pk=order.pk)]
    if order_names(order) & {n for o in theirs for n in order_names(o)}:
        flags.append(Flag.SAME_NAME.value)
    address = address_key(order.shipping_address)
    if address and address in {address_key(o.shipping_address) for o in theirs}:
        flags.append(Flag.SAME_ADDRESS.value)
    return flags


def _add_flags(referral: Referral, flags: list[str]) -> None:
    referral.flags = [*referral.flags, *(f for f in flags if f not in referral.flags)]


# --- The friend's claim -------------------------------------------------------------------


def referral_claim(*, code: str, email: str, client_address: str, language: str = "") -> Referral:
    """A friend following a member's link asks for their reward with their email.

    Creates one referral per friend email (a second claim, through any link, is refused:
    the code went to that address already). When no fraud rule fires, the friend's
    single-use code is issued at once (``redemption_issue``: a Stripe promotion code when
    Stripe is set up) and emailed to them after commit; when one fires, the referral waits
    for staff and the code is issued if they approve. Raises ``ReferralRefused``: the link
    is not valid, referrals are off, the email is invalid or the member's own, or was
    invited before.
    """
    settings = program()
    reward = referral_offer(settings)
    referrer = referrer_for_code(code)
    if reward is None or referrer is None:
        raise ReferralRefused(gettext("This invitation is not valid any more."))
    email = (email or "").strip().lower()
    if "@" not in email:
        raise ReferralRefused(gettext("Please enter your email address."))
    if email in _referrer_emails(referrer):
        raise ReferralRefused(
            gettext("This is your own invitation: share it with a friend to earn points.")
        )
    now = timezone.now()
    client = client_hash(client_address)
    friend = account_for_email(email=email)
    try:
        with transaction.atomic():
            _one_claim_at_a_time(client)
            referral = Referral.objects.create(
                referrer=referrer,
                friend_email=email,
                friend_account=friend,
                points=settings.referral_points,
                client_hash=client,
                language=language[:12],
                flags=_claim_flags(referrer, email, client, now),
            )
            if referral.flags:
                referral.status = Status.REVIEW
                referral.save(update_fields=["status"])
            else:
                _friend_code_open(referral)
    except IntegrityError:
        raise ReferralRefused(
            gettext("This email address has been invited already: its code was sent to it.")
        ) from None
    except RewardUnavailable as exc:
        raise ReferralRefused(str(exc)) from None
    return _friend_code_issue(referral)


def _one_claim_at_a_time(client: str) -> None:
    """Claims from one client address wait for each other until their transaction ends,
    so each counts the ones before it for the weekly limit (PostgreSQL; SQLite writes one
    transaction at a time anyway)."""
    if client and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"loyalty-referral-client:{client}"],
            )


def _friend_reward_reason(reward: Reward, account: Account) -> str:
    # The friend's reward is often kept inactive (out of the members' catalogue): only its
    # dates and stock apply to friends.
    probe = copy.copy(reward)
    probe.active = True
    from .rewards import reward_unavailable_reason

    return reward_unavailable_reason(probe, account)


def _friend_code_open(referral: Referral) -> Redemption:
    """Within the caller's transaction: the friend's redemption, at no points, with a
    zero-point spend entry (so voiding it works like any other code's)."""
    account = _locked(referral.friend_account_id)
    reward = Reward.objects.select_for_update().get(pk=program().referral_reward_id)
    reason = _friend_reward_reason(reward, account)
    if reason:
        raise RewardUnavailable(reason)
    redemption = Redemption.objects.create(
        account=account,
        reward=reward,
        request_key=f"referral:{referral.pk}:{Redemption.objects.filter(account=account).count()}",
        points=0,
        code=_new_code(),
    )
    _post(
        account,
        kind=Entry.Kind.REDEEM,
        key=f"redemption:{redemption.pk}",
        note=reward.name,
    )
    referral.redemption = redemption
    referral.save(update_fields=["redemption"])
    return redemption


def _friend_code_issue(referral: Referral) -> Referral:
    """Outside any transaction (Stripe is called): issue the friend's code, then queue
    their email."""
    if referral.redemption_id is None:
        return referral
    redemption = redemption_issue(redemption_id=referral.redemption_id)
    if redemption.status == Redemption.Status.ISSUED:
        _queue_email(referral.pk, "friend")
    referral.redemption = redemption
    return referral


def _queue_email(referral_id: int, kind: str) -> None:
    from ..tasks import send_referral_email

    transaction.on_commit(lambda: send_referral_email.delay(referral_id, kind))


# --- The friend's first order -------------------------------------------------------------


def referral_for_order(order: Order) -> Referral | None:
    """The referral a paid order is the friend's first order for: by the friend's code
    among the order's discount codes, else by the order's email."""
    codes = {str(code).strip().upper() for code in order.discount_codes or [] if code}
    waiting = Referral.objects.filter(status__in=AWAITING_ORDER, order__isnull=True)
    if codes:
        found = waiting.filter(redemption__code__in=sorted(codes)).first()
        if found is not None:
            return found
    return waiting.filter(friend_email=order.email.strip().lower()).first()


def referral_order_record(*, order_id: int) -> Referral | None:
    """A paid order arrived: if it is a referred friend's first, the referral becomes
    "ordered" (or goes to review when a fraud rule fires now: the friend had ordered
    before, their name, address or email matches the member's). Idempotent: a referral
    takes one order, under its row lock."""
    order = Order.objects.select_related("customer").filter(pk=order_id).first()
    if order is None or not order.paid_at or order.cancelled_at:
        return None
    found = referral_for_order(order)
    if found is None:
        return None
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("referrer__user")
            .get(pk=found.pk)
        )
        if referral.order_id is not None or referral.status not in AWAITING_ORDER:
            return referral
        referral.order = order
        referral.ordered_at = order.paid_at
        _add_flags(referral, _order_flags(referral, order))
        referral.status = Status.REVIEW if referral.open_flags else Status.ORDERED
        referral.save(update_fields=["order", "ordered_at", "flags", "status"])
    return referral


# --- The member's points ------------------------------------------------------------------


def _window_closes(order: Order, settings) -> datetime:
    return order.paid_at + relativedelta(days=settings.return_window_days)


def referral_reward(*, referral_id: int, now: datetime | None = None) -> Referral:
    """The friend's order can no longer be returned: the member's points (an available
    lot keyed ``referral:<id>``) and an email after commit; "rewarded". When the order was
    cancelled or fully refunded meanwhile, the referral is "rejected" and nobody earns.
    Idempotent; locks the member's account, then the referral."""
    now = now or timezone.now()
    settings = program()
    with transaction.atomic():
        found = Referral.objects.get(pk=referral_id)
        account = _locked(found.referrer_id)
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        order = Order.objects.filter(pk=referral.order_id).first()
        if referral.status != Status.ORDERED or order is None:
            return referral
        if order.cancelled_at or order.financial_status in (
            Order.FinancialStatus.REFUNDED,
            Order.FinancialStatus.VOIDED,
        ):
            referral.status, referral.decided_at = Status.REJECTED, now
            referral.save(update_fields=["status", "decided_at"])
            return referral
        if _window_closes(order, settings) > now:
            return referral
        _open_lot(
            account,
            key=f"referral:{referral.pk}",
            points=referral.points,
            status=Lot.Status.AVAILABLE,
            earned_at=now,
            available_at=now,
            rule=None,
            label=gettext("Referral"),
            note=referral.friend_email,
            settings=settings,
        )
        referral.status, referral.rewarded_at = Status.REWARDED, now
        referral.save(update_fields=["status", "rewarded_at"])
        if referral.points:
            _queue_email(referral.pk, "referrer")
    return referral


def referrals_reward_due(*, now: datetime | None = None) -> int:
    """Reward every "ordered" referral whose friend's order has passed its return window
    (or reject it when the order was cancelled or refunded); also send friends' code
    emails a crash left unsent. Returns how many were rewarded now. Safe to run twice."""
    now = now or timezone.now()
    settings = program()
    if not settings.enabled:
        return 0
    cutoff = now - relativedelta(days=settings.return_window_days)
    due = Referral.objects.filter(status=Status.ORDERED).filter(
        Q(order__paid_at__lte=cutoff)
        | Q(order__cancelled_at__isnull=False)
        | Q(order__financial_status__in=["refunded", "voided"])
    )
    rewarded = 0
    for pk in list(due.order_by("pk").values_list("pk", flat=True)):
        if referral_reward(referral_id=pk, now=now).status == Status.REWARDED:
            rewarded += 1
    _friend_codes_retry()
    unsent = Referral.objects.filter(
        friend_emailed_at__isnull=True,
        redemption__status=Redemption.Status.ISSUED,
        created_at__lte=now - timedelta(minutes=5),
    ).values_list("pk", flat=True)
    for pk in list(unsent):
        _queue_email(pk, "friend")
    return rewarded


def _friend_codes_retry() -> None:
    """Friends whose code could not be issued (Stripe was down) get a new one."""
    failed = Referral.objects.filter(
        status=Status.PENDING, redemption__status=Redemption.Status.FAILED
    ).values_list("pk", flat=True)
    for pk in list(failed):
        try:
            with transaction.atomic():
                referral = Referral.objects.select_for_update().get(pk=pk)
                if referral.redemption.status != Redemption.Status.FAILED:
                    continue
                _friend_code_open(referral)
        except RewardUnavailable as exc:
            log.info("referral %s: no code for the friend: %s", pk, exc)
            continue
        _friend_code_issue(referral)


# --- Staff --------------------------------------------------------------------------------


def referral_approve(*, referral_id: int, staff) -> Referral:
    """Staff clear the rules that fired: the referral goes on where it was held (the
    friend's code is issued now if it was held back; "ordered" if the friend has ordered).
    Idempotent. Raises ``ReferralRefused`` for a referral not in review."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        if referral.status != Status.REVIEW:
            if referral.decided_by_id and referral.status in (Status.PENDING, Status.ORDERED):
                return referral  # approved already
            raise ReferralRefused(gettext("Only a referral held for review can be approved."))
        referral.approved_flags = list(referral.flags)
        referral.status = Status.ORDERED if referral.order_id else Status.PENDING
        referral.decided_at, referral.decided_by = timezone.now(), staff
        if referral.status == Status.PENDING and (
            referral.redemption is None or referral.redemption.status in DEAD
        ):
            try:
                with transaction.atomic():
                    _friend_code_open(referral)
            except RewardUnavailable as exc:
                raise ReferralRefused(str(exc)) from None
        referral.save(
            update_fields=["approved_flags", "status", "decided_at", "decided_by", "redemption"]
        )
    return _friend_code_issue(referral)


def referral_cancel(*, referral_id: int, staff) -> Referral:
    """Staff cancel a referral: nobody earns from it, and the friend's unused code is
    voided (in Stripe too). Idempotent. Raises ``ReferralRefused`` for a referral already
    rewarded, ``StripeApiError`` when Stripe cannot switch the code off (nothing
    changes)."""
    referral = Referral.objects.select_related("redemption").get(pk=referral_id)
    if referral.status == Status.CANCELLED:
        return referral
    if referral.status not in OPEN:
        raise ReferralRefused(gettext("Only an open referral can be cancelled."))
    redemption = referral.redemption
    if redemption is not None and redemption.status == Redemption.Status.ISSUED:
        # Used meanwhile: the friend keeps their order, the member earns nothing.
        with contextlib.suppress(RewardUnavailable):
            redemption_void(
                redemption_id=redemption.pk, reason=gettext("The referral was cancelled.")
            )
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        if referral.status in OPEN:
            referral.status = Status.CANCELLED
            referral.decided_at, referral.decided_by = timezone.now(), staff
            referral.save(update_fields=["status", "decided_at", "decided_by"])
    return referral


# --- For the member's page ----------------------------------------------------------------


def referral_summary(*, account: Account) -> dict:
    """How the member's referrals stand: invited, ordered (waiting for the return window)
    and rewarded, and the points they earned. One query."""
    summary = {"invited": 0, "waiting": 0, "rewarded": 0, "points": 0}
    rows = Referral.objects.filter(referrer=account).values_list("status", "points", "order_id")
    for status, points, order_id in rows:
        summary["invited"] += 1
        # Held for review looks like waiting to the member: the rules are not theirs to see.
        if status == Status.ORDERED or (status == Status.REVIEW and order_id):
            summary["waiting"] += 1
        elif status == Status.REWARDED:
            summary["rewarded"] += 1
            summary["points"] += points
    return summary
