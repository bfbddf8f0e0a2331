"""Tests: fast hashing, mail kept in memory, tasks run inline unless a test starts a worker.

DATABASE_URL, CELERY_BROKER_URL and CACHE_URL still come from the environment, so CI runs
the same suite against PostgreSQL and Redis (the cache is in memory when CACHE_URL is unset).
"""

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, STORAGES, VAR_DIR, env, filesystem_broker_options

DEBUG = False
SECRET_KEY = "test-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if not env.str("CACHE_URL", default=""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
ALLOWED_HOSTS = ["*"]
PORTICO_HEALTH_TIMEOUT = env.float("HEALTH_TIMEOUT", default=1.0)
LOGGING = {"version": 1, "disable_existing_loggers": False}
SHOPIFY_WEBHOOK_SECRET = "test-shopify-secret"
WOOCOMMERCE_WEBHOOK_SECRET = "test-woocommerce-secret"
STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
PORTICO_WEBHOOK_SECRET = "test-portico-secret"
STRIPE_API_KEY = "sk_test_portico"
# Tests never reach the real Stripe: a test that needs it starts a local fake.
STRIPE_API_BASE = "http://127.0.0.1:9"

if CELERY_BROKER_URL.startswith("filesystem://"):
    # Never share a queue folder with a worker of `make run` on the same checkout.
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR / "celery-test")
