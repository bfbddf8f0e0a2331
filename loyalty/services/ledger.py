"""The ledger's own writes: accounts, posting entries and lots, release, expiry,
spending, staff adjustments, and the proof that cached balances equal the ledger."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from orders.models import Order

from ..exceptions import InsufficientPoints
from ..models import (
    Account,
    Allocation,
    EarningRule,
    Entry,
    Lot,
    LotLine,
    ProgramSettings,
)

Status = Lot.Status
Kind = Entry.Kind


def program() -> ProgramSettings:
    return ProgramSettings.load()


# --- Accounts -----------------------------------------------------------------------------


def account_for_email(*, email: str) -> Account:
    """The account points for this email go to, created when first needed."""
    email = email.strip().lower()
    account = Account.objects.filter(email=email).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(email=email)
    except IntegrityError:
        return Account.objects.get(email=email)


def _locked(account_id: int) -> Account:
    return Account.objects.select_for_update().get(pk=account_id)


@transaction.atomic
def member_join(*, user, email: str | None = None) -> Account:
    """Make the user a member: their account (the one their email's points wait in) is
    theirs and joined. Idempotent. Gives the sign-up bonus once."""
    account = getattr(user, "loyalty_account", None)
    if account is None:
        account = account_for_email(email=email or user.email)
        claimed = Account.objects.filter(pk=account.pk, user__isnull=True).update(user=user)
        if not claimed:
            account.refresh_from_db()
            if account.user_id != user.pk:
                # The email's points belong to another member; this user starts afresh
                # under an account of their own login email.
                account = account_for_email(email=user.email)
                Account.objects.filter(pk=account.pk, user__isnull=True).update(user=user)
    account = _locked(account.pk)
    if account.joined_at is None:
        account.joined_at = timezone.now()
        account.save(update_fields=["joined_at"])
    for rule in EarningRule.objects.filter(kind=EarningRule.Kind.SIGNUP, active=True):
        _bonus(account, rule, key=f"signup:{account.pk}")
        break
    return account


def points_emails_off(*, account_id: int) -> bool:
    """Stop the member's points emails. Idempotent; True if it changed."""
    return bool(
        Account.objects.filter(pk=account_id, points_emails=True).update(points_emails=False)
    )


@transaction.atomic
def member_claim_email(*, user, email: str) -> Account | None:
    """A user verified ``email``: the points waiting against it become theirs, when the
    user has no account yet (a member has one account; other addresses' points stay)."""
    if getattr(user, "loyalty_account", None) is not None:
        return None
    account = account_for_email(email=email)
    if Account.objects.filter(pk=account.pk, user__isnull=True).update(user=user):
        return _locked(account.pk)
    return None


MEMBER_ACTIVITY = frozenset({Kind.EARN, Kind.REDEEM, Kind.ADJUST})


# --- Emails -------------------------------------------------------------------------------


def _email(account: Account, kind: str, key: str, **data) -> None:
    """After commit, queue the member's points email for ``key`` (sent once per key by
    ``notifications.points_email_send``). Guests, whose points wait for them to join, get
    none."""
    if account.joined_at is None:
        return
    from ..tasks import send_points_email

    account_id = account.pk
    transaction.on_commit(lambda: send_points_email.delay(account_id, kind, key, data))


# --- Posting entries ----------------------------------------------------------------------


def _post(
    account: Account,
    *,
    kind: str,
    key: str,
    pending: int = 0,
    available: int = 0,
    lifetime: int = 0,
    allocations: list[tuple[Lot, int]] = (),
    **fields,
) -> Entry | None:
    """Write one entry and its allocations and move the cached balances with them.

    The caller holds the account's row lock. Returns None when the key exists already.
    """
    if Entry.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                account=account,
                kind=kind,
                key=key,
                pending_delta=pending,
                available_delta=available,
                lifetime_delta=lifetime,
                **fields,
            )
    except IntegrityError:
        return None  # written concurrently for another account's lock holder: done
    taken = [(lot, points) for lot, points in allocations if points]
    Allocation.objects.bulk_create(
        [Allocation(entry=entry, lot=lot, points=points) for lot, points in taken]
    )
    for lot, points in taken:
        lot.remaining -= points
        if lot.remaining == 0 and lot.status == Status.AVAILABLE:
            lot.status = Status.CLOSED
        elif lot.remaining > 0 and lot.status == Status.CLOSED:
            lot.status = Status.AVAILABLE  # points given back (``_restore``)
        lot.save(update_fields=["remaining", "status"])
    account.pending += pending
    account.available += available
    account.lifetime_earned += lifetime
    if kind in MEMBER_ACTIVITY:
        # What "months without activity" counts: the member earned or spent, or staff
        # adjusted; not the ledger's own bookkeeping (release, expiry, repayment).
        account.last_activity_at = timezone.now()
    account.ledger_version += 1
    account.save(
        update_fields=[
            "pending",
            "available",
            "lifetime_earned",
            "last_activity_at",
            "ledger_version",
        ]
    )
    return entry


