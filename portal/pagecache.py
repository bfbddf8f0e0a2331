"""Whole pages kept for guests: the help center's pages are read far more than they change.

A page opts in by setting ``response.portico_cache = <seconds>`` (by name, so that the apps
need not import ``portal``); it does so only for a guest's plain GET with nothing in the
query string. The middleware then keeps the response's bytes and headers, and serves them
to the next guest who asks for the same address before anything else runs: no session, no
routing, no template.

Who is a guest here: a request without a session cookie and without a messages cookie. A
signed-in customer, a staff member previewing a page, and a visitor with a message waiting
(a thank-you after a vote) always get a freshly rendered page. A response that sets a
cookie (a CSRF token, say) is never kept, so a page with a per-visitor form cannot be
served to someone else by mistake.

Entries are keyed by a version that any page save, move or deletion and any change of the
branding replaces, so an editor's publication shows on the next request; the release (the
static files' manifest) is part of the key so that a deploy never serves pages pointing at
old asset names. Anything else a page shows from other tables (popular articles counted
from views) is at most ``portico_cache`` seconds old.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from wagtail.models import Page
from wagtail.signals import post_page_move

VERSION_KEY = "portal:pagecache:version"
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage
# Headers the next guest must not receive as they were sent to the first.
PRIVATE_HEADERS = {"set-cookie", "content-length"}


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def forget(**kwargs) -> None:
    """Every kept page is stale: a new version now, and again once the change commits
    (another request may have kept the old page under the new version in between)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, None))


def _release() -> str:
    return getattr(staticfiles_storage, "manifest_hash", "") or ""


def is_guest(request) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and MESSAGES_COOKIE not in cookies


class GuestPageCacheMiddleware:
    """Serve and keep guests' pages that asked for it (``response.portico_cache``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = None
        if request.method == "GET" and is_guest(request):
            key = f"portal:page:{_version()}:{_release()}:{request.get_host()}:{request.path}"
            if not request.META.get("QUERY_STRING"):
                kept = cache.get(key)
                if kept is not None:
                    return _replay(kept)
            else:
                key = None
        response = self.get_response(request)
        seconds = getattr(response, "portico_cache", 0)
        if (
            key is not None
            and seconds
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in PRIVATE_HEADERS
            ]
            cache.set(key, (response.content, headers), seconds)
        return response


def _replay(kept) -> HttpResponse:
    content, headers = kept
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


def _page_changed(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        forget()


def _branding_changed(sender, **kwargs) -> None:
    forget()


def connect() -> None:
    from .models import BrandingSettings

    post_save.connect(_page_changed, dispatch_uid="portal.pagecache.saved")
    post_delete.connect(_page_changed, dispatch_uid="portal.pagecache.deleted")
    post_page_move.connect(forget, dispatch_uid="portal.pagecache.moved")
    post_save.connect(_branding_changed, sender=BrandingSettings, dispatch_uid="portal.pc.brand")
