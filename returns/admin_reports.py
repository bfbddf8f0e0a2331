"""The returns report page in Wagtail admin, its charts, and each table as CSV.

The numbers come from ``reports.returns_report`` (a fixed number of queries). Charts are
SVG drawn here on the server, horizontal bars with a title and a description for screen
readers, each followed by the table of the same numbers; nothing comes from another host.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.widgets.button import HeaderButton

from . import reports
from .admin_views import ReturnsPageView, can_view

DEFAULT_DAYS = 90
MAX_DAYS = 366 * 3
CHART_ROWS = 12


# Dates a report can mean; outside them a date is a typo (and year 9999 has no next day).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
IN_RANGE = [MinValueValidator(EARLIEST), MaxValueValidator(LATEST)]


class RangeForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("Orders placed from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=IN_RANGE,
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=IN_RANGE,
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start date must come before the end date."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("Choose at most three years."))
        return data


def date_range(request) -> tuple[RangeForm, object, object]:
    """The days asked for, else the last ``DEFAULT_DAYS`` up to today."""
    today = timezone.localdate()
    start, end = today - timedelta(days=DEFAULT_DAYS - 1), today
    form = RangeForm(
        request.GET if "start" in request.GET or "end" in request.GET else None,
        initial={"start": start, "end": end},
    )
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


# --- Charts -------------------------------------------------------------------------

WIDTH, LABEL_W, VALUE_W, ROW_H, TOP = 720, 220, 90, 28, 8


def percent(value) -> str:
    """A fraction as a percentage to one place, rounded half up (Django's number_format
    cuts the digits off, which would show 30.77 % as 30.7 %)."""
    if value is None:
        return "—"
    rounded = (Decimal(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, decimal_pos=1) + "%"


@dataclass
class BarChart:
    """Horizontal bars, one per row: ``rows`` are (label, value, text shown)."""

    id: str
    title: str
    description: str
    rows: list[tuple[str, float, str]]
    width: int = WIDTH
    bars: list[dict] = field(default_factory=list)

    def __post_init__(self):
        top = max((value for _label, value, _text in self.rows), default=0) or 1
        room = self.width - LABEL_W - VALUE_W
        for i, (label, value, text) in enumerate(self.rows):
            y = TOP + i * ROW_H
            self.bars.append(
                {
                    "y": y,
                    "text_y": y + ROW_H // 2,
                    "label": label if len(label) <= 30 else label[:29] + "…",
                    "width": round(max(room * float(value) / float(top), 1 if value else 0), 1),
                    "value_x": round(LABEL_W + room * float(value) / float(top) + 6, 1),
                    "text": text,
                    "title": f"{label}: {text}",
                }
            )

    @property
    def height(self) -> int:
        return TOP * 2 + ROW_H * max(len(self.rows), 1)

    @property
    def label_w(self) -> int:
        return LABEL_W


def charts(report: reports.Report) -> dict[str, BarChart]:
    words = {
        "start": formats.date_format(report.start, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(report.end, "SHORT_DATE_FORMAT"),
    }
    types = [r for r in report.product_types if r.sold][:CHART_ROWS]
    return {
        "types": BarChart(
            id="chart-types",
            title=_("Return rate by product type"),
            description=_(
                "Returned units as a share of sold units for each product type, orders placed "
                "from %(start)s to %(end)s. The numbers are in the table below."
            )
            % words,
            rows=[
                (r.label or _("No product type"), float(r.rate or 0), percent(r.rate))
                for r in types
            ],
        ),
        "reasons": BarChart(
            id="chart-reasons",
            title=_("Returned units by reason"),
            description=_(
                "How many returned units gave each reason, orders placed from %(start)s to "
                "%(end)s. The numbers are in the table below."
            )
            % words,
            rows=[
                (r.label, float(r.units), formats.number_format(r.units, force_grouping=True))
                for r in report.reasons[:CHART_ROWS]
            ],
        ),
    }


# --- Views --------------------------------------------------------------------------


class ReportView(ReturnsPageView):
    template_name = "returns/admin/reports.html"
    page_title = gettext_lazy("Returns report")
    header_icon = "table"

    def get(self, request, *args, **kwargs):
        self.form, self.start, self.end = date_range(request)
        return super().get(request, *args, **kwargs)

    def csv_url(self, table: str) -> str:
        query = urlencode({"start": self.start.isoformat(), "end": self.end.isoformat()})
        return f"{reverse('returns_report_csv', args=[table])}?{query}"

    def get_header_buttons(self):
        return [
            HeaderButton(
                gettext_lazy("Summary (CSV)"), url=self.csv_url("summary"), icon_name="download"
            )
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = reports.returns_report(start=self.start, end=self.end)
        context.update(
            form=self.form,
            report=report,
            charts=charts(report),
            csv={table: self.csv_url(table) for table in reports.TABLES},
            time_zone=timezone.get_current_timezone_name(),
        )
        return context


class ReportCSVView(View):
    """One table of the report as CSV (column names are identifiers, the same in every
    language; rates are fractions, amounts plain decimals)."""

    http_method_names = ["get"]

    def get(self, request, table):
        if not can_view(request.user):
            raise PermissionDenied
        if table not in reports.TABLES:
            raise Http404
        _form, start, end = date_range(request)
        header, rows = reports.table_rows(reports.returns_report(start=start, end=end), table)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="returns-{table}-{start:%Y-%m-%d}-{end:%Y-%m-%d}.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows([[_cell(value) for value in row] for row in rows])
        return response


def _cell(value):
    """Text a spreadsheet would run as a formula (a product called "=HYPERLINK(…)") is
    written with a leading apostrophe; numbers are left alone."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
