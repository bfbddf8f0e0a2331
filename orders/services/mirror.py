"""Every write the order mirror allows.

Each public function is one transaction. Applying the same change twice changes nothing,
and a change whose source timestamp is older than what is stored is ignored (stale).
Signals go out after commit, once per real change (see ``orders.signals``); a payment
refund's status (``payment_refund_announce``) is announced each time it is reported.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Lower
from django.utils import timezone

from .. import carriers, signals
from ..connectors.base import (
    CustomerData,
    LineData,
    OrderData,
    RefundData,
    RefundStatusData,
    ShipmentData,
    TrackingEventData,
)
from ..exceptions import OrderNotYetKnown
from ..models import (
    Customer,
    Order,
    OrderLine,
    Refund,
    RefundLine,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TrackingEvent,
)

log = logging.getLogger(__name__)

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def lookup_number(number: str) -> str:
    """The order number as customers type it: "#1001", " 1001 ", "ab-12" → "1001", "AB12"."""
    return _NOT_ALNUM.sub("", (number or "").upper())


@dataclass
class Outcome:
    """What a change did, for the caller (and the tests) to see."""

    order: Order | None = None
    created: bool = False
    stale: bool = False
    events: list[str] = field(default_factory=list)


def _on_commit(signal, sender, **kwargs) -> None:
    # Robust: a receiver that fails is logged, and the signals after it still go out.
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs), robust=True)


# --- Customers ----------------------------------------------------------------------------


def _customers_by_email(email: str):
    # lower(email) = …: the form the unique index is built on, so PostgreSQL uses it
    # (email__iexact becomes UPPER(…) = UPPER(…) and scans the table).
    return Customer.objects.alias(email_lower=Lower("email")).filter(email_lower=email.lower())


def customer_upsert(*, connector: str, data: CustomerData) -> Customer:
    """One customer per email (any case). Fills blanks; never erases what is known."""
    email = data.email.lower()
    customer = _customers_by_email(email).select_for_update().first()
    if customer is None:
        try:
            with transaction.atomic():
                customer = Customer.objects.create(**_customer_fields(connector, data))
        except IntegrityError:
            # Created concurrently by another delivery: use that row.
            customer = _customers_by_email(email).select_for_update().get()
        else:
            _link_user(customer)
            return customer
    changed = _customer_merge(customer, data)
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    return customer


def _customer_fields(connector: str, data: CustomerData) -> dict:
    """A new customer's fields."""
    return {
        "email": data.email.lower(),
        "first_name": data.first_name,
        "last_name": data.last_name,
        "phone": data.phone,
        "locale": data.locale[:12],
        "accepts_marketing": data.accepts_marketing,
        "connector": connector,
        "external_id": data.external_id,
    }


def _customer_merge(customer: Customer, data: CustomerData) -> list[str]:
    """Fill what the customer lacks, follow their latest marketing choice; the changed names."""
    changed = []
    for name in ("first_name", "last_name", "phone", "locale", "external_id"):
        value = getattr(data, name)
        if value and getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.append(name)
    if data.accepts_marketing != customer.accepts_marketing:
        customer.accepts_marketing = data.accepts_marketing
        changed.append("accepts_marketing")
    return changed


def _link_user(customer: Customer) -> None:
    from allauth.account.models import EmailAddress

    address = (
        EmailAddress.objects.filter(email=customer.email.lower(), verified=True)
        .select_related("user")
        .first()
    )
    if address is not None and not Customer.objects.filter(user=address.user).exists():
        customer.user = address.user
        customer.save(update_fields=["user", "updated_at"])


@transaction.atomic
def customers_link_for_user(*, user) -> int:
    """Link every customer record whose email the user has verified. Idempotent.

    Returns how many were linked now. A user is linked to at most one customer record
    (the first verified email's); orders are found by all verified emails anyway.
    """
    from allauth.account.models import EmailAddress

    if Customer.objects.filter(user=user).exists():
        return 0
    emails = list(
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
    )
    for email in emails:
        linked = (
            _customers_by_email(email)
            .filter(user__isnull=True)
            .update(user=user, updated_at=timezone.now())
        )
        if linked:
            return linked
    return 0


