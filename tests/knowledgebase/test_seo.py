"""What search engines and link previews read on the help center's pages."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from knowledgebase import seo
from tests.knowledgebase.factories import article, category, help_center, translate

pytestmark = pytest.mark.django_db

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


@pytest.fixture
def tree():
    center = help_center()
    shipping = category(center, "Shipping", icon="shipping", summary="Parcels.")
    track = article(
        shipping,
        "Track your parcel",
        summary="Where your parcel is and when it arrives.",
        faq=[("Where is my parcel?", "Open <b>Track an order</b>."), ("How long?", "Two days.")],
        tags=["tracking"],
    )
    plain = article(shipping, "Shipping costs", summary="What delivery costs.")
    center_tr = help_center("tr")
    shipping_tr = translate(shipping, title="Kargo")
    track_tr = translate(
        track,
        title="Kargonuzu takip edin",
        summary="Kargonuz nerede.",
        faq=[("Kargom nerede?", "Sipariş takibini açın.")],
    )
    return locals()


def _jsonld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_article_jsonld_parses_and_meets_googles_rules(client, tree):
    html = client.get(tree["track"].url).content.decode()
    documents = _jsonld(html)
    kinds = [d["@type"] for d in documents]
    assert kinds == ["Article", "FAQPage", "BreadcrumbList"]
    assert seo.structured_data_problems(documents) == []

    article_ld, faq_ld, crumbs_ld = documents
    assert article_ld["headline"] == "Track your parcel"
    assert article_ld["description"] == "Where your parcel is and when it arrives."
    assert article_ld["author"]["name"] and article_ld["publisher"]["name"]
    assert article_ld["inLanguage"] == "en"
    assert faq_ld["mainEntity"][0] == {
        "@type": "Question",
        "name": "Where is my parcel?",
        "acceptedAnswer": {"@type": "Answer", "text": "Open Track an order."},
    }
    names = [item["name"] for item in crumbs_ld["itemListElement"]]
    assert names[-3:] == ["Help center", "Shipping", "Track your parcel"]
    assert [item["position"] for item in crumbs_ld["itemListElement"]] == list(
        range(1, len(names) + 1)
    )
    assert crumbs_ld["itemListElement"][-1]["item"].endswith(tree["track"].url)


def test_article_without_questions_has_no_faq_page(client, tree):
    documents = _jsonld(client.get(tree["plain"].url).content.decode())
    assert [d["@type"] for d in documents] == ["Article", "BreadcrumbList"]
    assert seo.structured_data_problems(documents) == []


def test_turkish_article_jsonld_is_valid_and_turkish(client, tree):
    documents = _jsonld(client.get(tree["track_tr"].url).content.decode())
    assert seo.structured_data_problems(documents) == []
    assert documents[0]["inLanguage"] == "tr"
    assert documents[1]["mainEntity"][0]["name"] == "Kargom nerede?"


def test_category_has_a_valid_breadcrumb_list(client, tree):
    documents = _jsonld(client.get(tree["shipping"].url).content.decode())
    assert [d["@type"] for d in documents] == ["BreadcrumbList"]
    assert seo.structured_data_problems(documents) == []


def test_editor_text_cannot_close_the_script_element(client, tree):
    page = tree["plain"]
    page.title = "Costs </script><script>alert(1)</script>"
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "<script>alert(1)" not in html
    assert _jsonld(html)[0]["headline"].startswith("Costs </script>")


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"@type": "Article", "datePublished": "2024-01-01T00:00:00+00:00"}, "headline"),
        ({"@type": "Article", "headline": "x" * 111}, "longer than 110"),
        ({"@type": "Article", "headline": "A", "datePublished": "2024-01-01"}, "time zone"),
        (
            {"@type": "Article", "headline": "A", "author": {"name": "B"}},
            "Person or an Organization",
        ),
        ({"@type": "FAQPage", "mainEntity": []}, "non-empty list of Question"),
        (
            {"@type": "FAQPage", "mainEntity": [{"@type": "Question", "name": "Q?"}]},
            "acceptedAnswer is not an Answer",
        ),
        (
            {
                "@type": "FAQPage",
                "mainEntity": [
                    {"@type": "Question", "name": "Q?", "acceptedAnswer": {"@type": "Answer"}}
                ],
            },
            "acceptedAnswer.text is missing",
        ),
        (
            {
                "@type": "BreadcrumbList",
                "itemListElement": [
                    {"@type": "ListItem", "position": 1, "name": "Home"},
                    {"@type": "ListItem", "position": 2, "name": "Help"},
                ],
            },
            "[1].item must be an absolute URL",
        ),
        (
            {
                "@type": "BreadcrumbList",
                "itemListElement": [
                    {"@type": "ListItem", "position": 2, "name": "Home", "item": "https://x/"}
                ],
            },
            "position is 2, expected 1",
        ),
        ({"@context": "https://schema.org", "@type": "Recipe"}, "no rules"),
    ],
)
def test_the_rules_catch_what_google_would_reject(document, problem):
    document.setdefault("@context", "https://schema.org")
    problems = seo.structured_data_problems(document)
    assert any(problem in p for p in problems), problems


def test_article_head_has_canonical_description_open_graph_and_alternates(client, tree):
    html = client.get(tree["track"].url).content.decode()
    head = html[: html.index("</head>")]
    assert f'<link rel="canonical" href="http://localhost{tree["track"].url}">' in head
    assert '<meta name="description" content="Where your parcel is and when it arrives.">' in head
    assert '<meta property="og:type" content="article">' in head
    assert '<meta property="og:title" content="Track your parcel">' in head
    assert f'<meta property="og:url" content="http://localhost{tree["track"].url}">' in head
    assert '<meta property="og:locale" content="en_US">' in head
    assert "article:modified_time" in head
    assert f'hreflang="tr" href="http://localhost{tree["track_tr"].url}"' in head
    assert f'hreflang="en" href="http://localhost{tree["track"].url}"' in head
    assert f'hreflang="x-default" href="http://localhost{tree["track"].url}"' in head


def test_language_switcher_goes_to_the_turkish_translation(client, tree):
    html = client.get(tree["track"].url).content.decode()
    switcher = html[html.index('class="language-switcher"') :]
    assert f'href="{tree["track_tr"].url}" hreflang="tr"' in switcher
    assert tree["track_tr"].url.startswith("/tr/")


def test_language_switcher_keeps_the_search_and_its_query(client, tree):
    html = client.get(tree["center"].url + "search/?q=parcel").content.decode()
    switcher = html[html.index('class="language-switcher"') :]
    assert f'href="{tree["center_tr"].url}search/?q=parcel" hreflang="tr"' in switcher


def test_sitemap_lists_both_languages_with_alternates(client, tree):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own sitemap, in a test
    entries = {
        url.find("s:loc", SITEMAP_NS).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", SITEMAP_NS)
        }
        for url in root.findall("s:url", SITEMAP_NS)
    }
    en = f"http://localhost{tree['track'].url}"
    tr = f"http://localhost{tree['track_tr'].url}"
    assert en in entries and tr in entries
    assert entries[en] == entries[tr] == {"en": en, "tr": tr, "x-default": en}
    # An article with no translation is listed, with no alternates.
    assert entries[f"http://localhost{tree['plain'].url}"] == {}
    # Both home pages and both help centers are there.
    assert f"http://localhost{tree['center_tr'].url}" in entries
    assert "http://localhost/" in entries and "http://localhost/tr/" in entries


def test_sitemap_leaves_out_drafts(client, tree):
    draft = article(tree["shipping"], "Coming soon", live=False)
    assert f"{draft.slug}/" not in client.get("/sitemap.xml").content.decode()


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
