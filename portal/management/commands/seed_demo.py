"""Build the demo store. Each installed app of ours contributes through ``<app>.demo.seed``."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand

from portal.demo import ADMIN_EMAIL, demo_admin_password

OUR_APPS = ["portal", "orders", "knowledgebase", "loyalty", "returns", "feedback"]


class Command(BaseCommand):
    help = "Build a believable demo store. Running it again changes nothing."

    def handle(self, *args, **options):
        installed = {config.name for config in apps.get_app_configs()}
        for name in OUR_APPS:
            if name in installed and find_spec(f"{name}.demo") is not None:
                import_module(f"{name}.demo").seed(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo store ready. Admin: {ADMIN_EMAIL} / {demo_admin_password()} "
                "(Wagtail admin at /admin/). Customers: customer001@example.com … "
                "password customer-demo."
            )
        )
