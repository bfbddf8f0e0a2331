"""Redis down for the cache: the site answers from the database, and /healthz says so.

The dead server is a closed port on this machine, so these run anywhere; the live one
(where the backend must really read and write) needs Redis, as CI has.
"""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import override_settings

from portal import cache as portal_cache

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-Unusual-passphrase-42"
DEAD = {"default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}


@pytest.fixture
def dead_cache():
    with override_settings(CACHES=DEAD):
        yield


def test_a_redis_cache_url_gets_the_backend_that_survives_an_outage():
    from portal.settings.base import cache_from_url

    config = cache_from_url("redis://127.0.0.1:6379/1")
    assert config == {"BACKEND": "portal.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/1"}
    assert cache_from_url("locmemcache://x")["BACKEND"].endswith("LocMemCache")


def test_guest_pages_render_with_the_cache_down(client, dead_cache):
    response = client.get("/")
    assert response.status_code == 200
    assert b"<main" in response.content
    assert client.get("/track/").status_code == 200


def test_a_customer_signs_in_and_stays_signed_in_with_the_cache_down(
    client, dead_cache, user_factory
):
    user = user_factory(email="rain@example.com", password=PASSWORD)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    # The session was written to the database and read back from it.
    page = client.get("/account/")
    assert page.status_code == 200
    assert b"rain@example.com" in page.content


def test_healthz_stays_200_and_says_the_cache_is_down(client, dead_cache):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["failing"] == []
    assert body["cache"] == {
        "ok": False,
        "error": "cache unreachable: pages are served without it",
    }


def test_a_dead_server_is_tried_once_per_pause_not_per_call(dead_cache, monkeypatch):
    tries = []
    original = portal_cache.DjangoRedisCache.get

    def counting_get(self, *args, **kwargs):
        tries.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(portal_cache.DjangoRedisCache, "get", counting_get)
    assert [cache.get(f"k{n}", "miss") for n in range(20)] == ["miss"] * 20
    assert len(tries) == 1
    # After the pause it tries again.
    cache._down_until = 0.0
    assert cache.get("k", "miss") == "miss"
    assert len(tries) == 2


def test_the_live_redis_cache_reads_and_writes():
    if django_settings.CACHES["default"]["BACKEND"] != "portal.cache.RedisCache":
        pytest.skip("the cache is in memory here (CACHE_URL unset)")
    assert cache.reachable() is True
    cache.set("portal:test:k", {"a": 1}, 30)
    assert cache.get("portal:test:k") == {"a": 1}
    assert cache.add("portal:test:k", 2) is False
    assert cache.add("portal:test:n", 0) is True
    assert cache.incr("portal:test:n", 2) == 2
    cache.delete("portal:test:k")
    assert cache.get("portal:test:k", "gone") == "gone"


def test_a_redis_that_refuses_writes_is_a_miss_not_a_500(client, dead_cache, monkeypatch):
    # Out of memory, or a replica after a failover: the server answers, with an error.
    from redis.exceptions import OutOfMemoryError, ReadOnlyError

    def refuse(self, *args, **kwargs):
        raise ReadOnlyError("You can't write against a read only replica.")

    monkeypatch.setattr(
        portal_cache.DjangoRedisCache, "get", lambda self, key, default=None, version=None: default
    )
    monkeypatch.setattr(portal_cache.DjangoRedisCache, "set", refuse)
    monkeypatch.setattr(portal_cache.DjangoRedisCache, "add", refuse)
    assert client.get("/").status_code == 200
    cache._down_until = 0.0
    monkeypatch.setattr(
        portal_cache.DjangoRedisCache,
        "set",
        lambda self, *a, **k: (_ for _ in ()).throw(OutOfMemoryError("OOM command not allowed")),
    )
    assert client.get("/track/").status_code == 200


def test_a_deletion_lost_while_redis_was_away_is_sent_first_when_it_answers(
    dead_cache, monkeypatch
):
    # A signed-out session must not come back from the cache once the server returns.
    cache.delete("django.contrib.sessions.cached_dbSIGNEDOUT")  # refused: kept
    cache.set("portal:pagecache:version", "v2", None)  # a version: kept too
    assert cache._down_until > 0
    sent = []
    monkeypatch.setattr(
        portal_cache.DjangoRedisCache,
        "delete",
        lambda self, key, version=None: sent.append(("delete", key)) or True,
    )
    monkeypatch.setattr(
        portal_cache.DjangoRedisCache,
        "set",
        lambda self, key, value, timeout=None, version=None: sent.append(("set", key, value)),
    )
    monkeypatch.setattr(
        portal_cache.DjangoRedisCache,
        "get",
        lambda self, key, default=None, version=None: sent.append(("get", key)) or default,
    )
    # Within the pause a read does not try the server at all...
    assert cache.get("anything", "miss") == "miss"
    assert sent == []
    # ...but a deletion is tried even then, after what is owed.
    cache.delete("portal:user:v1:7")
    assert sent == [
        ("delete", "django.contrib.sessions.cached_dbSIGNEDOUT"),
        ("set", "portal:pagecache:version", "v2"),
        ("delete", "portal:user:v1:7"),
    ]
    assert cache._owed == []
