"""Reachability of what Portico cannot work without, for load balancers and operators."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import timezone
from kombu.utils.url import maybe_sanitize_url

from .celery import app as celery_app
from .models import Heartbeat

BEAT_STALE_AFTER_SECONDS = 180
logger = logging.getLogger(__name__)


def check_database() -> dict:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "unreachable"
        # The driver's text names hosts and ports: for the log, not for a public endpoint.
        logger.warning("healthz: database unreachable: %s", exc)
        return {"ok": False, "error": f"database unreachable: {exc.__class__.__name__}"}
    return {"ok": True, "vendor": connections["default"].vendor}


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    shown = maybe_sanitize_url(url)
    try:
        with celery_app.connection_for_write(
            url, connect_timeout=settings.PORTICO_HEALTH_TIMEOUT
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
            transport = conn.transport_cls
    except Exception as exc:  # kombu raises many kinds; all of them mean "unreachable"
        logger.warning("healthz: broker unreachable at %s: %s", shown, exc)
        return {"ok": False, "error": f"broker unreachable at {shown}: {exc.__class__.__name__}"}
    return {"ok": True, "transport": str(transport)}


def check_cache() -> dict:
    """Whether the shared cache answers. Not a reason to take a web process out of the
    load balancer: without it pages are slower, not broken (portal/cache.py)."""
    reachable = getattr(cache, "reachable", None)
    if reachable is None:  # an in-process cache (development, tests) is always there
        return {"ok": True, "backend": "local"}
    if not reachable():
        return {"ok": False, "error": "cache unreachable: pages are served without it"}
    return {"ok": True, "backend": "redis"}


def beat_status() -> dict:
    """When beat last ran its heartbeat task. Informational: beat may run elsewhere."""
    try:
        row = Heartbeat.objects.filter(name="beat").first()
    except Exception:
        return {"last_seen": None, "stale": True}
    if row is None:
        return {"last_seen": None, "stale": True}
    age = (timezone.now() - row.last_seen).total_seconds()
    return {
        "last_seen": row.last_seen.isoformat(),
        "age_seconds": round(age),
        "stale": age > BEAT_STALE_AFTER_SECONDS,
    }


def report() -> tuple[dict, int]:
    checks = {"database": check_database(), "broker": check_broker()}
    ok = all(check["ok"] for check in checks.values())
    failing = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "ok" if ok else "unavailable", "checks": checks, "failing": failing}
    body["cache"] = check_cache()
    if ok and not body["cache"]["ok"]:
        body["status"] = "degraded"
    if checks["database"]["ok"]:
        body["beat"] = beat_status()
    return body, 200 if ok else 503
