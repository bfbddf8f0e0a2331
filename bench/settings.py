"""Production's settings and hardening, made to run on this machine for the bench.

Everything production does per request (DEBUG off, the manifest static storage, the
security middleware, persistent database connections) stays; only what needs TLS or real
secrets is relaxed, so the numbers are those of a production process on plain HTTP.
"""

import os

from bench import config, database

# production.py refuses to start without these; set them before it is imported. They are
# overwritten, not defaulted, so a developer's shell or .env never points the bench at a
# real database or mail server.
# Not a secret: it signs sessions in a throwaway database that only the bench uses.
os.environ["SECRET_KEY"] = "bench-only-not-a-secret-0123456789abcdefghijklmnopq"  # noqa: S105
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
os.environ["DATABASE_URL"] = database.database_url()
os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL", "filesystem://localhost//")
os.environ["EMAIL_URL"] = "consolemail://"
# Production requires a shared cache; the bench's web workers may each keep their own
# (nothing it measures is changed by another process), unless the shell names one.
os.environ.setdefault("CACHE_URL", "locmemcache://bench")
# The bench signs its own Portico deliveries (bench/ingest.py); a real store's secret from
# the developer's shell must never be the one it signs with.
os.environ["PORTICO_WEBHOOK_SECRET"] = config.PORTICO_WEBHOOK_SECRET

from portal.settings.base import filesystem_broker_options
from portal.settings.production import *  # noqa: F403
from portal.settings.production import CELERY_BROKER_URL

DEBUG = False
ROOT_URLCONF = "bench.urls"
STATIC_ROOT = config.STATIC_ROOT

# Plain HTTP on 127.0.0.1: no redirect to https, no secure-only cookies.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

if CELERY_BROKER_URL.startswith("filesystem://"):
    # Never share a queue folder with the worker of `make run` on the same checkout.
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(config.VAR_DIR / "celery")

# Quiet: one line per request would cost time and bury the errors that matter. Warnings
# and errors (a 500's traceback) still reach the server log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.request": {"level": "ERROR"}, "django_tasks": {"level": "ERROR"}},
}
