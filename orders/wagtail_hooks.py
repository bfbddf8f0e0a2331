"""The "Orders" menu in Wagtail admin: orders, customers and the webhook inbox.

The store is the system of record, so these viewsets only list and inspect: no add, edit,
copy or delete view is routed, and no button leads to one. The one write is replaying a
webhook delivery. Access follows Django's model permissions through Wagtail's permission
policy: "view" is enough to list and inspect; replay needs "change" on webhook deliveries.
"""

from django.contrib.admin.utils import quote
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import policy_registry

from . import admin_views
from .admin_filters import OrderFilterSet, WebhookDeliveryFilterSet
from .models import Customer, Order, WebhookDelivery


class ReadOnlyModelViewSet(ModelViewSet):
    """A ModelViewSet with only the index and inspect views routed."""

    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    # The actions offered in the group permission editor for this model.
    permission_actions = ("view",)

    def get_common_view_kwargs(self, **kwargs):
        # Without these names no view builds a URL (or shows a button) for a missing view.
        return super().get_common_view_kwargs(
            add_url_name=None,
            edit_url_name=None,
            delete_url_name=None,
            copy_url_name=None,
            history_url_name=None,
            usage_url_name=None,
            **kwargs,
        )

    def get_urlpatterns(self):
        conv = self.pk_path_converter
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path(f"inspect/<{conv}:pk>/", self.inspect_view, name="inspect"),
        ]

    def get_permissions_to_register(self):
        codenames = [get_permission_codename(a, self.model_opts) for a in self.permission_actions]
        return Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model), codename__in=codenames
        )

    @property
    def url_finder_class(self):
        # Links to "the admin page of this object" (search, logs) go to the inspect view.
        inspect_url_name = self.get_url_name("inspect")

        class InspectURLFinder(ModelAdminURLFinder):
            def construct_edit_url(self, instance):
                return reverse(inspect_url_name, args=(quote(instance.pk),))

            def get_edit_url(self, instance):
                policy = policy_registry.get(instance)
                if self.user and not policy.user_has_any_permission(
                    self.user, admin_views.VIEW_ACTIONS
                ):
                    return None
                return self.construct_edit_url(instance)

        return InspectURLFinder


class OrderViewSet(ReadOnlyModelViewSet):
    model = Order
    name = "orders_order"
    url_prefix = "orders"
    icon = "list-ul"
    index_view_class = admin_views.OrderIndexView
    inspect_view_class = admin_views.OrderInspectView
    inspect_template_name = "orders/admin/order_inspect.html"
    list_display = [
        "number",
        Column("email", label=_("Customer email"), sort_key="email"),
        DateColumn("placed_at", label=_("Placed"), sort_key="placed_at"),
        admin_views.MoneyColumn("total", label=_("Total"), sort_key="total"),
        StatusTagColumn(
            "financial_status",
            accessor="get_financial_status_display",
            label=_("Payment"),
            sort_key="financial_status",
        ),
        StatusTagColumn(
            "fulfillment_status",
            accessor="get_fulfillment_status_display",
            label=_("Shipping"),
            sort_key="fulfillment_status",
        ),
        Column("connector", accessor="get_connector_display", label=_("Source")),
    ]
    filterset_class = OrderFilterSet
    search_fields = ["number", "email"]
    ordering = "-placed_at"
    list_per_page = 50

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            customer_inspect_url_name=CustomerViewSet.name + ":inspect", **kwargs
        )


class CustomerViewSet(ReadOnlyModelViewSet):
    model = Customer
    name = "orders_customer"
    url_prefix = "customers"
    icon = "group"
    index_view_class = admin_views.CustomerIndexView
    inspect_view_class = admin_views.CustomerInspectView
    inspect_template_name = "orders/admin/customer_inspect.html"
    list_display = [
        "email",
        Column(
            "name",
            accessor=lambda c: f"{c.first_name} {c.last_name}".strip(),
            label=_("Name"),
            sort_key="last_name",
        ),
        Column("order_count", label=_("Orders"), sort_key="order_count"),
        admin_views.YesNoColumn(
            "user", accessor=lambda c: c.user_id is not None, label=_("Portal account")
        ),
        admin_views.YesNoColumn(
            "shipping_notifications", yes=_("On"), no=_("Off"), label=_("Shipment emails")
        ),
    ]
    search_fields = ["email", "first_name", "last_name"]
    ordering = "email"
    list_per_page = 50

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            order_inspect_url_name=OrderViewSet.name + ":inspect",
            order_index_url_name=OrderViewSet.name + ":index",
            **kwargs,
        )


class WebhookDeliveryViewSet(ReadOnlyModelViewSet):
    model = WebhookDelivery
    name = "orders_webhookdelivery"
    url_prefix = "webhook-inbox"
    icon = "mail"
    permission_actions = ("view", admin_views.REPLAY_ACTION)
    index_view_class = admin_views.WebhookDeliveryIndexView
    inspect_view_class = admin_views.WebhookDeliveryInspectView
    inspect_template_name = "orders/admin/webhookdelivery_inspect.html"
    list_display = [
        "delivery_id",
        DateColumn("received_at", label=_("Received"), sort_key="received_at"),
        Column("connector", accessor="get_connector_display", label=_("Source")),
        Column("topic", label=_("Topic"), sort_key="topic"),
        StatusTagColumn(
            "status",
            accessor="get_status_display",
            label=_("Status"),
            sort_key="status",
            primary=lambda d: d.status in admin_views.REPLAYABLE,
        ),
        Column("attempts", label=_("Attempts"), sort_key="attempts"),
        Column("error_field", label=_("Error field")),
    ]
    filterset_class = WebhookDeliveryFilterSet
    search_fields = ["delivery_id", "topic"]
    ordering = "-received_at"
    list_per_page = 50

    @cached_property
    def replay_url_name(self):
        return self.get_url_name("replay")

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(replay_url_name=self.replay_url_name, **kwargs)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(replay_url_name=self.replay_url_name, **kwargs)

    @property
    def replay_view(self):
        return self.construct_view(
            admin_views.DeliveryReplayView, success_url_name=self.get_url_name("inspect")
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(f"replay/<{self.pk_path_converter}:pk>/", self.replay_view, name="replay"),
        ]


class OrdersViewSetGroup(ViewSetGroup):
    menu_label = _("Orders")
    menu_icon = "clipboard-list"
    menu_order = 250
    items = (OrderViewSet, CustomerViewSet, WebhookDeliveryViewSet)


@hooks.register("register_admin_viewset")
def register_orders_viewsets():
    return OrdersViewSetGroup()
