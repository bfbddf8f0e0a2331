"""The marketers' loyalty dashboard in Wagtail admin, and its roll-forward as CSV.

Every number comes from ``reports`` (a fixed number of queries, whatever the range). The
charts are SVG drawn here, on the server: no script and nothing from another host, each
with a title and a description for screen readers, and each followed by a table with the
same numbers (finance reads the tables). Who may see the ledger (``loyalty.view_entry``)
may see the dashboard. The menu item and the URLs are registered in ``wagtail_hooks.py``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse, reverse_lazy
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from . import reports
from .admin_views import can_view_entries

DEFAULT_MONTHS = 12
# Five years of months still fit a chart and a table a person can read.
MAX_MONTHS = 60


# --- The month range --------------------------------------------------------------------


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]


class MonthRangeForm(forms.Form):
    start = MonthField(label=gettext_lazy("From"), required=False)
    end = MonthField(label=gettext_lazy("To"), required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The last month comes before the first."))
            if len(reports.months_between(start, end)) > MAX_MONTHS:
                raise forms.ValidationError(
                    _("Choose at most %(months)s months.") % {"months": MAX_MONTHS}
                )
        return cleaned


def month_range(request) -> tuple[MonthRangeForm, date, date]:
    """The months asked for: by default the last twelve, this one included; a missing end
    is this month (or the start), a missing start twelve months before the end."""
    this_month = reports.month_start(timezone.now())
    form = MonthRangeForm(request.GET or None)
    start = end = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
    last = reports.month_start(end) if end else this_month
    if start and not end:
        last = max(last, reports.month_start(start))
    first = reports.month_start(start) if start else last - relativedelta(months=DEFAULT_MONTHS - 1)
    first = max(first, last - relativedelta(months=MAX_MONTHS - 1))
    if not form.is_bound:
        form = MonthRangeForm(initial={"start": first, "end": last})
    return form, first, last


# --- Charts -----------------------------------------------------------------------------

WIDTH, HEIGHT = 960, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 44


def _number(value) -> str:
    return formats.number_format(value, force_grouping=True)


def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return formats.number_format(value * 100, decimal_pos=1) + "%"


def _nice_step(span: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) for about four gridlines."""
    if span <= 0:
        return 1
    raw = span / 4
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


@dataclass
class Series:
    key: str  # a CSS modifier: the colour
    label: str
    values: list  # one per category; None for "nothing to show"


@dataclass
class Chart:
    """A chart of monthly (or other) categories: grouped bars, or lines."""

    id: str
    title: str
    description: str
    categories: list[tuple[str, str]]  # (label, second line)
    series: list[Series]
    kind: str = "bar"  # or "line"
    percent: bool = False
    width: int = WIDTH
    height: int = HEIGHT
    ticks: list[dict] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)
    zero_y: float = 0

    def __post_init__(self):
        values = [v for s in self.series for v in s.values if v is not None]
        lo, hi = min([0, *values]), max([0, *values])
        if self.percent:
            hi = max(hi, 1)
        step = _nice_step(float(hi - lo))
        if not self.percent:
            step = max(step, 1)  # counts of points and people are whole numbers
        lo = math.floor(float(lo) / step) * step
        hi = max(math.ceil(float(hi) / step) * step, lo + step)
        plot_h = self.height - TOP - BOTTOM
        plot_w = self.width - LEFT - RIGHT

        def y(value) -> float:
            return round(TOP + plot_h * (hi - float(value)) / (hi - lo), 1)

        self.zero_y = y(0)
        tick = lo
        while tick <= hi + step / 2:
            label = percent(Decimal(str(tick))) if self.percent else _number(int(tick))
            self.ticks.append({"y": y(tick), "label": label})
            tick += step
        count = max(len(self.categories), 1)
        slot = plot_w / count
        for i, (label, second) in enumerate(self.categories):
            self.labels.append(
                {"x": round(LEFT + slot * (i + 0.5), 1), "label": label, "second": second}
            )
        if self.kind == "bar":
            group = slot * 0.8
            bar_w = group / max(len(self.series), 1)
            for i, (label, _second) in enumerate(self.categories):
                for j, s in enumerate(self.series):
                    value = s.values[i]
                    if value is None:
                        continue
                    top, bottom = sorted((y(value), self.zero_y))
                    self.bars.append(
                        {
                            "x": round(LEFT + slot * i + slot * 0.1 + bar_w * j, 1),
                            "y": top,
                            "width": round(max(bar_w - 2, 1), 1),
                            "height": round(max(bottom - top, 0.5), 1),
                            "key": s.key,
                            "title": f"{label} {self._format(value)}: {s.label}",
                        }
                    )
        else:
            for s in self.series:
                points, segments, current = [], [], []
                for i, value in enumerate(s.values):
                    if value is None:
                        if current:
                            segments.append(current)
                        current = []
                        continue
                    x = round(LEFT + slot * (i + 0.5), 1)
                    point = {
                        "x": x,
                        "y": y(value),
                        "title": f"{self.categories[i][0]}: {s.label} {self._format(value)}",
                    }
                    points.append(point)
                    current.append(f"{x},{point['y']}")
                if current:
                    segments.append(current)
                self.lines.append(
                    {"key": s.key, "points": points, "segments": [" ".join(c) for c in segments]}
                )

    def _format(self, value) -> str:
        return percent(value) if self.percent else _number(value)


