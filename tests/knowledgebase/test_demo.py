"""The demo help center: a believable tree in English and Turkish, seeded once.

Seeding takes seconds, so each test that needs the tree checks several things about it.
"""

import io
import time

import pytest
from django.apps import apps
from wagtail.models import Locale, Revision

from knowledgebase import demo
from knowledgebase.demo_content import ARTICLES, CATEGORIES
from knowledgebase.models import ArticlePage, HelpCategoryPage, HelpCenterPage
from portal import demo as portal_demo
from portal.demo import ADMIN_EMAIL

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    portal_demo.seed(stdout=io.StringIO())
    started = time.monotonic()
    out = io.StringIO()
    demo.seed(stdout=out)
    return out.getvalue(), time.monotonic() - started


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"knowledgebase", "wagtailcore", "taggit"}
        and not model._meta.proxy
    }


def test_seed_builds_a_published_help_center_whose_turkish_pages_translate_the_english(seeded):
    out, _ = seeded
    assert f"{len(ARTICLES)} articles" in out
    assert len(CATEGORIES) >= 8 and len(ARTICLES) >= 40
    english = HelpCenterPage.objects.get(locale__language_code="en")
    turkish = HelpCenterPage.objects.get(locale__language_code="tr")
    assert (english.title, english.slug, english.live) == ("Help center", "help", True)
    assert (turkish.title, turkish.slug, turkish.live) == ("Yardım merkezi", "yardim", True)
    assert turkish.translation_key == english.translation_key
    assert turkish.get_parent().specific.locale.language_code == "tr"
    for language, center in (("en", english), ("tr", turkish)):
        assert HelpCategoryPage.objects.child_of(center).live().count() == len(CATEGORIES)
        articles = ArticlePage.objects.descendant_of(center).live()
        assert articles.count() == len(ARTICLES)
        assert set(articles.values_list("locale__language_code", flat=True)) == {language}

    tr = Locale.objects.get(language_code="tr")
    for spec in ARTICLES:
        en_page = ArticlePage.objects.get(locale__language_code="en", slug=spec["en"]["slug"])
        tr_page = en_page.get_translation(tr)
        assert (tr_page.title, tr_page.slug) == (spec["tr"]["title"], spec["tr"]["slug"])
        assert tr_page.get_parent().translation_key == en_page.get_parent().translation_key
        for language, page in (("en", en_page), ("tr", tr_page)):
            assert sorted(t.name for t in page.tags.all()) == sorted(spec[language]["tags"])
            # The editor's related articles, in the article's own language.
            related = [link.article for link in page.related_links.all()]
            assert len(related) == len(spec["related"])
            assert {a.locale_id for a in related} <= {page.locale_id}


def test_articles_are_published_once_by_the_demo_admin_and_are_searchable(seeded):
    articles = ArticlePage.objects.live()
    assert not articles.filter(has_unpublished_changes=True).exists()
    revisions = Revision.page_revisions.filter(
        object_id__in=[str(pk) for pk in articles.values_list("pk", flat=True)]
    )
    assert revisions.count() == articles.count()  # no drafts left behind
    assert set(revisions.values_list("user__email", flat=True)) == {ADMIN_EMAIL}
    for page in articles:
        assert len(page.summary) <= 300
        text = " ".join(page.body.stream_block.get_searchable_content(page.body))
        assert len(text.split()) >= 60, page.slug
    kinds = {block.block_type for page in articles for block in page.body}
    assert {"text", "steps", "faq", "callout"} <= kinds
    # The seed indexes its pages itself (it turns indexing on save off while it works).
    english = Locale.objects.get(language_code="en")
    hits = ArticlePage.objects.live().filter(locale=english).search("refund")
    assert "when-will-i-get-my-refund" in {page.slug for page in hits}


def test_slugs_are_unique_and_ascii_in_each_language():
    for language in ("en", "tr"):
        slugs = [spec[language]["slug"] for spec in ARTICLES]
        assert len(slugs) == len(set(slugs))
        assert all(slug.isascii() for slug in slugs)
    keys = {spec["key"] for spec in ARTICLES}
    assert all(set(spec["related"]) <= keys - {spec["key"]} for spec in ARTICLES)


def test_seeding_again_changes_nothing(seeded):
    _, seconds = seeded
    first = _counts()
    demo.seed(stdout=io.StringIO())
    assert _counts() == first
    # It runs in every `make run` and in the tests: keep it quick (SQLite, a busy CI box).
    assert seconds < 40
