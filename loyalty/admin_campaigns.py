"""Tiers and campaigns in the Loyalty menu of Wagtail admin, and the campaign preview.

Tiers and campaigns are edited through ``admin_forms.TierForm`` and ``CampaignForm``,
which turn what the database's constraints would refuse into field errors. Access follows
the model permissions (``loyalty.{add,change,delete,view}_{tier,campaign}``); the
preview needs ``loyalty.view_campaign``.

The preview runs a saved campaign against the paid orders of the last N days: what each
order earns without the campaign, and what it would have earned had the campaign's dates
covered its payment. It runs in memory: ``services.order_earnings`` is given the
program's rules and running campaigns (``services.earning_catalogue``) without the
campaign, then with a copy of it whose dates cover the period. Nothing is written.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.contrib.admin.utils import quote
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, StatusTagColumn
from wagtail.admin.views.generic import DeleteView, EditView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton, MenuItem
from wagtail.permissions import policy_registry

from orders.models import Order

from . import reports, services
from .admin_forms import CampaignForm, CampaignPreviewForm, TierForm
from .models import Account, Campaign, Tier

# The preview reads at most this many orders (the most recent), so that it answers within
# a request even for a busy store; the page says when the period held more.
PREVIEW_MAX_ORDERS = 5000
PREVIEW_SAMPLE = 20
PREVIEW_DEFAULT_DAYS = 30
CENT = Decimal("0.01")


# --- Tiers --------------------------------------------------------------------------


class TierIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(members=Count("accounts"))


class TierDeleteView(DeleteView):
    """Deleting a tier leaves its members without one (``Account.tier`` is SET_NULL) until
    their next points earned promote them to the tier those points reach; the page says
    how many members that is. A tier that a campaign is limited to is not deleted: the
    campaign would silently open to every member."""

    def get_usage_url(self):
        # Wagtail's "referenced 0 times" counts no members or campaigns: this page does.
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = self.object.accounts.count()
        context["campaigns"] = list(self.object.campaigns.order_by("name"))
        return context

    def form_valid(self, form):
        campaigns = list(self.object.campaigns.order_by("name").values_list("name", flat=True))
        if campaigns:
            messages.error(
                self.request,
                _(
                    "“%(name)s” is not deleted: the campaigns %(campaigns)s are limited to it "
                    "and would open to every member. Take the tier off them first."
                )
                % {"name": self.object.name, "campaigns": ", ".join(campaigns)},
            )
            return redirect(self.get_success_url())
        return super().form_valid(form)


class TierViewSet(ModelViewSet):
    model = Tier
    name = "loyalty_tier"
    url_prefix = "loyalty/tiers"
    icon = "crosshairs"
    menu_label = gettext_lazy("Tiers")
    edit_handler = ObjectList(Tier.panels, base_form_class=TierForm)
    index_view_class = TierIndexView
    delete_view_class = TierDeleteView
    delete_template_name = "loyalty/admin/tier_confirm_delete.html"
    copy_view_enabled = False
    list_display = [
        "name",
        Column("threshold", label=gettext_lazy("Threshold"), sort_key="threshold"),
        Column(
            "multiplier",
            accessor=lambda tier: times(tier.multiplier),
            label=gettext_lazy("Points multiplier"),
            sort_key="multiplier",
        ),
        Column("members", label=gettext_lazy("Members in tier"), sort_key="members"),
    ]
    search_fields = ["name"]
    ordering = ["threshold"]


# --- Campaigns ----------------------------------------------------------------------


SCHEDULED, RUNNING, ENDED = "scheduled", "running", "ended"
STATUS_LABELS = {
    SCHEDULED: gettext_lazy("Scheduled"),
    RUNNING: gettext_lazy("Running"),
    ENDED: gettext_lazy("Ended"),
}


def campaign_status(campaign: Campaign, now: datetime | None = None) -> str:
    """Where the campaign's dates stand today (whether it is active is a separate flag)."""
    now = now or timezone.now()
    if now < campaign.starts_at:
        return SCHEDULED
    return RUNNING if now < campaign.ends_at else ENDED


def times(multiplier: Decimal) -> str:
    """A multiplier as marketers write it: 2.50 shows as 2.5, 10.00 as 10."""
    return f"×{multiplier.normalize():f}"


def campaign_gives(campaign: Campaign) -> str:
    if campaign.kind == Campaign.Kind.MULTIPLIER:
        return times(campaign.multiplier)
    return _("+%(points)s points") % {"points": campaign.bonus_points}


class WhenColumn(Column):
    """A date and time as the calendar says it (Wagtail's DateColumn reads "Just now" for
    any date in the future, which is where a scheduled campaign's dates are)."""

    def get_value(self, instance):
        value = super().get_value(instance)
        if value is None:
            return ""
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


class CampaignIndexView(IndexView):
    preview_url_name = None

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.preview_url_name:
            buttons.append(
                MenuItem(
                    gettext_lazy("Preview"),
                    url=reverse(self.preview_url_name, args=(quote(instance.pk),)),
                    icon_name="view",
                    priority=15,
                )
            )
        return buttons