def _open_lot(
    account: Account,
    *,
    key: str,
    points: int,
    status: str,
    earned_at: datetime,
    available_at: datetime | None,
    rule: EarningRule | None,
    label: str = "",
    order: Order | None = None,
    lines: list[tuple[int, int, int]] = (),
    note: str = "",
    staff=None,
    kind: str = Kind.EARN,
    settings: ProgramSettings | None = None,
) -> Lot | None:
    """An earn (or positive adjustment): a new lot and the entry that opened it."""
    if points <= 0 or Entry.objects.filter(key=key).exists():
        return None
    settings = settings or program()
    expires_at = None
    if settings.expiry == ProgramSettings.Expiry.AFTER_EARNED:
        expires_at = earned_at + relativedelta(months=settings.expiry_months)
    lot = Lot.objects.create(
        account=account,
        status=status,
        points=points,
        remaining=points,
        available_at=available_at,
        expires_at=expires_at,
        rule=rule,
        rule_name=(label or (rule.name if rule else note))[:100],
        rule_version=rule.version if rule else None,
        rate=rule.rate if rule and rule.kind == EarningRule.Kind.SPEND else None,
        order=order,
    )
    LotLine.objects.bulk_create(
        [LotLine(lot=lot, line_id=line, quantity=q, points=p) for line, q, p in lines if p]
    )
    pending = points if status == Status.PENDING else 0
    entry = _post(
        account,
        kind=kind,
        key=key,
        pending=pending,
        available=points - pending,
        lifetime=points if kind == Kind.EARN else 0,
        lot=lot,
        order=order,
        note=note,
        staff=staff,
    )
    if entry is None:  # the key appeared meanwhile: this lot was never opened
        lot.lines.all().delete()
        lot.delete()
        return None
    if status == Status.AVAILABLE:
        _repay(account, lot)
    return lot


def _repay(account: Account, lot: Lot) -> None:
    """New available points first pay back a negative balance (they are already counted
    in it: only the lot's remaining points go down)."""
    if account.available - lot.remaining >= 0:
        return
    debt = lot.remaining - account.available
    _post(
        account,
        kind=Kind.REPAY,
        key=f"repay:lot:{lot.pk}",
        lot=lot,
        allocations=[(lot, min(debt, lot.remaining))],
    )


def _bonus(account: Account, rule: EarningRule, *, key: str, order: Order | None = None):
    now = timezone.now()
    return _open_lot(
        account,
        key=key,
        points=rule.points,
        status=Status.AVAILABLE,
        earned_at=now,
        available_at=now,
        rule=rule,
        order=order,
        note=rule.name,
    )


