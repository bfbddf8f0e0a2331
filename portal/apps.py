from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from . import auth_backends, groups, menus, pagecache
        from .celery import ensure_broker_folders

        auth_backends.connect()
        menus.connect()
        pagecache.connect()

        ensure_broker_folders()
        # After every migrate, staff groups get the permissions of every installed app,
        # including apps whose tables arrived after the data migration that made the groups.
        post_migrate.connect(groups.sync_after_migrate, dispatch_uid="portal.groups.sync")
