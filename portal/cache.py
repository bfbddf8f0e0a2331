"""The cache is a speed-up, never a dependency: Redis down must not take the site down.

Django's own Redis backend raises when the server cannot be reached, and every request
reads the cache before any view runs (the guests' page cache, the session, the signed-in
user). ``RedisCache`` answers such a failure as a miss instead (reads return the default,
writes report nothing written), logs it, and stops trying for a moment so that a dead
server costs one connection attempt every few seconds, not one per cache call. Sessions
then come from the database, users from their table, pages are rendered afresh.

Rate limits kept in the cache (allauth's, the order lookup's) do not count while the
server is away. What is cached always has a lifetime, so a write or deletion lost while
the server was away leaves a value at most that lifetime old once it is back.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

# Seconds without a call to the server after it failed to answer.
RETRY_AFTER_SECONDS = 5.0
UNREACHABLE = (ConnectionError, TimeoutError, OSError)


class CacheUnavailable(Exception):
    """Raised inside the backend while the server is resting after a failure."""


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        # redis-py waits for the operating system (minutes) on a host that does not answer.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._down_until = 0.0

    def reachable(self) -> bool:
        """Whether the server answers now (for /healthz); ignores the resting period."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except UNREACHABLE:
            return False

    def _guarded(self, name, default, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except UNREACHABLE as exc:
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning(
                "cache unreachable (%s: %s); serving without it for %.0f s",
                exc.__class__.__name__,
                exc,
                RETRY_AFTER_SECONDS,
            )
            return default

    def get(self, key, default=None, version=None):
        return self._guarded("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._guarded("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # "Stored, you were first": a claim or lock built on add() (allauth's rate limits,
        # a return's submit) lets the request through, and the database's own constraints
        # remain the guarantee. Answering False would refuse every sign-in until Redis
        # is back.
        return self._guarded("add", True, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._guarded("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be read counts as not there: callers that limit a rate
        # let the request through rather than fail it.
        missing = object()
        result = self._guarded("incr", missing, key, delta, version)
        if result is missing:
            raise ValueError(f"Key '{key}' not found (cache unreachable)")
        return result

    def clear(self):
        return self._guarded("clear", False)
