"""Bulk approve / reject from the returns queue, through Wagtail's bulk actions.

The ticked returns (at most ``BULK_MAX``: a page's worth) go to ``services.returns_bulk``
with one message; each return is its own transaction, so the ones the status table
refuses are named with the service's reason and the others are done. Staff without
``returns.manage_returnrequest`` are refused before anything is read.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.functional import classproperty
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin import messages
from wagtail.admin.views.bulk_action import BulkAction

from . import services
from .admin_views import can_manage
from .models import ReturnRequest

BULK_MAX = 200


class BulkMessageForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message to the customers"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Sent with each return's email and kept in its log."),
    )


class RejectMessageForm(BulkMessageForm):
    message = forms.CharField(
        label=gettext_lazy("Why the returns are rejected"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "The customers read this in their email and on the return's page. Required."
        ),
    )


class ReturnBulkAction(BulkAction):
    """Approve or reject the ticked returns with one message, through
    ``services.returns_bulk`` (each return in its own transaction): the ones the status
    table refuses are named with the reason, the others are done."""

    template_name = "returns/admin/bulk_confirm.html"
    form_class = BulkMessageForm
    service_action = ""

    @classproperty
    def models(cls):
        return [ReturnRequest]

    def dispatch(self, request, *args, **kwargs):
        if not can_manage(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def get_queryset(cls, model, object_ids):
        ids = sorted({int(i) for i in object_ids if str(i).isascii() and str(i).isdigit()})
        ids = ids[:BULK_MAX]
        return list(ReturnRequest.objects.filter(pk__in=ids).select_related("order").order_by("pk"))

    def get_all_objects_in_listing_query(self, parent_id):
        return []  # "select all in listing" is not offered: a bulk action is a page's worth

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            question=self.question(len(context["items"])),
            action_label=self.display_name,
            header_icon="undo",
            action_button_text=self.display_name,
            no_action_button_text=_("Go back"),
        )
        return context

    def form_valid(self, form):
        objects, _none = self.get_actionable_objects()
        result = services.returns_bulk(
            request_ids=[r.pk for r in objects],
            action=self.service_action,
            actor=self.request.user,
            message=form.cleaned_data.get("message", "").strip(),
        )
        if result["done"]:
            messages.success(self.request, self.done_message(result["done"]))
        for number, reason in sorted(result["refused"].items()):
            messages.error(
                self.request,
                _("%(number)s was not changed: %(reason)s") % {"number": number, "reason": reason},
            )
        if not objects:
            messages.error(self.request, _("No return was selected."))
        return redirect(self.next_url)

    def done_message(self, count: int) -> str:
        raise NotImplementedError

    def question(self, count: int) -> str:
        raise NotImplementedError


class ApproveBulkAction(ReturnBulkAction):
    display_name = gettext_lazy("Approve")
    action_type = "approve"
    aria_label = gettext_lazy("Approve the selected returns")
    action_priority = 10
    service_action = "approve"

    def done_message(self, count: int) -> str:
        return ngettext("%(count)d return approved.", "%(count)d returns approved.", count) % {
            "count": count
        }

    def question(self, count: int) -> str:
        return ngettext(
            "Approve this return, with one message to the customer?",
            "Approve these %(count)d returns, with one message to every customer?",
            count,
        ) % {"count": count}


class RejectBulkAction(ReturnBulkAction):
    display_name = gettext_lazy("Reject")
    action_type = "reject"
    aria_label = gettext_lazy("Reject the selected returns")
    action_priority = 20
    classes = {"serious"}
    form_class = RejectMessageForm
    service_action = "reject"

    def done_message(self, count: int) -> str:
        return ngettext("%(count)d return rejected.", "%(count)d returns rejected.", count) % {
            "count": count
        }

    def question(self, count: int) -> str:
        return ngettext(
            "Reject this return, with one message to the customer?",
            "Reject these %(count)d returns, with one message to every customer?",
            count,
        ) % {"count": count}


BULK_ACTIONS = (ApproveBulkAction, RejectBulkAction)
