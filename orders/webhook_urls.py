from django.urls import path

from . import webhooks

app_name = "webhooks"

urlpatterns = [
    path(f"{name}/", webhooks.receive, {"connector": name}, name=name)
    for name in ("shopify", "woocommerce", "stripe", "portico")
]
