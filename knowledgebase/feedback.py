"""Article feedback: "was this helpful?" votes, article views, and the reads of their report.

Guests are never identified: a vote is keyed by a random visitor id from a cookie (or
``u<pk>`` for a signed-in customer, so that their vote follows them), and a view is only a
counter per article and day.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from .models import ArticlePage, ArticleViewDay, ArticleVote

VISITOR_COOKIE = "kb_visitor"
VISITOR_COOKIE_AGE = 365 * 24 * 60 * 60
COMMENT_MAX_LENGTH = 2000


class ArticleUnavailable(Exception):
    """The article does not exist or is not published: nobody can vote on it or read it."""


def visitor_new() -> str:
    """A fresh random visitor id for the cookie (never derived from who the visitor is)."""
    return secrets.token_urlsafe(18)


def visitor_key(*, user, cookie: str | None) -> str | None:
    """Who a vote belongs to: ``u<pk>`` for a signed-in user, else the cookie's random id.

    ``None`` when a guest has no usable cookie yet (the caller issues one).
    """
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    if cookie and 8 <= len(cookie) <= 40 and cookie.replace("-", "").replace("_", "").isalnum():
        return cookie
    return None


# Page ids are 32-bit integers; a larger number from a URL names no article (SQLite would
# refuse to bind it rather than find nothing).
MAX_ID = 2**31 - 1


def live_articles(article_id: int) -> QuerySet[ArticlePage]:
    """The published article with that id (an empty queryset for any impossible id)."""
    if not 0 < article_id <= MAX_ID:
        return ArticlePage.objects.none()
    return ArticlePage.objects.live().filter(pk=article_id)


def _live_article(article_id: int) -> ArticlePage:
    article = live_articles(article_id).first()
    if article is None:
        raise ArticleUnavailable(article_id)
    return article


def vote_record(
    *, article_id: int, visitor: str, helpful: bool, comment: str = "", language: str = ""
) -> ArticleVote:
    """Record ``visitor``'s vote on a live article: one row per visitor and article.

    A second vote changes the first (helpful or not, and the comment); a "yes" clears an
    earlier comment. The write is one INSERT … ON CONFLICT DO UPDATE on the unique
    (article, visitor) constraint, so two racing votes leave one row, never an error.
    Raises ``ArticleUnavailable`` for an unknown or unpublished article.
    """
    article = _live_article(article_id)
    comment = "" if helpful else (comment or "").strip()[:COMMENT_MAX_LENGTH]
    now = timezone.now()
    ArticleVote.objects.bulk_create(
        [
            ArticleVote(
                article=article,
                visitor=visitor[:64],
                helpful=helpful,
                comment=comment,
                language=(language or "")[:8],
                created_at=now,
                updated_at=now,
            )
        ],
        update_conflicts=True,
        unique_fields=["article", "visitor"],
        update_fields=["helpful", "comment", "language", "updated_at"],
    )
    return ArticleVote.objects.get(article=article, visitor=visitor[:64])


def vote_for(*, article_id: int, visitor: str | None) -> ArticleVote | None:
    """The visitor's current vote on the article, if any."""
    if not visitor:
        return None
    return ArticleVote.objects.filter(article_id=article_id, visitor=visitor).first()


def view_record(*, article_id: int, day: date | None = None) -> int:
    """Count one view of a live article on ``day`` (today by default). Returns the day's count.

    The counter is raised with ``F("views") + 1`` in the database; the day's first view
    inserts the row, and an insert that loses a race to another one falls back to the
    update, so no view is lost and no error reaches the reader.
    Raises ``ArticleUnavailable`` for an unknown or unpublished article.
    """
    if not live_articles(article_id).exists():
        raise ArticleUnavailable(article_id)
    day = day or timezone.localdate()
    rows = ArticleViewDay.objects.filter(article_id=article_id, day=day)
    if not rows.update(views=F("views") + 1):
        try:
            with transaction.atomic():
                ArticleViewDay.objects.create(article_id=article_id, day=day, views=1)
        except IntegrityError:
            rows.update(views=F("views") + 1)
    return rows.values_list("views", flat=True).first() or 0