class CampaignEditView(EditView):
    preview_url_name = None

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.preview_url_name:
            buttons.append(
                HeaderButton(
                    gettext_lazy("Preview"),
                    url=reverse(self.preview_url_name, args=(quote(self.object.pk),)),
                    icon_name="view",
                )
            )
        return buttons


CAMPAIGN_PANELS = [
    FieldPanel("name"),
    MultiFieldPanel(
        [
            FieldPanel("kind", widget=forms.RadioSelect),
            FieldRowPanel([FieldPanel("multiplier"), FieldPanel("bonus_points")]),
        ],
        heading=gettext_lazy("What it gives"),
    ),
    MultiFieldPanel(
        [
            FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
            FieldPanel("active"),
        ],
        heading=gettext_lazy("When"),
    ),
    MultiFieldPanel(
        [
            FieldPanel("product_types"),
            FieldPanel("tags"),
            FieldPanel("tiers", widget=forms.CheckboxSelectMultiple),
            FieldPanel("first_order_only"),
        ],
        heading=gettext_lazy("Which orders"),
    ),
]


class CampaignViewSet(ModelViewSet):
    model = Campaign
    name = "loyalty_campaign"
    url_prefix = "loyalty/campaigns"
    icon = "date"
    menu_label = gettext_lazy("Campaigns")
    edit_handler = ObjectList(CAMPAIGN_PANELS, base_form_class=CampaignForm)
    index_view_class = CampaignIndexView
    edit_view_class = CampaignEditView
    copy_view_enabled = False
    list_display = [
        "name",
        Column("kind", accessor="get_kind_display", label=gettext_lazy("Kind"), sort_key="kind"),
        Column("gives", accessor=campaign_gives, label=gettext_lazy("Gives")),
        WhenColumn("starts_at", label=gettext_lazy("Starts"), sort_key="starts_at"),
        WhenColumn("ends_at", label=gettext_lazy("Ends"), sort_key="ends_at"),
        StatusTagColumn(
            "status",
            accessor=lambda c: STATUS_LABELS[campaign_status(c)],
            label=gettext_lazy("Status"),
            primary=lambda c: campaign_status(c) == RUNNING,
        ),
        BooleanColumn("active", label=gettext_lazy("Active")),
    ]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    ordering = ["-starts_at"]

    @cached_property
    def preview_url_name(self):
        return self.get_url_name("preview")

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(preview_url_name=self.preview_url_name, **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(preview_url_name=self.preview_url_name, **kwargs)

    @property
    def preview_view(self):
        return self.construct_view(
            CampaignPreviewView,
            **self.get_inspect_view_kwargs(
                template_name=CampaignPreviewView.template_name, fields=["name"]
            ),
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(f"preview/<{self.pk_path_converter}:pk>/", self.preview_view, name="preview"),
        ]


# --- The preview --------------------------------------------------------------------


def value_per_point(orders: list[Order], now: datetime | None = None):
    """(What a point is worth, its currency), as the dashboard prices the liability
    (``reports.value_per_point``), in the currency most of ``orders`` are in when the
    catalogue prices points in it, else the catalogue's first; None without any."""
    values = reports.value_per_point(now=now)
    if not values:
        return None
    counts = Counter(order.currency.upper() for order in orders)
    currency = max(values, key=lambda c: counts[c])  # on a tie, the first in order
    return values[currency], currency


@dataclass
class PreviewRow:
    order: Order
    tier: str
    without: int
    with_campaign: int

    @property
    def extra(self) -> int:
        return self.with_campaign - self.without


@dataclass
class CampaignPreview:
    campaign: Campaign
    days: int
    since: datetime
    until: datetime
    orders: int  # paid, not cancelled, in the period (at most PREVIEW_MAX_ORDERS read)
    truncated: bool  # the period held more orders than were read
    affected: int
    extra_points: int
    rows: list[PreviewRow] = field(default_factory=list)  # the top orders by extra points
    value_per_point: Decimal | None = None
    currency: str = ""
    program_enabled: bool = True

    @property
    def liability(self) -> Decimal | None:
        if self.value_per_point is None:
            return None
        return (self.extra_points * self.value_per_point).quantize(CENT, rounding=ROUND_HALF_UP)


def _could_apply(campaign: Campaign, tier_ids: set[int], account: Account, order, first: bool):
    # The campaign's own conditions, as ``services._campaigns_for`` and ``order_earnings``
    # apply them: an order none of them holds for earns the same either way, so it needs
    # no computing (the preview's numbers are checked against order_earnings by a test).
    if tier_ids and account.tier_id not in tier_ids:
        return False
    if campaign.first_order_only and not first:
        return False
    lines = [line for line in order.lines.all() if not line.removed and not line.is_gift_card]
    return any(campaign.covers(line) for line in lines)


def _points(order, account, catalogue, first: bool) -> int:
    earnings = services.order_earnings(
        order, account=account, first_order=first, catalogue=catalogue
    )
    return sum(earning.points for earning in earnings)


def campaign_preview(
    *, campaign: Campaign, days: int, now: datetime | None = None
) -> CampaignPreview:
    """What ``campaign`` would have given the paid, not cancelled orders of the last
    ``days`` days, as if its dates had covered each payment: the orders it changes, the
    extra points, the orders with the most extra, and their worth at ``value_per_point``.

    Writes nothing: the earnings are computed in memory, with the running campaigns
    without this one, then with a copy of it whose dates cover the period. Each order is
    priced with its member's tier and the program as they are today. Reads at most
    ``PREVIEW_MAX_ORDERS`` orders, the most recent, with their lines in one query;
    members in one query; the rules and campaigns once.
    """
    now = now or timezone.now()
    since = now - timedelta(days=days)
    settings = services.program()
    earlier = (
        Order.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=Lower(OuterRef("email")), paid_at__isnull=False)
        .filter(cancelled_at__isnull=True)
        .filter(
            Q(placed_at__lt=OuterRef("placed_at"))
            | Q(placed_at=OuterRef("placed_at"), pk__lt=OuterRef("pk"))
        )
    )
    orders = list(
        Order.objects.filter(paid_at__gte=since, paid_at__lte=now, cancelled_at__isnull=True)
        .annotate(has_earlier=Exists(earlier))
        .prefetch_related("lines")
        .order_by("-paid_at", "-pk")[: PREVIEW_MAX_ORDERS + 1]
    )
    truncated = len(orders) > PREVIEW_MAX_ORDERS
    orders = orders[:PREVIEW_MAX_ORDERS]
    emails = {order.email.strip().lower() for order in orders}
    accounts = {
        account.email: account
        for account in Account.objects.filter(email__in=emails).select_related("tier")
    }
    tier_ids = {tier.pk for tier in campaign.tiers.all()}

    candidates = []
    for order in orders:
        email = order.email.strip().lower()
        # A guest without an account yet earns as a member without a tier would
        # (``order_points_award`` would create the account); nothing is created here.
        account = accounts.get(email) or Account(email=email)
        first = not order.has_earlier
        if _could_apply(campaign, tier_ids, account, order, first):
            candidates.append((order, account, first))

    catalogue = services.earning_catalogue(
        settings=settings, paid_from=since, paid_to=now + timedelta(days=1)
    )
    others = [c for c in catalogue.campaigns if c.pk != campaign.pk]
    covering = copy.copy(Campaign.objects.prefetch_related("tiers").get(pk=campaign.pk))
    covering.active = True
    covering.starts_at, covering.ends_at = since - timedelta(seconds=1), now + timedelta(days=1)
    without_it = dataclasses.replace(catalogue, campaigns=others)
    with_it = dataclasses.replace(
        catalogue, campaigns=sorted([*others, covering], key=lambda c: c.pk)
    )
    without, with_campaign = {}, {}
    for order, account, first in candidates:
        without[order.pk] = _points(order, account, without_it, first)
        with_campaign[order.pk] = _points(order, account, with_it, first)

    rows = [
        PreviewRow(
            order=order,
            tier=account.tier.name if account.tier_id else "",
            without=without[order.pk],
            with_campaign=with_campaign[order.pk],
        )
        for order, account, _first in candidates
    ]
    changed = [row for row in rows if row.extra]
    changed.sort(key=lambda row: (-row.extra, -row.order.paid_at.timestamp(), -row.order.pk))
    worth = value_per_point(orders, now)
    return CampaignPreview(
        campaign=campaign,
        days=days,
        since=since,
        until=now,
        orders=len(orders),
        truncated=truncated,
        affected=len(changed),
        extra_points=sum(row.extra for row in changed),
        rows=changed[:PREVIEW_SAMPLE],
        value_per_point=worth[0] if worth else None,
        currency=worth[1] if worth else "",
        program_enabled=settings.enabled,
    )