def _first_in_first_out(account: Account, points: int) -> list[tuple[Lot, int]]:
    """Which lots ``points`` available points come from, soonest to expire first (the
    caller has checked the balance holds them)."""
    allocations, left = [], points
    for lot in _spendable(account):
        take = min(left, lot.remaining)
        allocations.append((lot, take))
        left -= take
        if not left:
            break
    return allocations


def _spendable(account: Account):
    """Available lots with points left, in the order they are spent: soonest to expire
    first, then oldest."""
    return (
        Lot.objects.select_for_update()
        .filter(account=account, status=Status.AVAILABLE, remaining__gt=0)
        .order_by(F("expires_at").asc(nulls_last=True), "created_at", "pk")
    )


# --- Time ---------------------------------------------------------------------------------


@transaction.atomic
def lot_release(*, lot_id: int, now: datetime | None = None) -> Entry | None:
    """Pending points whose return window has closed become available. Idempotent."""
    now = now or timezone.now()
    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None:
        return None
    account = _locked(lot.account_id)
    lot = Lot.objects.select_for_update().get(pk=lot_id)
    if lot.status != Status.PENDING or (lot.available_at and lot.available_at > now):
        return None
    points = lot.remaining
    lot.status = Status.AVAILABLE if points else Status.CLOSED
    lot.save(update_fields=["status"])
    entry = _post(
        account,
        kind=Kind.RELEASE,
        key=f"release:lot:{lot.pk}",
        pending=-points,
        available=points,
        lot=lot,
        order=lot.order,
    )
    if points:
        _repay(account, lot)
        key = f"available:order:{lot.order_id}" if lot.order_id else f"available:lot:{lot.pk}"
        _email(account, "available", key, order_id=lot.order_id, lot_id=lot.pk)
    return entry


def points_release_due(*, now: datetime | None = None) -> int:
    """Release every lot that is due; returns how many were released."""
    now = now or timezone.now()
    due = Lot.objects.filter(status=Status.PENDING, available_at__lte=now).values_list(
        "pk", flat=True
    )
    return sum(1 for pk in list(due) if lot_release(lot_id=pk, now=now) is not None)


@transaction.atomic
def lot_expire(*, lot_id: int, now: datetime | None = None) -> Entry | None:
    """What is left of an available lot past its expiry goes. Idempotent."""
    now = now or timezone.now()
    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None:
        return None
    account = _locked(lot.account_id)
    lot = Lot.objects.select_for_update().get(pk=lot_id)
    if lot.status != Status.AVAILABLE or not lot.remaining:
        return None
    if not _is_expired(account, lot, now):
        return None
    return _post(
        account,
        kind=Kind.EXPIRE,
        key=f"expire:lot:{lot.pk}",
        available=-lot.remaining,
        lot=lot,
        allocations=[(lot, lot.remaining)],
    )


def _is_expired(account: Account, lot: Lot, now: datetime) -> bool:
    settings = program()
    if settings.expiry == ProgramSettings.Expiry.AFTER_EARNED:
        return lot.expires_at is not None and lot.expires_at <= now
    if settings.expiry == ProgramSettings.Expiry.AFTER_INACTIVITY:
        last = account.last_activity_at or lot.created_at
        return last + relativedelta(months=settings.expiry_months) <= now
    return False


def points_expire_due(*, now: datetime | None = None) -> int:
    """Expire every available lot that is due; returns how many expired."""
    now = now or timezone.now()
    settings = program()
    lots = Lot.objects.filter(status=Status.AVAILABLE, remaining__gt=0)
    if settings.expiry == ProgramSettings.Expiry.AFTER_EARNED:
        lots = lots.filter(expires_at__lte=now)
    elif settings.expiry == ProgramSettings.Expiry.AFTER_INACTIVITY:
        cutoff = now - relativedelta(months=settings.expiry_months)
        lots = lots.filter(account__last_activity_at__lte=cutoff)
    else:
        return 0
    pks = list(lots.values_list("pk", flat=True))
    return sum(1 for pk in pks if lot_expire(lot_id=pk, now=now) is not None)