# --- Report reads -----------------------------------------------------------------------


@dataclass
class ArticleRow:
    article_id: int
    title: str
    url: str | None
    language: str
    yes: int
    no: int
    views: int

    @property
    def votes(self) -> int:
        return self.yes + self.no

    @property
    def helpful_share(self) -> float | None:
        """Share of "yes" among the votes, 0 to 1; ``None`` without votes."""
        return self.yes / self.votes if self.votes else None


def _vote_day_range(start: date, end: date) -> Q:
    return Q(updated_at__date__gte=start, updated_at__date__lte=end)


def article_report(*, start: date, end: date, order: str = "helpful") -> list[ArticleRow]:
    """Every article voted on or read between ``start`` and ``end`` (inclusive): yes and no
    votes (by the date of the vote's last change) and views.

    ``order``: ``"helpful"`` (least helpful first, articles with votes before those without:
    the ones to fix), ``"views"`` (most read first) or ``"title"``. Three queries.
    """
    votes = (
        ArticleVote.objects.filter(_vote_day_range(start, end))
        .values("article_id")
        .annotate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))
    )
    views = (
        ArticleViewDay.objects.filter(day__gte=start, day__lte=end)
        .values("article_id")
        .annotate(total=Sum("views"))
    )
    counts: dict[int, dict] = {}
    for row in votes:
        counts.setdefault(row["article_id"], {"yes": 0, "no": 0, "views": 0}).update(
            yes=row["yes"], no=row["no"]
        )
    for row in views:
        counts.setdefault(row["article_id"], {"yes": 0, "no": 0, "views": 0})["views"] = row[
            "total"
        ]
    pages = ArticlePage.objects.filter(pk__in=counts).select_related("locale")
    rows = [
        ArticleRow(
            article_id=page.pk,
            title=page.title,
            url=page.get_url(),
            language=page.locale.language_code,
            **counts[page.pk],
        )
        for page in pages
    ]
    if order == "views":
        rows.sort(key=lambda r: (-r.views, r.title))
    elif order == "title":
        rows.sort(key=lambda r: r.title.lower())
    else:
        rows.sort(
            key=lambda r: (
                r.helpful_share is None,
                r.helpful_share if r.helpful_share is not None else 0,
                -r.votes,
                r.title,
            )
        )
    return rows


def no_comments(*, start: date, end: date) -> QuerySet[ArticleVote]:
    """The comments left with a "no" between ``start`` and ``end``, newest first."""
    return (
        ArticleVote.objects.filter(_vote_day_range(start, end), helpful=False)
        .exclude(comment="")
        .select_related("article")
        .order_by("-updated_at", "-pk")
    )


@dataclass
class WeekRow:
    week: date
    yes: int = 0
    no: int = 0
    views: int = 0

    @property
    def helpful_share(self) -> float | None:
        total = self.yes + self.no
        return self.yes / total if total else None


def weekly_trend(*, start: date, end: date) -> list[WeekRow]:
    """Votes and views per week (weeks start on Monday), every week of the range listed."""
    first = start - timedelta(days=start.weekday())
    weeks: dict[date, WeekRow] = {}
    week = first
    while week <= end:
        weeks[week] = WeekRow(week=week)
        week += timedelta(days=7)
    votes = (
        ArticleVote.objects.filter(_vote_day_range(start, end))
        .annotate(week=TruncWeek("updated_at"))
        .values("week")
        .annotate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))
    )
    for row in votes:
        key = row["week"].date() if hasattr(row["week"], "date") else row["week"]
        if key in weeks:
            weeks[key].yes, weeks[key].no = row["yes"], row["no"]
    views = (
        ArticleViewDay.objects.filter(day__gte=start, day__lte=end)
        .annotate(week=TruncWeek("day"))
        .values("week")
        .annotate(total=Sum("views"))
    )
    for row in views:
        key = row["week"].date() if hasattr(row["week"], "date") else row["week"]
        if key in weeks:
            weeks[key].views = row["total"]
    return list(weeks.values())
