"""The help center's Django routes, inside i18n_patterns (/help-center/… and /tr/help-center/…).

The help center's pages themselves are Wagtail pages (``HelpCenterPage`` and below).
"""

from django.urls import include, path

from . import views

app_name = "knowledgebase"

urlpatterns = [
    path("help-center/", views.help_center, name="index"),
    path("", include("knowledgebase.urls_search")),
    path("", include("knowledgebase.urls_feedback")),
    path("", include("knowledgebase.urls_contact")),
]
