from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = _("Returns")

    def ready(self) -> None:
        from orders.extensions import order_page_panels

        from . import receivers  # noqa: F401
        from .views.panel import order_panel

        if order_panel not in order_page_panels:
            order_page_panels.append(order_panel)
