"""Properties of the ledger under random store events (hypothesis).

1. Order events (payment, refunds, cancellation), duplicated and in any order, end in the
   same balances as the same events once each, in order.
2. Whatever happens (earn, refund, release, spend, expire, adjust), the cached balances
   equal the ledger and every lot's allocations (``ledger_check``).
"""

from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty import services
from loyalty.exceptions import InsufficientPoints
from loyalty.models import Account, ProgramSettings
from tests.loyalty.conftest import PAID

pytestmark = pytest.mark.django_db

REFUNDS = [
    ("R1", [("L1", 1, "20")], "20"),
    ("R2", [("L2", 1, "60")], "60"),
    ("R3", [], "12"),
    ("R4", [("L1", 1, "20")], "20"),
]
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _balances():
    account = Account.objects.filter(email="mira@example.com").first()
    # No account yet (nothing was ever earned) is the same as an empty one.
    return (account.pending, account.available, account.lifetime_earned) if account else (0, 0, 0)


def _event(store, name):
    if name == "pay":
        store.order(updated_at=PAID)
    elif name == "cancel":
        store.order(cancelled_at=PAID + timedelta(days=2), updated_at=PAID + timedelta(days=2))
    else:
        external_id, lines, amount = next(r for r in REFUNDS if r[0] == name)
        store.refund(external_id, lines=lines, amount=amount)


@SETTINGS
@given(
    data=st.data(),
    refunds=st.lists(st.sampled_from([r[0] for r in REFUNDS]), unique=True, max_size=3),
    cancel=st.booleans(),
)
def test_order_events_in_any_order_and_repeated_end_in_the_same_balances(
    store, spend_rule, data, refunds, cancel
):
    events = ["pay", *refunds, *(["cancel"] if cancel else [])]
    shuffled = data.draw(st.permutations(events))
    repeated = shuffled + data.draw(st.lists(st.sampled_from(events), max_size=4))
    results = []
    for sequence in (events, repeated):
        with transaction.atomic():
            store.order(paid=False, updated_at=PAID - timedelta(hours=1))
            for name in sequence:
                _event(store, name)
            results.append(_balances())
            assert services.ledger_check() == []
            transaction.set_rollback(True)
    assert results[0] == results[1]


ACTIONS = st.sampled_from(
    ["order", "refund", "cancel", "release", "spend", "expire", "adjust+", "adjust-"]
)


@SETTINGS
@given(
    actions=st.lists(st.tuples(ACTIONS, st.integers(1, 200)), min_size=1, max_size=12),
    forgive=st.booleans(),
)
def test_the_cached_balances_always_equal_the_ledger(
    store, spend_rule, program, admin_user, actions, forgive
):
    with transaction.atomic():
        program.spent_reversal = (
            ProgramSettings.SpentReversal.FORGIVE
            if forgive
            else ProgramSettings.SpentReversal.NEGATIVE
        )
        program.save()
        orders = 0
        for step, (action, n) in enumerate(actions):
            if action == "order":
                orders += 1
                store.order(f"A-{orders}", placed_at=PAID - timedelta(minutes=orders))
            elif action == "refund" and orders:
                order = f"A-{n % orders + 1}"
                line = "L1" if n % 2 else "L2"
                store.refund(f"R-{step}", order=order, lines=[(line, 1, "20")], amount="20")
            elif action == "cancel" and orders:
                store.order(
                    f"A-{n % orders + 1}",
                    cancelled_at=PAID + timedelta(days=1),
                    updated_at=PAID + timedelta(days=1, minutes=step),
                )
            elif action == "release":
                services.points_release_due(now=PAID + timedelta(days=n))
            elif action == "expire":
                services.points_expire_due(now=PAID + timedelta(days=n * 3))
            else:
                account = services.account_for_email(email="mira@example.com")
                try:
                    if action == "spend":
                        services.points_spend(account_id=account.pk, points=n, key=f"s-{step}")
                    else:
                        services.points_adjust(
                            account_id=account.pk,
                            points=n if action == "adjust+" else -n,
                            staff=admin_user,
                            reason="test",
                            key=f"adj-{step}",
                        )
                except InsufficientPoints:
                    pass
            assert services.ledger_check() == [], (step, action, n)
            account = Account.objects.filter(email="mira@example.com").first()
            if account is not None:
                assert account.pending >= 0
                if forgive:
                    assert account.available >= 0
        transaction.set_rollback(True)
