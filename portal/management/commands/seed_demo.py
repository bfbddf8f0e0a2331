"""Build the demo store. Each installed app of ours contributes through ``<app>.demo.seed``."""

from contextlib import contextmanager
from importlib import import_module
from importlib.util import find_spec

from celery.signals import task_postrun
from django.apps import apps
from django.core import mail
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from portal.celery import app as celery_app
from portal.demo import ADMIN_EMAIL, demo_admin_password

OUR_APPS = ["portal", "orders", "knowledgebase", "loyalty", "returns", "feedback"]


@contextmanager
def history_runs_here(ran: list, emails: list):
    """The demo's orders, shipments, points and returns happened in the past: the tasks
    they queue (points, emails about them, payouts) run here, in the seed, and the emails
    to the demo's customers are kept back. The store is whole when the seed ends, and the
    worker starts on an empty queue, so what it logs first is what the visitor did."""
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    outbox = getattr(mail, "outbox", None)

    def count(sender=None, **kwargs):
        ran.append(sender.name)

    task_postrun.connect(count, weak=False)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            yield
            emails.extend(mail.outbox)
    finally:
        task_postrun.disconnect(count)
        celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous
        if outbox is None:
            del mail.outbox
        else:
            mail.outbox = outbox


class Command(BaseCommand):
    help = "Build a believable demo store. Running it again changes nothing."

    def handle(self, *args, **options):
        installed = {config.name for config in apps.get_app_configs()}
        ran, emails = [], []
        with history_runs_here(ran, emails):
            for name in OUR_APPS:
                if name in installed and find_spec(f"{name}.demo") is not None:
                    import_module(f"{name}.demo").seed(stdout=self.stdout)
        if ran:
            self.stdout.write(
                f"Demo history: {len(ran)} tasks ran in the seed rather than the worker; "
                f"{len(emails)} emails to demo customers were not sent."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo store ready. Admin: {ADMIN_EMAIL} / {demo_admin_password()} "
                "(Wagtail admin at /admin/). Customers: customer001@example.com … "
                "password customer-demo."
            )
        )
