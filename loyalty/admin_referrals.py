"""Referrals in Wagtail admin: the list (filter "Held for review" to work the queue), each
referral with the fraud rules that fired, and Approve / Cancel for staff with
``loyalty.review_referral``. Viewing needs ``loyalty.view_referral``.

Approving clears the rules that fired (``services.referral_approve``): the friend's code
is issued if it was held back, and the member earns once the friend's order is past its
return window. Cancelling (``services.referral_cancel``) means nobody earns; an unused
friend's code is voided. Both are POST only, and safe to press twice.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.widgets.button import MenuItem

from orders import stripe_api
from orders.wagtail_hooks import ReadOnlyModelViewSet

from . import services
from .models import Referral

# loyalty.review_referral: staff who may approve or cancel a referral.
REVIEW_ACTION = "review"
Status = Referral.Status


class ReferralFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=Status.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Referral
        fields = ["status"]


class ReferralIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("referrer", "order")

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        return queryset.filter(
            Q(friend_email__icontains=query) | Q(referrer__email__icontains=query)
        )

    @cached_property
    def can_review(self) -> bool:
        return self.user_has_permission(REVIEW_ACTION)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.can_review and instance.status == Status.REVIEW:
            buttons.append(
                MenuItem(
                    gettext_lazy("Review"),
                    url=self.get_inspect_url(instance) + "#panel-referral-review-section",
                    icon_name="warning",
                    priority=15,
                )
            )
        return buttons


class ReferralInspectView(InspectView):
    """A referral: who invited whom, the friend's code and order, the rules that fired,
    and (for staff who may review) Approve and Cancel."""

    template_name = "loyalty/admin/referral_inspect.html"
    approve_url_name = None
    cancel_url_name = None

    def get_object(self, queryset=None):
        return get_object_or_404(
            Referral.objects.select_related(
                "referrer", "friend_account", "redemption", "order", "decided_by"
            ),
            pk=self.pk,
        )

    def get_page_title(self):
        return gettext_lazy("Referral")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        referral = self.object
        can_review = self.user_has_permission(REVIEW_ACTION)
        pk = quote(referral.pk)
        context.update(
            referral=referral,
            approve_url=(
                reverse(self.approve_url_name, args=(pk,))
                if can_review and referral.status == Status.REVIEW
                else None
            ),
            cancel_url=(
                reverse(self.cancel_url_name, args=(pk,))
                if can_review and referral.status in services.referrals.OPEN
                else None
            ),
        )
        return context


class _ReferralActionView(ReferralInspectView):
    permission_required = REVIEW_ACTION
    any_permission_required = None
    http_method_names = ["post"]
    inspect_url_name = None

    def post(self, request, *args, **kwargs):
        referral = self.object
        try:
            self.act(referral)
        except services.ReferralRefused as refusal:
            messages.error(request, str(refusal))
        except stripe_api.StripeApiError:
            messages.error(
                request,
                _("Stripe could not switch the friend's code off; nothing changed. Try again."),
            )
        return redirect(self.inspect_url_name, quote(referral.pk))


class ReferralApproveView(_ReferralActionView):
    def act(self, referral):
        done = services.referral_approve(referral_id=referral.pk, staff=self.request.user)
        messages.success(
            self.request,
            _("Referral of %(email)s approved: %(status)s.")
            % {"email": done.friend_email, "status": done.get_status_display()},
        )


class ReferralCancelView(_ReferralActionView):
    def act(self, referral):
        done = services.referral_cancel(referral_id=referral.pk, staff=self.request.user)
        messages.success(
            self.request,
            _("Referral of %(email)s cancelled: nobody earns from it.")
            % {"email": done.friend_email},
        )


class ReferralViewSet(ReadOnlyModelViewSet):
    model = Referral
    name = "loyalty_referral"
    url_prefix = "loyalty/referrals"
    icon = "group"
    menu_label = gettext_lazy("Referrals")
    permission_actions = ("view", REVIEW_ACTION)
    index_view_class = ReferralIndexView
    inspect_view_class = ReferralInspectView
    list_display = [
        Column("friend_email", label=gettext_lazy("Friend"), sort_key="friend_email"),
        Column("referrer", accessor="referrer.email", label=gettext_lazy("Invited by")),
        StatusTagColumn(
            "status",
            accessor="get_status_display",
            label=gettext_lazy("Status"),
            sort_key="status",
            primary=lambda r: r.status == Status.REVIEW,
        ),
        Column(
            "flags",
            accessor=lambda r: "; ".join(r.flag_labels),
            label=gettext_lazy("Rules that fired"),
        ),
        Column(
            "order",
            accessor=lambda r: r.order.number if r.order_id else "",
            label=gettext_lazy("Friend's order"),
        ),
        DateColumn("created_at", label=gettext_lazy("Invited"), sort_key="created_at"),
    ]
    filterset_class = ReferralFilterSet
    search_fields = ["friend_email", "referrer__email"]
    ordering = "-created_at"
    list_per_page = 50

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            approve_url_name=self.get_url_name("approve"),
            cancel_url_name=self.get_url_name("cancel"),
            **kwargs,
        )

    def _action(self, view_class):
        return self.construct_view(
            view_class,
            **self.get_inspect_view_kwargs(inspect_url_name=self.get_url_name("inspect")),
        )

    def get_urlpatterns(self):
        conv = self.pk_path_converter
        return [
            *super().get_urlpatterns(),
            path(f"approve/<{conv}:pk>/", self._action(ReferralApproveView), name="approve"),
            path(f"cancel/<{conv}:pk>/", self._action(ReferralCancelView), name="cancel"),
        ]
