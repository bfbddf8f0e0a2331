"""The demo help center: a believable tree in English and Turkish, seeded once."""

import io
import time

import pytest
from django.apps import apps
from wagtail.models import Page, Revision

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


def test_seed_builds_the_help_center_in_english_and_turkish(seeded):
    out, _ = seeded
    assert "Help center" in out
    english = HelpCenterPage.objects.get(locale__language_code="en")
    turkish = HelpCenterPage.objects.get(locale__language_code="tr")
    assert (english.title, english.slug) == ("Help center", "help")
    assert (turkish.title, turkish.slug) == ("Yardım merkezi", "yardim")
    assert english.get_parent().specific.locale.language_code == "en"
    assert turkish.translation_key == english.translation_key
    for language, center in (("en", english), ("tr", turkish)):
        assert HelpCategoryPage.objects.child_of(center).live().count() == len(CATEGORIES)
        articles = ArticlePage.objects.descendant_of(center).live()
        assert articles.count() == len(ARTICLES)
        assert set(articles.values_list("locale__language_code", flat=True)) == {language}
    assert len(CATEGORIES) >= 8 and len(ARTICLES) >= 40


def test_each_turkish_page_translates_its_english_one(seeded):
    for spec in ARTICLES:
        english = ArticlePage.objects.get(locale__language_code="en", slug=spec["en"]["slug"])
        turkish = english.get_translation(english.locale.__class__.objects.get(language_code="tr"))
        assert (turkish.title, turkish.slug) == (spec["tr"]["title"], spec["tr"]["slug"])
        assert turkish.get_parent().translation_key == english.get_parent().translation_key
        assert sorted(t.name for t in turkish.tags.all()) == sorted(spec["tr"]["tags"])
        # Related articles point at pages in the article's own language.
        for language, page in (("en", english), ("tr", turkish)):
            related = [link.article for link in page.related_links.all()]
            assert len(related) == len(spec.get("related", []))
            assert all(a.locale.language_code == language for a in related)


def test_articles_are_published_by_the_demo_admin_with_a_real_body(seeded):
    articles = ArticlePage.objects.live()
    assert not articles.filter(has_unpublished_changes=True).exists()
    revisions = Revision.page_revisions.filter(
        object_id__in=[str(pk) for pk in articles.values_list("pk", flat=True)]
    )
    assert revisions.count() == articles.count()  # one revision each: no drafts left over
    assert set(revisions.values_list("user__email", flat=True)) == {ADMIN_EMAIL}
    for page in articles:
        assert len(page.summary) <= 300
        words = sum(len(str(block.render_as_block()).split()) for block in page.body)
        assert words >= 60, page.slug
    kinds = {block.block_type for page in articles for block in page.body}
    assert {"text", "steps", "faq", "callout"} <= kinds


def test_slugs_are_unique_in_each_language():
    for language in ("en", "tr"):
        slugs = [spec[language]["slug"] for spec in ARTICLES]
        assert len(slugs) == len(set(slugs))
        assert all(slug.isascii() for slug in slugs)


def test_seeding_again_changes_nothing(seeded):
    _, seconds = seeded
    first = _counts()
    demo.seed(stdout=io.StringIO())
    assert _counts() == first
    assert Page.objects.count() == first["wagtailcore.Page"]
    assert seconds < 30
