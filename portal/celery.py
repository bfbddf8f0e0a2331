"""The Celery app. Settings come from Django's (``CELERY_*``); the beat schedule too."""

import os
from pathlib import Path

from celery import Celery, Task
from celery.beat import PersistentScheduler
from celery.signals import task_postrun, task_prerun
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")


class PorticoTask(Task):
    """Default base for every task: retried with backoff on passing failures.

    Tasks take ids, are safe to run twice, and are acknowledged late (see settings), so a
    retry or a redelivery after a lost worker never does the work twice.
    """

    # Passing: a network call that failed or timed out, a database that restarted or
    # failed over under the task (Django's OperationalError and InterfaceError), a deadlock
    # lost to another task.
    autoretry_for = (ConnectionError, TimeoutError, OperationalError, InterfaceError)
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8


app = Celery("portal", task_cls=PorticoTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class BeatScheduler(PersistentScheduler):
    """Celery's own scheduler, which keeps its state in a file
    (``CELERY_BEAT_SCHEDULE_FILENAME``) and stops at once if the file's folder is missing,
    as ``var/`` is on a fresh deploy: this one makes the folder first."""

    def setup_schedule(self):
        Path(self.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
        super().setup_schedule()


# --- The worker's database connections -----------------------------------------------------
# Celery's Django fixup closes every connection before and after each task unless it is
# told how many tasks may share one (``CELERY_DB_REUSE_MAX``, in the settings): each task
# then starts a PostgreSQL backend of its own and plans its statements with cold caches
# (about 15 % of the time of an award of a hundred orders). Portico sets that number
# and applies Django's own rules around each task instead, as a web request does:
# ``CONN_MAX_AGE`` and ``CONN_HEALTH_CHECKS`` (a connection found broken is replaced). A
# task that did not succeed closes its connections: a time limit or another interruption
# can leave a query half-way through, which Django cannot always tell from a sound
# connection. Tasks run eagerly (tests) share the caller's connection and are left alone.


def _eager(task) -> bool:
    return bool(getattr(getattr(task, "request", None), "is_eager", False))


@task_prerun.connect(dispatch_uid="portal.celery.database_before_task")
def _database_before_task(sender=None, **kwargs) -> None:
    if not _eager(sender):
        from django.db import close_old_connections

        close_old_connections()


@task_postrun.connect(dispatch_uid="portal.celery.database_after_task")
def _database_after_task(sender=None, state=None, **kwargs) -> None:
    if _eager(sender):
        return
    from django.db import close_old_connections, connections

    if state == "SUCCESS":
        close_old_connections()
        return
    for connection in connections.all(initialized_only=True):
        connection.close()


def ensure_broker_folders() -> None:
    """The filesystem transport needs its folders to exist before anyone connects."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