def shipment_emails_off(*, customer_id: int) -> bool:
    """Turn shipment emails off for a customer. Idempotent; True if it changed."""
    return bool(
        Customer.objects.filter(pk=customer_id, shipping_notifications=True).update(
            shipping_notifications=False, updated_at=timezone.now()
        )
    )


# --- Orders -------------------------------------------------------------------------------


def _is_stale(stored, incoming) -> bool:
    return bool(stored and incoming and incoming < stored)


@transaction.atomic
def order_upsert(*, connector: str, data: OrderData) -> Outcome:
    """Create or update an order with its lines, shipments and refunds.

    Locks the order row. A change older than the stored ``source_updated_at`` is ignored.
    Sends ``order_placed`` / ``order_paid`` / ``order_cancelled`` on commit when they
    happen for the first time, and what shipments and refunds send.
    """
    order = (
        Order.objects.select_for_update()
        .filter(connector=connector, external_id=data.external_id)
        .first()
    )
    outcome = Outcome(order=order)
    if order is not None and _is_stale(order.source_updated_at, data.updated_at):
        outcome.stale = True
        return outcome

    customer = customer_upsert(connector=connector, data=data.customer) if data.customer else None
    fields = _order_fields(data, order)
    if customer is not None:
        fields["customer"] = customer

    if order is None:
        try:
            with transaction.atomic():
                order = Order.objects.create(
                    connector=connector,
                    external_id=data.external_id,
                    paid_at=data.paid_at,
                    cancelled_at=data.cancelled_at,
                    **fields,
                )
        except IntegrityError:
            # Another worker created it between our read and insert: apply on top of it.
            return order_upsert(connector=connector, data=data)
        outcome.created = True
        _announce_new_order(order, outcome)
    else:
        was_paid, was_cancelled = order.paid_at is not None, order.cancelled_at is not None
        for name, value in fields.items():
            setattr(order, name, value)
        if order.refunds.exists() and data.financial_status in REFUNDABLE_STATES:
            # A late or re-sent "paid" event must not undo the refunds recorded since.
            order.financial_status = _refunded_status(order)
        # Paid and cancelled are facts: a later update without them does not undo them.
        order.paid_at = order.paid_at or data.paid_at
        order.cancelled_at = order.cancelled_at or data.cancelled_at
        order.save()
        if order.paid_at and not was_paid:
            outcome.events.append("paid")
            _on_commit(signals.order_paid, Order, order_id=order.pk)
        if order.cancelled_at and not was_cancelled:
            outcome.events.append("cancelled")
            _on_commit(signals.order_cancelled, Order, order_id=order.pk)
    outcome.order = order

    _lines_sync(order, data.lines, complete=data.lines_complete, new=outcome.created)
    for shipment in data.shipments:
        outcome.events += _shipment_apply(order, shipment).events
    for refund in data.refunds:
        outcome.events += _refund_apply(order, connector, refund, Refund.Source.STORE).events
    _fulfillment_status_update(order)
    return outcome


def _announce_new_order(order: Order, outcome: Outcome) -> None:
    """A new order's signals, on commit: placed, and paid / cancelled if it came so."""
    outcome.events.append("placed")
    _on_commit(signals.order_placed, Order, order_id=order.pk)
    if order.paid_at:
        outcome.events.append("paid")
        _on_commit(signals.order_paid, Order, order_id=order.pk)
    if order.cancelled_at:
        outcome.events.append("cancelled")
        _on_commit(signals.order_cancelled, Order, order_id=order.pk)


def _order_fields(data: OrderData, order: Order | None = None) -> dict:
    """The order's own fields from the store's data (``order``: the stored one, if any)."""
    fields = {
        "number": data.number,
        "lookup_number": lookup_number(data.number),
        "email": data.email.lower(),
        "currency": data.currency,
        "subtotal": data.subtotal,
        "discount_total": data.discount_total,
        "shipping_total": data.shipping_total,
        "tax_total": data.tax_total,
        "total": data.total,
        "discount_codes": data.discount_codes,
        "financial_status": data.financial_status,
        "placed_at": data.placed_at,
        "cancel_reason": data.cancel_reason,
        "source_updated_at": data.updated_at or (order.source_updated_at if order else None),
        "shipping_address": data.shipping_address,
    }
    if data.payment_reference:
        fields["payment_reference"] = data.payment_reference
    return fields


