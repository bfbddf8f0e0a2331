"""The help center's pages as a customer reads them: index, category, article."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from knowledgebase import selectors
from tests.knowledgebase.factories import article, category, help_center, translate

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    center = help_center()
    shipping = category(center, "Shipping", icon="shipping", summary="Parcels and delivery.")
    returns = category(center, "Returns", icon="returns")
    track = article(
        shipping,
        "Track your parcel",
        summary="Where your parcel is and when it arrives.",
        text="<p>Open the tracking page.</p>",
        steps=["Open Track an order", "Enter your order number"],
        callout="Tracking starts once the parcel ships.",
        faq=[("Where is my parcel?", "Open Track an order.")],
        tags=["tracking", "delivery"],
    )
    late = article(shipping, "Late deliveries", tags=["delivery"])
    costs = article(shipping, "Shipping costs")
    refund = article(returns, "Refund times", tags=["tracking"])
    return {
        "center": center,
        "shipping": shipping,
        "returns": returns,
        "track": track,
        "late": late,
        "costs": costs,
        "refund": refund,
    }


def test_index_shows_categories_with_icon_summary_and_article_count(client, tree):
    html = client.get(tree["center"].url).content.decode()
    assert 'class="kb-icon"' in html
    shipping = html.index("Shipping")
    assert "Parcels and delivery." in html
    assert "3 articles" in html and "1 article" in html
    # The tree's order: Shipping was added before Returns.
    assert shipping < html.index(">Returns<")
    assert "Popular articles" in html


def test_index_counts_only_live_articles(client, tree):
    article(tree["returns"], "Draft article", live=False)
    html = client.get(tree["center"].url).content.decode()
    assert "1 article<" in html.replace("\n", "").replace("  ", "") or "1 article" in html
    assert "Draft article" not in html


def test_category_lists_its_live_articles_in_tree_order(client, tree):
    article(tree["shipping"], "Unpublished one", live=False)
    html = client.get(tree["shipping"].url).content.decode()
    titles = re.findall(r'class="kb-card__title">([^<]+)<', html)
    assert titles == ["Track your parcel", "Late deliveries", "Shipping costs"]
    assert 'aria-label="Breadcrumb"' in html


def test_article_renders_every_block_and_last_updated(client, tree):
    page = tree["track"]
    html = client.get(page.url).content.decode()
    assert "Track your parcel" in html and "Where your parcel is and when it arrives." in html
    assert '<ol class="kb-steps">' in html and "Enter your order number" in html
    assert "kb-callout--note" in html
    assert "<details" in html and "<summary" in html and "Where is my parcel?" in html
    assert "Last updated" in html
    assert 'class="badge">tracking<' in html
    assert page.last_published_at.strftime("%Y") in html


def test_last_updated_date_is_written_in_the_turkish_way(client, tree):
    help_center("tr")
    shipping_tr = translate(tree["shipping"], title="Kargo")
    page_tr = translate(tree["track"], title="Kargonuzu takip edin", summary="Kargo nerede.")
    html = client.get(page_tr.url).content.decode()
    assert "Son güncelleme" in html or "Last updated" in html  # translated by the lead later
    with translation.override("tr"):
        from django.utils.formats import date_format

        expected = date_format(page_tr.last_published_at, "DATE_FORMAT")
    assert expected in html
    assert shipping_tr.url in html  # the breadcrumb leads to the Turkish category


def test_related_articles_prefer_shared_tags_then_the_same_category(tree):
    related = [item["title"] for item in selectors.related_articles(tree["track"], limit=3)]
    # "Late deliveries" shares "delivery", "Refund times" shares "tracking": both first,
    # then the same category fills the list.
    assert set(related[:2]) == {"Late deliveries", "Refund times"}
    assert related[2] == "Shipping costs"


def test_related_articles_chosen_by_an_editor_win(client, tree):
    from knowledgebase.models import RelatedArticle

    page = tree["track"]
    RelatedArticle.objects.create(source=page, article=tree["costs"], sort_order=0)
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    section = html[html.index("Related articles") :]
    assert "Shipping costs" in section and "Late deliveries" not in section


def test_related_articles_cost_a_fixed_number_of_queries(tree):
    selectors.related_articles(tree["track"], cached=False)  # the site's root paths
    with CaptureQueriesContext(connection) as few:
        selectors.related_articles(tree["track"], cached=False)
    for i in range(10):
        article(tree["returns"], f"Even more {i}", tags=["tracking"])
    with CaptureQueriesContext(connection) as many:
        selectors.related_articles(tree["track"], cached=False)
    # Chosen links, the article's tags, the tag matches, the same category: at most four,
    # however many articles there are.
    assert len(few) <= 4 and len(many) <= 4


def test_index_lists_cost_a_fixed_number_of_queries(tree):
    def measure():
        # Once to warm Wagtail's own caches (site root paths), then counted.
        for _ in range(2):
            selectors.help_forget()
            with CaptureQueriesContext(connection) as queries:
                selectors.categories_with_counts(tree["center"])
                selectors.popular_articles(tree["center"])
        return len(queries)

    few = measure()
    for i in range(6):
        article(tree["returns"], f"Another {i}")
    assert measure() == few <= 4


def test_popular_articles_are_the_most_read(tree):
    from django.utils import timezone

    from knowledgebase.models import ArticleViewDay

    ArticleViewDay.objects.create(article=tree["costs"], day=timezone.localdate(), views=50)
    ArticleViewDay.objects.create(article=tree["refund"], day=timezone.localdate(), views=20)
    popular = [item["title"] for item in selectors.popular_articles(tree["center"], limit=3)]
    assert popular[:2] == ["Shipping costs", "Refund times"]
    assert len(popular) == 3


def test_a_publish_shows_on_the_next_request(client, tree):
    page = tree["track"]
    assert "Open the tracking page." in client.get(page.url).content.decode()
    client.get(tree["center"].url)  # caches the counts
    page.body = [("text", "<p>Brand new instructions.</p>")]
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "Brand new instructions." in html and "Open the tracking page." not in html
    # And pages that show it elsewhere: a new article counts at once on the index.
    article(tree["returns"], "Exchanges")
    assert "2 articles" in client.get(tree["center"].url).content.decode()


def test_unpublishing_removes_it_from_lists_at_once(client, tree):
    client.get(tree["shipping"].url)
    tree["costs"].unpublish()
    assert "Shipping costs" not in client.get(tree["shipping"].url).content.decode()
    assert client.get(tree["costs"].url).status_code == 404


def test_a_cached_article_page_costs_few_queries(client, tree):
    page = tree["track"]
    client.get(page.url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page.url).status_code == 200
    # Only Wagtail's routing (the site, the locale, a query per path segment, the alias
    # and view-restriction checks), the branding setting and the language switcher's
    # translations: body, related articles, breadcrumbs and JSON-LD come from the cache.
    assert not [q for q in queries if "taggit" in q["sql"] or "relatedarticle" in q["sql"]]
    assert len(queries) <= 14, "\n".join(q["sql"][:150] for q in queries)


def test_video_block_without_network_still_renders_a_link(client, tree):
    page = tree["costs"]
    page.body = [("video", {"video": "https://www.youtube.com/watch?v=abc", "caption": "How"})]
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "https://www.youtube.com/watch?v=abc" in html
    assert "How" in html


def test_help_center_entrance_redirects_to_the_live_index(client, tree):
    response = client.get("/help-center/")
    assert response.status_code == 302 and response["Location"] == tree["center"].url
