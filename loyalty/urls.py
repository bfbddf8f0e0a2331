from django.urls import path

from . import referral_views, views

app_name = "loyalty"

# Mounted inside i18n_patterns: /rewards/ and /tr/rewards/.
urlpatterns = [
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/join/", views.join, name="join"),
    path("rewards/redeem/", views.redeem, name="redeem"),
    path("rewards/birthday/", views.birthday, name="birthday"),
    path("rewards/emails-off/<str:token>/", views.emails_off, name="emails_off"),
    # A member's referral link: short, to share by message.
    path("r/<str:code>/", referral_views.referral_landing, name="referral"),
]
