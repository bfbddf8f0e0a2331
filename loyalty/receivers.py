"""The program's reactions to orders and accounts: a receiver only enqueues a task (or,
for a person signing up, calls a quick service)."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from orders import signals as orders

from . import services


def _enqueue_awards(order_ids: list) -> None:
    from .tasks import award_orders_points

    # While the program is off no task is queued at all (one read per batch, not per order).
    if services.program().enabled:
        award_orders_points.delay(order_ids)


# One task per hundred paid orders of a batch (see ``orders.signals.Collector``): the
# task awards them set-based (``services.orders_points_award``).
_awards = orders.Collector(_enqueue_awards, chunk=100)
orders.batch_started.connect(_awards.start, dispatch_uid="loyalty.awards_batch_start")
orders.batch_finished.connect(_awards.finish, dispatch_uid="loyalty.awards_batch_end")


@receiver(orders.order_paid, dispatch_uid="loyalty.award_order_points")
def order_paid(sender, order_id, **kwargs):
    _awards.add(order_id)


@receiver(orders.order_cancelled, dispatch_uid="loyalty.reverse_on_cancel")
@receiver(orders.order_refunded, dispatch_uid="loyalty.reverse_on_refund")
def order_reversed(sender, order_id, **kwargs):
    from .tasks import reverse_order_points

    reverse_order_points.delay(order_id)


@receiver(email_confirmed, dispatch_uid="loyalty.join_on_confirm")
def join_on_confirm(sender, request, email_address, **kwargs):
    # Proving an email makes the customer a member, with what waited against that email
    # (joining on sign-up, as the program page promises; nothing while the program is off).
    services.member_claim_email(user=email_address.user, email=email_address.email)
    if services.program().enabled:
        services.member_join(user=email_address.user, email=email_address.email)
