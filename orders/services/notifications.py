"""Shipment emails: shipped, out for delivery, delivered, a delivery problem.

One email per real status change of a shipment, in the customer's language, never two for
the same change however often the task runs (a unique row is written before sending).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.signing import dumps
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ..models import Shipment, ShipmentNotification, ShipmentStatus

log = logging.getLogger(__name__)

KIND_OF_STATUS = {
    ShipmentStatus.IN_TRANSIT: ShipmentNotification.Kind.SHIPPED,
    ShipmentStatus.OUT_FOR_DELIVERY: ShipmentNotification.Kind.OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERED: ShipmentNotification.Kind.DELIVERED,
    ShipmentStatus.AVAILABLE_FOR_PICKUP: ShipmentNotification.Kind.DELIVERED,
    ShipmentStatus.FAILED_ATTEMPT: ShipmentNotification.Kind.EXCEPTION,
    ShipmentStatus.EXCEPTION: ShipmentNotification.Kind.EXCEPTION,
    ShipmentStatus.RETURNED_TO_SENDER: ShipmentNotification.Kind.EXCEPTION,
}
UNSUBSCRIBE_SALT = "orders.shipment-emails-off"
# A change that happened longer ago than this is news to nobody: a backfill or an import of
# old orders must not email customers about parcels that arrived months ago.
NOTIFY_MAX_AGE = timedelta(hours=48)


def customer_language(order) -> str:
    """The customer's language if Portico speaks it, else the site's."""
    supported = {code for code, _ in settings.LANGUAGES}
    candidates = []
    if order.customer_id:
        customer = order.customer
        if customer.user_id and getattr(customer.user, "language", ""):
            candidates.append(customer.user.language)
        candidates.append(customer.locale)
    for candidate in candidates:
        code = (candidate or "").split("-")[0].split("_")[0].lower()
        if code in supported:
            return code
    return settings.LANGUAGE_CODE


def unsubscribe_token(customer_id: int) -> str:
    return dumps({"c": customer_id}, salt=UNSUBSCRIBE_SALT)


def shipment_notify(*, shipment_id: int, status: str) -> bool:
    """Email the customer about the shipment's change to ``status``; True if sent now.

    Nothing is sent when the status is not one customers are told about, when the
    shipment has since moved on to another status, when the change happened more than
    ``NOTIFY_MAX_AGE`` ago (old orders imported or backfilled), when the customer turned
    these emails off, or when this change was already emailed.
    """
    kind = KIND_OF_STATUS.get(status)
    if kind is None:
        return False
    shipment = (
        Shipment.objects.select_related("order__customer__user")
        .prefetch_related("items__line")
        .filter(pk=shipment_id)
        .first()
    )
    if shipment is None or shipment.status != status or shipment.status_changed_at is None:
        return False
    happened = shipment.source_updated_at or shipment.status_changed_at
    if timezone.now() - happened > NOTIFY_MAX_AGE:
        return False
    order = shipment.order
    customer = order.customer
    if customer is not None and not customer.shipping_notifications:
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                ShipmentNotification.objects.create(
                    shipment=shipment,
                    kind=kind,
                    status_changed_at=shipment.status_changed_at,
                    email=order.email,
                )
        except IntegrityError:
            return False  # this change was emailed already
        _send(shipment, kind)
    return True


def _send(shipment: Shipment, kind: str) -> None:
    order = shipment.order
    language = customer_language(order)
    with translation.override(language):
        context = {
            "order": order,
            "shipment": shipment,
            "kind": kind,
            "order_url": settings.SITE_URL + _order_path(order),
            "unsubscribe_url": (
                settings.SITE_URL
                + reverse("orders:emails_off", args=[unsubscribe_token(order.customer_id)])
                if order.customer_id
                else ""
            ),
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("orders/email/shipment_subject.txt", context).strip()
        text = render_to_string("orders/email/shipment_message.txt", context)
        html = render_to_string("orders/email/shipment_message.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[order.email],
        headers={"List-Unsubscribe": f"<{context['unsubscribe_url']}>"}
        if context["unsubscribe_url"]
        else {},
    )
    message.attach_alternative(html, "text/html")
    # Raising here rolls back the notification row, so a retry sends it.
    message.send()


def _order_path(order) -> str:
    from ..access import order_tracking_path

    return order_tracking_path(order)
