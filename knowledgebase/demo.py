"""Demo help center: Harbor & Loom's answers in English and Turkish, from ``demo_content``.

The English help center, its categories and articles are looked up by slug under the home
page before they are created; each Turkish page is found as the translation of its English
one (same ``translation_key``). So seeding again changes nothing, and an editor's later
edits (a new title, a moved article) are kept.

Articles are published once, by the demo admin, after every article of the run exists, so
the editor's related articles can point at pages created later in the same run and each
new article has exactly one revision.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save
from modelsearch import index
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import Locale, Page, ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from .demo_content import ARTICLES, CATEGORIES, HELP_CENTER
from .models import ArticlePage, HelpCategoryPage, HelpCenterPage, RelatedArticle


def _body(blocks: list[tuple]) -> list[tuple]:
    """The content's compact blocks as a StreamField value in (block type, value) form."""
    stream: list[tuple] = []
    for kind, value in blocks:
        if kind == "text":
            stream.append(("text", value))
        elif kind in ("note", "warning"):
            stream.append(("callout", {"kind": kind, "text": f"<p>{value}</p>"}))
        elif kind == "steps":
            stream.append(
                ("steps", {"steps": [{"title": t, "text": f"<p>{x}</p>"} for t, x in value]})
            )
        elif kind == "faq":
            stream.append(
                (
                    "faq",
                    {"questions": [{"question": q, "answer": f"<p>{a}</p>"} for q, a in value]},
                )
            )
        else:
            raise ValueError(f"unknown demo block {kind!r}")
    return stream


def _home(locale: Locale) -> Page:
    """The home page in ``locale`` (the portal's seed translates it; tests may not have)."""
    # By name: portal imports the apps, never the other way round.
    home_model = apps.get_model("portal", "HomePage")
    english = home_model.objects.get(locale__language_code="en")
    if locale.language_code == "en":
        return english
    home = english.get_translation_or_none(locale)
    if home is None:
        home = english.copy_for_translation(locale)
        home.save_revision().publish()
    return home


PAGE_MODELS = (HelpCenterPage, HelpCategoryPage, ArticlePage)


@contextmanager
def _index_once(created: list[Page]):
    """Index the pages ``created`` in the block once, when it ends, instead of on each save.

    Creating and publishing a page saves it three times, and each save re-indexed it for
    search and for references: two thirds of the seed's time. ``seed_demo`` runs alone in
    its process, so switching the search signal off for these models does not hide anyone
    else's saves.
    """
    for model in PAGE_MODELS:
        post_save.disconnect(post_save_signal_handler, sender=model)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        for model in PAGE_MODELS:
            post_save.connect(post_save_signal_handler, sender=model)
    for page in created:
        index.insert_or_update_object(page)
        ReferenceIndex.create_or_update_for_object(page)


def _publish(page: Page, user, created: list[Page]) -> None:
    page.save_revision(user=user).publish(user=user)
    created.append(page)


def _translated(
    english: Page, locale: Locale, parent: Page, page: Page, user, created: list[Page]
) -> Page:
    """``page`` as the translation of ``english`` under ``parent``, published, unless
    ``english`` already has one (returned as it is)."""
    existing = english.get_translation_or_none(locale)
    if existing is not None:
        return existing
    page.locale = locale
    page.translation_key = english.translation_key
    page.live = False
    parent.add_child(instance=page)
    _publish(page, user, created)
    return page


def seed_tree(user, created: list[Page]) -> tuple[dict, dict]:
    """The help centers and their categories in both languages. Returns the categories by
    key and the help centers, for each language."""
    english, turkish = Locale.objects.get(language_code="en"), _locale("tr")
    center = HelpCenterPage.objects.filter(locale=english).first()
    if center is None:
        center = HelpCenterPage(live=False, **HELP_CENTER["en"])
        _home(english).add_child(instance=center)
        _publish(center, user, created)
    center_tr = _translated(
        center, turkish, _home(turkish), HelpCenterPage(**HELP_CENTER["tr"]), user, created
    )
    categories: dict[str, dict] = {"en": {}, "tr": {}}
    for spec in CATEGORIES:
        page = HelpCategoryPage.objects.child_of(center).filter(slug=spec["en"]["slug"]).first()
        if page is None:
            page = HelpCategoryPage(live=False, icon=spec["icon"], **spec["en"])
            center.add_child(instance=page)
            _publish(page, user, created)
        categories["en"][spec["key"]] = page
        categories["tr"][spec["key"]] = _translated(
            page,
            turkish,
            center_tr,
            HelpCategoryPage(icon=spec["icon"], **spec["tr"]),
            user,
            created,
        )
    return categories, {"en": center, "tr": center_tr}


def _locale(language: str) -> Locale:
    return Locale.objects.get_or_create(language_code=language)[0]


def _article(spec: dict) -> ArticlePage:
    page = ArticlePage(
        live=False,
        title=spec["title"],
        slug=spec["slug"],
        summary=spec["summary"],
        body=_body(spec["body"]),
    )
    page.tags.set(spec["tags"])
    return page


def seed_articles(categories: dict, centers: dict, user, created: list[Page]) -> int:
    """Every article of the content in both languages; new ones get their tags and related
    articles and are published. Returns how many articles were created now."""
    turkish = _locale("tr")
    pages: dict[str, dict] = {"en": {}, "tr": {}}
    fresh: list[tuple[str, str]] = []
    for spec in ARTICLES:
        key = spec["key"]
        english = (
            ArticlePage.objects.descendant_of(centers["en"]).filter(slug=spec["en"]["slug"]).first()
        )
        if english is None:
            english = _article(spec["en"])
            categories["en"][spec["category"]].add_child(instance=english)
            fresh.append(("en", key))
        translated = english.get_translation_or_none(turkish)
        if translated is None:
            translated = _article(spec["tr"])
            translated.locale = turkish
            translated.translation_key = english.translation_key
            categories["tr"][spec["category"]].add_child(instance=translated)
            fresh.append(("tr", key))
        pages["en"][key], pages["tr"][key] = english, translated
    related = {spec["key"]: spec.get("related", []) for spec in ARTICLES}
    for language, key in fresh:
        page = pages[language][key]
        page.related_links = [
            RelatedArticle(article=pages[language][other], sort_order=i)
            for i, other in enumerate(related[key])
            if other in pages[language]
        ]
        _publish(page, user, created)
    return len(fresh)


@transaction.atomic
def seed(*, stdout=None) -> None:
    # One transaction: a failed seed leaves no half-built tree, and SQLite commits once.
    # The demo's first superuser (portal's seed, which runs before this one, makes it).
    user = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    created: list[Page] = []
    with _index_once(created):
        categories, centers = seed_tree(user, created)
        seed_articles(categories, centers, user, created)
    if stdout is not None:
        stdout.write(
            f"Help center: {len(CATEGORIES)} categories and {len(ARTICLES)} articles in "
            f"en + tr; {len(created)} new pages."
        )
