"""What the Returns menu's screens share: who may do what, the status badges, the base of
the pages that are not about one return (reports, simulator).

The screens themselves: ``admin_queue`` (the queue), ``admin_bulk`` (its bulk approve and
reject), ``admin_detail`` (one return, its actions and photos), ``admin_simulator`` (the
policy against a real order) and ``admin_reports`` (the numbers). ``wagtail_hooks`` wires
them into the menu.

Access: ``returns.view_returnrequest`` to look at returns, the reports and the simulator;
``returns.manage_returnrequest`` to act on a return (approve, reject, receive, inspect,
note, close). The policy is a Wagtail setting: ``returns.change_returnpolicy``.
"""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permissions import policy_registry

from .models import CLOSED_STATUSES, ReturnPolicy, ReturnRequest, Status

VIEW_PERMISSION = "returns.view_returnrequest"
# returns.manage_returnrequest (ReturnRequest.Meta.permissions): the agents' actions.
MANAGE_ACTION = "manage"
MANAGE_PERMISSION = "returns.manage_returnrequest"

# Statuses that wait on someone at the store: shown as primary badges in the queue.
WAITING_ON_STORE = frozenset({Status.REQUESTED, Status.RECEIVED, Status.INSPECTED})


def can_view(user) -> bool:
    return policy_registry.get_by_type(ReturnRequest).user_has_any_permission(
        user, ("view", "change")
    )


def can_manage(user) -> bool:
    return policy_registry.get_by_type(ReturnRequest).user_has_permission(user, MANAGE_ACTION)


def can_edit_policy(user) -> bool:
    return policy_registry.get_by_type(ReturnPolicy).user_has_permission(user, "change")


def status_tone(status: str) -> str:
    """ "waiting" (someone at the store must act), "closed", or "" (with the customer)."""
    if status in WAITING_ON_STORE:
        return "waiting"
    if status in CLOSED_STATUSES:
        return "closed"
    return ""


def actor_name(user) -> str:
    """How the log names who did something: the person's name, else their email."""
    if user is None:
        return ""
    full = f"{user.first_name} {user.last_name}".strip()
    return full or user.email


class ReturnsPageView(PermissionRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """A Returns menu page for staff who may look at returns (403 for anyone else;
    Wagtail sends people who are not signed in to its login first)."""

    permission_required = VIEW_PERMISSION
    raise_exception = True

    def has_permission(self):
        return can_view(self.request.user)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]
