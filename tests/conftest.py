"""Shared fixtures.

``PORTICO_REQUIRE_SERVICES=1`` (set by CI) turns every skip into a failure and insists on
PostgreSQL, a server broker and the system Chromium, so nothing is quietly left untested.
"""

import os
import shutil

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("PORTICO_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("PORTICO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_SERVICES and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"PORTICO_REQUIRE_SERVICES=1 forbids skipping: {reason}"


def pytest_sessionstart(session):
    if not REQUIRE_SERVICES:
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    problems = []
    if "postgresql" not in engine:
        problems.append(f"DATABASE_URL must point at PostgreSQL (engine is {engine})")
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "amqp://", "rediss://")):
        problems.append(f"CELERY_BROKER_URL must be a server broker ({settings.CELERY_BROKER_URL})")
    if settings.CACHES["default"]["BACKEND"] != "portal.cache.RedisCache":
        problems.append("CACHE_URL must point at Redis (redis://host:6379/N)")
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        problems.append(f"Chromium not found at {CHROMIUM}")
    if problems:
        raise pytest.UsageError("PORTICO_REQUIRE_SERVICES=1: " + "; ".join(problems))


@pytest.fixture(autouse=True)
def _english_by_default():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rate limits, cached pages)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def user_factory(db):
    from tests.portal.factories import UserFactory

    return UserFactory


@pytest.fixture
def verified_user(db):
    from tests.portal.factories import UserFactory

    return UserFactory(email="ada@example.com", password="correct horse battery")


_MIGRATED = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and a copy of it as migrations left it (home page,
    locales, groups), taken before any test can change it."""
    from django.db import connections

    with django_db_blocker.unblock():
        _MIGRATED["default"] = connections["default"].creation.serialize_db_to_string()
    yield


@pytest.fixture(scope="session")
def migrated_contents(django_db_setup):
    return _MIGRATED["default"]


@pytest.fixture
def migrated_db(migrated_contents, transactional_db):
    """A transactional test starting from the migrated database, whatever ran before.

    Django's own ``serialized_rollback`` keeps the data on the connection object, which a
    test driving Playwright does not always see, and then a flush runs post_migrate and
    the next restore collides with the rows it made. So: empty every table without
    post_migrate, then load content types first (building a page object looks its type
    up and must find the restored row), then everything else.
    """
    import json

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connections

    # Sequences keep counting (as Django's own flush between tests does), so the restored
    # rows, which keep their ids, never collide with rows a test creates.
    call_command(
        "flush", interactive=False, verbosity=0, inhibit_post_migrate=True, reset_sequences=False
    )
    ContentType.objects.clear_cache()
    rows = json.loads(migrated_contents)
    types = [r for r in rows if r["model"] == "contenttypes.contenttype"]
    others = [r for r in rows if r["model"] != "contenttypes.contenttype"]
    creation = connections["default"].creation
    creation.deserialize_db_from_string(json.dumps(types))
    creation.deserialize_db_from_string(json.dumps(others))
    yield
    ContentType.objects.clear_cache()
