"""The footer's menu (the home page's live children marked "show in menus"), cached.

Every page of the portal renders it, and reading it costs three queries (the localized home
page, its children, their specific rows). The links are kept in the cache per site and
language, under a version that any save (publishing, unpublishing, a draft), move or
deletion of a page changes, so an editor's change shows on the next request.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import translation
from wagtail.models import Page, Site
from wagtail.signals import post_page_move

VERSION_KEY = "portal:menu:version"
TIMEOUT = 24 * 60 * 60


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def menu_links(request) -> list[dict]:
    """[{"title", "url"}] of the request's site's menu pages, in the active language."""
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return []
    key = f"portal:menu:{_version()}:{site.pk}:{translation.get_language()}"
    links = cache.get(key)
    if links is None:
        root = site.root_page.localized
        pages = root.get_children().live().in_menu().specific()
        links = [{"title": page.title, "url": page.get_url(request)} for page in pages]
        cache.set(key, links, TIMEOUT)
    return links


def forget(**kwargs) -> None:
    """A page changed: every cached menu is stale (a new version; old keys expire)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def _page_changed(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        forget()


def connect() -> None:
    # Every model's saves reach these receivers; all but pages' return at once.
    post_save.connect(_page_changed, dispatch_uid="portal.menus.saved")
    post_delete.connect(_page_changed, dispatch_uid="portal.menus.deleted")
    post_page_move.connect(forget, dispatch_uid="portal.menus.moved")
