"""Article feedback: one vote per visitor and article (changeable), views counted per day,
the widget's form and JSON paths, and the admin report."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from knowledgebase import feedback
from knowledgebase.models import ArticleViewDay, ArticleVote
from tests.knowledgebase.factories import article, category, help_center

pytestmark = pytest.mark.django_db


@pytest.fixture
def art():
    return article(category(help_center(), "Shipping"), "Track your parcel")


@pytest.fixture
def draft():
    return article(category(help_center(), "Returns"), "Draft article", live=False)


def _vote(client, art, helpful, comment="", json=True):
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        reverse("knowledgebase:article_vote", args=[art.pk]),
        {"helpful": helpful, "comment": comment},
        headers=headers,
    )


# --- Services ----------------------------------------------------------------------------


def test_a_visitor_voting_twice_has_one_vote_the_latest(art):
    feedback.vote_record(article_id=art.pk, visitor="v" * 20, helpful=False, comment="Too short")
    feedback.vote_record(article_id=art.pk, visitor="v" * 20, helpful=True)
    vote = ArticleVote.objects.get()
    assert vote.helpful is True
    assert vote.comment == ""  # a "yes" clears the earlier complaint


def test_two_visitors_are_two_votes(art):
    feedback.vote_record(article_id=art.pk, visitor="a" * 20, helpful=True)
    feedback.vote_record(article_id=art.pk, visitor="b" * 20, helpful=False)
    assert ArticleVote.objects.count() == 2


def test_a_draft_article_takes_no_vote_and_no_view(draft):
    with pytest.raises(feedback.ArticleUnavailable):
        feedback.vote_record(article_id=draft.pk, visitor="v" * 20, helpful=True)
    with pytest.raises(feedback.ArticleUnavailable):
        feedback.view_record(article_id=draft.pk)
    assert not ArticleVote.objects.exists() and not ArticleViewDay.objects.exists()


def test_views_add_up_per_day(art):
    today = timezone.localdate()
    for _ in range(3):
        feedback.view_record(article_id=art.pk)
    assert feedback.view_record(article_id=art.pk, day=today - timedelta(days=1)) == 1
    assert ArticleViewDay.objects.get(day=today).views == 3


# --- Views -------------------------------------------------------------------------------


def test_guest_vote_is_counted_once_and_changeable(client, art):
    response = _vote(client, art, "no")
    assert response.status_code == 200 and response.json()["ok"]
    cookie = response.cookies[feedback.VISITOR_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 364 * 24 * 3600
    _vote(client, art, "no", comment="It does not say how long delivery takes.")
    _vote(client, art, "yes")
    _vote(client, art, "yes")
    vote = ArticleVote.objects.get()
    assert vote.helpful is True
    # Nothing about the guest but the random id of their cookie.
    assert vote.visitor == cookie.value and "@" not in vote.visitor


def test_comment_on_no_is_kept(client, art):
    _vote(client, art, "no")
    _vote(client, art, "no", comment="Missing the carrier list.")
    assert ArticleVote.objects.get().comment == "Missing the carrier list."


def test_signed_in_customer_vote_follows_them(client, art, verified_user):
    client.force_login(verified_user)
    _vote(client, art, "yes")
    client.cookies.clear()
    client.force_login(verified_user)
    _vote(client, art, "no")
    vote = ArticleVote.objects.get()
    assert vote.visitor == f"u{verified_user.pk}" and vote.helpful is False


def test_without_js_the_form_returns_to_the_article_with_thanks(client, art):
    response = _vote(client, art, "yes", json=False)
    assert response.status_code == 302
    assert response["Location"].startswith(art.url)
    page = client.get(response["Location"])
    if page.status_code == 200:  # the article template arrives with another part
        assert "Thank you for your feedback." in page.content.decode()
    assert ArticleVote.objects.get().helpful is True


def test_a_vote_needs_no_page_token_and_counts_as_a_new_guest(art, verified_user):
    """Guests read a kept copy of the article, which carries no per-visitor token. A vote
    posted without one (as another site's form would be, without the SameSite=Lax cookies)
    is a new anonymous visitor's vote, never a signed-in customer's."""
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        reverse("knowledgebase:article_vote", args=[art.pk]), {"helpful": "yes"}
    )
    assert response.status_code == 302
    vote = ArticleVote.objects.get()
    assert vote.helpful is True
    assert not vote.visitor.startswith("u")
    assert response.cookies[feedback.VISITOR_COOKIE]["samesite"] == "Lax"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"helpful": "maybe"}, "helpful"),
        ({}, "helpful"),
        ({"helpful": "no", "comment": "x" * 2001}, "comment"),
    ],
)
def test_bad_votes_get_a_json_error_naming_the_field(client, art, data, field):
    response = client.post(
        reverse("knowledgebase:article_vote", args=[art.pk]),
        data,
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ArticleVote.objects.exists()


def test_votes_for_drafts_and_unknown_articles_are_refused(client, draft):
    for article_id in (draft.pk, 987654, 99999999999999999999):
        response = client.post(
            reverse("knowledgebase:article_vote", args=[article_id]),
            {"helpful": "yes"},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 400
        assert "article" in response.json()["errors"]
        response = client.post(reverse("knowledgebase:article_view", args=[article_id]))
        assert response.status_code == 404
    assert not ArticleVote.objects.exists()


def test_view_beacon_counts_and_hands_back_the_earlier_vote(client, art):
    from django.test import Client

    beacon = Client(enforce_csrf_checks=True)
    url = reverse("knowledgebase:article_view", args=[art.pk])
    first = beacon.post(url, headers={"Accept": "application/json"})
    assert first.status_code == 200 and first.json()["vote"] is None
    # The page that came out of a cache learns the visitor's vote from the beacon.
    vote = beacon.post(
        reverse("knowledgebase:article_vote", args=[art.pk]),
        {"helpful": "no"},
        headers={"Accept": "application/json"},
    )
    assert vote.status_code == 200
    assert beacon.post(url).json()["vote"] == "no"
    assert ArticleViewDay.objects.get(article=art).views == 2


def test_turkish_vote_is_stored_with_its_language(client, art):
    response = client.post(
        "/tr" + reverse("knowledgebase:article_vote", args=[art.pk]),
        {"helpful": "yes"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert ArticleVote.objects.get().language == "tr"


def test_widget_renders_a_working_form(rf, art):
    from django.template.loader import render_to_string

    html = render_to_string(
        "knowledgebase/includes/article_feedback.html", {"article": art}, request=rf.get("/")
    )
    assert reverse("knowledgebase:article_vote", args=[art.pk]) in html
    assert reverse("knowledgebase:article_view", args=[art.pk]) in html
    assert "csrfmiddlewaretoken" not in html  # nothing per visitor: the page can be kept
    assert 'value="yes"' in html and 'value="no"' in html


# --- Report ------------------------------------------------------------------------------


def test_report_ranks_articles_by_helpfulness_with_views(art):
    other = article(category(help_center(), "Payments"), "Pay by card")
    for n in range(3):
        feedback.vote_record(article_id=art.pk, visitor=f"visitor-{n:02d}-xx", helpful=True)
    feedback.vote_record(
        article_id=other.pk, visitor="visitor-x-123", helpful=False, comment="Which cards?"
    )
    feedback.vote_record(article_id=other.pk, visitor="visitor-y-123", helpful=True)
    feedback.view_record(article_id=art.pk)
    today = timezone.localdate()
    rows = feedback.article_report(start=today - timedelta(days=7), end=today)
    assert [(r.title, r.yes, r.no) for r in rows] == [
        ("Pay by card", 1, 1),
        ("Track your parcel", 3, 0),
    ]
    assert rows[0].helpful_share == 0.5 and rows[1].views == 1
    assert [v.comment for v in feedback.no_comments(start=today, end=today)] == ["Which cards?"]
    trend = feedback.weekly_trend(start=today - timedelta(days=20), end=today)
    assert sum(w.yes for w in trend) == 4 and sum(w.views for w in trend) == 1
    assert len(trend) >= 3


def test_admin_report_needs_the_permission(client, art, user_factory):
    from django.contrib.auth.models import Group, Permission

    url = reverse("knowledgebase_feedback_report")
    editor = user_factory(email="editor@example.com")
    group = Group.objects.create(name="Report readers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(group)
    client.force_login(editor)
    assert client.get(url).status_code in (302, 403)
    group.permissions.add(Permission.objects.get(codename="view_articlevote"))
    feedback.vote_record(article_id=art.pk, visitor="v" * 20, helpful=False, comment="Hm")
    response = client.get(url, {"start": "2000-01-01", "end": "2100-01-01"})
    assert response.status_code == 200  # a too-long range is refused, not an error
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Track your parcel" in body and "Hm" in body
    assert client.get(url, {"start": "nonsense", "end": "2024-13-45"}).status_code == 200
