"""Search's Django routes (the results page itself is the HelpCenterPage route ``search/``)."""

from django.urls import path

from . import search_views

urlpatterns = [
    path("help-center/suggest/", search_views.suggest, name="suggest"),
    path("help-center/search/click/", search_views.click, name="search_click"),
]
