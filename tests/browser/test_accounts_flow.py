"""What a customer clicks: sign up, verify by email, sign in, switch language."""

import re

import pytest
from django.core import mail

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a-long-Unusual-passphrase-42"


def test_sign_up_verify_email_log_in_and_see_the_account_page(phone, live_server, axe):
    mail.outbox = []
    phone.goto(live_server.url + "/")
    phone.get_by_role("link", name="Create account").click()
    phone.get_by_label("Email").fill("lin@example.com")
    phone.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    phone.get_by_label(re.compile(r"^Password \(again\):?$")).fill(PASSWORD)
    phone.get_by_role("button", name="Sign Up").click()
    phone.get_by_role("heading", name="Verify Your Email Address").wait_for()
    axe(phone, "verification-sent")

    assert len(mail.outbox) == 1, "the verification email was not sent"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    phone.goto(live_server.url + path)
    axe(phone, "confirm-email")
    phone.get_by_role("button", name="Confirm").click()

    phone.get_by_role("heading", name="My account").wait_for()
    assert phone.get_by_text("lin@example.com").first.is_visible()
    assert phone.get_by_text("Verified").is_visible()
    axe(phone, "account")

    # Sign out, then back in with the password.
    phone.get_by_role("link", name="Sign out").click()
    phone.get_by_role("button", name="Sign Out").click()
    phone.get_by_role("link", name="Sign in").click()
    phone.get_by_label("Email").fill("lin@example.com")
    phone.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()
    phone.get_by_role("heading", name="My account").wait_for()


def test_language_switch_goes_to_the_same_page_in_turkish_and_back(phone, live_server, axe):
    from portal.demo import seed_pages

    seed_pages()
    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_role("navigation", name="Language").get_by_role("link", name="Türkçe").click()
    phone.wait_for_url(re.compile(r"/tr/accounts/login/$"))
    assert phone.locator("html").get_attribute("lang") == "tr"
    assert phone.get_by_role("link", name="Hesap oluştur").is_visible()

    phone.goto(live_server.url + "/tr/")
    assert phone.get_by_role("heading", name="Size nasıl yardımcı olabiliriz?").is_visible()
    phone.get_by_role("navigation", name="Dil").get_by_role("link", name="English").click()
    phone.wait_for_url(re.compile(r"/$"))
    assert phone.locator("html").get_attribute("lang") == "en"
