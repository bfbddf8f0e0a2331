"""The cache is a speed-up, never a dependency: Redis down must not take the site down.

Django's own Redis backend raises when the server cannot be reached or refuses a command
(out of memory, a replica after a failover), and every request reads the cache before any
view runs (the guests' page cache, the session, the signed-in user). ``RedisCache``
answers such a failure as a miss instead (reads return the default, writes report nothing
written), logs it, and stops trying reads and writes that only fill the cache for a
moment, so that a dead server costs one attempt every few seconds, not one per call.
Sessions then come from the database, users from their table, pages are rendered afresh.

What must not be lost is never skipped and is kept when it fails: a deletion (a signed-out
session, a user whose password changed) and a version that never expires (the key that
retires every kept page or menu). The process sends them again, in order, as soon as the
server answers. So a session signed out while Redis was away cannot come back from the
cache once it returns, as long as the process that lost the deletion lives; a process
restarted in between loses what it kept, and the entries age out with their lifetimes.

Rate limits kept in the cache (allauth's on sign-ins and emails, the order lookup's, the
contact form's) do not count while the server is away, and a return cannot be started
(its draft lives in the cache: the form says so).
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Seconds without a read or a filling write after the server failed to answer.
RETRY_AFTER_SECONDS = 5.0
UNREACHABLE = (RedisError, OSError)


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
        # What failed and must still reach the server: ("delete", key, version) and
        # ("set", key, version, value), in the order they were asked for.
        self._owed: list[tuple] = []

    def reachable(self) -> bool:
        """Whether the server answers now (for /healthz): within the pause after a
        failure, no; otherwise one PING."""
        if time.monotonic() < self._down_until:
            return False
        try:
            return bool(self._cache.get_client(write=True).ping())
        except UNREACHABLE as exc:
            self._failed(exc)
            return False

    def _failed(self, exc) -> None:
        self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        logger.warning(
            "cache unreachable (%s: %s); serving without it for %.0f s",
            exc.__class__.__name__,
            exc,
            RETRY_AFTER_SECONDS,
        )

    def _settle(self) -> bool:
        """Send what is owed; False (and paused again) if the server still fails."""
        while self._owed:
            owed = self._owed[0]
            try:
                if owed[0] == "delete":
                    super().delete(owed[1], version=owed[2])
                else:
                    super().set(owed[1], owed[3], None, version=owed[2])
            except UNREACHABLE as exc:
                self._failed(exc)
                return False
            self._owed.pop(0)
        return True

    def _guarded(self, name, default, *args, **kwargs):
        if time.monotonic() < self._down_until or not self._settle():
            return default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except UNREACHABLE as exc:
            self._failed(exc)
            return default

    def _must(self, owed: list[tuple], call):
        """A write that must not be lost: tried even within the pause, kept if it fails."""
        if self._owed and not self._settle():
            self._owed.extend(owed)
            return None
        try:
            return call()
        except UNREACHABLE as exc:
            self._failed(exc)
            self._owed.extend(owed)
            return None

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
        if timeout is None:  # a version key: what retires every entry made under the old one
            return self._must(
                [("set", key, version, value)],
                lambda: super(RedisCache, self).set(key, value, timeout, version),
            )
        return self._guarded("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        result = self._must(
            [("delete", key, version)], lambda: super(RedisCache, self).delete(key, version)
        )
        return bool(result)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._must(
            [("delete", key, version) for key in keys],
            lambda: super(RedisCache, self).delete_many(keys, version),
        )

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