class CampaignPreviewView(InspectView):
    """GET ?days=N (30 unless given): ``campaign_preview`` on the campaign, as a page."""

    template_name = "loyalty/admin/campaign_preview.html"
    permission_required = "view"
    any_permission_required = None
    http_method_names = ["get"]

    def get_page_title(self):
        return gettext_lazy("Preview")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET if "days" in self.request.GET else None
        form = CampaignPreviewForm(params, initial={"days": PREVIEW_DEFAULT_DAYS})
        days = PREVIEW_DEFAULT_DAYS
        preview = None
        if params is None or form.is_valid():
            if params is not None:
                days = form.cleaned_data["days"]
            preview = campaign_preview(campaign=self.object, days=days)
            can_view_orders = policy_registry.get_by_type(Order).user_has_permission(
                self.request.user, "view"
            )
            for row in preview.rows:
                row.order_url = (
                    reverse("orders_order:inspect", args=(quote(row.order.pk),))
                    if can_view_orders
                    else None
                )
        context.update(
            campaign=self.object,
            gives=campaign_gives(self.object),
            status=STATUS_LABELS[campaign_status(self.object)],
            form=form,
            preview=preview,
            max_orders=PREVIEW_MAX_ORDERS,
            sample=PREVIEW_SAMPLE,
        )
        return context
