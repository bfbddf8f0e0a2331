"""The staff side of the points program in Wagtail admin: members, their ledger, manual
adjustments and the ledger export.

Access follows Django's model permissions through Wagtail's permission policies: viewing
members needs ``loyalty.view_account``, their ledger ``loyalty.view_entry``, and an
adjustment ``loyalty.adjust_account`` (created by migration ``0003``). The viewsets that
route these views live in ``wagtail_hooks.py``.
"""

from __future__ import annotations

import csv
from datetime import UTC

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import policy_registry

from . import services
from .admin_forms import PointsAdjustForm
from .exceptions import InsufficientPoints
from .models import Account, Entry

# loyalty.adjust_account: staff who may add or remove a member's points by hand.
ADJUST_ACTION = "adjust"
ENTRIES_PER_PAGE = 50
LOTS_PER_PAGE = 25


def can_view_entries(user) -> bool:
    return policy_registry.get_by_type(Entry).user_has_permission(user, "view")


def can_adjust(user) -> bool:
    return policy_registry.get_by_type(Account).user_has_permission(user, ADJUST_ACTION)


# --- Members ------------------------------------------------------------------------


class AccountIndexView(IndexView):
    export_url_name = None

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.filter(email__icontains=self.search_query.strip())

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.export_url_name and can_view_entries(self.request.user):
            buttons.append(
                HeaderButton(
                    gettext_lazy("Export ledger (CSV)"),
                    url=reverse(self.export_url_name),
                    icon_name="download",
                )
            )
        return buttons


class MemberInspectView(InspectView):
    """A member's balances, lots and ledger entries (both paginated), and the adjustment
    form for staff allowed to adjust."""

    template_name = "loyalty/admin/account_inspect.html"
    adjust_url_name = None
    export_url_name = None
    form = None

    def get_page_title(self):
        return gettext_lazy("Member")

    def _page(self, queryset, param, per_page):
        paginator = Paginator(queryset, per_page)
        page = paginator.get_page(self.request.GET.get(param))
        query = self.request.GET.copy()
        for number_name in ("previous", "next"):
            has = getattr(page, f"has_{number_name}")()
            if has:
                query[param] = getattr(page, f"{number_name}_page_number")()
                setattr(page, f"{number_name}_url", f"?{query.urlencode()}")
            else:
                setattr(page, f"{number_name}_url", None)
        return page

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        user = self.request.user
        show_entries = can_view_entries(user)
        adjust_url = None
        if self.adjust_url_name and can_adjust(user):
            adjust_url = reverse(self.adjust_url_name, args=(quote(account.pk),))
        context.update(
            account=account,
            lots=self._page(
                account.lots.select_related("rule").order_by("-created_at", "-pk"),
                "lots",
                LOTS_PER_PAGE,
            ),
            entries=(
                self._page(
                    account.entries.select_related("order", "staff").order_by("-created_at", "-pk"),
                    "page",
                    ENTRIES_PER_PAGE,
                )
                if show_entries
                else None
            ),
            adjust_url=adjust_url,
            form=(self.form or PointsAdjustForm()) if adjust_url else None,
            export_url=(
                reverse(self.export_url_name, args=(quote(account.pk),))
                if self.export_url_name and show_entries
                else None
            ),
        )
        return context


class PointsAdjustView(MemberInspectView):
    """POST only: adjust a member's points through ``services.points_adjust``.

    The form's hidden key makes the ledger key, so the same form submitted twice adjusts
    once. A removal larger than the balance is a form error, shown on the member page.
    """

    permission_required = ADJUST_ACTION
    any_permission_required = None
    http_method_names = ["post"]
    inspect_url_name = None

    def post(self, request, *args, **kwargs):
        account = self.object
        self.form = PointsAdjustForm(request.POST)
        if self.form.is_valid():
            data = self.form.cleaned_data
            try:
                entry = services.points_adjust(
                    account_id=account.pk,
                    points=data["points"],
                    staff=request.user,
                    reason=data["reason"],
                    key=f"adjust:{account.pk}:{data['key']}",
                )
            except InsufficientPoints as error:
                self.form.add_error(
                    "points",
                    _("Only %(available)s points are available to remove.")
                    % {"available": error.available},
                )
            else:
                if entry is None:
                    messages.warning(request, _("This adjustment was already made."))
                else:
                    messages.success(
                        request,
                        _("%(points)+d points for %(email)s.")
                        % {"points": data["points"], "email": account.email},
                    )
                return redirect(self.inspect_url_name, quote(account.pk))
        self.object = get_object_or_404(Account, pk=account.pk)
        return self.render_to_response(self.get_context_data(), status=400)


# --- Ledger export ------------------------------------------------------------------

# Column names are identifiers for spreadsheets and scripts, the same in every language.
CSV_COLUMNS = (
    "created_at",
    "account_email",
    "kind",
    "pending_delta",
    "available_delta",
    "lifetime_delta",
    "forgiven",
    "key",
    "order_number",
    "note",
    "staff_email",
)
_VALUES = (
    "created_at",
    "account__email",
    "kind",
    "pending_delta",
    "available_delta",
    "lifetime_delta",
    "forgiven",
    "key",
    "order__number",
    "note",
    "staff__email",
)
# A spreadsheet runs a text cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write returns the line, for csv.writer to stream."""

    def write(self, value):
        return value


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if hasattr(value, "isoformat"):
        return value.astimezone(UTC).isoformat()
    return value


def ledger_rows(queryset):
    """The CSV lines of ``queryset``'s entries, oldest first, read in chunks."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    rows = queryset.order_by("created_at", "pk").values_list(*_VALUES)
    for row in rows.iterator(chunk_size=2000):
        yield writer.writerow([_cell(value) for value in row])


class LedgerExportView(View):
    """The ledger as CSV, streamed: the whole ledger, or one member's (``pk``)."""

    http_method_names = ["get"]

    def get(self, request, pk=None):
        if not can_view_entries(request.user):
            raise PermissionDenied
        entries = Entry.objects.all()
        filename = "ledger.csv"
        if pk is not None:
            account = get_object_or_404(Account, pk=pk)
            entries = entries.filter(account=account)
            filename = f"ledger-{account.pk}.csv"
        response = StreamingHttpResponse(ledger_rows(entries), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
