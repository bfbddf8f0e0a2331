"""The staff side of the order mirror in Wagtail admin: listings, inspect pages, replay.

Everything here is read-only except the webhook replay, which only queues the stored
delivery again through ``services.delivery_replay``. The viewsets that wire these views
together live in ``wagtail_hooks.py``.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib.admin.utils import quote
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import BaseOperationView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button
from wagtail.permissions import policy_registry

from . import selectors, services
from .models import (
    Customer,
    Order,
    WebhookDelivery,
)

VIEW_ACTIONS = ("add", "change", "delete", "view")
# orders.replay_webhookdelivery: staff who may run a stored delivery again.
REPLAY_ACTION = "replay"
# The deliveries a replay is offered for (a processed one may still be replayed by POST:
# applying a delivery is idempotent).
REPLAYABLE = (WebhookDelivery.Status.FAILED, WebhookDelivery.Status.WAITING)


def _can_view(user, model) -> bool:
    return policy_registry.get_by_type(model).user_has_any_permission(user, VIEW_ACTIONS)


def _inspect_url(url_name: str | None, pk) -> str | None:
    return reverse(url_name, args=(quote(pk),)) if url_name else None


# --- Columns ------------------------------------------------------------------------


class MoneyColumn(Column):
    """An amount in its row's currency (``currency_accessor``), in the admin's language."""

    cell_template_name = "orders/admin/cells/money.html"

    def __init__(self, name, currency_accessor="currency", **kwargs):
        super().__init__(name, **kwargs)
        self.currency_accessor = currency_accessor

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["currency"] = getattr(instance, self.currency_accessor, "")
        return context


class YesNoColumn(Column):
    """A boolean as a word, which reads better in a table than a tick without a label."""

    def __init__(self, name, yes=None, no=None, **kwargs):
        super().__init__(name, **kwargs)
        self.yes = _("Yes") if yes is None else yes
        self.no = _("No") if no is None else no

    def get_value(self, instance):
        return self.yes if super().get_value(instance) else self.no


# --- Orders -------------------------------------------------------------------------


# Each platform names address parts its own way; these are the names, in reading order.
ADDRESS_PARTS = (
    ("name",),
    ("company",),
    ("address1", "address_1", "line1"),
    ("address2", "address_2", "line2"),
    ("zip", "postcode", "postal_code"),
    ("city",),
    ("province", "state"),
    ("country", "country_code"),
)


def address_lines(address: dict) -> list[str]:
    """A stored shipping address (Shopify, WooCommerce or Stripe shape) as lines to print."""
    if not isinstance(address, dict):
        return []

    def part(keys):
        return next((str(address[k]).strip() for k in keys if address.get(k)), "")

    name = part(("name",)) or " ".join(
        str(address[k]).strip() for k in ("first_name", "last_name") if address.get(k)
    )
    zip_city = " ".join(p for p in (part(ADDRESS_PARTS[4]), part(ADDRESS_PARTS[5])) if p)
    lines = [name, *(part(keys) for keys in ADDRESS_PARTS[1:4]), zip_city]
    lines += [part(keys) for keys in ADDRESS_PARTS[6:]]
    return [line for line in lines if line]


class OrderIndexView(IndexView):
    def search_queryset(self, queryset):
        """Number or email; the number also as customers type it ("1001" finds "#1001")."""
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        condition = Q(number__icontains=query) | Q(email__icontains=query)
        key = services.lookup_number(query)
        if key:
            condition |= Q(lookup_number=key)
        return queryset.filter(condition)


class OrderInspectView(InspectView):
    customer_inspect_url_name = None

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.orders_for_staff(), pk=self.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        refunds = list(order.refunds.all())
        customer_url = None
        if order.customer_id and _can_view(self.request.user, Customer):
            customer_url = _inspect_url(self.customer_inspect_url_name, order.customer_id)
        context.update(
            order=order,
            lines=list(order.lines.all()),
            shipments=list(order.shipments.all()),
            refunds=refunds,
            refunded_total=sum((r.amount for r in refunds), start=Decimal("0")),
            customer_url=customer_url,
            address_lines=address_lines(order.shipping_address),
        )
        return context


# --- Customers ----------------------------------------------------------------------


class CustomerIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(order_count=Count("orders"))

    def search_queryset(self, queryset):
        """Every word must appear in the email, first or last name: "grace hop" works."""
        if not self.is_searching:
            return queryset
        for word in self.search_query.split():
            queryset = queryset.filter(
                Q(email__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
            )
        return queryset


class CustomerInspectView(InspectView):
    order_inspect_url_name = None
    order_index_url_name = None
    # More than this many orders: show the newest and link to the full, searchable list.
    orders_shown = 100

    def get_object(self, queryset=None):
        return get_object_or_404(Customer.objects.annotate(order_count=Count("orders")), pk=self.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        orders = list(customer.orders.order_by("-placed_at", "-pk")[: self.orders_shown])
        can_view_orders = _can_view(self.request.user, Order)
        for order in orders:
            order.inspect_url = (
                _inspect_url(self.order_inspect_url_name, order.pk) if can_view_orders else None
            )
        all_orders_url = None
        if can_view_orders and self.order_index_url_name:
            all_orders_url = (
                f"{reverse(self.order_index_url_name)}?{urlencode({'q': customer.email})}"
            )
        context.update(
            customer=customer,
            customer_name=f"{customer.first_name} {customer.last_name}".strip(),
            orders=orders,
            more_orders=customer.order_count > len(orders),
            all_orders_url=all_orders_url,
        )
        return context


# --- Webhook inbox ------------------------------------------------------------------


class WebhookDeliveryIndexView(IndexView):
    replay_url_name = None

    @cached_property
    def can_replay(self) -> bool:
        return bool(self.replay_url_name) and self.user_has_permission(REPLAY_ACTION)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.can_replay and instance.status in REPLAYABLE:
            buttons.append(replay_button(reverse(self.replay_url_name, args=(quote(instance.pk),))))
        return buttons


def replay_button(url: str) -> Button:
    """A POST (with the CSRF token) through Wagtail's ``w-action`` controller; back to here."""
    return Button(
        _("Replay"),
        icon_name="resubmit",
        attrs={
            "data-controller": "w-action",
            "data-action": "w-action#post",
            "data-w-action-url-value": url,
        },
        priority=15,
    )


class WebhookDeliveryInspectView(InspectView):
    replay_url_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        delivery = self.object
        can_replay = bool(self.replay_url_name) and self.user_has_permission(REPLAY_ACTION)
        context.update(
            delivery=delivery,
            headers=sorted((delivery.headers or {}).items(), key=lambda kv: kv[0].lower()),
            body=pretty_body(delivery.body_text),
            replay_url=(
                reverse(self.replay_url_name, args=(quote(delivery.pk),)) if can_replay else None
            ),
            replay_offered=delivery.status in REPLAYABLE,
        )
        return context


def pretty_body(body: str) -> dict:
    """The body indented when it is JSON, else as received."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return {"text": body, "is_json": False}
    return {"text": json.dumps(parsed, indent=2, ensure_ascii=False), "is_json": True}


class DeliveryReplayView(PermissionCheckedMixin, BaseOperationView):
    """POST only: queue the delivery again (on commit) and go back where the button was."""

    model = WebhookDelivery
    permission_required = REPLAY_ACTION
    http_method_names = ["post"]
    success_message = _("Replay queued")

    def perform_operation(self):
        services.delivery_replay(delivery_id=self.object.pk)
