"""Settings shared by every environment.

Every value comes from the environment through one ``environ.Env``; with nothing set,
Portico runs on embedded defaults (SQLite, a filesystem Celery broker, console email).
``production.py`` only hardens. ``.env.example`` lists every variable.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A developer's .env is read if present; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "portal",
    "orders",
    "loyalty",
    "returns",
    "knowledgebase",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and routing: a guest's kept page is served from here (pagecache.py).
    "portal.pagecache.GuestPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process, the worker and beat share one file: WAL and IMMEDIATE transactions
    # keep them from tripping over each other's locks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str) -> dict:
    """django-environ's reading of a cache URL; for Redis, Django's backend answering a
    miss when the server is down (portal/cache.py)."""
    config = environ.Env.cache_url_config(url)
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["BACKEND"] = "portal.cache.RedisCache"
    return config


CACHES = {"default": cache_from_url(env.str("CACHE_URL", default="locmemcache://portico"))}
# Sessions are read from the cache (Redis in production) and written through to the
# database, so a signed-in page does not query the session table on every request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends, each reading the signed-in user from the cache
    # (portal/auth_backends.py). New sign-ins record these.
    "portal.auth_backends.ModelBackend",
    "portal.auth_backends.AccountBackend",
    # The same backends without the cache, under the paths that sessions signed in before
    # the cache record: listed so that those sessions stay signed in (they authenticate no
    # one the two above would refuse). They can go once SESSION_COOKIE_AGE has passed.
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "account_dashboard"

ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "phone_number"
ACCOUNT_FORMS = {"signup": "portal.forms.SignupForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"

# --- Email ------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Portico <no-reply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Languages, time, money -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("tr", _("Turkish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
PORTICO_DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="USD")

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media -------------------------------------------------------------------
# With a CDN in front of the static files only, STATIC_HOST is its origin
# ("https://cdn.example.com"); WhiteNoise still serves /static/ for the CDN to pull.
STATIC_HOST = env.str("STATIC_HOST", default="").rstrip("/")
STATIC_URL = f"{STATIC_HOST}/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env.str("AWS_STORAGE_BUCKET_NAME", default=""):
    # Media on object storage (S3 or compatible); needs the "s3" extra (django-storages).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": None,
            "querystring_auth": True,
        },
    }
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Wagtail ----------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Portico"
WAGTAILADMIN_BASE_URL = SITE_URL
# The database backend, taught per-language configs and a typo lexicon (knowledgebase.search).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "knowledgebase.search_backend"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx"]
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- Celery -----------------------------------------------------------------------------
# kombu warns about a URL without a host even for the filesystem transport.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost//")


def filesystem_broker_options(folder: Path) -> dict:
    """kombu's filesystem transport: a folder stands in for the broker, so a worker and
    beat really run with no server. One folder serves both directions."""
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
        # kombu looks for a message once a second by default, and a worker whose
        # processes are all busy looks again only after that pause: about two tasks a
        # second, whatever they cost. A tenth of a second keeps a development worker
        # quick for a listing of a small folder.
        "polling_interval": 0.1,
    }


CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR / "celery")
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Take from the first queue that has work (below), rather than in turn.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"queue_order_strategy": "priority"}
# Two queues, consumed in this order by every worker: "celery" for what someone waits on
# (store deliveries, sign-in codes), "bulk" for what can wait (shipment and points emails,
# loyalty points), so that a backlog of a thousand emails never delays the next order or a
# customer's sign-in. Redis honours the order; the filesystem broker of `make run` takes
# them in turn.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {"celery": {}, "bulk": {}}
# Points follow orders by seconds, not milliseconds: every loyalty task waits its turn.
CELERY_TASK_ROUTES = {
    "orders.tasks.notify_shipment": {"queue": "bulk"},
    "orders.tasks.notify_shipments": {"queue": "bulk"},
    "loyalty.tasks.*": {"queue": "bulk"},
}
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Crontab entries of the beat schedule (the birthday bonuses) run by the portal's clock.
CELERY_TIMEZONE = TIME_ZONE
# Tasks are idempotent by design (each takes ids and checks what is already done), so a
# task is acknowledged only when it has finished and redelivered if its worker dies mid-way.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# How many tasks a worker's database connection may serve before Celery closes it anyway;
# within that, portal/celery.py applies CONN_MAX_AGE and CONN_HEALTH_CHECKS around each
# task (without it, Celery opens a new connection for every task).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "portal.celery:BeatScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "portal.tasks.heartbeat", "schedule": 60.0},
    # Pages (help articles) editors scheduled to go live or expire, within a minute.
    "publish-scheduled": {"task": "portal.tasks.publish_scheduled", "schedule": 60.0},
    "loyalty-release": {"task": "loyalty.tasks.release_due_points", "schedule": 15 * 60.0},
    "loyalty-expire": {"task": "loyalty.tasks.expire_due_points", "schedule": 60 * 60.0},
    "loyalty-tiers": {"task": "loyalty.tasks.review_due_tiers", "schedule": 60 * 60.0},
    "loyalty-stuck-codes": {"task": "loyalty.tasks.issue_stuck_codes", "schedule": 5 * 60.0},
    "loyalty-referrals": {"task": "loyalty.tasks.reward_due_referrals", "schedule": 60 * 60.0},
    "loyalty-expiry-reminders": {
        "task": "loyalty.tasks.remind_expiring_points",
        "schedule": 60 * 60.0,
    },
    # Refunds Stripe has not settled yet, and payouts a crash left half done.
    "returns-reconcile": {"task": "returns.tasks.reconcile_payments", "schedule": 10 * 60.0},
    # Early in the morning, the portal's day: birthday emails arrive with breakfast.
    "loyalty-birthdays": {
        "task": "loyalty.tasks.reward_birthdays",
        "schedule": crontab(hour=6, minute=0),
    },
}

# --- Logging ----------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail runs its index updates through django-tasks; one line per task is noise.
        "django_tasks": {"level": "WARNING"},
        "wagtail.contrib.redirects": {"level": "WARNING"},
    },
}

# --- Store connectors and Stripe -------------------------------------------------------
# A connector's endpoint answers 401 to everything while its secret is unset.
SHOPIFY_WEBHOOK_SECRET = env.str("SHOPIFY_WEBHOOK_SECRET", default="")
WOOCOMMERCE_WEBHOOK_SECRET = env.str("WOOCOMMERCE_WEBHOOK_SECRET", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
PORTICO_WEBHOOK_SECRET = env.str("PORTICO_WEBHOOK_SECRET", default="")
STRIPE_API_KEY = env.str("STRIPE_API_KEY", default="")
# Only for tests and local fakes: where the stripe library sends its API calls.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")

# --- Portico ----------------------------------------------------------------------------
# How many proxies (load balancers) in front of the web processes append to
# X-Forwarded-For; 0 means REMOTE_ADDR is the client. Rate limits key on the client.
PORTICO_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# How long a guest's order lookup stays valid (the signed link it grants), in seconds.
ORDERS_TRACK_GRANT_SECONDS = env.int("ORDERS_TRACK_GRANT_SECONDS", default=86400)
# The secret a store's server signs customer tokens with (HS256), so that its pages can show
# a member's points through /api/loyalty/me; unset, tokens are refused.
LOYALTY_TOKEN_SECRET = env.str("LOYALTY_TOKEN_SECRET", default="")
# Origins (https://shop.example) whose pages may read /api/loyalty/me (CORS, no cookies).
LOYALTY_EMBED_ORIGINS = env.list("LOYALTY_EMBED_ORIGINS", default=[])
# How long /healthz waits for the broker before calling it unreachable.
PORTICO_HEALTH_TIMEOUT = env.float("HEALTH_TIMEOUT", default=2.0)
# The merchant's helpdesk: each contact request is POSTed there as JSON signed with
# HMAC-SHA256 of the body (docs/help-center.md). Unset, requests are only emailed.
HELPDESK_WEBHOOK_URL = env.str("HELPDESK_WEBHOOK_URL", default="")
HELPDESK_WEBHOOK_SECRET = env.str("HELPDESK_WEBHOOK_SECRET", default="")
# Contact requests one client may send per 15 minutes; the next one is answered 429.
CONTACT_RATE_LIMIT = env.int("CONTACT_RATE_LIMIT", default=5)
# Returns: the store is told of each exchange by a POST of signed JSON
# (``X-Portico-Signature: sha256=<hex HMAC of the body>``, docs/returns.md). Unset, an
# agent places the replacement order by hand from the return's page.
EXCHANGE_WEBHOOK_URL = env.str("EXCHANGE_WEBHOOK_URL", default="")
EXCHANGE_WEBHOOK_SECRET = env.str("EXCHANGE_WEBHOOK_SECRET", default="")
# The largest photo a customer may attach to a return, in bytes (8 MiB).
RETURNS_PHOTO_MAX_BYTES = env.int("RETURNS_PHOTO_MAX_BYTES", default=8 * 1024 * 1024)
# How long a guest's one-time code (emailed before a return) stays valid, in seconds.
RETURNS_GUEST_CODE_SECONDS = env.int("RETURNS_GUEST_CODE_SECONDS", default=15 * 60)
