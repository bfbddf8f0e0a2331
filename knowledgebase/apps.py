from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgebaseConfig(AppConfig):
    name = "knowledgebase"
    verbose_name = _("Help center")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connect the receivers
