"""Reads the customer-facing order pages share.

Every function here answers in a fixed number of queries, whatever the number of lines,
shipments and tracking events (a test counts them). Access rules live here too: an order
is reachable by its owner (``orders_for_user``) or by number and email together
(``order_for_guest``), never by number alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import connection
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
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


def _verified_emails_lower(user) -> QuerySet:
    """The user's verified addresses, lower-cased (the form ``orders_order_email_ci`` indexes)."""
    return EmailAddress.objects.filter(user=user, verified=True).values(email_lower=Lower("email"))


def orders_for_user(*, user) -> QuerySet[Order]:
    """Every order the signed-in user owns, newest first, in one query with its rules inside.

    Owned means: the order's customer record is linked to the user, or the order's email
    (any case) is one of the user's *verified* addresses. An unverified address grants
    nothing.

    The two rules are a UNION of order ids, each side led by an index (the customer's
    ``user_id`` then ``orders.customer_id``; the user's addresses then
    ``lower(orders.email)``). An OR of the two would make PostgreSQL read the whole orders
    table, and reading the customer ids and addresses first would cost two more queries.
    """
    if user is None or not user.is_authenticated:
        return Order.objects.none()
    by_customer = Order.objects.filter(customer__user=user).order_by().values("pk")
    by_email = (
        Order.objects.alias(email_lower=Lower("email"))
        .filter(email_lower__in=_verified_emails_lower(user))
        .order_by()
        .values("pk")
    )
    return Order.objects.filter(pk__in=by_customer.union(by_email)).order_by("-placed_at", "-pk")


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


# --- What every request of the order pages reads ------------------------------------------
# The order pages are served from the cache once access is checked and the version read,
# so these reads are most of what a request costs. They are written in SQL: building the
# same statements with the ORM (subqueries, a union) takes the process several times longer
# than the database takes to answer them. They follow the rules of ``orders_for_user``,
# and the tests hold each of them to it.

# The user's orders, as a condition on ``o`` (an order row): the user's id twice, then True.
# On PostgreSQL each side is ``= ANY(ARRAY(subquery))``: the subqueries run once, first, and
# their results feed a BitmapOr of the ``customer_id`` and ``lower(email)`` indexes, where
# ``IN (subquery)`` would be checked row by row against the whole table (unless another
# condition, such as the order number, has already narrowed it).
OWNED_SQL = {
    "postgresql": (
        "(o.customer_id = ANY(ARRAY(SELECT c.id FROM {customer} c WHERE c.user_id = %s)) "
        "OR lower(o.email) = ANY(ARRAY(SELECT lower(e.email) FROM {email} e "
        "WHERE e.user_id = %s AND e.verified = %s)))"
    ),
    "default": (
        "(o.customer_id IN (SELECT c.id FROM {customer} c WHERE c.user_id = %s) "
        "OR lower(o.email) IN (SELECT lower(e.email) FROM {email} e "
        "WHERE e.user_id = %s AND e.verified = %s))"
    ),
}
VERSION_SQL = "SELECT o.updated_at FROM {order} o WHERE o.id = %s"
OWNED_BY_NUMBER_SQL = (
    "SELECT o.id, o.updated_at FROM {order} o WHERE o.lookup_number = %s AND {owned} "
    "ORDER BY o.placed_at DESC, o.id DESC LIMIT 1"
)
LIST_VERSION_SQL = "SELECT COUNT(*), MAX(o.updated_at), SUM(o.id) FROM {order} o WHERE {owned}"


def _fetch_one(template: str, params: list) -> tuple | None:
    """The first row of ``template`` with our table names (and the ownership condition
    for this database) filled in; values only ever go in as ``params``."""
    owned = OWNED_SQL.get(connection.vendor, OWNED_SQL["default"])
    tables = {
        "order": Order._meta.db_table,
        "customer": Customer._meta.db_table,
        "email": EmailAddress._meta.db_table,
    }
    sql = template.format(owned=owned.format(**tables), **tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def order_version(*, pk: int) -> str | None:
    """When the order (or anything shown with it) last changed, as a string for a cache
    key; None if the order is gone. One query."""
    row = _fetch_one(VERSION_SQL, [pk])
    return None if row is None else str(row[0])


def order_key_for_user(*, user, number: str) -> tuple[int, str] | None:
    """(pk, version) of the user's own order with that number, else None. One query.

    The number's index narrows the orders to a handful first; the newest wins if two
    platforms reuse a number.
    """
    key = normalise_number(number)
    if not key or user is None or not user.is_authenticated:
        return None
    row = _fetch_one(OWNED_BY_NUMBER_SQL, [key, user.pk, user.pk, True])
    return None if row is None else (row[0], str(row[1]))


@dataclass(frozen=True)
class OrderListVersion:
    """What the user's order list looks like now."""

    # How many orders the list has (so the paginator needs no COUNT of its own).
    count: int
    # Changes when an order in the list changes (its ``updated_at``, which shipment, event
    # and refund changes bump) and when an order joins or leaves the list.
    key: str


def order_list_version(*, user) -> OrderListVersion:
    """The user's order list summed up: one query, over the user's own orders only."""
    if user is None or not user.is_authenticated:
        return OrderListVersion(count=0, key="0")
    count, latest, id_sum = _fetch_one(LIST_VERSION_SQL, [user.pk, user.pk, True])
    # With the count and the latest change, the sum of the ids tells two lists apart.
    return OrderListVersion(count=count, key=f"{count}.{latest}.{id_sum or 0}")
