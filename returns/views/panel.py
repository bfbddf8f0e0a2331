"""The returns panel on the order page (``orders.extensions.order_page_panels``).

The order page is cached per ``Order.updated_at`` and kind of visitor, and every return
service bumps the order's ``updated_at``, so the panel is rendered again when a return of
the order changes. It shows only what anyone allowed to see the order may see.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..policy import eligibility
from ..selectors import order_facts, policy_current, returns_for_order
from .start import start_url


def order_panel(order, *, is_guest: bool) -> str:
    """The order's returns (number, status, link) and "Start a return" when any unit of the
    order may still be returned. The owner's links go straight to each return and to the
    form; a guest's go through the code first (a tracking link does not open returns),
    to the start page for this order, which lists the order's returns once the code is in."""
    returns = list(returns_for_order(order_id=order.pk))
    policy, _version = policy_current()
    checks = eligibility(policy, order_facts(order=order), now=timezone.now())
    returnable = any(check.eligible for check in checks)
    if not returns and not returnable:
        return ""
    if is_guest:
        start = start_url(order.number)
    else:
        start = reverse("returns:new", args=[order.lookup_number])
    return render_to_string(
        "returns/includes/order_panel.html",
        {
            "order": order,
            "returns": returns,
            "returnable": returnable,
            "start_url": start,
            "is_guest": is_guest,
        },
    )
