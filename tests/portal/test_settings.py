"""Production settings: refuse to start without secrets, pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "k" * 20 + "an-unguessable-production-secret-0123456789-XYZ",
    "ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgres://portico@db.example.com:5432/portico",
    "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
    "SITE_URL": "https://portal.example.com",
    "CACHE_URL": "redis://redis.example.com:6379/1",
}


def _run(args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTICO_"))}
    for name in PRODUCTION_ENV:
        clean.pop(name, None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_passes_check_deploy_without_warnings():
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start_naming_it():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _run(["check"], env)
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_without_a_shared_cache_refuses_to_start_naming_it():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CACHE_URL"}
    result = _run(["check"], env)
    assert result.returncode != 0
    assert "Set the CACHE_URL environment variable" in result.stderr


def test_production_without_a_database_url_refuses_to_start_naming_it():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_URL"}
    result = _run(["check"], env)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_links_static_files_to_a_cdn_of_their_own_and_serves_them_itself():
    env = {**PRODUCTION_ENV, "STATIC_HOST": "https://cdn.example.com/"}
    code = (
        "from django.conf import settings; "
        "from whitenoise.middleware import WhiteNoiseMiddleware as W; "
        "print(settings.STATIC_URL); print(W(lambda r: None).static_prefix); "
        "print(settings.CACHES['default']['BACKEND'])"
    )
    result = _run(["shell", "-c", code], env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split()
    # Pages link the CDN; WhiteNoise answers the CDN's pulls at /static/ on the site.
    assert lines[-3:] == ["https://cdn.example.com/static/", "/static/", "portal.cache.RedisCache"]