# --- Spending and staff -------------------------------------------------------------------


@transaction.atomic
def points_spend(*, account_id: int, points: int, key: str, note: str = "") -> Entry | None:
    """Spend available points, soonest-expiring first. Raises ``InsufficientPoints``.

    Idempotent per ``key`` (e.g. "redemption:<id>"). Two spends racing on one balance
    never overspend it: the account row is locked.
    """
    if points <= 0:
        raise ValueError("points must be positive")
    account = _locked(account_id)
    if Entry.objects.filter(key=key).exists():
        return None
    if account.available < points:
        raise InsufficientPoints(available=account.available, needed=points)
    allocations = _first_in_first_out(account, points)
    return _post(
        account, kind=Kind.REDEEM, key=key, available=-points, allocations=allocations, note=note
    )


@transaction.atomic
def points_adjust(*, account_id: int, points: int, staff, reason: str, key: str) -> Entry | None:
    """A staff member adds or removes available points, with a reason. Idempotent per key.

    Added points are a lot of their own (they expire like any other); removed points come
    from the soonest-expiring lots and cannot take the balance below zero.
    """
    if not points:
        raise ValueError("points must not be zero")
    account = _locked(account_id)
    if points > 0:
        now = timezone.now()
        lot = _open_lot(
            account,
            key=key,
            points=points,
            status=Status.AVAILABLE,
            earned_at=now,
            available_at=now,
            rule=None,
            note=reason,
            staff=staff,
            kind=Kind.ADJUST,
        )
        return lot.entries.get(kind=Kind.ADJUST) if lot else None
    if Entry.objects.filter(key=key).exists():
        return None
    if account.available < -points:
        raise InsufficientPoints(available=account.available, needed=-points)
    allocations = _first_in_first_out(account, -points)
    return _post(
        account,
        kind=Kind.ADJUST,
        key=key,
        available=points,
        allocations=allocations,
        note=reason,
        staff=staff,
    )


# --- The proof ----------------------------------------------------------------------------


def ledger_check(*, accounts=None) -> list[str]:
    """Every way the cached numbers could disagree with the ledger, as sentences; [] when
    they all agree."""
    problems = []
    accounts = Account.objects.all() if accounts is None else accounts
    sums = {
        row["account"]: row
        for row in Entry.objects.values("account").annotate(
            pending=Sum("pending_delta"),
            available=Sum("available_delta"),
            lifetime=Sum("lifetime_delta"),
        )
    }
    lots = {
        (row["account"], row["status"]): row["left"]
        for row in Lot.objects.values("account", "status").annotate(left=Sum("remaining"))
    }
    for account in accounts.order_by("pk"):
        row = sums.get(account.pk, {})
        for name, cached in (
            ("pending", account.pending),
            ("available", account.available),
            ("lifetime", account.lifetime_earned),
        ):
            if (row.get(name) or 0) != cached:
                problems.append(
                    f"{account.email}: {name} is {cached}, the ledger says {row.get(name) or 0}"
                )
        pending_left = lots.get((account.pk, Status.PENDING)) or 0
        if pending_left != account.pending:
            problems.append(
                f"{account.email}: pending lots hold {pending_left}, the balance is "
                f"{account.pending}"
            )
        available_left = lots.get((account.pk, Status.AVAILABLE)) or 0
        if available_left != max(account.available, 0):
            problems.append(
                f"{account.email}: available lots hold {available_left}, the balance is "
                f"{account.available}"
            )
    lots_off = Lot.objects.annotate(taken=Coalesce(Sum("allocations__points"), 0)).exclude(
        remaining=F("points") - F("taken")
    )
    for lot in lots_off:
        problems.append(
            f"lot {lot.pk}: {lot.remaining} left of {lot.points}, its allocations leave "
            f"{lot.points - lot.taken}"
        )
    return problems
