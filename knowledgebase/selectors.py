"""Reads the help center's pages share, each with a fixed number of queries, and their cache.

Anything shown on one page but drawn from others (category counts, popular and related
articles, breadcrumbs, translations) is cached under ``help_version()``, which
``receivers`` replace after any page is published, unpublished, moved or deleted, so
such a change shows on the next request. A page's own content is keyed by its id and
``last_published_at`` as well (``article_cache_key``).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.utils import timezone, translation
from wagtail.models import Page

from .models import ArticlePage, ArticleViewDay, HelpCategoryPage, HelpCenterPage, RelatedArticle

VERSION_KEY = "kb:pages:version"
# Cached fragments also expire on their own: popular articles follow the views counted
# each day, and a version that is never replaced must not keep stale entries forever.
TIMEOUT = 60 * 60
POPULAR_TIMEOUT = 10 * 60
POPULAR_DAYS = 30


def help_version() -> str:
    """The current version of everything cached across help center pages."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def help_forget() -> None:
    """Make every cached help center fragment stale (old keys simply expire)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def page_cache_key(page: Page) -> str:
    """The key of a page's cached fragments: its content, the tree's version, the language.

    ``last_published_at`` changes with each publication of the page itself, so its new
    content is served at once even if the version were not replaced yet.
    """
    published = page.last_published_at.isoformat() if page.last_published_at else "-"
    return f"{help_version()}:{page.pk}:{published}:{translation.get_language()}"


def _cached(key: str, compute, timeout: int = TIMEOUT, *, cached: bool = True):
    if not cached:  # a preview: draft content, never kept
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def _card(page: ArticlePage, request) -> dict:
    return {
        "id": page.pk,
        "title": page.title,
        "summary": page.summary,
        "url": page.get_url(request),
    }


def categories_with_counts(center: HelpCenterPage, request=None) -> list[dict]:
    """The center's live categories in tree order, each with its count of live articles.

    Two queries (cached): the categories, and one grouped count of the articles below them.
    """

    def compute() -> list[dict]:
        categories = list(HelpCategoryPage.objects.child_of(center).live().order_by("path"))
        prefix = Page.steplen * (center.depth + 1)
        counts = dict(
            ArticlePage.objects.live()
            .filter(path__startswith=center.path, depth=center.depth + 2)
            .annotate(category_path=Substr("path", 1, prefix))
            .order_by()  # pages are ordered by path, which would split the groups
            .values_list("category_path")
            .annotate(n=Count("id"))
            .values_list("category_path", "n")
        )
        return [
            {
                "id": category.pk,
                "title": category.title,
                "summary": category.summary,
                "icon": category.icon,
                "url": category.get_url(request),
                "count": counts.get(category.path, 0),
            }
            for category in categories
        ]

    return _cached(f"kb:categories:{page_cache_key(center)}", compute)


def popular_articles(center: HelpCenterPage, request=None, *, limit: int = 6) -> list[dict]:
    """The center's most read live articles of the last 30 days, topped up with the most
    recently published ones. At most three queries (cached for ten minutes)."""

    def compute() -> list[dict]:
        since = timezone.localdate() - timedelta(days=POPULAR_DAYS)
        live = ArticlePage.objects.live().descendant_of(center)
        ranked = list(
            ArticleViewDay.objects.filter(day__gte=since, article__in=live)
            .values("article")
            .annotate(total=Sum("views"))
            .order_by("-total", "article")
            .values_list("article", flat=True)[:limit]
        )
        by_id = {page.pk: page for page in live.filter(pk__in=ranked)} if ranked else {}
        articles = [by_id[pk] for pk in ranked if pk in by_id]
        if len(articles) < limit:
            articles += list(
                live.exclude(pk__in=[a.pk for a in articles]).order_by(
                    "-first_published_at", "-pk"
                )[: limit - len(articles)]
            )
        return [_card(page, request) for page in articles]

    key = f"kb:popular:{page_cache_key(center)}:{limit}"
    return _cached(key, compute, POPULAR_TIMEOUT)


def category_articles(category: HelpCategoryPage):
    """The category's live articles in the editors' tree order (a queryset to paginate)."""
    return ArticlePage.objects.child_of(category).live().order_by("path")


def related_articles(
    article: ArticlePage, request=None, *, limit: int = 4, cached: bool = True
) -> list[dict]:
    """What to read next: the articles an editor chose, else those sharing the most tags,
    then others from the same category. Only live articles in the article's language.

    At most four queries (cached under the page's key).
    """

    def compute() -> list[dict]:
        chosen = list(
            RelatedArticle.objects.filter(
                source=article, article__live=True, article__locale_id=article.locale_id
            )
            .select_related("article")
            .order_by("sort_order")[:limit]
        )
        if chosen:
            return [_card(link.article, request) for link in chosen]
        live = ArticlePage.objects.live().filter(locale_id=article.locale_id).exclude(pk=article.pk)
        tag_ids = list(article.tags.values_list("pk", flat=True))
        found: list[ArticlePage] = []
        if tag_ids:
            found = list(
                live.filter(tags__in=tag_ids)
                .annotate(shared=Count("tags", distinct=True))
                .order_by("-shared", "-last_published_at", "pk")[:limit]
            )
        if len(found) < limit:
            parent_path = article.path[: -Page.steplen]
            found += list(
                live.filter(path__startswith=parent_path, depth=article.depth)
                .exclude(pk__in=[page.pk for page in found])
                .order_by("path")[: limit - len(found)]
            )
        return [_card(page, request) for page in found]

    return _cached(f"kb:related:{page_cache_key(article)}:{limit}", compute, cached=cached)


def breadcrumbs(page: Page, request=None, *, cached: bool = True) -> list[dict]:
    """From the home page down to ``page``: ``[{"title", "url"}]``. One query (cached)."""

    def compute() -> list[dict]:
        ancestors = list(page.get_ancestors().filter(depth__gt=1).specific(defer=True))
        return [{"title": p.title, "url": p.get_full_url(request)} for p in [*ancestors, page]]

    return _cached(f"kb:crumbs:{page_cache_key(page)}", compute, cached=cached)


def translations(page: Page, request=None, *, cached: bool = True) -> list[dict]:
    """The page and its live translations: ``[{"language", "url"}]``. One query (cached)."""

    def compute() -> list[dict]:
        pages = [page, *page.get_translations().live().select_related("locale")]
        return sorted(
            ({"language": p.locale.language_code, "url": p.get_full_url(request)} for p in pages),
            key=lambda item: item["language"],
        )

    return _cached(f"kb:translations:{page_cache_key(page)}", compute, cached=cached)


def page_context(page: Page, request) -> dict:
    """What every help center page's template gets for its cached fragments and head.

    ``kb_key``/``kb_timeout`` for ``{% cache %}``: a preview gets a key of its own and
    0 seconds, so a draft is never served from (or kept in) the cache. ``alternates`` is
    called by the template only on a miss.
    """
    from functools import partial

    preview = bool(getattr(request, "is_preview", False))
    return {
        "kb_preview": preview,
        "kb_key": f"preview:{uuid.uuid4().hex}" if preview else page_cache_key(page),
        "kb_timeout": 0 if preview else TIMEOUT,
        "alternates": partial(translations, page, request, cached=not preview),
    }
