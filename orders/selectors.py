"""Reads the customer-facing order pages share.

Every function here answers in a fixed number of queries, whatever the number of lines,
shipments and tracking events (a test counts them). Access rules live here too: an order
is reachable by its owner (``orders_for_user``) or by number and email together
(``order_for_guest``), never by number alone.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower

from .models import (
    Customer,
    Order,
    OrderLine,
    Refund,
    RefundLine,
    Shipment,
    ShipmentLine,
    TrackingEvent,
)
from .services import lookup_number as normalise_number

# Newest shipment last on the order page (the order they were sent in)…
SHIPMENT_ORDER = (F("shipped_at").asc(nulls_last=True), "pk")
# …and the most recent one is the one whose status the order list shows.
LATEST_SHIPMENT_ORDER = (Coalesce("shipped_at", "created_at").desc(), "-pk")


def _verified_emails(user) -> QuerySet:
    """The user's verified addresses."""
    return EmailAddress.objects.filter(user=user, verified=True)


def orders_for_user(*, user) -> QuerySet[Order]:
    """Every order the signed-in user owns, newest first.

    Owned means: the order's customer record is linked to the user, or the order's email
    (any case) is one of the user's *verified* addresses. An unverified address grants
    nothing.
    """
    if user is None or not user.is_authenticated:
        return Order.objects.none()
    # Concrete values, not a join or subqueries: PostgreSQL then ORs two index scans
    # (customer, lower(email)) instead of reading the whole orders table.
    customer_ids = list(Customer.objects.filter(user=user).values_list("pk", flat=True))
    emails = [e.lower() for e in _verified_emails(user).values_list("email", flat=True)]
    return (
        Order.objects.alias(email_lower=Lower("email"))
        .filter(Q(customer_id__in=customer_ids) | Q(email_lower__in=emails))
        .order_by("-placed_at", "-pk")
    )


def order_list_for_user(*, user) -> QuerySet[Order]:
    """``orders_for_user`` with what the list shows: the latest shipment's status.

    The status comes from a subquery, so a page of orders is one query.
    """
    latest = Shipment.objects.filter(order=OuterRef("pk")).order_by(*LATEST_SHIPMENT_ORDER)
    return orders_for_user(user=user).annotate(
        latest_shipment_status=Subquery(latest.values("status")[:1])
    )


def with_tracking(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """Everything the order page shows, fetched up front: 6 queries for any order size.

    - ``order.visible_lines``: the lines the store has not removed;
    - ``order.shipments.all()``: in the order they were sent, each with
      ``shipment.items.all()`` (with their line) and ``shipment.events.all()`` (newest
      first);
    - ``order.refunds.all()``.
    """
    events = TrackingEvent.objects.order_by("-occurred_at", "-pk")
    items = ShipmentLine.objects.select_related("line").order_by("line_id", "pk")
    shipments = Shipment.objects.order_by(*SHIPMENT_ORDER).prefetch_related(
        Prefetch("items", queryset=items),
        Prefetch("events", queryset=events),
    )
    return queryset.prefetch_related(
        Prefetch(
            "lines",
            queryset=OrderLine.objects.filter(removed=False).order_by("pk"),
            to_attr="visible_lines",
        ),
        Prefetch("shipments", queryset=shipments),
        Prefetch("refunds", queryset=Refund.objects.order_by("refunded_at", "pk")),
    )


def order_version(*, pk: int):
    """When the order (or anything shown with it) last changed; None if it is gone."""
    return Order.objects.filter(pk=pk).values_list("updated_at", flat=True).first()


def order_key_for_user(*, user, number: str) -> tuple[int, object] | None:
    """(pk, version) of the user's own order with that number, else None."""
    key = normalise_number(number)
    if not key:
        return None
    return (
        orders_for_user(user=user).filter(lookup_number=key).values_list("pk", "updated_at").first()
    )


def order_for_tracking(*, pk: int) -> Order | None:
    """The order a signed guest grant names, ready for the order page; None if gone."""
    return with_tracking(Order.objects.filter(pk=pk)).first()


def order_for_user(*, user, number: str) -> Order | None:
    """The user's own order with that number as the customer typed it, else None.

    Only the user's orders are searched, so another customer's number is simply not found.
    """
    key = normalise_number(number)
    if not key:
        return None
    return with_tracking(orders_for_user(user=user).filter(lookup_number=key)).first()


def order_for_guest(*, number: str, email: str) -> Order | None:
    """The order with that number (as typed: "#1001", " 1001 ") *and* that email (any case).

    One query, the same whether the number or the email is wrong, so a caller cannot tell
    the two apart. Returns the newest match if two platforms reuse a number.
    """
    key = normalise_number(number)
    email = (email or "").strip().lower()
    if not key or not email:
        return None
    return (
        Order.objects.annotate(email_lower=Lower("email"))
        .filter(lookup_number=key, email_lower=email)
        .order_by("-placed_at", "-pk")
        .only("pk")
        .first()
    )


def orders_for_staff() -> QuerySet[Order]:
    """Every order with everything its inspect page shows, in a fixed number of queries.

    Unlike the customer's page (``selectors.with_tracking``) removed lines are kept, since
    staff need to see what the store took out.
    """
    events = TrackingEvent.objects.order_by("-occurred_at", "-pk")
    items = ShipmentLine.objects.select_related("line").order_by("line_id", "pk")
    shipments = Shipment.objects.order_by("shipped_at", "pk").prefetch_related(
        Prefetch("items", queryset=items),
        Prefetch("events", queryset=events),
    )
    refund_lines = RefundLine.objects.select_related("line").order_by("line_id", "pk")
    refunds = Refund.objects.order_by("refunded_at", "pk").prefetch_related(
        Prefetch("lines", queryset=refund_lines)
    )
    return Order.objects.select_related("customer", "customer__user").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
        Prefetch("shipments", queryset=shipments),
        Prefetch("refunds", queryset=refunds),
    )
