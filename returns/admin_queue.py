"""The returns queue in Wagtail admin: the listing, its filters and search (the bulk
approve / reject actions are in ``admin_bulk``).

The listing runs a fixed number of queries whatever the returns shown and their lines
(the lines are counted by a subquery; the order number comes with the return), and it
never counts more than ``COUNT_CAP`` rows for the paginator: beyond that the page says
"more than 10,000" and the agent narrows the list with the filters. Search matches a
return number exactly (with or without "R-"), an order number as customers type it
(through the orders' ``lookup_number`` index), or the start of the customer's email.
"""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, Table
from wagtail.admin.views.generic import IndexView

from orders.models import Order
from orders.services import lookup_number

from .admin_views import can_manage, status_tone
from .models import PolicyVersion, Resolution, ReturnLine, ReturnRequest, Status
from .selectors import policy_current

PER_PAGE = 50
# The paginator counts at most this many rows (a count of 100,000 rows on every page view
# is the slowest part of a listing); past it the page says "more than".
COUNT_CAP = 10_000


# --- Filters ------------------------------------------------------------------------


def reason_choices() -> list[tuple[str, str]]:
    """Every reason any policy version offered (a return keeps the code it was made with),
    labelled as the newest version that has it. Cached per current version."""
    _policy, version = policy_current()
    turkish = (get_language() or "").startswith("tr")
    key = f"returns:admin:reasons:{version.number}:{'tr' if turkish else 'en'}"
    choices = cache.get(key)
    if choices is None:
        labels: dict[str, str] = {}
        for snapshot in PolicyVersion.objects.order_by("number").values_list("snapshot", flat=True):
            for reason in (snapshot or {}).get("reasons", ()):
                label = (turkish and reason.get("label_tr")) or reason.get("label")
                labels[reason["code"]] = label or reason["code"]
        choices = sorted(labels.items(), key=lambda item: str(item[1]).lower())
        cache.set(key, choices, 3600)
    return choices


class ReturnFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Status"),
        choices=Status.choices,
        widget=forms.CheckboxSelectMultiple,
        # status IN (…) cannot repeat a row; DISTINCT would sort every match, lines counted.
        distinct=False,
    )
    reason = django_filters.ChoiceFilter(
        label=gettext_lazy("Reason (any line)"),
        choices=reason_choices,
        empty_label=gettext_lazy("All"),
        method="filter_reason",
    )
    older_than = django_filters.NumberFilter(
        label=gettext_lazy("Older than (days)"),
        method="filter_older_than",
        min_value=0,
        max_value=3650,
    )
    flagged = django_filters.BooleanFilter(label=gettext_lazy("Flagged customer"))
    needs_review = django_filters.BooleanFilter(
        label=gettext_lazy("Needs review"), method="filter_needs_review"
    )
    resolution = django_filters.ChoiceFilter(
        label=gettext_lazy("Resolution"),
        choices=Resolution.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ReturnRequest
        fields = ["status", "reason", "older_than", "flagged", "needs_review", "resolution"]

    def filter_reason(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(ReturnLine.objects.filter(request=OuterRef("pk"), reason=value))
        )

    def filter_older_than(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(created_at__lt=timezone.now() - timedelta(days=int(value)))

    def filter_needs_review(self, queryset, name, value):
        if value is None:
            return queryset
        pending = Q(review=ReturnRequest.Review.PENDING)
        return queryset.filter(pending) if value else queryset.exclude(pending)


# --- Paginator ----------------------------------------------------------------------


class CappedPaginator(WagtailPaginator):
    """Counts at most ``COUNT_CAP`` rows: one index scan that stops, instead of counting a
    table of a hundred thousand returns on every page view."""

    cap = COUNT_CAP

    @cached_property
    def count(self):
        # values("pk"): the count's subquery selects no column it does not need (the lines
        # count, the order), and stops after cap + 1 rows.
        found = self.object_list.order_by().values("pk")[: self.cap + 1].count()
        self.capped = found > self.cap
        return min(found, self.cap)

    @cached_property
    def items_count_label(self):
        if self.count and getattr(self, "capped", False):
            return _("More than %(count)s returns") % {
                "count": number_format(self.cap, force_grouping=True)
            }
        return ngettext("%(count)s return", "%(count)s returns", self.count) % {
            "count": number_format(self.count, force_grouping=True)
        }


# The resolution in a word, for a column that is scanned, not read.
SHORT_RESOLUTIONS = {
    Resolution.REFUND: gettext_lazy("Refund"),
    Resolution.CREDIT: gettext_lazy("Store credit"),
    Resolution.EXCHANGE: gettext_lazy("Exchange"),
}


# --- Columns and table -------------------------------------------------------------


class QueueColumn(Column):
    """A column of the queue: its header is Wagtail's (with the sort links), its cells are
    drawn by ``QueueTable``'s one template, not a template each."""


class QueueTable(Table):
    """The queue's table in one template: fifty rows of eleven cells drawn cell by cell
    (a template and often a component each) cost more than everything else on the page."""

    template_name = "returns/admin/queue_table.html"

    def __init__(self, *args, inspect_url_name=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspect_url_name = inspect_url_name

    @cached_property
    def prepared_rows(self) -> list[dict]:
        """The page's rows, with their order numbers and line counts (two queries)."""
        page = list(self.data)
        orders = dict(
            Order.objects.filter(pk__in={r.order_id for r in page}).values_list("pk", "number")
        )
        lines = dict(
            ReturnLine.objects.filter(request_id__in=[r.pk for r in page])
            .order_by()
            .values_list("request_id")
            .annotate(n=Count("pk"))
        )
        statuses = {value: str(label) for value, label in Status.choices}
        resolutions = {value: str(label) for value, label in SHORT_RESOLUTIONS.items()}
        rows = []
        for r in page:
            rows.append(
                {
                    "pk": r.pk,
                    "number": r.number,
                    "url": reverse(self.inspect_url_name, args=(quote(r.pk),)),
                    "order_number": orders.get(r.order_id, ""),
                    "email": r.email,
                    "status": statuses.get(r.status, r.status),
                    "tone": status_tone(r.status),
                    "resolution": resolutions.get(r.resolution, r.resolution),
                    "total": r.total,
                    "currency": r.currency,
                    "lines": lines.get(r.pk, 0),
                    "created_at": r.created_at,
                    "flagged": r.flagged,
                    "review": r.review == ReturnRequest.Review.PENDING,
                }
            )
        return rows

    @property
    def has_checkboxes(self) -> bool:
        return "bulk_actions" in self.columns


# --- The queue ----------------------------------------------------------------------


class QueueIndexView(IndexView):
    results_template_name = "returns/admin/queue_results.html"
    template_name = "returns/admin/queue.html"
    paginator_class = CappedPaginator
    page_title = gettext_lazy("Returns queue")

    @cached_property
    def may_manage(self) -> bool:
        return can_manage(self.request.user)

    def get_base_queryset(self):
        # The returns' own columns only: the page's order numbers and line counts are read
        # for its fifty rows afterwards (QueueTable), not joined or counted for every row
        # the database walks past to reach a deep page.
        return ReturnRequest.objects.only(
            "number",
            "order_id",
            "email",
            "status",
            "resolution",
            "total",
            "currency",
            "created_at",
            "flagged",
            "review",
        )

    def search_queryset(self, queryset):
        """A return number (with or without "R-") or an order number when the query has a
        digit, and the start of the customer's email: index lookups each (the email's needs
        the ``varchar_pattern_ops`` index on PostgreSQL). The order's ids are read first so
        that the returns side stays one lookup per index."""
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        # Emails are stored lower-cased (services.return_create).
        condition = Q(email__startswith=query.lower())
        if any(ch.isdigit() for ch in query):
            upper = query.upper()
            condition |= Q(number__in={upper, upper if upper.startswith("R-") else f"R-{upper}"})
            key = lookup_number(query) if "@" not in query else ""
            if key:
                order_ids = list(
                    Order.objects.filter(lookup_number=key).values_list("pk", flat=True)[:100]
                )
                if order_ids:
                    condition |= Q(order_id__in=order_ids)
        return queryset.filter(condition)

    table_class = QueueTable

    @cached_property
    def columns(self):
        columns = list(self.list_display)
        if self.may_manage:
            columns = [BulkActionsCheckboxColumn("bulk_actions", obj_type="return"), *columns]
        return columns

    def get_table_kwargs(self):
        return {**super().get_table_kwargs(), "inspect_url_name": self.inspect_url_name}

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        paginator = context.get("paginator")
        context["count_capped"] = bool(paginator and getattr(paginator, "capped", False))
        context["may_manage"] = self.may_manage
        return context


def queue_columns():
    """The headers, in order; ``sort_key`` makes a header a sort link (only on indexed
    columns: sorting 100,000 returns by anything else would read them all)."""
    return [
        QueueColumn("number", label=gettext_lazy("Return"), sort_key="number"),
        QueueColumn("order_number", label=gettext_lazy("Order")),
        QueueColumn("email", label=gettext_lazy("Customer email")),
        QueueColumn("status", label=gettext_lazy("Status")),
        QueueColumn("resolution", label=gettext_lazy("Resolution")),
        QueueColumn("total", label=gettext_lazy("Total"), classname="returns-admin__num"),
        QueueColumn("line_count", label=gettext_lazy("Lines"), classname="returns-admin__num"),
        QueueColumn("created_at", label=gettext_lazy("Age"), sort_key="created_at"),
        QueueColumn("flagged", label=gettext_lazy("Flagged")),
        QueueColumn("review", label=gettext_lazy("Review")),
    ]
