"""The "Returns" menu in Wagtail admin: the queue, the reports, the policy simulator and
the policy itself.

- **Queue** (``returns.view_returnrequest``): the listing of every return with filters,
  search and, for staff with ``returns.manage_returnrequest``, bulk approve / reject.
  Its rows open the return's page (the viewset's inspect view), where the actions are.
  Returns are made by customers, never in the admin: no add, edit or delete view exists.
- **Waiting for an agent** (``returns.view_returnrequest``): payments an agent must act
  on (failed, to refund in the store, exchanges with no webhook), each opening its
  return's page, where the payment actions are (``admin_payments``).
- **Report** and **Policy simulator** (``returns.view_returnrequest``), read-only.
- **Return policy**: the Wagtail setting, shown to whoever may change it
  (``returns.change_returnpolicy``); it stays under "Settings" too.
"""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.contrib.settings.registry import SettingMenuItem

from orders.wagtail_hooks import ReadOnlyModelViewSet

from . import (
    admin_bulk,
    admin_detail,
    admin_payments,
    admin_queue,
    admin_reports,
    admin_simulator,
)
from .admin_views import MANAGE_ACTION, can_view
from .models import ReturnPolicy, ReturnRequest

MENU_HOOK = "register_returns_menu_item"


class ReturnRequestViewSet(ReadOnlyModelViewSet):
    model = ReturnRequest
    name = "returns_returnrequest"
    url_prefix = "returns"
    icon = "undo"
    menu_label = _("Queue")
    permission_actions = ("view", MANAGE_ACTION)
    index_view_class = admin_queue.QueueIndexView
    index_template_name = "returns/admin/queue.html"
    index_results_template_name = "returns/admin/queue_results.html"
    inspect_view_class = admin_detail.ReturnDetailView
    inspect_template_name = "returns/admin/detail.html"
    filterset_class = admin_queue.ReturnFilterSet
    search_fields = ["number"]  # searched by QueueIndexView.search_queryset
    ordering = ["-created_at", "-pk"]
    list_per_page = admin_queue.PER_PAGE

    list_display = admin_queue.queue_columns()

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            action_url_name=self.get_url_name("action"),
            photo_url_name=self.get_url_name("photo"),
            payment_url_name=self.get_url_name("payment"),
            payout_url_name=self.get_url_name("payout"),
            **kwargs,
        )

    @property
    def action_view(self):
        return self.construct_view(
            admin_detail.ReturnActionView, inspect_url_name=self.get_url_name("inspect")
        )

    @property
    def photo_view(self):
        return self.construct_view(admin_detail.ReturnPhotoView)

    @property
    def payment_view(self):
        return self.construct_view(
            admin_payments.PaymentActionView, inspect_url_name=self.get_url_name("inspect")
        )

    @property
    def payout_view(self):
        return self.construct_view(
            admin_payments.PayoutView, inspect_url_name=self.get_url_name("inspect")
        )

    def get_urlpatterns(self):
        conv = self.pk_path_converter
        return [
            *super().get_urlpatterns(),
            path(f"action/<{conv}:pk>/<slug:action>/", self.action_view, name="action"),
            path(f"photo/<{conv}:pk>/<int:photo_pk>/", self.photo_view, name="photo"),
            path(
                f"payment/<{conv}:pk>/<int:payment_pk>/<slug:action>/",
                self.payment_view,
                name="payment",
            ),
            path(f"payout/<{conv}:pk>/", self.payout_view, name="payout"),
        ]


class ReturnsViewSetGroup(ViewSetGroup):
    menu_label = _("Returns")
    menu_icon = "undo"
    menu_order = 255
    items = (ReturnRequestViewSet,)
    submenu_hook = MENU_HOOK


class ViewerMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view(request.user)


@hooks.register("register_admin_viewset")
def register_returns_viewsets():
    return ReturnsViewSetGroup()


@hooks.register(MENU_HOOK)
def waiting_menu_item():
    return ViewerMenuItem(
        _("Waiting for an agent"),
        reverse_lazy("returns_waiting"),
        name="returns-waiting",
        icon_name="warning",
        order=5,
    )


@hooks.register(MENU_HOOK)
def report_menu_item():
    return ViewerMenuItem(
        _("Report"),
        reverse_lazy("returns_report"),
        name="returns-report",
        icon_name="table",
        order=10,
    )


@hooks.register(MENU_HOOK)
def simulator_menu_item():
    return ViewerMenuItem(
        _("Policy simulator"),
        reverse_lazy("returns_simulator"),
        name="returns-simulator",
        icon_name="cogs",
        order=20,
    )


@hooks.register(MENU_HOOK)
def policy_menu_item():
    # Shown only to whoever may change the policy; it stays in "Settings" too.
    return SettingMenuItem(ReturnPolicy, icon="doc-full", order=30)


@hooks.register("register_admin_urls")
def register_returns_urls():
    return [
        path("returns-report/", admin_reports.ReportView.as_view(), name="returns_report"),
        path(
            "returns-report/<slug:table>.csv",
            admin_reports.ReportCSVView.as_view(),
            name="returns_report_csv",
        ),
        path(
            "returns-simulator/", admin_simulator.SimulatorView.as_view(), name="returns_simulator"
        ),
        path(
            "returns-waiting/",
            admin_payments.WaitingView.as_view(
                inspect_url_name=f"{ReturnRequestViewSet.name}:inspect"
            ),
            name="returns_waiting",
        ),
    ]


# Wagtail's bulk action registry takes the classes themselves.
for _action in admin_bulk.BULK_ACTIONS:
    hooks.register("register_bulk_action", _action)
