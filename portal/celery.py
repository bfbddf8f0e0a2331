"""The Celery app. Settings come from Django's (``CELERY_*``); the beat schedule too."""

import os
from pathlib import Path

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")


class PorticoTask(Task):
    """Default base for every task: retried with backoff on passing failures.

    Tasks take ids, are safe to run twice, and are acknowledged late (see settings), so a
    retry or a redelivery after a lost worker never does the work twice.
    """

    autoretry_for = (ConnectionError, TimeoutError)
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8


app = Celery("portal", task_cls=PorticoTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """The filesystem transport needs its folders to exist before anyone connects."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
