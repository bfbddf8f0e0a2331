"""What the Help center menu's screens share: a Wagtail admin page behind one permission."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin


class HelpReportView(PermissionRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """A report page for staff holding ``permission_required`` (403 for anyone else; Wagtail
    sends people who are not signed in to its login first)."""

    raise_exception = True

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]
