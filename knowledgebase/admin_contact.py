"""Contact requests in Wagtail admin: the list with each request's forward status, a detail
page, and "retry forwarding" for the ones the helpdesk did not accept.

Seeing them needs ``knowledgebase.view_contactrequest``; retrying needs
``knowledgebase.retry_contactrequest``. A retry forwards at most once however often the
button is pressed (``contact.forward_retry`` locks the row and skips a SENT request).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import contact
from .admin_views import HelpReportView
from .models import ContactRequest, SuggestionOpen

VIEW_PERMISSION = "knowledgebase.view_contactrequest"
RETRY_PERMISSION = "knowledgebase.retry_contactrequest"
RETRYABLE = (ContactRequest.Forward.FAILED, ContactRequest.Forward.PENDING)


def can_view(user) -> bool:
    return user.is_active and user.has_perm(VIEW_PERMISSION)


def can_retry(user) -> bool:
    return user.is_active and user.has_perm(RETRY_PERMISSION)


class ContactListView(HelpReportView):
    template_name = "knowledgebase/admin/contact_list.html"
    page_title = gettext_lazy("Contact requests")
    header_icon = "mail"
    permission_required = VIEW_PERMISSION

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "")
        context = super().get_context_data(**kwargs)
        page = Paginator(contact.requests_list(status=status), 50).get_page(
            self.request.GET.get("page")
        )
        context.update(
            page_obj=page,
            status=status if status in ContactRequest.Forward.values else "",
            statuses=ContactRequest.Forward.choices,
            failed=ContactRequest.objects.filter(
                forward_status=ContactRequest.Forward.FAILED
            ).count(),
        )
        return context


class ContactDetailView(HelpReportView):
    template_name = "knowledgebase/admin/contact_detail.html"
    header_icon = "mail"
    permission_required = VIEW_PERMISSION

    def get_page_title(self):
        return _("Contact request %(reference)s") % {"reference": self.object.reference}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("knowledgebase_contact_list"), "label": _("Contact requests")},
            {"url": "", "label": self.object.reference},
        ]

    def get(self, request, pk):
        self.object = get_object_or_404(
            ContactRequest.objects.select_related("order", "user"), pk=pk
        )
        return super().get(request, pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            opened=SuggestionOpen.objects.filter(contact_request=self.object)
            .select_related("article")
            .order_by("opened_at"),
            can_retry=can_retry(self.request.user) and self.object.forward_status in RETRYABLE,
        )
        return context


class ContactRetryView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        if not (can_view(request.user) and can_retry(request.user)):
            raise PermissionDenied
        row = get_object_or_404(ContactRequest, pk=pk)
        if row.forward_status not in RETRYABLE:
            messages.info(request, _("This request needs no retry."))
        else:
            status = contact.forward_retry(contact_request_id=row.pk)
            if status == ContactRequest.Forward.SENT:
                messages.success(request, _("Forwarded to the helpdesk."))
            elif status == ContactRequest.Forward.OFF:
                messages.warning(request, _("No helpdesk is configured."))
            else:
                messages.error(
                    request, _("The helpdesk did not accept it this time; the reason is below.")
                )
        return redirect("knowledgebase_contact_detail", pk=row.pk)


class ContactMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view(request.user)


def menu_item() -> MenuItem:
    return ContactMenuItem(
        gettext_lazy("Contact requests"),
        reverse_lazy("knowledgebase_contact_list"),
        name="help-center-contact",
        icon_name="mail",
        order=30,
    )


urlpatterns = [
    path("help-center/contact/", ContactListView.as_view(), name="knowledgebase_contact_list"),
    path(
        "help-center/contact/<int:pk>/",
        ContactDetailView.as_view(),
        name="knowledgebase_contact_detail",
    ),
    path(
        "help-center/contact/<int:pk>/retry/",
        ContactRetryView.as_view(),
        name="knowledgebase_contact_retry",
    ),
]


@hooks.register("register_admin_urls")
def register_contact_urls():
    return urlpatterns


# An item of the "Help center" menu (see admin_search).
@hooks.register("register_help_center_menu_item")
def contact_menu_item():
    return menu_item()


@hooks.register("register_permissions")
def register_contact_permissions():
    return Permission.objects.filter(
        content_type__app_label="knowledgebase",
        codename__in=["view_contactrequest", "retry_contactrequest"],
    )