def _month_categories(months: list[date]) -> list[tuple[str, str]]:
    # The year under January and under the first month, so the axis reads without clutter.
    return [
        (
            formats.date_format(month, "M"),
            formats.date_format(month, "Y") if i == 0 or month.month == 1 else "",
        )
        for i, month in enumerate(months)
    ]


def _range_words(data: reports.Dashboard) -> dict[str, str]:
    return {
        "first": formats.date_format(data.first_month, "YEAR_MONTH_FORMAT"),
        "last": formats.date_format(data.last_month, "YEAR_MONTH_FORMAT"),
    }


def charts(data: reports.Dashboard) -> dict[str, Chart]:
    months = [row.month for row in data.roll_forward]
    categories = _month_categories(months)
    words = _range_words(data)
    rf = data.roll_forward
    return {
        "balance": Chart(
            id="chart-balance",
            title=_("Points outstanding at each month's end"),
            description=_(
                "Closing balance of the roll-forward, pending and available points, from "
                "%(first)s to %(last)s. The numbers are in the roll-forward table."
            )
            % words,
            categories=categories,
            series=[
                Series("pending", _("Pending"), [r.closing_pending for r in rf]),
                Series("available", _("Available"), [r.closing_available for r in rf]),
            ],
        ),
        "points": Chart(
            id="chart-points",
            title=_("Points issued, redeemed and expired per month"),
            description=_(
                "Points issued, redeemed and expired in each month from %(first)s to "
                "%(last)s. The numbers are in the roll-forward table."
            )
            % words,
            categories=categories,
            series=[
                Series("issued", _("Issued"), [r.issued for r in rf]),
                Series("redeemed", _("Redeemed"), [-r.redeemed for r in rf]),
                Series("expired", _("Expired"), [-r.expired for r in rf]),
            ],
        ),
        "members": Chart(
            id="chart-members",
            title=_("Members at each month's end"),
            description=_(
                "Members at the end of each month from %(first)s to %(last)s, and how many "
                "joined in the month. The numbers are in the members table."
            )
            % words,
            categories=categories,
            series=[
                Series("members", _("Members"), [m.members for m in data.members]),
                Series("joined", _("Joined in the month"), [m.joined for m in data.members]),
            ],
        ),
        "rates": Chart(
            id="chart-rates",
            title=_("Redemption rate and reward code use rate per month"),
            description=_(
                "Points redeemed as a share of points issued, and reward codes used as a "
                "share of codes issued, in each month from %(first)s to %(last)s. A month "
                "with nothing issued has no point. The numbers are in the rates table."
            )
            % words,
            categories=categories,
            kind="line",
            percent=True,
            series=[
                Series(
                    "redemption",
                    _("Redemption rate"),
                    [reports.ratio(r.redeemed_net, r.issued) for r in rf],
                ),
                Series("codes", _("Code use rate"), [c.use_rate for c in data.codes]),
            ],
        ),
        "repeat": Chart(
            id="chart-repeat",
            title=_("Repeat-purchase rate: members and other customers"),
            description=_(
                "Customers with two or more paid orders as a share of customers with one or "
                "more, from %(first)s to %(last)s. The numbers are in the table below."
            )
            % words,
            categories=[(_("Members"), ""), (_("Other customers"), "")],
            percent=True,
            width=480,
            series=[
                Series(
                    "repeat",
                    _("Repeat-purchase rate"),
                    [data.repeat["members"].rate, data.repeat["others"].rate],
                )
            ],
        ),
    }


