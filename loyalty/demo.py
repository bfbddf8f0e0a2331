"""Demo loyalty program: the program on, three earning rules, the demo customers as
members, and the points the demo orders earned (reversed where cancelled or refunded,
available where the return window has closed).

Everything goes through ``loyalty.services``, whose ledger keys make each step idempotent:
seeding again writes nothing. Rules are looked up by name before they are created.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from orders.demo import PREFIX
from orders.models import Connector, Order

from . import services
from .models import Account, EarningRule, Entry, ProgramSettings

# (name, kind, points, per amount, currency). The demo store sells in pounds and in lira
# (at about 30 lira to the pound), so spending earns about the same in both.
RULES = [
    ("1 point per £1.00 spent", EarningRule.Kind.SPEND, 1, "1.00", "GBP"),
    ("1 point per ₺30.00 spent", EarningRule.Kind.SPEND, 1, "30.00", "TRY"),
    ("Sign-up bonus", EarningRule.Kind.SIGNUP, 100, "1", ""),
    ("First order bonus", EarningRule.Kind.FIRST_ORDER, 50, "1", ""),
]


def seed_program() -> None:
    program = ProgramSettings.load()
    if not program.enabled:
        program.enabled = True
        program.save(update_fields=["enabled"])
    for name, kind, points, per_amount, currency in RULES:
        EarningRule.objects.get_or_create(
            name=name,
            kind=kind,
            defaults={"points": points, "per_amount": Decimal(per_amount), "currency": currency},
        )


def seed_members() -> int:
    """Demo customers have verified emails: they join, as the email confirmation would
    have made them."""
    User = get_user_model()
    joined = 0
    for user in User.objects.filter(email__startswith="customer", email__endswith="@example.com"):
        account = getattr(user, "loyalty_account", None)
        if account is not None and account.joined_at is not None:
            continue
        services.member_join(user=user)
        joined += 1
    return joined


def seed_order_points() -> int:
    """Award every paid demo order in the order it was placed (the first-order bonus goes
    to each customer's first), reverse what cancellations and refunds took back. Returns
    how many orders were looked at for the first time."""
    orders = Order.objects.filter(connector=Connector.PORTICO, external_id__startswith=PREFIX)
    seen = set(Entry.objects.filter(order__in=orders).values_list("order_id", flat=True).distinct())
    fresh = 0
    refunded = (Order.FinancialStatus.REFUNDED, Order.FinancialStatus.PARTIALLY_REFUNDED)
    rows = orders.order_by("placed_at", "pk").values_list(
        "pk", "paid_at", "cancelled_at", "financial_status"
    )
    for order_id, paid_at, cancelled_at, financial_status in rows:
        # Unpaid orders earn nothing yet; demo orders are cancelled before they are
        # awarded, so there is nothing to take back (the award refuses them).
        if order_id in seen or not paid_at or cancelled_at:
            continue
        fresh += 1
        services.order_points_award(order_id=order_id)
        if financial_status in refunded:
            # The award already reverses refunds it finds; this is the path a refund
            # arriving later takes, and converges to the same ledger.
            services.order_points_reverse(order_id=order_id)
    return fresh


@transaction.atomic
def seed(*, stdout=None) -> None:
    # One transaction: a failed seed leaves nothing half done, and SQLite commits once.
    seed_program()
    joined = seed_members()
    fresh = seed_order_points()
    released = services.points_release_due(now=timezone.now())
    if stdout is not None:
        stdout.write(
            f"Loyalty: program on, {len(RULES)} rules, {joined} new members, points for "
            f"{fresh} orders, {released} lots released; {Account.objects.count()} accounts."
        )
