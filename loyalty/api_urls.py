from django.urls import path

from . import api

app_name = "loyalty_api"

# Outside i18n_patterns: /api/loyalty/me answers the same in every language.
urlpatterns = [path("me", api.me, name="me")]
