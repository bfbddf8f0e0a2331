"""Who the signed-in user is, read from the cache instead of the database on every request.

Django's ``AuthenticationMiddleware`` loads the session's user on every request that looks
at ``request.user``: a query, and building it through the ORM costs the process more than
the database takes to answer. Most signed-in pages (the order pages, the rewards page) are
otherwise served from the cache, so that load was a third of what they cost.

The backends below keep the user row in the cache (``CACHE_URL``: Redis in production,
shared by every web process) for ``USER_CACHE_SECONDS``, and ``connect()`` drops it
whenever the row is saved or deleted, so a password change (which logs out the user's
other sessions through the session hash), a deactivation or a new email is seen on the next
request. The copy is only the row: groups and permissions are read as before.

Every save or delete through the ORM drops the copy, at once and again after the
transaction commits (a request that read the old row just before the commit could
otherwise put it back). ``QuerySet.update()`` on users sends no signal: code that writes
users that way must call ``user_cache_forget``. What remains is a race of a millisecond or
so, bounded by ``USER_CACHE_SECONDS``.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import backends, get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

USER_CACHE_SECONDS = 60


def user_cache_key(user_id) -> str:
    return f"portal:user:v1:{user_id}"


def user_cache_forget(user_id) -> None:
    """Drop the cached copy of the user now and once the current transaction commits."""
    key = user_cache_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


class CachedUserMixin:
    """``get_user`` from the cache, else from the database (and then kept)."""

    def get_user(self, user_id):
        key = user_cache_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is None:
                # Unknown or inactive: not kept, so it is asked again next time.
                return None
            cache.set(key, user, USER_CACHE_SECONDS)
        # The row as the database last had it; is_active is checked as Django does.
        return user if self.user_can_authenticate(user) else None


class ModelBackend(CachedUserMixin, backends.ModelBackend):
    """Django's backend (staff signing in to the admin) with the cached ``get_user``."""


class AccountBackend(CachedUserMixin, AuthenticationBackend):
    """allauth's backend (customers signing in by email) with the cached ``get_user``."""


def _forget(sender, instance, **kwargs) -> None:
    if instance.pk is not None:
        user_cache_forget(instance.pk)


def connect() -> None:
    """Drop a user's cached copy whenever their row is saved or deleted."""
    user_model = get_user_model()
    post_save.connect(_forget, sender=user_model, dispatch_uid="portal.auth_backends.save")
    post_delete.connect(_forget, sender=user_model, dispatch_uid="portal.auth_backends.delete")
