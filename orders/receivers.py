"""The order app's own reactions to its signals: a receiver only enqueues a task."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from . import services, signals


@receiver(signals.shipment_updated, dispatch_uid="orders.notify_shipment")
def notify_shipment(sender, shipment_id, status, **kwargs):
    from .tasks import notify_shipment as task

    task.delay(shipment_id, status)


@receiver(email_confirmed, dispatch_uid="orders.link_customer_on_confirm")
def link_customer(sender, request, email_address, **kwargs):
    # The moment a customer proves an email, the orders placed with it become theirs.
    services.customers_link_for_user(user=email_address.user)
