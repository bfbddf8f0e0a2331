"""The contact page on a phone: typing a subject suggests an article, opening it is recorded
for the visit, and a sent request shows its reference; both pages axe-core clean, in English
and Turkish."""

import re

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _articles():
    from tests.knowledgebase.factories import article, category, help_center

    shipping = category(help_center(), "Shipping", icon="shipping")
    return article(
        shipping,
        "Track your parcel",
        summary="Where your parcel is and when it arrives.",
        text="<p>Open Track an order and enter your order number.</p>",
        tags=["tracking", "parcel"],
    )


def test_the_contact_form_suggests_an_article(phone, live_server, axe):
    from knowledgebase.models import SuggestionOpen

    art = _articles()
    phone.goto(live_server.url + "/contact/")
    axe(phone, "contact")
    phone.get_by_label("Subject").press_sequentially("Where is my parcel", delay=20)
    link = phone.get_by_role("link", name="Track your parcel")
    link.wait_for()
    assert re.search(r"help article", phone.locator("[data-suggestions-status]").inner_text())
    axe(phone, "contact-suggestions")
    link.click()
    phone.wait_for_url(re.compile(re.escape(art.url) + "$"))
    opened = None
    for _ in range(50):
        opened = SuggestionOpen.objects.filter(article=art).first()
        if opened:
            break
        phone.wait_for_timeout(100)
    assert opened is not None and opened.contact_request is None


def test_a_guest_sends_a_request_and_sees_the_reference(phone, live_server, axe):
    from django.core import mail

    from knowledgebase.models import ContactRequest

    phone.goto(live_server.url + "/contact/")
    phone.get_by_label("Subject").fill("Change my address")
    phone.get_by_label("Message").fill("Please send order #1001 to my office instead.")
    phone.get_by_label("Your email").fill("grace@example.com")
    phone.get_by_role("button", name="Send message").click()
    phone.wait_for_url(re.compile(r"/contact/sent/HC-[A-Z0-9]{6}/$"))
    request = ContactRequest.objects.get()
    assert request.reference in phone.locator("main").inner_text()
    assert any(request.reference in m.subject for m in mail.outbox)
    axe(phone, "contact-sent")


def test_turkish_contact_page_is_clean(phone, live_server, axe):
    phone.goto(live_server.url + "/tr/contact/")
    assert phone.locator("html").get_attribute("lang") == "tr"
    axe(phone, "contact-tr")
    phone.get_by_role("button").last.click()  # empty form: errors, not a crash
    phone.locator(".notice--problem").wait_for()
    axe(phone, "contact-tr-errors")
