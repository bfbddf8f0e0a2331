"""The "Help center" menu in Wagtail admin, and its "Search analytics" report.

How the other help center reports join the menu
-----------------------------------------------
The menu is ``help_menu`` (a ``wagtail.admin.menu.Menu``) shown as the "Help center"
submenu. It collects its items from the hook ``register_help_center_menu_item``: a module
registers a function that returns a ``MenuItem`` (whose ``is_shown`` checks the
permission its report needs), exactly as with Wagtail's ``register_admin_menu_item``::

    @hooks.register("register_help_center_menu_item")
    def feedback_menu_item():
        return menu_item()

The submenu hides itself when none of its items is shown to the user.

The report: top queries, queries with no results and click-through per query over a date
range, for staff with ``knowledgebase.view_searchevent`` (the editors' groups), from
``SearchEvent``/``SearchClick`` (kept as long as the tables are, with result counts —
Wagtail's own search-terms report is superuser-only and keeps hits seven days).
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth.models import Permission
from django.urls import path, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import search
from .admin_views import HelpReportView
from .models import SearchEvent

VIEW_PERMISSION = "knowledgebase.view_searchevent"
MENU_HOOK = "register_help_center_menu_item"
DEFAULT_DAYS = 30
MAX_DAYS = 366 * 2

help_menu = Menu(register_hook_name=MENU_HOOK)


def can_view(user) -> bool:
    return user.is_active and user.has_perm(VIEW_PERMISSION)


class SearchRangeForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("All")), ("en", "English"), ("tr", "Türkçe")],
    )
    source = forms.ChoiceField(
        label=_("Where"),
        required=False,
        choices=[("", _("Everywhere")), *SearchEvent.Source.choices],
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start date must come before the end date."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("Choose at most two years."))
        return data


class SearchReportView(HelpReportView):
    template_name = "knowledgebase/admin/search_report.html"
    page_title = _("Search analytics")
    header_icon = "search"
    permission_required = VIEW_PERMISSION

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        start, end = today - timedelta(days=DEFAULT_DAYS - 1), today
        language = source = ""
        form = SearchRangeForm(self.request.GET or None, initial={"start": start, "end": end})
        if self.request.GET and form.is_valid():
            data = form.cleaned_data
            start, end = data["start"], data["end"]
            language, source = data.get("language") or "", data.get("source") or ""
        context.update(
            form=form,
            start=start,
            end=end,
            report=search.search_report(start=start, end=end, language=language, source=source),
        )
        return context


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view(request.user)


class HelpCenterMenuItem(SubmenuMenuItem):
    def is_shown(self, request):
        return bool(self.menu.menu_items_for_request(request))


@hooks.register(MENU_HOOK)
def search_menu_item():
    return ReportMenuItem(
        _("Search analytics"),
        reverse_lazy("knowledgebase_search_report"),
        name="help-center-search",
        icon_name="search",
        order=10,
    )


@hooks.register("register_admin_menu_item")
def help_center_menu():
    return HelpCenterMenuItem(
        _("Help center"), help_menu, name="help-center", icon_name="help", order=350
    )


@hooks.register("register_admin_urls")
def register_search_urls():
    return [
        path("help-center/search/", SearchReportView.as_view(), name="knowledgebase_search_report"),
    ]


@hooks.register("register_permissions")
def register_search_permissions():
    return Permission.objects.filter(
        content_type__app_label="knowledgebase", codename="view_searchevent"
    )
