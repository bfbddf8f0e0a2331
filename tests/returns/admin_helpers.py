"""Orders and returns built quickly for the Returns admin tests.

``return_made`` goes through ``services.return_create`` (the policy decides, as for a
customer); ``return_row`` writes the rows directly in any status, for listings, counts and
reports, where hundreds of returns are needed and the policy is not the point.

    order = delivered_order(lines=[("Linen shirt", "LS-1", 2, "40.00", "Shirts")])
    request = return_made(order, [(order.lines.get(sku="LS-1"), 1, "too_small")])
    other = return_row(order, status=Status.RECEIVED, lines=[(line, 1, "damaged")])
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from orders.models import Order
from portal.groups import EDITORS, MARKETERS, SUPPORT_AGENTS
from returns import services
from returns.models import (
    Method,
    Resolution,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    Status,
)
from returns.selectors import policy_current
from tests.orders.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ShipmentFactory,
    ShipmentLineFactory,
)
from tests.portal.factories import UserFactory

_numbers = itertools.count(1)


def staff(group_name: str, email: str, **names):
    user = UserFactory(email=email, is_staff=False, **names)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def agent(email="agent@example.com"):
    return staff(SUPPORT_AGENTS, email, first_name="Alan", last_name="Turing")


def editor(email="editor@example.com"):
    return staff(EDITORS, email)


def marketer(email="marketer@example.com"):
    return staff(MARKETERS, email)


def superuser(email="owner@example.com"):
    return UserFactory(email=email, is_staff=True, is_superuser=True)


def delivered_order(
    *,
    number: str | None = None,
    email: str = "grace@example.com",
    lines=(("Linen shirt", "LS-1", 2, "40.00", "Shirts"),),
    currency: str = "EUR",
    placed_days_ago: float = 5,
    delivered_days_ago: float | None = 2,
    customer=None,
    **fields,
) -> Order:
    """A paid order with ``lines`` (title, sku, quantity, unit price, product type), tax
    included in the prices, delivered ``delivered_days_ago`` days ago (None: not shipped)."""
    now = timezone.now()
    subtotal = sum(Decimal(price) * qty for _t, _s, qty, price, _p in lines)
    if customer is None:
        customer = CustomerFactory(email=email)
    order = OrderFactory(
        **({"number": number} if number else {}),
        customer=customer,
        email=email,
        currency=currency,
        subtotal=subtotal,
        shipping_total=Decimal("5.00"),
        tax_total=Decimal("0.00"),
        placed_at=now - timedelta(days=placed_days_ago),
        **fields,
    )
    rows = [
        OrderLineFactory(
            order=order,
            title=title,
            sku=sku,
            quantity=qty,
            unit_price=Decimal(price),
            product_type=product_type,
        )
        for title, sku, qty, price, product_type in lines
    ]
    if delivered_days_ago is not None:
        shipment = ShipmentFactory(
            order=order,
            shipped_at=now - timedelta(days=delivered_days_ago + 1),
            delivered_at=now - timedelta(days=delivered_days_ago),
        )
        for row in rows:
            ShipmentLineFactory(shipment=shipment, line=row)
    return order


def return_made(
    order: Order,
    picks,
    *,
    resolution: str = Resolution.REFUND,
    method: str = Method.LABEL,
    comment: str = "",
    exchange_for: str = "",
    user=None,
) -> ReturnRequest:
    """A return as a customer makes it: ``picks`` are (order line, quantity, reason)."""
    return services.return_create(
        order_id=order.pk,
        email=order.email,
        lines=[
            services.NewLine(line_id=line.pk, quantity=qty, reason=reason, comment="It broke.")
            for line, qty, reason in picks
        ],
        resolution=resolution,
        method=method,
        comment=comment,
        exchange_for=exchange_for,
        user=user,
    )


def return_row(
    order: Order,
    *,
    lines=None,
    status: str = Status.REQUESTED,
    resolution: str = Resolution.REFUND,
    method: str = Method.LABEL,
    created_days_ago: float = 0,
    resolved_days_after: float | None = None,
    total: Decimal | str | None = None,
    bonus: Decimal | str = "0",
    flagged: bool = False,
    review: str = ReturnRequest.Review.PENDING,
    email: str | None = None,
) -> ReturnRequest:
    """A return written directly: ``lines`` are (order line, quantity, reason); the default
    is one unit of the order's first line, "too_small". Money is the lines' prices."""
    if lines is None:
        lines = [(order.lines.order_by("pk").first(), 1, "too_small")]
    _policy, version = policy_current()
    items = sum((line.unit_price * qty for line, qty, _r in lines), Decimal("0"))
    created = timezone.now() - timedelta(days=created_days_ago)
    request = ReturnRequest.objects.create(
        number=f"R-T{next(_numbers):06d}",
        order=order,
        email=(email or order.email).lower(),
        status=status,
        policy_version=version,
        resolution=resolution,
        method=method,
        currency=order.currency,
        items_total=items,
        total=Decimal(str(total)) if total is not None else items,
        bonus_credit=Decimal(str(bonus)),
        flagged=flagged,
        review=review,
        decision={"rules": [], "auto_approve": False},
    )
    stamps = {"created_at": created}
    if resolved_days_after is not None:
        stamps["resolved_at"] = created + timedelta(days=resolved_days_after)
    ReturnRequest.objects.filter(pk=request.pk).update(**stamps)
    ReturnLine.objects.bulk_create(
        ReturnLine(
            request=request,
            order_line=line,
            quantity=qty,
            reason=reason,
            reason_label=reason.replace("_", " ").capitalize(),
            unit_amount=line.unit_price,
            amount=line.unit_price * qty,
        )
        for line, qty, reason in lines
    )
    ReturnEvent.objects.create(request=request, kind=ReturnEvent.Kind.TRANSITION, to_status=status)
    request.refresh_from_db()
    return request