# --- The views --------------------------------------------------------------------------


class DashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "loyalty/admin/dashboard.html"
    page_title = gettext_lazy("Loyalty dashboard")
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        if not can_view_entries(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_header_buttons(self):
        query = urlencode({"start": f"{self.first:%Y-%m}", "end": f"{self.last:%Y-%m}"})
        return [
            HeaderButton(
                gettext_lazy("Roll-forward (CSV)"),
                url=reverse("loyalty_dashboard_csv") + "?" + query,
                icon_name="download",
            )
        ]

    def get(self, request, *args, **kwargs):
        self.form, self.first, self.last = month_range(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        data = reports.dashboard(self.first, self.last)
        this_month = reports.month_start(timezone.now())
        context = super().get_context_data(**kwargs)
        rf = data.roll_forward
        context.update(
            form=self.form,
            data=data,
            charts=charts(data),
            last_row=rf[-1],
            members_now=data.members[-1].members,
            totals={name: sum(getattr(r, name) for r in rf) for name in reports.MOVEMENTS},
            show_other=any(r.other for r in rf),
            # The cached balances are today's: the roll-forward closes at them only when
            # its range reaches this month.
            reaches_now=data.last_month >= this_month,
            rates=[
                {
                    "month": r.month,
                    "issued": r.issued,
                    "redeemed": r.redeemed_net,
                    "redemption_rate": reports.ratio(r.redeemed_net, r.issued),
                    "codes": c,
                }
                for r, c in zip(rf, data.codes, strict=True)
            ],
            redemption_rate=data.redemption_rate,
            code_use_rate=data.code_use_rate,
            time_zone=reports.report_tz().key,
        )
        return context


# Column names are identifiers for spreadsheets and scripts, the same in every language.
CSV_COLUMNS = (
    "month",
    "opening",
    "issued",
    "redeemed",
    "restored",
    "expired",
    "reversed",
    "adjusted",
    "other",
    "closing",
    "closing_pending",
    "closing_available",
)


class RollForwardExportView(View):
    """The roll-forward of the chosen months as CSV, one row per month."""

    http_method_names = ["get"]

    def get(self, request):
        if not can_view_entries(request.user):
            raise PermissionDenied
        _form, first, last = month_range(request)
        rows = reports.roll_forward(first, len(reports.months_between(first, last)))
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = (
            f'attachment; filename="points-roll-forward-{first:%Y-%m}-{last:%Y-%m}.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            writer.writerow(
                [f"{row.month:%Y-%m}", *(getattr(row, name) for name in CSV_COLUMNS[1:])]
            )
        return response


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_entries(request.user)


def menu_item() -> MenuItem:
    # First in the Loyalty group: the overview before the records.
    return DashboardMenuItem(
        gettext_lazy("Dashboard"),
        reverse_lazy("loyalty_dashboard"),
        name="loyalty-dashboard",
        icon_name="pick",
        order=-1,
    )


urlpatterns = [
    path("loyalty/dashboard/", DashboardView.as_view(), name="loyalty_dashboard"),
    path(
        "loyalty/dashboard/roll-forward.csv",
        RollForwardExportView.as_view(),
        name="loyalty_dashboard_csv",
    ),
]
