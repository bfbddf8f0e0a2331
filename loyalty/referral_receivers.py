"""Referrals react to paid orders: a receiver only enqueues a task, one per batch of
orders (``orders.signals.Collector``), and none while referrals are off or no referral
waits for an order."""

from django.dispatch import receiver

from orders import signals as orders

from . import services
from .models import Referral


def _enqueue(order_ids: list) -> None:
    from .tasks import record_referral_orders

    # Referrals already under way are seen through even after referrals are switched off.
    if not services.program().enabled:
        return
    # One cheap read per batch spares the broker a message per order for most stores.
    waiting = Referral.objects.filter(
        status__in=(Referral.Status.PENDING, Referral.Status.REVIEW), order__isnull=True
    )
    if waiting.exists():
        record_referral_orders.delay(order_ids)


# A hundred orders a task, as the points (receivers.py): the task records each order in a
# transaction of its own, and a batch of a thousand orders costs ten reads here, not 200.
_orders = orders.Collector(_enqueue, chunk=100)
orders.batch_started.connect(_orders.start, dispatch_uid="loyalty.referrals_batch_start")
orders.batch_finished.connect(_orders.finish, dispatch_uid="loyalty.referrals_batch_end")


@receiver(orders.order_paid, dispatch_uid="loyalty.referral_order_paid")
def order_paid(sender, order_id, **kwargs):
    _orders.add(order_id)
