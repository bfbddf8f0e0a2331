"""Refunds that Portico itself paid out, recorded in the order mirror.

The store's own refunds reach the mirror through its webhooks (``mirror.refund_record``),
named by the store's ids. A refund Portico paid (a return refunded through Stripe or by an
agent in the store, or paid as store credit) is known by its order and its ``OrderLine``
ids instead, so it has its own entry point here, which applies it exactly as the mirror
applies the store's: the same row, lines, financial status and ``order_refunded`` signal.
Orders imports nothing of the apps that call this.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from ..connectors.base import RefundData
from ..models import Order, OrderLine, Refund
from .mirror import _refund_apply, _touch


@transaction.atomic
def refund_record_for_order(
    *,
    order_id: int,
    connector: str,
    external_id: str,
    amount: Decimal,
    currency: str,
    reason: str,
    refunded_at: datetime,
    lines: list[tuple[int, int, Decimal]],
) -> Refund:
    """Record a refund of a known order once; returns its row (new or already there).

    ``lines`` are ``(OrderLine id, quantity, amount)`` of that order. Idempotent on
    (``connector``, ``external_id``): the same refund again returns the row it made, and a
    refund the store's webhook already recorded under that id is not recorded twice.
    Locks the order row; moves the order to partially refunded / refunded and sends
    ``order_refunded`` on commit (through the mirror's own ``_refund_apply``), so loyalty
    reverses the points of those lines as it does for the store's refunds. The row's
    source is ``Refund.Source.RETURN``. Raises ``ValueError`` for a line of another order
    or a refund id already recorded for another order.
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    existing = Refund.objects.filter(connector=connector, external_id=external_id).first()
    if existing is not None:
        if existing.order_id != order.pk:
            raise ValueError(
                f"refund {connector}:{external_id} belongs to order {existing.order_id}, "
                f"not {order.pk}"
            )
        return existing
    wanted = {line_id for line_id, _quantity, _amount in lines}
    by_id = dict(
        OrderLine.objects.filter(order=order, pk__in=wanted).values_list("pk", "external_id")
    )
    if wanted - set(by_id):
        raise ValueError(f"lines {sorted(wanted - set(by_id))} are not lines of order {order.pk}")
    data = RefundData(
        order_external_id=order.external_id,
        external_id=external_id,
        amount=amount,
        currency=currency or order.currency,
        refunded_at=refunded_at,
        reason=reason,
        lines=[(by_id[line_id], quantity, amount) for line_id, quantity, amount in lines],
    )
    _refund_apply(order, connector, data, Refund.Source.RETURN)
    _touch(order)
    return Refund.objects.get(connector=connector, external_id=external_id)
