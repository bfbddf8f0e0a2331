"""The order app's own reactions to its signals: a receiver only enqueues a task."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from . import services, signals


def _enqueue_notifications(items: list) -> None:
    from .tasks import notify_shipments

    notify_shipments.delay(items)


# One task per batch of shipments (see ``signals.Collector``), one per shipment otherwise.
_notifications = signals.Collector(_enqueue_notifications)
signals.batch_started.connect(_notifications.start, dispatch_uid="orders.notify_batch_start")
signals.batch_finished.connect(_notifications.finish, dispatch_uid="orders.notify_batch_end")


@receiver(signals.shipment_updated, dispatch_uid="orders.notify_shipment")
def notify_shipment(sender, shipment_id, status, **kwargs):
    _notifications.add([shipment_id, status])


@receiver(email_confirmed, dispatch_uid="orders.link_customer_on_confirm")
def link_customer(sender, request, email_address, **kwargs):
    # The moment a customer proves an email, the orders placed with it become theirs.
    services.customers_link_for_user(user=email_address.user)
