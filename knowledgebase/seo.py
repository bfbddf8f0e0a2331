"""What search engines read: schema.org JSON-LD, and a sitemap with every language.

The JSON-LD builders return plain dicts (the templates serialise them with ``json_script``
style escaping). ``structured_data_problems`` states the rules Google's structured-data
documentation gives for the three types the help center emits, so a test (or a person
checking a page) learns what is missing without a network call to a validator.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.utils.html import strip_tags
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Locale, Page, Site

SCHEMA = "https://schema.org"
# Google truncates longer headlines in its Article results.
HEADLINE_MAX = 110


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def owner(request) -> dict:
    """``store_name`` and ``site_url`` of the request's site, for ``article_data``.

    The store's name is the portal's branding setting, read by name (the help center does
    not import the portal).
    """
    site = Site.find_for_request(request) if request is not None else None
    site = site or Site.objects.get(is_default_site=True)
    branding = apps.get_model("portal", "BrandingSettings").for_site(site)
    return {"store_name": branding.store_name, "site_url": site.root_url + "/"}


def organization(*, name: str, url: str) -> dict:
    return {"@type": "Organization", "name": name, "url": url}


def article_data(*, page, request, store_name: str, site_url: str) -> dict:
    """schema.org ``Article`` for a published help article."""
    headline = page.seo_title or page.title
    if len(headline) > HEADLINE_MAX:
        headline = headline[: HEADLINE_MAX - 1].rstrip() + "…"
    url = page.get_full_url(request)
    owner = organization(name=store_name, url=site_url)
    return {
        "@context": SCHEMA,
        "@type": "Article",
        "headline": headline,
        "description": page.search_description or page.summary,
        "inLanguage": page.locale.language_code,
        "datePublished": _iso(page.first_published_at or page.last_published_at),
        "dateModified": _iso(page.last_published_at or page.first_published_at),
        "author": owner,
        "publisher": owner,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
    }


def faq_data(pairs: list[tuple[str, str]]) -> dict | None:
    """schema.org ``FAQPage`` from (question, plain-text answer) pairs; None without any."""
    if not pairs:
        return None
    return {
        "@context": SCHEMA,
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": question,
                "acceptedAnswer": {"@type": "Answer", "text": answer},
            }
            for question, answer in pairs
        ],
    }


def breadcrumb_data(crumbs: list[dict]) -> dict | None:
    """schema.org ``BreadcrumbList`` from ``[{"title", "url"}]`` (absolute URLs)."""
    if not crumbs:
        return None
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": crumb["title"], "item": crumb["url"]}
            for i, crumb in enumerate(crumbs, start=1)
        ],
    }


def to_json(data: dict) -> str:
    """JSON for a ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` escaped so
    an editor's text can never close the script element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- Google's rules, as its structured-data documentation states them -------------------


def _is_iso_datetime(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    # Google asks for a time zone with a time, else it assumes Googlebot's.
    return parsed.tzinfo is not None


def _is_url(value) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def _text(value) -> bool:
    return isinstance(value, str) and bool(strip_tags(value).strip())


def _party_problems(value, where: str) -> list[str]:
    parties = value if isinstance(value, list) else [value]
    problems = []
    if value is None or not parties:
        return [f"{where} is missing"]
    for party in parties:
        if not isinstance(party, dict) or party.get("@type") not in ("Person", "Organization"):
            problems.append(f"{where} must be a Person or an Organization")
        elif not _text(party.get("name")):
            problems.append(f"{where}.name is missing")
        elif "url" in party and not _is_url(party["url"]):
            problems.append(f"{where}.url is not an absolute URL")
    return problems


def _article_problems(data: dict) -> list[str]:
    problems = []
    headline = data.get("headline")
    if not _text(headline):
        problems.append("Article.headline is missing")
    elif len(headline) > HEADLINE_MAX:
        problems.append(f"Article.headline is longer than {HEADLINE_MAX} characters")
    for field in ("datePublished", "dateModified"):
        if field not in data:
            problems.append(f"Article.{field} is missing")
        elif not _is_iso_datetime(data[field]):
            problems.append(f"Article.{field} is not an ISO 8601 date-time with a time zone")
    published, modified = data.get("datePublished"), data.get("dateModified")
    if (
        _is_iso_datetime(published)
        and _is_iso_datetime(modified)
        and datetime.fromisoformat(modified) < datetime.fromisoformat(published)
    ):
        problems.append("Article.dateModified is before datePublished")
    problems += _party_problems(data.get("author"), "Article.author")
    problems += _party_problems(data.get("publisher"), "Article.publisher")
    return problems


def _faq_problems(data: dict) -> list[str]:
    questions = data.get("mainEntity")
    if not isinstance(questions, list) or not questions:
        return ["FAQPage.mainEntity must be a non-empty list of Question"]
    problems = []
    for i, question in enumerate(questions, start=1):
        where = f"FAQPage.mainEntity[{i}]"
        if not isinstance(question, dict) or question.get("@type") != "Question":
            problems.append(f"{where} is not a Question")
            continue
        if not _text(question.get("name")):
            problems.append(f"{where}.name is missing")
        answer = question.get("acceptedAnswer")
        if not isinstance(answer, dict) or answer.get("@type") != "Answer":
            problems.append(f"{where}.acceptedAnswer is not an Answer")
        elif not _text(answer.get("text")):
            problems.append(f"{where}.acceptedAnswer.text is missing")
    return problems


def _breadcrumb_problems(data: dict) -> list[str]:
    items = data.get("itemListElement")
    if not isinstance(items, list) or not items:
        return ["BreadcrumbList.itemListElement must be a non-empty list of ListItem"]
    problems = []
    for expected, item in enumerate(items, start=1):
        where = f"BreadcrumbList.itemListElement[{expected}]"
        if not isinstance(item, dict) or item.get("@type") != "ListItem":
            problems.append(f"{where} is not a ListItem")
            continue
        position = item.get("position")
        if not isinstance(position, int) or isinstance(position, bool):
            problems.append(f"{where}.position must be an integer")
        elif position != expected:
            problems.append(f"{where}.position is {position}, expected {expected}")
        if not _text(item.get("name")):
            problems.append(f"{where}.name is missing")
        # Google allows the last item (the page itself) to leave out its URL.
        if (expected < len(items) or "item" in item) and not _is_url(item.get("item")):
            problems.append(f"{where}.item must be an absolute URL")
    return problems


_CHECKS = {
    "Article": _article_problems,
    "FAQPage": _faq_problems,
    "BreadcrumbList": _breadcrumb_problems,
}


def structured_data_problems(data) -> list[str]:
    """What a JSON-LD object (or list of them) lacks by Google's rules; [] when valid."""
    if isinstance(data, list):
        return [problem for item in data for problem in structured_data_problems(item)]
    if not isinstance(data, dict):
        return ["JSON-LD must be an object"]
    problems = []
    if data.get("@context") not in (SCHEMA, "http://schema.org", SCHEMA + "/"):
        problems.append("@context must be https://schema.org")
    kind = data.get("@type")
    check = _CHECKS.get(kind)
    if check is None:
        return [*problems, f"no rules for @type {kind!r}"]
    return problems + check(data)


# --- Sitemap ----------------------------------------------------------------------------


class TranslatedSitemap(Sitemap):
    """Every live, public page of the site in every language, each entry naming its
    translations as ``xhtml:link rel="alternate" hreflang=…`` (Wagtail's own sitemap lists
    one language and no alternates). The default language is also the ``x-default``."""

    def items(self):
        site = self.get_wagtail_site()
        roots = Page.objects.filter(translation_key=site.root_page.translation_key)
        pages = Page.objects.none()
        for root in roots:
            pages = pages | Page.objects.descendant_of(root, inclusive=True)
        return pages.live().public().order_by("path").defer_streamfields().specific(defer=True)

    def _urls(self, page, protocol, domain):
        urls = []
        by_key: dict = {}
        languages = dict(Locale.objects.values_list("pk", "language_code"))
        for item in self.paginator.page(page).object_list:
            for url_info in item.get_sitemap_urls(self.request):
                url_info.setdefault("alternates", [])
                urls.append(url_info)
                by_key.setdefault(item.translation_key, []).append(
                    (languages[item.locale_id], url_info)
                )
        last_mods = {info.get("lastmod") for info in urls}
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        default = settings.LANGUAGE_CODE.split("-")[0]
        for group in by_key.values():
            if len(group) < 2:
                continue
            alternates = [
                {"lang_code": language, "location": info["location"]} for language, info in group
            ]
            alternates.sort(key=lambda alt: alt["lang_code"])
            x_default = next((a for a in alternates if a["lang_code"] == default), None)
            if x_default:
                alternates.append({"lang_code": "x-default", "location": x_default["location"]})
            for _language, info in group:
                info["alternates"] = alternates
        return urls

    def get_wagtail_site(self):
        site = Site.find_for_request(self.request) if self.request is not None else None
        return site or Site.objects.select_related("root_page").get(is_default_site=True)


def robots_txt(request):
    """robots.txt: everything customers read may be crawled; admin and accounts may not.
    Points at the sitemap."""
    from django.http import HttpResponse

    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /account/",
        "Disallow: /tr/accounts/",
        "Disallow: /tr/account/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
