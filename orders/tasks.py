"""Order tasks: thin, take ids, safe to run twice."""

import random

from celery import shared_task

from . import services


@shared_task(name="orders.tasks.process_delivery", bind=True)
def process_delivery(self, delivery_pk: int) -> str:
    delivery = services.delivery_process(delivery_id=delivery_pk)
    if getattr(delivery, "retry_soon", False):
        # Lost a deadlock to another worker: run again in a moment, at a random one, so
        # the two do not meet again.
        raise self.retry(countdown=random.uniform(0.2, 2.0), max_retries=8)
    if getattr(delivery, "retry_later", False):
        # A platform API failed for now (e.g. Stripe unreachable): try again with backoff;
        # after the last try the delivery stays in the inbox for staff to replay.
        raise self.retry(countdown=min(600, 30 * 2**self.request.retries), max_retries=8)
    return delivery.status


@shared_task(name="orders.tasks.replay_delivery")
def replay_delivery(delivery_pk: int) -> str:
    return services.delivery_process(delivery_id=delivery_pk, replay=True).status


@shared_task(name="orders.tasks.notify_shipment")
def notify_shipment(shipment_pk: int, status: str) -> bool:
    return services.shipment_notify(shipment_id=shipment_pk, status=status)


@shared_task(name="orders.tasks.notify_shipments")
def notify_shipments(items: list) -> int:
    """``notify_shipment`` for many (shipment id, status) pairs; how many were sent."""
    return sum(
        1
        for shipment_pk, status in items
        if services.shipment_notify(shipment_id=shipment_pk, status=status)
    )
