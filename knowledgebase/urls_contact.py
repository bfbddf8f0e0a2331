"""The contact page with its suggestions, and the confirmation (inside i18n_patterns)."""

from django.urls import path

from . import contact_views

urlpatterns = [
    path("contact/", contact_views.contact, name="contact"),
    path("contact/sent/<str:reference>/", contact_views.contact_sent, name="contact_sent"),
    path(
        "contact/suggestion-opened/",
        contact_views.suggestion_opened,
        name="contact_suggestion_opened",
    ),
]
