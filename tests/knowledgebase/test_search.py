"""The help center's search service: what a customer types finds the right article."""

import pytest
from django.db import connection

from knowledgebase import search
from knowledgebase.models import SearchClick, SearchEvent
from tests.knowledgebase.factories import article, category, help_center, translate

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    center = help_center()
    shipping = category(center, "Shipping", icon="shipping")
    returns = category(center, "Returns", icon="returns")
    parcel = article(
        shipping,
        "Kargo takibi",
        summary="Follow your parcel from our warehouse to your door.",
        text="<p>Use the tracking number from your shipping email.</p>",
        faq=[("Why has my tracking not moved for days?", "Carriers scan at hubs only.")],
    )
    policy = article(
        returns,
        "Return policy",
        summary="What you can send back, and within how many days.",
        text="<p>Most items can be sent back within 30 days of delivery.</p>",
        tags=["refund"],
    )
    gift = article(
        returns,
        "Gift cards",
        summary="Buying and spending gift cards.",
        text="<p>Gift cards cannot be exchanged for cash.</p>",
    )
    draft = article(returns, "Returning a gift card", summary="Draft.", live=False)
    help_center("tr")
    shipping_tr = translate(shipping, title="Kargo")
    returns_tr = translate(returns, title="İadeler", slug="iadeler")
    iade = translate(
        policy,
        title="İade politikası",
        summary="Hangi ürünleri kaç gün içinde geri gönderebileceğiniz.",
        text="<p>Ürünlerin çoğunu teslimattan sonraki 30 gün içinde iade edebilirsiniz.</p>",
    )
    takip = translate(
        parcel,
        title="Kargo takibi",
        summary="Kargonuzu depodan kapınıza kadar izleyin.",
        text="<p>Kargo e-postanızdaki takip numarasını kullanın.</p>",
    )
    return {
        "parcel": parcel,
        "policy": policy,
        "gift": gift,
        "draft": draft,
        "iade": iade,
        "takip": takip,
        "tr": (shipping_tr, returns_tr),
    }


def titles(query, language="en"):
    return [hit.page.title for hit in search.search_articles(query=query, language=language).hits]


def test_finds_by_title_and_ranks_title_matches_first(tree):
    found = titles("return policy")
    assert found[0] == "Return policy"


def test_finds_by_body_text(tree):
    assert "Gift cards" in titles("exchanged cash")


def test_finds_by_faq_question(tree):
    assert titles("carriers hubs") == ["Kargo takibi"] or "Kargo takibi" in titles("hubs")
    assert "Kargo takibi" in titles("tracking not moved")


def test_finds_by_tag(tree):
    assert "Return policy" in titles("refund")


def test_only_live_articles_of_the_active_language(tree):
    found = search.search_articles(query="gift card", language="en")
    assert {h.page.pk for h in found.hits} == {tree["gift"].pk}
    turkish = search.search_articles(query="kargo", language="tr")
    assert [h.page.pk for h in turkish.hits] == [tree["takip"].pk]


def test_snippets_escape_everything_but_the_marks(tree):
    policy = tree["policy"]
    policy.summary = "Send <script>alert(1)</script> back within 30 days."
    policy.save_revision().publish()
    hit = search.search_articles(query="days", language="en").hits[0]
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>days</mark>" in hit.snippet


def test_an_empty_or_unknown_query_finds_nothing(tree):
    assert search.search_articles(query="   ", language="en").total == 0
    assert search.search_articles(query="zzqxv", language="en").total == 0


def test_a_query_too_long_is_refused(tree):
    with pytest.raises(search.QueryTooLong):
        search.search_articles(query="a" * 201, language="en")


def test_suggest_completes_the_last_word(tree):
    assert [p.title for p in search.suggest(query="return pol", language="en")] == ["Return policy"]


def test_a_recorded_search_keeps_its_result_count_and_clicks(tree):
    event = search.search_record(query="  Zebra  ", language="en", results=0, source="page")
    assert (event.query, event.results) == ("zebra", 0)
    assert search.search_click_record(search_id=event.pk, article_id=tree["gift"].pk, position=1)
    assert not search.search_click_record(
        search_id=event.pk, article_id=tree["gift"].pk, position=1
    )
    assert not search.search_click_record(
        search_id=event.pk, article_id=tree["draft"].pk, position=2
    )
    assert SearchClick.objects.count() == 1
    assert SearchEvent.objects.get().clicks.count() == 1


def test_promotions_come_from_wagtail_search_promotions(tree):
    from wagtail.contrib.search_promotions.models import Query, SearchPromotion

    SearchPromotion.objects.create(
        query=Query.get("money back"), page=tree["policy"], description="Our promise."
    )
    SearchPromotion.objects.create(query=Query.get("money back"), page=tree["iade"])
    promoted = search.promotions_for(query="Money  back", language="en")
    assert [(p.title, p.description) for p in promoted] == [("Return policy", "Our promise.")]


# --- PostgreSQL: typo tolerance and Turkish ---------------------------------------------

postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (stemming, trigram lexicon)"
)


@pytest.mark.services
@postgres
@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ("retrun polcy", "en", "Return policy"),
        ("kargo takbi", "en", "Kargo takibi"),
        ("kargo takbi", "tr", "Kargo takibi"),
        ("iadeler", "tr", "İade politikası"),
        ("IADE", "tr", "İade politikası"),
        ("iade", "tr", "İade politikası"),
        ("İADE POLİTİKASI", "tr", "İade politikası"),
        ("politik", "tr", "İade politikası"),
        ("polic", "en", "Return policy"),
        ("returns", "en", "Return policy"),
    ],
)
def test_typos_suffixes_and_prefixes_find_the_article(tree, query, language, expected):
    assert titles(query, language)[:1] == [expected]


@pytest.mark.services
@postgres
def test_a_corrected_word_is_reported_and_highlighted(tree):
    found = search.search_articles(query="retrun polcy", language="en")
    assert found.corrections == {"retrun": "return", "polcy": "policy"}
    assert "<mark>Return</mark>" in found.hits[0].title


@pytest.mark.services
@postgres
def test_articles_sharing_most_words_follow_the_one_sharing_all(tree):
    """A question in the customer's words rarely matches one article word for word: the
    article that shares every word comes first, those that share most of them follow."""
    shipping = tree["parcel"].get_parent()
    article(
        shipping,
        "Sign in with an emailed code",
        summary="No password to hand? Ask for a sign-in code by email.",
        text="<p>The code works once.</p>",
    )
    article(
        shipping,
        "Discount codes",
        summary="Get a discount code for your next order.",
        text="<p>Sign up for the newsletter to get a code.</p>",
    )
    found = titles("how do I get a code to sign in", "en")
    assert found[:2] == ["Discount codes", "Sign in with an emailed code"]


@pytest.mark.services
@postgres
def test_a_word_the_articles_use_in_another_form_is_not_corrected(tree):
    shipping = tree["parcel"].get_parent()
    article(shipping, "Exchange for another size", summary="Swap a size.", text="<p>Sizes.</p>")
    article(shipping, "Changing your address", summary="Move a delivery.", text="<p>Moving.</p>")
    found = search.search_articles(query="exchanging a size", language="en")
    assert "exchanging" not in found.corrections
    hits = [hit.page.title for hit in found.hits]
    assert hits[0] == "Exchange for another size"
    assert "Changing your address" not in hits