def _lines_sync(order: Order, lines: list[LineData], *, complete: bool, new: bool) -> None:
    existing = {} if new else {line.external_id: line for line in order.lines.all()}
    seen, created = set(), []
    for data in lines:
        seen.add(data.external_id)
        values = _line_values(data)
        line = existing.get(data.external_id)
        if line is None:
            line = OrderLine(order=order, external_id=data.external_id, **values)
            existing[data.external_id] = line
            created.append(line)
        elif any(getattr(line, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(line, k, v)
            line.save()
    # One INSERT for the new lines (the row lock on the order keeps this race-free).
    OrderLine.objects.bulk_create(created)
    if complete:
        gone = [line.pk for ext, line in existing.items() if ext not in seen]
        OrderLine.objects.filter(pk__in=gone, removed=False).update(removed=True)
    order._lines_by_external = existing


def _line_values(data: LineData) -> dict:
    return {
        "sku": data.sku,
        "title": data.title[:255],
        "variant_title": data.variant_title[:255],
        "quantity": data.quantity,
        "unit_price": data.unit_price,
        "discount_total": data.discount_total,
        "product_type": data.product_type,
        "tags": data.tags,
        "is_final_sale": data.is_final_sale,
        "is_gift_card": data.is_gift_card,
        "removed": False,
    }


def _lines_by_external(order: Order) -> dict[str, OrderLine]:
    """The order's lines by the store's id, read once per transaction."""
    if not hasattr(order, "_lines_by_external"):
        order._lines_by_external = {line.external_id: line for line in order.lines.all()}
    return order._lines_by_external


def _fulfillment_status_update(order: Order) -> None:
    ordered = (
        order.lines.filter(removed=False, is_gift_card=False).aggregate(n=Sum("quantity"))["n"] or 0
    )
    shipped = (
        ShipmentLine.objects.filter(shipment__order=order).aggregate(n=Sum("quantity"))["n"] or 0
    )
    whole_order_shipments = order.shipments.filter(items__isnull=True).exists()
    status = _fulfillment_status(ordered, shipped, whole_order=whole_order_shipments)
    if order.fulfillment_status != status:
        Order.objects.filter(pk=order.pk).update(fulfillment_status=status)
        order.fulfillment_status = status


def _fulfillment_status(ordered: int, shipped: int, *, whole_order: bool) -> str:
    """From quantities ordered (gift cards aside) and shipped; a shipment that names no
    lines carries the whole order."""
    if whole_order or (ordered and shipped >= ordered):
        return Order.FulfillmentStatus.FULFILLED
    if shipped:
        return Order.FulfillmentStatus.PARTIAL
    return Order.FulfillmentStatus.UNFULFILLED


PAYMENT_PREFIX = "pi:"


def _touch(order: Order) -> None:
    """A new version of the order: its cached pages are rendered afresh."""
    Order.objects.filter(pk=order.pk).update(updated_at=timezone.now())


def _order_for(connector: str, order_external_id: str) -> Order:
    """The order a shipment or refund belongs to, locked. A Stripe refund names its
    order only by the PaymentIntent ("pi:<id>"), which is the order's payment reference."""
    orders = Order.objects.select_for_update().filter(connector=connector)
    if order_external_id.startswith(PAYMENT_PREFIX):
        reference = order_external_id.removeprefix(PAYMENT_PREFIX)
        order = orders.filter(payment_reference=reference).order_by("pk").first()
    else:
        order = orders.filter(external_id=order_external_id).first()
    if order is None:
        raise OrderNotYetKnown(connector, order_external_id)
    return order


# --- Shipments ----------------------------------------------------------------------------


def _event_key(event: TrackingEventData) -> str:
    raw = f"{event.occurred_at.isoformat()}|{event.status}|{event.message}|{event.location}"
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def shipment_upsert(*, connector: str, data: ShipmentData) -> Outcome:
    """Create or update a shipment and add its tracking events (each once).

    Locks the order. Raises ``OrderNotYetKnown`` when the order has not arrived yet.
    Sends ``shipment_updated`` when the shipment is new or its status changed, and
    ``shipment_delivered`` when it reaches delivered.
    """
    order = _order_for(connector, data.order_external_id)
    outcome = _shipment_apply(order, data)
    _fulfillment_status_update(order)
    _touch(order)
    return outcome


def _shipment_apply(order: Order, data: ShipmentData) -> Outcome:
    outcome = Outcome(order=order)
    shipment = (
        Shipment.objects.select_for_update()
        .filter(order=order, external_id=data.external_id)
        .first()
    )
    if shipment is not None and _is_stale(shipment.source_updated_at, data.updated_at):
        outcome.stale = True
        return outcome
    previous = shipment.status if shipment else None
    changed = data.status != previous
    now = timezone.now()
    values = _shipment_values(data, changed=changed, now=now)
    if shipment is None:
        shipment = Shipment.objects.create(
            order=order,
            external_id=data.external_id,
            status=data.status,
            status_changed_at=now,
            **values,
        )
        outcome.created = True
    else:
        for name, value in values.items():
            if value or name in ("estimated_delivery_at",):
                setattr(shipment, name, value)
        shipment.status = data.status
        if changed:
            shipment.status_changed_at = now
        shipment.save()
    _events_add(shipment, data.events, new=outcome.created)
    _shipment_lines_sync(order, shipment, data.lines, new=outcome.created)

    if changed:
        _announce_shipment(shipment, previous, outcome)
    return outcome


def _shipment_values(data: ShipmentData, *, changed: bool, now) -> dict:
    """The shipment's fields from the store's data, carrier names and links normalised."""
    code = carriers.normalise(data.carrier or data.carrier_name)
    values = {
        "carrier": code or data.carrier[:50],
        "carrier_name": carriers.display_name(code, data.carrier_name or data.carrier)[:100],
        "tracking_number": data.tracking_number,
        "tracking_url": carriers.tracking_url(code, data.tracking_number, data.tracking_url),
        "shipped_at": data.shipped_at,
        "estimated_delivery_at": data.estimated_delivery_at,
        "delivered_at": data.delivered_at,
    }
    if data.updated_at:
        values["source_updated_at"] = data.updated_at
    if changed and data.status == ShipmentStatus.DELIVERED and not data.delivered_at:
        values["delivered_at"] = data.updated_at or now
    return values


def _announce_shipment(shipment: Shipment, previous: str | None, outcome: Outcome) -> None:
    """A shipment's new status, on commit: updated, and delivered when it is."""
    outcome.events.append(f"shipment:{shipment.status}")
    _on_commit(
        signals.shipment_updated,
        Shipment,
        shipment_id=shipment.pk,
        order_id=shipment.order_id,
        status=shipment.status,
        previous_status=previous,
    )
    if shipment.status == ShipmentStatus.DELIVERED:
        _on_commit(
            signals.shipment_delivered,
            Shipment,
            shipment_id=shipment.pk,
            order_id=shipment.order_id,
        )


def _events_add(shipment: Shipment, events: list[TrackingEventData], *, new: bool) -> None:
    """Each event once: keyed by its content, the ones already stored are left alone."""
    by_key = {_event_key(event): event for event in events}
    if not new and by_key:
        stored = set(
            TrackingEvent.objects.filter(shipment=shipment, dedupe_key__in=by_key).values_list(
                "dedupe_key", flat=True
            )
        )
        by_key = {key: event for key, event in by_key.items() if key not in stored}
    TrackingEvent.objects.bulk_create(
        _event_rows(shipment, events=by_key), ignore_conflicts=not new
    )


def _event_rows(shipment: Shipment, *, events: dict[str, TrackingEventData]):
    """Unsaved rows for events keyed by ``_event_key``."""
    return [
        TrackingEvent(
            shipment=shipment,
            dedupe_key=key,
            status=event.status,
            message=event.message[:500],
            location=event.location[:200],
            occurred_at=event.occurred_at,
        )
        for key, event in events.items()
    ]


def _shipment_lines_sync(
    order: Order, shipment: Shipment, lines: list[tuple[str, int]], *, new: bool
) -> None:
    if not lines:
        return
    by_external = _lines_by_external(order)
    items = [
        (by_external[external_id], quantity)
        for external_id, quantity in lines
        if external_id in by_external  # a line the store never sent us: nothing to attach
    ]
    if new:
        ShipmentLine.objects.bulk_create(
            [ShipmentLine(shipment=shipment, line=line, quantity=q) for line, q in items]
        )
        return
    for line, quantity in items:
        ShipmentLine.objects.update_or_create(
            shipment=shipment, line=line, defaults={"quantity": quantity}
        )


# --- Refunds ------------------------------------------------------------------------------


@transaction.atomic
def refund_record(
    *, connector: str, data: RefundData, source: str = Refund.Source.STORE
) -> Outcome:
    """Record a refund once (unique per connector and external id).

    Locks the order. Raises ``OrderNotYetKnown`` when the order has not arrived yet.
    Moves the order to partially refunded / refunded and sends ``order_refunded`` on commit.
    """
    order = _order_for(connector, data.order_external_id)
    outcome = _refund_apply(order, connector, data, source)
    _touch(order)
    return outcome


def _refund_apply(order: Order, connector: str, data: RefundData, source: str) -> Outcome:
    outcome = Outcome(order=order)
    if data.payment_refund is not None:
        _announce_payment_refund(data.payment_refund, outcome)
    if Refund.objects.filter(connector=connector, external_id=data.external_id).exists():
        return outcome
    refund = Refund.objects.create(
        order=order,
        connector=connector,
        external_id=data.external_id,
        amount=data.amount,
        currency=data.currency or order.currency,
        reason=data.reason[:255],
        source=source,
        refunded_at=data.refunded_at,
    )
    by_external = _lines_by_external(order)
    merged: dict[str, tuple[int, Decimal]] = {}
    for external_id, quantity, amount in data.lines:
        if external_id in by_external and quantity:
            q, a = merged.get(external_id, (0, Decimal("0")))
            merged[external_id] = (q + quantity, a + amount)
    RefundLine.objects.bulk_create(
        [
            RefundLine(refund=refund, line=by_external[ext], quantity=q, amount=a)
            for ext, (q, a) in merged.items()
        ]
    )
    if order.financial_status in REFUNDABLE_STATES:
        order.financial_status = _refunded_status(order)
        Order.objects.filter(pk=order.pk).update(financial_status=order.financial_status)
    outcome.created = True
    outcome.events.append("refunded")
    _on_commit(signals.order_refunded, Order, order_id=order.pk, refund_id=refund.pk)
    return outcome


def payment_refund_announce(*, data: RefundStatusData) -> Outcome:
    """Announce a payment refund's status: ``payment_refund_updated`` on commit.

    Writes nothing and needs no order, so it never waits for one. Not deduplicated: each
    event about the refund (created, updated, a replayed delivery) announces its status
    again, and receivers compare it with what they hold.
    """
    outcome = Outcome()
    _announce_payment_refund(data, outcome)
    return outcome


def _announce_payment_refund(data: RefundStatusData, outcome: Outcome) -> None:
    outcome.events.append("payment_refund")
    _on_commit(
        signals.payment_refund_updated,
        Refund,
        refund_id=data.refund_id,
        status=data.status,
        payment_intent=data.payment_intent,
        metadata=dict(data.metadata),
        amount=str(data.amount),
        currency=data.currency,
        failure_reason=data.failure_reason,
    )


REFUNDABLE_STATES = (
    Order.FinancialStatus.PAID,
    Order.FinancialStatus.PARTIALLY_REFUNDED,
    Order.FinancialStatus.REFUNDED,
)


def _refunded_status(order: Order) -> str:
    refunded = order.refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if refunded >= order.total:
        return Order.FinancialStatus.REFUNDED
    return Order.FinancialStatus.PARTIALLY_REFUNDED


# --- Many changes at once -----------------------------------------------------------------


@transaction.atomic
def apply_many(*, connector: str, changes: list) -> list[Outcome]:
    """Apply a delivery's changes in one transaction; the outcomes in the same order.

    New orders (not stored yet, named once in ``changes``, without refunds or repeated line
    or shipment ids) are written set-based: a handful of queries for the whole batch
    instead of a couple of dozen per order. Everything else goes through ``apply``, one
    change at a time in the order given, after them; a shipment or refund listed before
    its own order goes right after it. The result, signals included, is what ``apply`` on
    each change would give; if another writer creates one of the same orders or customers
    meanwhile, the batch falls back to ``apply`` for all of them.
    """
    _on_commit(signals.batch_started, Order)
    outcomes: list[Outcome | None] = [None] * len(changes)
    fresh = _fresh_orders(connector, changes)
    if fresh:
        try:
            with transaction.atomic():
                created = _orders_create(connector, [changes[i] for i in fresh])
        except IntegrityError:
            log.info("batch of %s new orders raced another writer; applying one by one", len(fresh))
        else:
            for i, outcome in zip(fresh, created, strict=True):
                outcomes[i] = outcome
    for i in _orders_first(changes):
        if outcomes[i] is None:
            outcomes[i] = apply(connector=connector, change=changes[i])
    _on_commit(signals.batch_finished, Order)
    return outcomes


def _orders_first(changes: list) -> list[int]:
    """Positions in the order to apply them: as given, except that a shipment or refund
    listed before its order moves to just after it (so a batch never waits for itself)."""
    first_order_at: dict[str, int] = {}
    for i, change in enumerate(changes):
        if isinstance(change, OrderData):
            first_order_at.setdefault(change.external_id, i)
    order, deferred = [], {}
    for i, change in enumerate(changes):
        owner = getattr(change, "order_external_id", None)
        if owner is not None and first_order_at.get(owner, -1) > i:
            deferred.setdefault(first_order_at[owner], []).append(i)
            continue
        order.append(i)
        order += deferred.pop(i, [])
    return order


def _fresh_orders(connector: str, changes: list) -> list[int]:
    """Positions of the orders in ``changes`` that the set-based path can create."""
    candidates: dict[str, int] = {}
    named_twice = set()
    for i, change in enumerate(changes):
        if not isinstance(change, OrderData):
            continue
        if change.external_id in candidates:
            named_twice.add(change.external_id)
        elif _plain_new_order(change):
            candidates[change.external_id] = i
        else:
            named_twice.add(change.external_id)  # not for this path, nor its later copies
    for external_id in named_twice:
        candidates.pop(external_id, None)
    if not candidates:
        return []
    stored = set(
        Order.objects.filter(connector=connector, external_id__in=candidates).values_list(
            "external_id", flat=True
        )
    )
    fresh = {i for external_id, i in candidates.items() if external_id not in stored}
    # A customer is updated by each of their orders in turn ("their latest choice"): when
    # one of a customer's orders goes one at a time, all of them do, in the batch's order.
    slow_emails = {
        change.customer.email.lower()
        for i, change in enumerate(changes)
        if isinstance(change, OrderData) and change.customer and i not in fresh
    }
    return sorted(
        i
        for i in fresh
        if not changes[i].customer or changes[i].customer.email.lower() not in slow_emails
    )


def _plain_new_order(data: OrderData) -> bool:
    line_ids = [line.external_id for line in data.lines]
    shipment_ids = [shipment.external_id for shipment in data.shipments]
    return (
        not data.refunds
        and len(set(line_ids)) == len(line_ids)
        and len(set(shipment_ids)) == len(shipment_ids)
        and all(len({ext for ext, _ in s.lines}) == len(s.lines) for s in data.shipments)
    )


def _orders_create(connector: str, datas: list[OrderData]) -> list[Outcome]:
    """Create new orders with their customers, lines, shipments and events, set-based."""
    customers = _customers_for(connector, [data.customer for data in datas if data.customer])
    now = timezone.now()
    orders = []
    for data in datas:
        order = Order(
            connector=connector,
            external_id=data.external_id,
            paid_at=data.paid_at,
            cancelled_at=data.cancelled_at,
            **_order_fields(data),
        )
        if data.customer:
            order.customer = customers[data.customer.email.lower()]
        orders.append(order)
    Order.objects.bulk_create(orders)

    lines, shipments = [], []
    for order, data in zip(orders, datas, strict=True):
        order._lines_by_external = {
            line.external_id: OrderLine(
                order=order, external_id=line.external_id, **_line_values(line)
            )
            for line in data.lines
        }
        lines += order._lines_by_external.values()
        for shipment_data in data.shipments:
            shipment = Shipment(
                order=order,
                external_id=shipment_data.external_id,
                status=shipment_data.status,
                status_changed_at=now,
                **_shipment_values(shipment_data, changed=True, now=now),
            )
            shipments.append((shipment, shipment_data))
    OrderLine.objects.bulk_create(lines)
    Shipment.objects.bulk_create([shipment for shipment, _ in shipments])

    items, events = [], []
    shipped: dict[int, int] = {}
    whole_order: set[int] = set()
    for shipment, data in shipments:
        by_external = shipment.order._lines_by_external
        mine = [
            ShipmentLine(shipment=shipment, line=by_external[external_id], quantity=quantity)
            for external_id, quantity in data.lines
            if external_id in by_external
        ]
        items += mine
        shipped[shipment.order_id] = shipped.get(shipment.order_id, 0) + sum(
            item.quantity for item in mine
        )
        if not mine:
            whole_order.add(shipment.order_id)
        events += _event_rows(shipment, events={_event_key(e): e for e in data.events})
    ShipmentLine.objects.bulk_create(items)
    TrackingEvent.objects.bulk_create(events)

    fulfilled: dict[str, list[int]] = {}
    for order in orders:
        ordered = sum(
            line.quantity for line in order._lines_by_external.values() if not line.is_gift_card
        )
        status = _fulfillment_status(
            ordered, shipped.get(order.pk, 0), whole_order=order.pk in whole_order
        )
        if status != order.fulfillment_status:
            order.fulfillment_status = status
            fulfilled.setdefault(status, []).append(order.pk)
    for status, pks in fulfilled.items():
        Order.objects.filter(pk__in=pks).update(fulfillment_status=status)

    outcomes = []
    by_order: dict[int, list[Shipment]] = {}
    for shipment, _ in shipments:
        by_order.setdefault(shipment.order_id, []).append(shipment)
    for order in orders:
        outcome = Outcome(order=order, created=True)
        _announce_new_order(order, outcome)
        for shipment in by_order.get(order.pk, []):
            _announce_shipment(shipment, None, outcome)
        outcomes.append(outcome)
    return outcomes


def _customers_for(connector: str, datas: list[CustomerData]) -> dict[str, Customer]:
    """The customers of many orders by lower-case email: the stored ones updated as
    ``customer_upsert`` would, the new ones created (and linked to their user) at once."""
    merged: dict[str, Customer] = {}
    stored = {
        customer.email.lower(): customer
        for customer in _customers_with_emails({data.email.lower() for data in datas})
    }
    changed: dict[str, set[str]] = {}
    for data in datas:
        email = data.email.lower()
        customer = merged.get(email)
        if customer is None:
            customer = stored.get(email)
            if customer is None:
                customer = Customer(**_customer_fields(connector, data))
            merged[email] = customer
            if customer.pk is None:
                continue
        changed.setdefault(email, set()).update(_customer_merge(customer, data))
    new = [customer for customer in merged.values() if customer.pk is None]
    _link_users(new)
    Customer.objects.bulk_create(new)
    for email, names in changed.items():
        if names and merged[email].pk is not None and email in stored:
            merged[email].save(update_fields=[*sorted(names), "updated_at"])
    return merged


def _customers_with_emails(emails: set[str]):
    return (
        Customer.objects.alias(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .order_by("email_lower")  # every batch locks in the same order
        .select_for_update()
    )


def _link_users(customers: list[Customer]) -> None:
    """``_link_user`` for many new customers: each to the user who verified its email,
    unless that user has a customer record already."""
    from allauth.account.models import EmailAddress

    if not customers:
        return
    users: dict[str, int] = {}
    for email, user_id in (
        EmailAddress.objects.filter(
            email__in=[customer.email for customer in customers], verified=True
        )
        .order_by("pk")
        .values_list("email", "user_id")
    ):
        users.setdefault(email, user_id)  # the first address, as ``_link_user`` takes
    if not users:
        return
    taken = set(
        Customer.objects.filter(user_id__in=users.values()).values_list("user_id", flat=True)
    )
    for customer in customers:
        user_id = users.get(customer.email)
        if user_id is not None and user_id not in taken:
            customer.user_id = user_id
            taken.add(user_id)


def apply(*, connector: str, change) -> Outcome:
    """Apply one normalised change from a connector."""
    if isinstance(change, OrderData):
        return order_upsert(connector=connector, data=change)
    if isinstance(change, ShipmentData):
        return shipment_upsert(connector=connector, data=change)
    if isinstance(change, RefundData):
        return refund_record(connector=connector, data=change)
    if isinstance(change, RefundStatusData):
        return payment_refund_announce(data=change)
    raise TypeError(f"not a change: {change!r}")
