"""The help center's feedback report in Wagtail admin: articles by helpfulness and views,
the comments left with a "no", a weekly trend, and the contact form's deflections.

Seen by staff with ``knowledgebase.view_articlevote``.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib.auth.models import Permission
from django.core.paginator import Paginator
from django.urls import path, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import contact, feedback
from .admin_views import HelpReportView

VIEW_PERMISSION = "knowledgebase.view_articlevote"
DEFAULT_DAYS = 30
MAX_DAYS = 366 * 2
ORDERS = {"helpful": _("Least helpful first"), "views": _("Most read first"), "title": _("Title")}


def can_view(user) -> bool:
    return user.is_active and user.has_perm(VIEW_PERMISSION)


class RangeForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    order = forms.ChoiceField(label=_("Sort"), choices=list(ORDERS.items()), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start date must come before the end date."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("Choose at most two years."))
        return data


def date_range(request) -> tuple[RangeForm, date, date, str]:
    """The range asked for in the query string, else the last 30 days."""
    today = timezone.localdate()
    default_start = today - timedelta(days=DEFAULT_DAYS - 1)
    form = RangeForm(request.GET or None, initial={"start": default_start, "end": today})
    if request.GET and form.is_valid():
        data = form.cleaned_data
        return form, data["start"], data["end"], data.get("order") or "helpful"
    if not request.GET:
        form = RangeForm(
            initial={"start": default_start, "end": today, "order": "helpful"},
        )
    return form, default_start, today, "helpful"


class FeedbackReportView(HelpReportView):
    template_name = "knowledgebase/admin/feedback_report.html"
    page_title = _("Article feedback")
    header_icon = "help"
    permission_required = VIEW_PERMISSION

    def get_context_data(self, **kwargs):
        form, start, end, order = date_range(self.request)
        context = super().get_context_data(**kwargs)
        rows = feedback.article_report(start=start, end=end, order=order)
        comments = Paginator(feedback.no_comments(start=start, end=end), 25).get_page(
            self.request.GET.get("page")
        )
        trend = feedback.weekly_trend(start=start, end=end)
        yes = sum(r.yes for r in rows)
        no = sum(r.no for r in rows)
        context.update(
            form=form,
            start=start,
            end=end,
            rows=rows,
            comments=comments,
            trend=trend,
            trend_max=max([w.yes + w.no for w in trend] + [1]),
            totals={
                "yes": yes,
                "no": no,
                "share": yes / (yes + no) if yes + no else None,
                "views": sum(r.views for r in rows),
            },
            deflection=contact.deflection_summary(start=start, end=end),
            deflecting=contact.deflecting_articles(start=start, end=end),
            deflection_minutes=int(contact.DEFLECTION_AFTER.total_seconds() // 60),
        )
        return context


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view(request.user)


def menu_item() -> MenuItem:
    return ReportMenuItem(
        _("Article feedback"),
        reverse_lazy("knowledgebase_feedback_report"),
        name="help-center-feedback",
        icon_name="help",
        order=20,
    )


urlpatterns = [
    path(
        "help-center/feedback/", FeedbackReportView.as_view(), name="knowledgebase_feedback_report"
    ),
]


@hooks.register("register_admin_urls")
def register_feedback_urls():
    return urlpatterns


# An item of the "Help center" menu (see admin_search).
@hooks.register("register_help_center_menu_item")
def feedback_menu_item():
    return menu_item()


@hooks.register("register_permissions")
def register_feedback_permissions():
    return Permission.objects.filter(
        content_type__app_label="knowledgebase", codename="view_articlevote"
    )
