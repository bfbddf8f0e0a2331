"""Loyalty tasks: thin, take ids, safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from orders import stripe_api

from . import services


@shared_task(name="loyalty.tasks.award_order_points")
def award_order_points(order_id: int) -> int:
    # A reward code is used by the order that paid with it: one task for both, since
    # every paid order would otherwise cost the worker a second message.
    services.redemptions_mark_used(order_id=order_id)
    return len(services.order_points_award(order_id=order_id))


@shared_task(name="loyalty.tasks.award_orders_points")
def award_orders_points(order_ids: list[int]) -> int:
    """``award_order_points`` for the paid orders of a batch, set-based where it can be
    (``services.orders_points_award``)."""
    services.redemptions_mark_used_many(order_ids=order_ids)
    return services.orders_points_award(order_ids=order_ids)


@shared_task(name="loyalty.tasks.reverse_order_points")
def reverse_order_points(order_id: int) -> int:
    return len(services.order_points_reverse(order_id=order_id))


@shared_task(name="loyalty.tasks.release_due_points")
def release_due_points() -> int:
    return services.points_release_due()


@shared_task(name="loyalty.tasks.expire_due_points")
def expire_due_points() -> int:
    return services.points_expire_due()


@shared_task(name="loyalty.tasks.review_due_tiers")
def review_due_tiers() -> int:
    return services.tiers_review_due()


@shared_task(name="loyalty.tasks.reward_birthdays")
def reward_birthdays() -> int:
    return services.birthdays_reward_due()


@shared_task(name="loyalty.tasks.send_points_email")
def send_points_email(account_id: int, kind: str, key: str, data: dict) -> bool:
    from . import notifications

    return notifications.points_email_send(account_id=account_id, kind=kind, key=key, data=data)


@shared_task(name="loyalty.tasks.remind_expiring_points")
def remind_expiring_points(now: str | None = None) -> int:
    from datetime import datetime

    from . import notifications

    return notifications.points_expiry_remind(now=datetime.fromisoformat(now) if now else None)


@shared_task(name="loyalty.tasks.issue_stuck_codes")
def issue_stuck_codes() -> int:
    return services.redemptions_issue_stuck()


@shared_task(name="loyalty.tasks.record_referral_orders")
def record_referral_orders(order_ids: list[int]) -> int:
    """A batch of paid orders: which are a referred friend's first (each in its own
    transaction)."""
    return sum(1 for order_id in order_ids if services.referral_order_record(order_id=order_id))


@shared_task(name="loyalty.tasks.reward_due_referrals")
def reward_due_referrals() -> int:
    return services.referrals_reward_due()


@shared_task(name="loyalty.tasks.send_referral_email")
def send_referral_email(referral_id: int, kind: str) -> bool:
    from . import referral_emails

    return referral_emails.referral_email_send(referral_id=referral_id, kind=kind)


@shared_task(
    name="loyalty.tasks.deactivate_promotion_code",
    # Its own list replaces the task class's: Stripe's failures, and the passing ones.
    autoretry_for=(
        stripe_api.StripeApiError,
        ConnectionError,
        TimeoutError,
        OperationalError,
        InterfaceError,
    ),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=12,
)
def deactivate_promotion_code(redemption_id: int) -> bool:
    """A code voided because its points were taken back is switched off in Stripe too."""
    return services.redemption_deactivate_remote(redemption_id=redemption_id)
