from django.urls import path

from . import views

app_name = "loyalty"

# Mounted inside i18n_patterns: /rewards/ and /tr/rewards/.
urlpatterns = [
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/join/", views.join, name="join"),
    path("rewards/redeem/", views.redeem, name="redeem"),
    path("rewards/emails-off/<str:token>/", views.emails_off, name="emails_off"),
]
