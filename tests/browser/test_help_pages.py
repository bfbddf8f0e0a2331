"""The help center on a phone, in English and Turkish: index, category and article are
axe-core clean, FAQ answers open, and the language switcher keeps the reader on the same
article."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tree():
    from tests.knowledgebase.factories import article, category, help_center, translate

    center = help_center()
    shipping = category(center, "Shipping", icon="shipping", summary="Parcels and delivery.")
    category(center, "Returns", icon="returns", summary="Sending things back.")
    track = article(
        shipping,
        "Track your parcel",
        summary="Where your parcel is and when it arrives.",
        text="<p>Open the tracking page from any order email.</p>",
        steps=["Open Track an order", "Enter your order number and email"],
        callout="Tracking starts once the parcel ships.",
        faq=[("Where is my parcel?", "Open Track an order.")],
        tags=["tracking"],
    )
    article(shipping, "Shipping costs", tags=["tracking"])
    center_tr = help_center("tr")
    shipping_tr = translate(shipping, title="Kargo", summary="Paketler ve teslimat.")
    track_tr = translate(
        track,
        title="Kargonuzu takip edin",
        summary="Kargonuz nerede ve ne zaman gelir.",
        text="<p>Sipariş e-postasından takip sayfasını açın.</p>",
        steps=["Sipariş takibini açın", "Sipariş numaranızı girin"],
        faq=[("Kargom nerede?", "Sipariş takibini açın.")],
    )
    return center, shipping, track, center_tr, shipping_tr, track_tr


def test_help_pages_are_accessible_on_a_phone_in_both_languages(phone, axe, live_server):
    pages = _tree()
    names = ["index", "category", "article", "index-tr", "category-tr", "article-tr"]
    for name, page in zip(names, pages, strict=True):
        phone.goto(live_server.url + page.url)
        assert phone.locator("h1").first.inner_text().strip() == page.title
        axe(phone, f"help-{name}")
        # Nothing is wider than the phone.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    hosts = {url.split("/")[2] for url in phone.requested_urls if url.startswith("http")}
    assert hosts == {live_server.url.split("/")[2]}


def test_faq_answers_open_and_the_switcher_leads_to_the_translation(phone, live_server):
    _, _, track, _, _, track_tr = _tree()
    phone.goto(live_server.url + track.url)
    answer = phone.get_by_text("Open Track an order.", exact=True)
    assert not answer.is_visible()
    phone.get_by_text("Where is my parcel?").click()
    assert answer.is_visible()
    assert phone.locator("ol.kb-steps > li").count() == 2

    phone.locator(".language-switcher").get_by_role("link", name="Türkçe").click()
    phone.wait_for_url(live_server.url + track_tr.url)
    assert phone.locator("h1").inner_text().strip() == "Kargonuzu takip edin"
    assert phone.locator("html").get_attribute("lang") == "tr"
