"""The help article page at scale: 10,000 published articles in the English help center.

``seed_articles`` inserts them set-based (Wagtail's ``add_child`` and a revision per page
would take minutes): base page rows with their tree paths computed as treebeard does, then
the article rows, under ten "Bench topic" categories. They are live without revisions,
as pages imported by a script would be. Looks for what exists first, so later runs take
no time. The page benched is one ordinary article among them (with tags, steps and a FAQ),
published the normal way.
"""

from __future__ import annotations

import json
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from bench.data import Dataset

ARTICLES = 10_000
CATEGORIES = 10
BENCH_SLUG = "bench-topic"


def _center():
    from knowledgebase.models import HelpCenterPage
    from portal.models import HomePage

    center = HelpCenterPage.objects.filter(locale__language_code="en").first()
    if center is None:
        home = HomePage.objects.get(locale__language_code="en")
        center = home.add_child(instance=HelpCenterPage(title="Help center", slug="help"))
        center.save_revision().publish()
    return center


def _category(center, number: int):
    from knowledgebase.models import HelpCategoryPage

    slug = f"{BENCH_SLUG}-{number}"
    category = HelpCategoryPage.objects.child_of(center).filter(slug=slug).first()
    if category is None:
        category = center.add_child(
            instance=HelpCategoryPage(
                title=f"Bench topic {number}", slug=slug, icon="product", summary="Bench."
            )
        )
        category.save_revision().publish()
        category.refresh_from_db()
    return category


def _body(number: int) -> str:
    return json.dumps(
        [
            {"type": "text", "value": f"<p>Answer number {number}.</p>", "id": str(uuid.uuid4())},
            {
                "type": "faq",
                "value": {
                    "questions": [
                        {
                            "type": "item",
                            "value": {"question": f"Question {number}?", "answer": "<p>Yes.</p>"},
                            "id": str(uuid.uuid4()),
                        }
                    ]
                },
                "id": str(uuid.uuid4()),
            },
        ]
    )


@transaction.atomic
def _fill(category, count: int) -> None:
    from wagtail.models import Page

    from knowledgebase.models import ArticlePage

    existing = category.get_children().count()
    if existing >= count:
        return
    content_type = ContentType.objects.get_for_model(ArticlePage)
    now = timezone.now()
    pages = []
    for position in range(existing + 1, count + 1):
        title = f"{category.title} article {position}"
        slug = slugify(title)
        pages.append(
            Page(
                path=ArticlePage._get_path(category.path, category.depth + 1, position),
                depth=category.depth + 1,
                numchild=0,
                title=title,
                draft_title=title,
                slug=slug,
                content_type=content_type,
                live=True,
                has_unpublished_changes=False,
                url_path=f"{category.url_path}{slug}/",
                first_published_at=now,
                last_published_at=now,
                live_revision=None,
                locale_id=category.locale_id,
                translation_key=uuid.uuid4(),
            )
        )
    created = Page.objects.bulk_create(pages, batch_size=1000)
    # The model's own table name; every value goes in as a parameter.
    table = connection.ops.quote_name(ArticlePage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (page_ptr_id, summary, body) VALUES (%s, %s, %s)",  # noqa: S608
            [(page.pk, f"Summary of {page.title}.", _body(i)) for i, page in enumerate(created)],
        )
    Page.objects.filter(pk=category.pk).update(numchild=count)


def seed_articles(data: Dataset | None = None) -> None:
    center = _center()
    per_category = ARTICLES // CATEGORIES
    for number in range(1, CATEGORIES + 1):
        _fill(_category(center, number), per_category)
    bench_article()


def bench_article():
    """The article the bench opens: tags, steps, a callout and a FAQ, published normally."""
    from knowledgebase.models import ArticlePage

    category = _category(_center(), 1)
    page = ArticlePage.objects.child_of(category).filter(slug="bench-how-to-track").first()
    if page is not None:
        return page
    page = ArticlePage(
        title="How to track a parcel",
        slug="bench-how-to-track",
        summary="Where your parcel is and when it arrives.",
        body=[
            ("text", "<p>Open the tracking page from your order email.</p>"),
            ("steps", {"steps": [{"title": "Open Track an order", "text": ""}]}),
            ("callout", {"kind": "note", "text": "<p>Tracking starts when it ships.</p>"}),
            ("faq", {"questions": [{"question": "Where is it?", "answer": "<p>On its way.</p>"}]}),
        ],
    )
    category.add_child(instance=page)
    page.tags.add("tracking", "delivery")
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def article_path(data: Dataset) -> str:
    return bench_article().url
