"""A points ledger at scale for ``/rewards/``: about a million entries in a minute.

``seed_ledger`` gives the bench database ~100,000 member accounts of 10 entries each
(``bench-points-0000001@example.com`` …) and the typical customer's own account with
5,000 entries, each earn with its lot, each spend with its allocation, so the page's
selectors run against tables of a realistic size. Rows are written as a backfill would
leave them, without services: ``COPY`` on PostgreSQL (bulk ``INSERT`` on SQLite) through
``bench.orderdata.Table``, primary keys reserved first.

Every account's history is the same shape, and its balances agree with its entries (what
``manage.py loyalty_check`` proves): spent lots (earn, release, redeem that takes the whole
lot, ``closed``), for the member a few available lots (earn, release), and recent pending
lots (earn). The member has 1,660 spent lots, 5 available and 10 pending: 15 open lots, as
a member who spends their points has, not 2,500.

Idempotent: accounts are written in batches of one transaction each, counted by their
email prefix, so a second run writes only what is missing; the member's account is
complete or absent.
"""

import time
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from bench.data import Dataset
from bench.orderdata import Table, reserve_ids
from loyalty.models import Account, Allocation, Entry, Lot
from orders.models import Order

OTHER_PREFIX = "bench-points-"
OTHER_ACCOUNTS = 99_500
MEMBER_ENTRIES = 5_000
BATCH_ACCOUNTS = 5_000
KEY_PREFIX = "bench-seed:"
RULE_NAME = "1 point per $1.00 spent"
REWARD_NAME = "Free shipping"
RETURN_WINDOW = timedelta(days=30)
EXPIRY = timedelta(days=365)
# An account's lots: spent ones (3 entries each), available ones (2), pending ones (1).
OTHER_SHAPE = (3, 0, 1)  # 10 entries
MEMBER_SHAPE = (1_660, 5, 10)  # 4,980 + 10 + 10 = 5,000 entries


def other_email(number: int) -> str:
    return f"{OTHER_PREFIX}{number:07d}@example.com"


class Writer:
    def __init__(self, now: datetime):
        self.accounts = Table(
            Account,
            [
                "id",
                "email",
                "user_id",
                "joined_at",
                "pending",
                "available",
                "lifetime_earned",
                "last_activity_at",
                "created_at",
            ],
            now,
        )
        self.lots = Table(
            Lot,
            [
                "id",
                "account_id",
                "status",
                "points",
                "remaining",
                "available_at",
                "expires_at",
                "rule_name",
                "order_id",
                "created_at",
            ],
            now,
        )
        self.entries = Table(
            Entry,
            [
                "id",
                "account_id",
                "kind",
                "key",
                "pending_delta",
                "available_delta",
                "lifetime_delta",
                "lot_id",
                "order_id",
                "note",
                "created_at",
            ],
            now,
        )
        self.allocations = Table(Allocation, ["entry_id", "lot_id", "points"], now)


class History:
    """The rows of one batch of accounts, built in memory then copied table by table."""

    def __init__(self, now: datetime):
        self.now = now
        self.accounts, self.lots, self.entries, self.allocations = [], [], [], []

    def account(
        self,
        *,
        account_id: int,
        email: str,
        user_id: int | None,
        shape: tuple[int, int, int],
        lot_ids,
        entry_ids,
        seed: int,
        orders: list[int],
    ) -> None:
        spent, available, pending = shape
        balance = {"pending": 0, "available": 0, "lifetime": 0}
        last = None
        total = spent + available + pending
        for i in range(total):
            lot_id = next(lot_ids)
            points = 20 + (seed * 31 + i * 17) % 180
            order_id = orders[i % len(orders)] if orders else None
            # Oldest first: spent lots years ago, available ones months ago, pending ones
            # in the return window (the last `pending` lots, within the past 25 days).
            if i < spent:
                earned = self.now - timedelta(
                    days=1_100 * (total - i) / total + 60, hours=seed % 24
                )
                status, remaining = Lot.Status.CLOSED, 0
            elif i < spent + available:
                earned = self.now - timedelta(days=40 + (total - i) * 3, hours=seed % 24)
                status, remaining = Lot.Status.AVAILABLE, points
            else:
                earned = self.now - timedelta(days=(total - i) * 2 % 25, hours=1 + seed % 20)
                status, remaining = Lot.Status.PENDING, points
            released = earned + RETURN_WINDOW
            self.lots.append(
                (
                    lot_id,
                    account_id,
                    status,
                    points,
                    remaining,
                    released,
                    earned + EXPIRY,
                    RULE_NAME,
                    order_id,
                    earned,
                )
            )
            balance["lifetime"] += points
            self.entries.append(
                (
                    next(entry_ids),
                    account_id,
                    Entry.Kind.EARN,
                    f"{KEY_PREFIX}earn:lot:{lot_id}",
                    points,
                    0,
                    points,
                    lot_id,
                    order_id,
                    "",
                    earned,
                )
            )
            last = earned
            if status == Lot.Status.PENDING:
                balance["pending"] += points
                continue
            self.entries.append(
                (
                    next(entry_ids),
                    account_id,
                    Entry.Kind.RELEASE,
                    f"release:lot:{lot_id}",
                    -points,
                    points,
                    0,
                    lot_id,
                    order_id,
                    "",
                    released,
                )
            )
            last = max(last, released)
            if status == Lot.Status.AVAILABLE:
                balance["available"] += points
                continue
            spent_at = released + timedelta(days=10)
            redeem_id = next(entry_ids)
            self.entries.append(
                (
                    redeem_id,
                    account_id,
                    Entry.Kind.REDEEM,
                    f"{KEY_PREFIX}redeem:lot:{lot_id}",
                    0,
                    -points,
                    0,
                    None,
                    None,
                    REWARD_NAME,
                    spent_at,
                )
            )
            self.allocations.append((redeem_id, lot_id, points))
            last = max(last, spent_at)
        self.accounts.append(
            (
                account_id,
                email,
                user_id,
                self.now - timedelta(days=1_200),
                balance["pending"],
                balance["available"],
                balance["lifetime"],
                last,
                self.now - timedelta(days=1_200),
            )
        )

    def write(self, writer: Writer) -> int:
        return (
            writer.accounts.write(self.accounts)
            + writer.lots.write(self.lots)
            + writer.entries.write(self.entries)
            + writer.allocations.write(self.allocations)
        )


