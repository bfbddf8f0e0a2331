"""Build a help center tree for tests: published pages, as an editor would leave them.

center = help_center()                       # English, under the home page
shipping = category(center, "Shipping", icon="shipping")
art = article(shipping, "Track your parcel", summary="…", text="<p>…</p>",
              faq=[("Where is my parcel?", "Open Track an order.")], tags=["tracking"])
center_tr = help_center("tr")                # the Turkish translation of the index
art_tr = translate(art, title="Kargonuzu takip edin", summary="…", text="<p>…</p>")
"""

from __future__ import annotations

from django.utils.text import slugify
from wagtail.models import Locale

from knowledgebase.models import ArticlePage, HelpCategoryPage, HelpCenterPage
from portal.models import HomePage


def _locale(language: str) -> Locale:
    return Locale.objects.get_or_create(language_code=language)[0]


def _publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def help_center(language: str = "en", *, title: str | None = None, slug: str | None = None):
    """The help center index in ``language`` (the Turkish one translates the English one)."""
    english = HelpCenterPage.objects.filter(locale__language_code="en").first()
    if english is None:
        home = HomePage.objects.get(locale__language_code="en")
        english = home.add_child(
            instance=HelpCenterPage(
                title="Help center", slug="help", intro="Answers to what customers ask most."
            )
        )
        _publish(english)
    if language == "en":
        return english
    locale = _locale(language)
    existing = english.get_translation_or_none(locale)
    if existing is not None:
        return existing
    home = HomePage.objects.get(locale__language_code="en")
    if home.get_translation_or_none(locale) is None:
        _publish(home.copy_for_translation(locale))
    translated = english.copy_for_translation(locale)
    translated.title = title or "Yardım merkezi"
    translated.slug = slug or "yardim"
    return _publish(translated)


def category(parent: HelpCenterPage, title: str, *, icon: str = "question", summary: str = ""):
    page = parent.add_child(
        instance=HelpCategoryPage(title=title, slug=slugify(title), icon=icon, summary=summary)
    )
    return _publish(page)


def body(text: str = "", *, faq=(), steps=(), callout: str | None = None) -> list[tuple]:
    """A StreamField value in the raw (block type, value) form."""
    blocks: list[tuple] = []
    if text:
        blocks.append(("text", text))
    if steps:
        blocks.append(("steps", {"steps": [{"title": s, "text": ""} for s in steps]}))
    if callout:
        blocks.append(("callout", {"kind": "note", "text": callout}))
    if faq:
        blocks.append(
            ("faq", {"questions": [{"question": q, "answer": f"<p>{a}</p>"} for q, a in faq]})
        )
    return blocks


def article(
    parent: HelpCategoryPage,
    title: str,
    *,
    summary: str = "",
    text: str = "<p>Body text.</p>",
    faq=(),
    steps=(),
    callout: str | None = None,
    tags=(),
    live: bool = True,
    slug: str | None = None,
) -> ArticlePage:
    page = ArticlePage(
        title=title,
        slug=slug or slugify(title),
        summary=summary or f"About {title.lower()}.",
        body=body(text, faq=faq, steps=steps, callout=callout),
    )
    if not live:
        page.live = False
    parent.add_child(instance=page)
    if tags:
        page.tags.add(*tags)
        page.save()
    if live:
        return _publish(page)
    page.save_revision()
    return page


def translate(page, language: str = "tr", **fields):
    """A published translation of ``page``; its parent must already be translated."""
    translated = page.copy_for_translation(_locale(language))
    for name, value in fields.items():
        if name in {"text", "faq", "steps", "callout"}:
            continue
        setattr(translated, name, value)
    if any(k in fields for k in ("text", "faq", "steps", "callout")):
        translated.body = body(
            fields.get("text", ""),
            faq=fields.get("faq", ()),
            steps=fields.get("steps", ()),
            callout=fields.get("callout"),
        )
    if "title" in fields and "slug" not in fields:
        translated.slug = slugify(fields["title"].replace("ı", "i"))
    return _publish(translated)
