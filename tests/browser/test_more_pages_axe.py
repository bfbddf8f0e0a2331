"""The public pages no other browser test checks, on a phone: each is axe-core clean (no
serious or critical violations) and shows what its visitor relies on: the heading, the
field or link to go on with, the language of the page."""

import re

import pytest
from django.core import mail

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "correct horse battery"  # UserFactory's
NEW_PASSWORD = "a-long-Unusual-passphrase-42"

# (name, path, status, lang, h1, what the visitor goes on with: (role, accessible name))
PAGES_WITHOUT_SETUP = [
    ("inactive", "/accounts/inactive/", 200, "en", "Account Inactive", None),
    (
        "password-reset-key-bad",
        "/accounts/password/reset/key/1-not-a-real-key/",
        200,
        "en",
        "Bad Token",
        ("link", "new password reset"),
    ),
    (
        "password-reset-key-done",
        "/accounts/password/reset/key/done/",
        200,
        "en",
        "Change Password",
        None,
    ),
    (
        "track-link-bad",
        "/track/o/not-a-real-token/",
        404,
        "en",
        "This tracking link doesn't work",
        ("link", "Look up your order"),
    ),
    (
        "return-link-bad",
        "/returns/link/not-a-real-token/",
        404,
        "en",
        "This link doesn't work",
        ("link", "Find your order"),
    ),
    (
        "points-emails-off-bad",
        "/rewards/emails-off/not-a-real-token/",
        404,
        "en",
        "Points emails",
        None,
    ),
    (
        "not-found-tr",
        "/tr/no-such-page/",
        404,
        "tr",
        "Bu sayfayı bulamadık",
        ("link", "Ana sayfaya git"),
    ),
    ("signup-tr", "/tr/accounts/signup/", 200, "tr", "Üye Ol", ("textbox", "E-posta")),
    (
        "password-reset-tr",
        "/tr/accounts/password/reset/",
        200,
        "tr",
        "Parola sıfırlama",
        ("textbox", "E-posta"),
    ),
]


@pytest.mark.parametrize(("name", "path", "status", "lang", "h1", "control"), PAGES_WITHOUT_SETUP)
def test_page_is_accessible(phone, live_server, axe, name, path, status, lang, h1, control):
    response = phone.goto(live_server.url + path)
    assert response.status == status
    assert phone.locator("html").get_attribute("lang") == lang
    assert phone.locator("h1").all_inner_texts() == [h1]
    if control:
        role, label = control
        assert phone.get_by_role(role, name=label).first.is_visible()
    axe(phone, name)


def test_login_code_confirm_page(phone, live_server, axe):
    from tests.portal.factories import UserFactory

    UserFactory(email="ada@example.com")
    mail.outbox = []
    phone.goto(live_server.url + "/accounts/login/code/")
    phone.get_by_label("Email").fill("ada@example.com")
    phone.locator("main").get_by_role("button").click()
    phone.wait_for_url(re.compile(r"/accounts/login/code/confirm/$"))
    assert phone.locator("h1").count() == 1
    code_field = phone.get_by_label("Code")
    assert code_field.is_visible()
    axe(phone, "login-code-confirm")

    assert len(mail.outbox) == 1, "the sign-in code was not emailed"
    print(mail.outbox[0].body)