def _entries_of(shape: tuple[int, int, int]) -> int:
    spent, available, pending = shape
    return 3 * spent + 2 * available + pending


def seed_ledger(data: Dataset) -> None:
    """The member's 5,000 entries, then the other accounts' (both skip what exists)."""
    started = time.monotonic()
    written = seed_member(data) + seed_others()
    if written:
        vacuum()
        print(
            f"   ledger: {written:,} rows in {time.monotonic() - started:.1f}s; "
            f"{Entry.objects.count():,} entries in the database",
            flush=True,
        )


def member_account(data: Dataset) -> Account | None:
    return Account.objects.filter(user=data.typical_customer()).first()


def seed_member(data: Dataset) -> int:
    """The typical customer's account, joined, with MEMBER_ENTRIES entries over their own
    orders (the member's lots name them, as order lots do)."""
    user = data.typical_customer()
    email = user.email.strip().lower()
    account = Account.objects.filter(email=email).first()
    if account is not None and account.entries.exists():
        print(f"   the member's ledger is there ({account.entries.count():,} entries)")
        return 0
    now = timezone.now()
    # lower(email) = …: the expression the orders' email index is built on.
    orders = list(
        Order.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=email)
        .order_by("placed_at")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        if account is not None:
            # An empty account (the page's join, a claim): replaced by the seeded one.
            account.delete()
        history = History(now)
        spent, available, pending = MEMBER_SHAPE
        lots = spent + available + pending
        history.account(
            account_id=reserve_ids(Account, 1)[0],
            email=email,
            user_id=user.pk,
            shape=MEMBER_SHAPE,
            lot_ids=iter(reserve_ids(Lot, lots)),
            entry_ids=iter(reserve_ids(Entry, _entries_of(MEMBER_SHAPE))),
            seed=user.pk,
            orders=orders,
        )
        count = history.write(Writer(now))
    print(f"   the member {email}: {_entries_of(MEMBER_SHAPE):,} entries, {lots:,} lots")
    return count


def seed_others() -> int:
    existing = Account.objects.filter(email__startswith=OTHER_PREFIX).count()
    if existing >= OTHER_ACCOUNTS:
        print(f"   {existing:,} other accounts already there")
        return 0
    now = timezone.now()
    writer = Writer(now)
    started = time.monotonic()
    per_account = _entries_of(OTHER_SHAPE)
    lots_per_account = sum(OTHER_SHAPE)
    print(
        f"   writing accounts {existing + 1:,}..{OTHER_ACCOUNTS:,} ({per_account} entries each)"
        f" in batches of {BATCH_ACCOUNTS:,}",
        flush=True,
    )
    rows = 0
    for low in range(existing + 1, OTHER_ACCOUNTS + 1, BATCH_ACCOUNTS):
        numbers = range(low, min(low + BATCH_ACCOUNTS - 1, OTHER_ACCOUNTS) + 1)
        with transaction.atomic():
            history = History(now)
            account_ids = reserve_ids(Account, len(numbers))
            lot_ids = iter(reserve_ids(Lot, lots_per_account * len(numbers)))
            entry_ids = iter(reserve_ids(Entry, per_account * len(numbers)))
            for number, account_id in zip(numbers, account_ids, strict=True):
                history.account(
                    account_id=account_id,
                    email=other_email(number),
                    user_id=None,
                    shape=OTHER_SHAPE,
                    lot_ids=lot_ids,
                    entry_ids=entry_ids,
                    seed=number,
                    orders=[],
                )
            rows += history.write(writer)
        elapsed = time.monotonic() - started
        print(
            f"   {numbers[-1]:>7,} / {OTHER_ACCOUNTS:,} accounts  {elapsed:6.1f}s  "
            f"{(numbers[-1] - existing) * per_account / elapsed:9,.0f} entries/s",
            flush=True,
        )
    return rows


def vacuum() -> None:
    """As bench/orderdata.py: the visibility map and statistics a production database's
    autovacuum would have made long ago. PostgreSQL only."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Account, Lot, Entry, Allocation):
            cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
