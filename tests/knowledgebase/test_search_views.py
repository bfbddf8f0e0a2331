"""The search pages customers use, and the analytics report editors read."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from knowledgebase.models import SearchClick, SearchEvent
from tests.knowledgebase.factories import article, category, help_center, translate

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    center = help_center()
    returns = category(center, "Returns", icon="returns")
    policy = article(
        returns,
        "Return policy",
        summary="What you can send back, and within how many days.",
        text="<p>Most items can be sent back within 30 days of delivery.</p>",
    )
    gift = article(returns, "Gift cards", summary="Buying and spending gift cards.")
    help_center("tr")
    translate(returns, title="İadeler", slug="iadeler")
    iade = translate(policy, title="İade politikası", summary="Geri gönderme koşulları.")
    return {"center": center, "policy": policy, "gift": gift, "iade": iade}


def test_results_page_shows_highlighted_results_and_logs_the_search(client, tree):
    response = client.get("/help/search/", {"q": "Return policy"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>Return</mark>" in html and tree["policy"].url in html
    assert 'role="combobox"' in html and "knowledgebase/search.js" in html
    event = SearchEvent.objects.get()
    assert (event.query, event.results, event.source) == ("return policy", 1, "page")


def test_a_search_that_finds_nothing_says_so_links_to_contact_and_is_recorded(client, tree):
    response = client.get("/help/search/", {"q": "zzqxv"})
    html = response.content.decode()
    assert "No articles match your search" in html
    assert reverse("knowledgebase:contact") in html
    assert SearchEvent.objects.get().results == 0


def test_query_text_is_escaped_on_the_page(client, tree):
    response = client.get("/help/search/", {"q": "<img src=x onerror=alert(1)>"})
    assert b"<img src=x" not in response.content


def test_a_too_long_query_gets_a_message_not_an_error(client, tree):
    response = client.get("/help/search/", {"q": "x" * 500, "page": "abc"})
    assert response.status_code == 400
    assert "too long" in response.content.decode()
    assert not SearchEvent.objects.exists()


def test_turkish_results_page_shows_only_turkish_articles(client, tree):
    response = client.get("/tr/yardim/search/", {"q": "iade politikası"})
    html = response.content.decode()
    assert tree["iade"].url in html and tree["policy"].url not in html
    assert SearchEvent.objects.get().language == "tr"


def test_promotions_come_first_and_are_not_repeated(client, tree):
    from wagtail.contrib.search_promotions.models import Query, SearchPromotion

    SearchPromotion.objects.create(
        query=Query.get("gift"), page=tree["policy"], description="Read this first."
    )
    html = client.get("/help/search/", {"q": "Gift"}).content.decode()
    assert "Read this first." in html
    assert html.index(tree["policy"].url) < html.index(tree["gift"].url)
    assert html.count(f'href="{tree["policy"].url}"') == 1


def test_suggest_answers_the_contract(client, tree):
    data = client.get("/help-center/suggest/", {"q": "return pol"}).json()
    assert data == {
        "query": "return pol",
        "results": [
            {
                "id": tree["policy"].pk,
                "title": "Return policy",
                "summary": tree["policy"].summary,
                "url": tree["policy"].url,
            }
        ],
    }
    assert not SearchEvent.objects.exists()


def test_suggest_in_turkish_comes_from_the_url_prefix(client, tree):
    data = client.get("/tr/help-center/suggest/", {"q": "iade"}).json()
    assert [r["id"] for r in data["results"]] == [tree["iade"].pk]


def test_suggest_with_an_empty_or_too_long_query(client, tree):
    assert client.get("/help-center/suggest/", {"q": "  "}).json() == {"query": "", "results": []}
    response = client.get("/help-center/suggest/", {"q": "x" * 201})
    assert response.status_code == 400 and "q" in response.json()["errors"]


def test_suggest_logs_the_settled_query_with_its_source(client, tree):
    client.get("/help-center/suggest/", {"q": "gift", "log": "1"})
    client.get("/help-center/suggest/", {"q": "nothing here", "log": "1", "source": "contact"})
    assert sorted(SearchEvent.objects.values_list("query", "results", "source")) == [
        ("gift", 1, "suggest"),
        ("nothing here", 0, "contact"),
    ]


def test_clicks_are_recorded_once_for_results_and_suggestions(client, tree):
    client.get("/help/search/", {"q": "gift"})
    event = SearchEvent.objects.get()
    url = reverse("knowledgebase:search_click")
    assert client.post(url, {"e": event.pk, "a": tree["gift"].pk, "p": 1}).json() == {
        "recorded": True
    }
    assert client.post(url, {"e": event.pk, "a": tree["gift"].pk, "p": 1}).json() == {
        "recorded": False
    }
    client.post(url, {"q": "return", "a": tree["policy"].pk, "p": 1, "source": "suggest"})
    assert SearchClick.objects.count() == 2
    assert SearchEvent.objects.filter(source="suggest", query="return").count() == 1
    assert client.post(url, {"a": "x"}).status_code == 400


def test_search_analytics_for_editors_with_the_permission(client, tree, user_factory):
    from knowledgebase import search

    search.search_record(query="lost parcel", language="en", results=0, source="page")
    search.search_record(query="lost parcel", language="en", results=0, source="page")
    hit = search.search_record(query="gift", language="en", results=1, source="page")
    search.search_click_record(search_id=hit.pk, article_id=tree["gift"].pk, position=1)
    editor = user_factory(email="editor@example.com", password="pw-editor-123")
    client.force_login(editor)
    url = reverse("knowledgebase_search_report")
    assert client.get(url).status_code in (302, 403)
    group = Group.objects.create(name="Help editors")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_searchevent"),
    )
    editor.groups.add(group)
    response = client.get(url)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.searches, report.zero, report.clicked) == (3, 2, 1)
    assert [(r.query, r.searches) for r in report.no_results] == [("lost parcel", 2)]
    assert report.top[0].query == "lost parcel"
    assert [r.click_through for r in report.top if r.query == "gift"] == [1.0]
    assert "Help center" in client.get(reverse("wagtailadmin_home")).content.decode()
