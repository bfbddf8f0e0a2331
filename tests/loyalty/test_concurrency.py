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


def test_concurrent_redemptions_never_exceed_a_rewards_stock(
    migrated_db, admin_user, user_factory, settings
):
    from loyalty.exceptions import RewardUnavailable
    from loyalty.models import Redemption, Reward

    settings.STRIPE_API_KEY = ""
    reward = Reward.objects.create(
        name="Free shipping", kind=Reward.Kind.FREE_SHIPPING, points_cost=50, stock=3
    )
    accounts = []
    for n in range(8):
        account = services.member_join(user=user_factory(email=f"m{n}@example.com"))
        services.points_adjust(
            account_id=account.pk, points=100, staff=admin_user, reason="seed", key=f"seed{n}"
        )
        accounts.append(account)
    barrier, refused, errors = threading.Barrier(len(accounts)), [], []

    def redeem(account):
        try:
            barrier.wait(timeout=10)
            services.reward_redeem(
                account_id=account.pk, reward_id=reward.pk, request_key=f"k{account.pk}"
            )
        except RewardUnavailable:
            refused.append(account.pk)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem, args=(a,)) for a in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert Redemption.objects.filter(status=Redemption.Status.ISSUED).count() == 3
    assert len(refused) == 5
    assert services.ledger_check() == []


def test_claims_racing_from_one_client_address_are_counted_one_after_another(
    migrated_db, user_factory, settings
):
    from decimal import Decimal

    from loyalty.models import ProgramSettings, Referral, Reward

    settings.STRIPE_API_KEY = ""
    program = ProgramSettings.load()
    program.referrals_enabled = True
    program.referral_points = 500
    program.referral_reward = Reward.objects.create(
        name="€10 off",
        kind=Reward.Kind.AMOUNT_OFF,
        points_cost=0,
        amount=Decimal("10"),
        currency="EUR",
        active=False,
    )
    program.referral_weekly_limit_per_client = 3
    program.save()
    ada = services.member_join(user=user_factory(email="ada@example.com"))
    link = services.referral_code_for(account=ada).code
    friends = [f"friend{n}@example.com" for n in range(8)]
    barrier, errors = threading.Barrier(len(friends)), []

    def claim(email):
        try:
            barrier.wait(timeout=10)
            services.referral_claim(code=link, email=email, client_address="10.0.0.7")
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(email,)) for email in friends]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    # Three a week from one address get their code; the rest wait for staff, however
    # close together they came.
    assert Referral.objects.exclude(status=Referral.Status.REVIEW).count() == 3
    assert Referral.objects.filter(status=Referral.Status.REVIEW).count() == 5
