"""Many workers spending one balance at once never overspend it (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection, connections

from loyalty import services
from loyalty.exceptions import InsufficientPoints
from loyalty.models import Account, Entry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for concurrent transactions")


def test_concurrent_spends_never_take_more_than_the_balance(migrated_db, admin_user):
    account = services.account_for_email(email="race@example.com")
    services.points_adjust(
        account_id=account.pk, points=500, staff=admin_user, reason="seed", key="seed"
    )
    threads, barrier, refused, errors = [], threading.Barrier(10), [], []

    def spend(n):
        try:
            barrier.wait(timeout=10)
            services.points_spend(account_id=account.pk, points=120, key=f"redemption:{n}")
        except InsufficientPoints:
            refused.append(n)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    for n in range(10):
        threads.append(threading.Thread(target=spend, args=(n,)))
        threads[-1].start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    account = Account.objects.get(pk=account.pk)
    assert Entry.objects.filter(kind=Entry.Kind.REDEEM).count() == 4 == 10 - len(refused)
    assert account.available == 500 - 4 * 120
    assert services.ledger_check() == []
