"""How a shipment reads to a customer: its progress steps and, when something went wrong,
what that means. Presentation only; the statuses themselves come from the connectors."""

from django import template
from django.utils.translation import gettext_lazy as _

from orders.models import ShipmentStatus

register = template.Library()

STEPS = [
    ("ordered", _("Ordered")),
    ("shipped", _("Shipped")),
    ("out_for_delivery", _("Out for delivery")),
    ("delivered", _("Delivered")),
]

# How far along the four steps each status is (0 = ordered … 3 = delivered).
STEP_OF_STATUS = {
    ShipmentStatus.PENDING: 0,
    ShipmentStatus.INFO_RECEIVED: 0,
    ShipmentStatus.IN_TRANSIT: 1,
    ShipmentStatus.EXCEPTION: 1,
    ShipmentStatus.RETURNED_TO_SENDER: 1,
    ShipmentStatus.OUT_FOR_DELIVERY: 2,
    ShipmentStatus.FAILED_ATTEMPT: 2,
    ShipmentStatus.AVAILABLE_FOR_PICKUP: 2,
    ShipmentStatus.DELIVERED: 3,
}

PROBLEM_STATUSES = {
    ShipmentStatus.FAILED_ATTEMPT,
    ShipmentStatus.EXCEPTION,
    ShipmentStatus.RETURNED_TO_SENDER,
}

EXPLANATIONS = {
    ShipmentStatus.FAILED_ATTEMPT: _(
        "The carrier tried to deliver this parcel but could not. Carriers usually try again "
        "on the next working day or leave a note saying where to collect it."
    ),
    ShipmentStatus.EXCEPTION: _(
        "The carrier reported a problem with this parcel, for example an address it could "
        "not find, damage or a customs hold. It may arrive later than expected."
    ),
    ShipmentStatus.RETURNED_TO_SENDER: _(
        "The carrier is sending this parcel back to us, so it will not be delivered to you."
    ),
    ShipmentStatus.AVAILABLE_FOR_PICKUP: _(
        "Your parcel is waiting at a pickup point. The carrier's page shows the address "
        "and opening hours."
    ),
}


@register.simple_tag
def shipment_progress(shipment) -> dict:
    """The four steps with their state ("done", "current", "todo") and what went wrong.

    A shipment with a problem keeps the furthest step its tracking history reached, so a
    failed delivery attempt still shows that the parcel was out for delivery. Uses the
    prefetched ``shipment.events`` only.
    """
    status = shipment.status
    reached = STEP_OF_STATUS.get(status, 0)
    problem = status in PROBLEM_STATUSES
    if problem:
        for event in shipment.events.all():
            if event.status != ShipmentStatus.DELIVERED:
                reached = max(reached, STEP_OF_STATUS.get(event.status, 0))
    steps = []
    for index, (key, label) in enumerate(STEPS):
        if index < reached:
            state = "done"
        elif index == reached:
            state = "current"
        else:
            state = "todo"
        steps.append({"key": key, "label": label, "state": state, "number": index + 1})
    return {
        "steps": steps,
        "reached": steps[reached],
        "total": len(STEPS),
        "problem": problem,
        "delivered": status == ShipmentStatus.DELIVERED,
        "explanation": EXPLANATIONS.get(status, ""),
    }


@register.filter
def shipment_status_label(value) -> str:
    """``"in_transit"`` → "In transit" (for a status that is not a model field)."""
    try:
        return ShipmentStatus(value).label
    except ValueError:
        return ""


@register.filter
def shipment_status_tone(value) -> str:
    """The badge modifier for a status: "ok", "problem" or "" (neutral)."""
    if value == ShipmentStatus.DELIVERED:
        return "ok"
    if value in PROBLEM_STATUSES:
        return "problem"
    return ""
