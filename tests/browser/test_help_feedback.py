"""An article's "Was this helpful?" on a phone: a No opens the comment box without a reload,
the comment is kept, the view is counted; the page stays axe-core clean."""

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _article():
    from tests.knowledgebase.factories import article, category, help_center

    shipping = category(help_center(), "Shipping", icon="shipping")
    return article(
        shipping,
        "Track your parcel",
        summary="Where your order is and when it arrives.",
        text="<p>Open Track an order and enter your order number.</p>",
    )


def test_a_helpful_vote_without_a_reload(phone, live_server, axe):
    from knowledgebase.models import ArticleViewDay, ArticleVote

    art = _article()
    phone.goto(live_server.url + art.url)
    widget = phone.locator("#article-feedback")
    widget.scroll_into_view_if_needed()
    # The script hides the comment box until a No.
    comment = phone.get_by_label("What was missing? (optional)")
    assert not comment.is_visible()
    # The script has run: it hides the comment box until a No.
    phone.wait_for_function("document.querySelector('[data-feedback-comment]').hidden === true")
    axe(phone, "help-article-feedback")

    widget.get_by_role("button", name="Yes", exact=True).click()
    status = widget.get_by_role("status")
    status.filter(has_text="Thank you for your feedback.").wait_for()
    assert (
        widget.get_by_role("button", name="Yes", exact=True).get_attribute("aria-pressed") == "true"
    )
    vote = ArticleVote.objects.get(article=art)
    assert vote.helpful is True

    # Changing one's mind: a No, then a comment, still one vote.
    url_before = phone.url
    widget.get_by_role("button", name="No", exact=True).click()
    comment.wait_for(state="visible")
    comment.fill("Which carriers do you use?")
    widget.get_by_role("button", name="Send comment").click()
    status.filter(has_text="We read every comment").wait_for()
    assert phone.url == url_before  # no reload
    vote = ArticleVote.objects.get(article=art)
    assert vote.helpful is False and vote.comment == "Which carriers do you use?"
    assert ArticleViewDay.objects.get(article=art).views == 1
    axe(phone, "help-article-feedback-after-no")


def test_the_vote_works_without_javascript(chromium, live_server, migrated_db):
    from knowledgebase.models import ArticleVote

    art = _article()
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + art.url)
        page.get_by_role("button", name="Yes", exact=True).click()
        page.get_by_text("Thank you for your feedback.").wait_for()
        assert ArticleVote.objects.get(article=art).helpful is True
    finally:
        context.close()
