from django.urls import path

from . import notification_views, views

app_name = "orders"

# Mounted inside i18n_patterns: /track/ and /tr/track/.
urlpatterns = [
    path("track/", views.track, name="track"),
    path("track/o/<str:token>/", views.track_order, name="track_order"),
    path("account/orders/", views.order_list, name="list"),
    path("account/orders/<str:number>/", views.order_detail, name="detail"),
    path("track/emails-off/<str:token>/", notification_views.emails_off, name="emails_off"),
]
