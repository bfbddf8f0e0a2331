"""Reads that the flow, the agents' screens and the policy page share."""

from __future__ import annotations

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Lower

from orders.models import Order, OrderLine, RefundLine, ShipmentLine

from .models import (
    CLOSED_STATUSES,
    PolicyVersion,
    ReturnEvent,
    ReturnLine,
    ReturnPolicy,
    ReturnRequest,
    Status,
)
from .policy import LineFacts, OrderFacts, Policy

POLICY_CACHE_KEY = "returns:policy:v1"
# Units in these returns are no longer "taken": they may be returned again.
RELEASED_STATUSES = (Status.CANCELLED, Status.REJECTED)


def policy_current() -> tuple[Policy, PolicyVersion]:
    """The policy in force and its version row, made when the tables changed.

    The version is found by the digest of the snapshot: saving the policy without
    changing anything keeps the version. Cached until a policy table changes
    (``receivers``), so the flow costs no query for it.
    """
    cached = cache.get(POLICY_CACHE_KEY)
    if cached is not None:
        return cached
    row = ReturnPolicy.load()
    row = ReturnPolicy.objects.prefetch_related("reasons", "overrides", "rules").get(pk=row.pk)
    policy = Policy.from_models(row)
    digest = policy.digest()
    version = PolicyVersion.objects.filter(digest=digest).first()
    if version is None:
        version = _version_create(policy, digest)
    result = (Policy.from_dict(version.snapshot, version=version.number), version)
    # Only once committed: a version made inside a transaction that then rolls back (a
    # refused return) must not stay in the cache, pointing at a row that never was.
    transaction.on_commit(lambda: cache.set(POLICY_CACHE_KEY, result, 3600))
    return result


def _version_create(policy: Policy, digest: str) -> PolicyVersion:
    for _attempt in range(3):
        latest = PolicyVersion.objects.order_by("-number").values_list("number", flat=True)
        number = (latest.first() or 0) + 1
        try:
            with transaction.atomic():
                return PolicyVersion.objects.create(
                    number=number, digest=digest, snapshot=policy.as_dict()
                )
        except IntegrityError:
            found = PolicyVersion.objects.filter(digest=digest).first()
            if found is not None:
                return found
    raise RuntimeError("could not number the policy version")


def policy_for_version(version: PolicyVersion) -> Policy:
    return Policy.from_dict(version.snapshot, version=version.number)


def _customer_orders(order: Order):
    """The customer's orders: by the same customer record, or by the email (through the
    orders' index on ``lower(email)``; ``iexact`` would compare ``UPPER`` and read them all)."""
    match = Q(email_ci=order.email.lower())
    if order.customer_id:
        match |= Q(customer_id=order.customer_id)
    return Order.objects.annotate(email_ci=Lower("email")).filter(match)


def _customer_filter(order: Order) -> Q:
    return Q(order_id__in=Subquery(_customer_orders(order).values("pk")))


def order_facts(*, order: Order) -> OrderFacts:
    """The facts of one order the engine needs, in a fixed number of queries (five)."""
    lines = list(OrderLine.objects.filter(order=order, removed=False).order_by("pk"))
    shipped: dict[int, tuple] = {}
    for line_id, shipped_at, delivered_at in ShipmentLine.objects.filter(
        shipment__order=order
    ).values_list("line_id", "shipment__shipped_at", "shipment__delivered_at"):
        prev_shipped, prev_delivered = shipped.get(line_id, (None, None))
        # The latest date counts: the customer had the whole line from then on.
        shipped[line_id] = (
            max(filter(None, [prev_shipped, shipped_at]), default=None),
            max(filter(None, [prev_delivered, delivered_at]), default=None),
        )
    # Whole-order shipments that name no lines (some platforms) count for every line.
    whole = order.shipments.filter(items__isnull=True).aggregate(
        shipped=Max("shipped_at"), delivered=Max("delivered_at")
    )
    in_returns = dict(
        ReturnLine.objects.filter(request__order=order)
        .exclude(request__status__in=RELEASED_STATUSES)
        .values_list("order_line_id")
        .annotate(n=Sum("quantity"))
    )
    # Store refunds (not Portico's own, which the returns above already count).
    refunded_units = dict(
        RefundLine.objects.filter(refund__order=order, refund__source="store")
        .values_list("line_id")
        .annotate(n=Sum("quantity"))
    )
    history = ReturnRequest.objects.filter(_customer_filter(order)).aggregate(
        total=Count("pk", filter=~Q(status=Status.CANCELLED)),
        open=Count("pk", filter=~Q(status__in=CLOSED_STATUSES)),
    )
    orders_recent = _recent_orders(order)
    returned_orders = (
        ReturnRequest.objects.filter(order_id__in=orders_recent)
        .exclude(status=Status.CANCELLED)
        .values("order_id")
        .distinct()
        .count()
    )
    refunded = order.refunds.aggregate(total=Sum("amount"))["total"] or 0
    return OrderFacts(
        id=order.pk,
        number=order.number,
        currency=order.currency,
        placed_at=order.placed_at,
        subtotal=order.subtotal,
        discount=order.discount_total,
        shipping=order.shipping_total,
        tax=order.tax_total,
        total=order.total,
        paid=order.paid_at is not None,
        cancelled=order.cancelled_at is not None,
        country=str((order.shipping_address or {}).get("country_code") or "").upper(),
        refunded=refunded,
        customer_returns=history["total"],
        customer_open_returns=history["open"],
        customer_orders=len(orders_recent),
        customer_returned_orders=returned_orders,
        lines=tuple(
            LineFacts(
                id=line.pk,
                title=line.title,
                variant_title=line.variant_title,
                sku=line.sku,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_total=line.discount_total,
                product_type=line.product_type,
                tags=tuple(str(t) for t in line.tags or ()),
                is_final_sale=line.is_final_sale,
                is_gift_card=line.is_gift_card,
                shipped_at=shipped.get(line.pk, (None, None))[0] or whole["shipped"],
                delivered_at=shipped.get(line.pk, (None, None))[1] or whole["delivered"],
                taken=in_returns.get(line.pk, 0) + refunded_units.get(line.pk, 0),
            )
            for line in lines
        ),
    )


RECENT_ORDERS = 50


def _recent_orders(order: Order) -> list[int]:
    """The customer's last orders (by the same customer record or email), this one too."""
    return list(
        _customer_orders(order).order_by("-placed_at").values_list("pk", flat=True)[:RECENT_ORDERS]
    )


def returns_for_order(*, order_id: int):
    return ReturnRequest.objects.filter(order_id=order_id).order_by("-created_at")


def return_for_page(*, number: str) -> ReturnRequest | None:
    """A return with what its page shows, in a fixed number of queries."""
    return (
        ReturnRequest.objects.select_related("order", "policy_version")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ReturnLine.objects.select_related("order_line").prefetch_related("photos"),
            ),
            Prefetch(
                "events",
                queryset=ReturnEvent.objects.filter(public=True).order_by("created_at", "pk"),
                to_attr="public_events",
            ),
            "payments",
        )
        .filter(number=number)
        .first()
    )


def returns_for_user(*, user):
    """Returns the user made, or made for an order of one of their verified emails."""
    emails = user.emailaddress_set.filter(verified=True).annotate(e=Lower("email")).values("e")
    return ReturnRequest.objects.filter(
        Q(user=user) | Q(email__in=emails) | Q(order__customer__user=user)
    ).distinct()
