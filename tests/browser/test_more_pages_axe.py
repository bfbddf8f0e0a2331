"""The public pages no other browser test checks, on a phone: each is axe-core clean (no
serious or critical violations) and shows what its visitor relies on: the heading, the
field or link to go on with, the language of the page.

Each test walks several pages on one database (a browser test's database costs seconds
to restore); every page is a subtest, so one page's violation does not hide the next."""

import re

import pytest
from django.core import mail

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NEW_PASSWORD = "a-long-Unusual-passphrase-42"

# Pages a visitor opens from a link or by mistake, with nothing to set up:
# (name, path, status, <html lang>, the h1, what the visitor reads or goes on with: a text,
# or an element's role and accessible name).
PAGES_WITHOUT_SETUP = [
    (
        "inactive",
        "/accounts/inactive/",
        200,
        "en",
        "Account Inactive",
        ("text", "This account is inactive."),
    ),
    (
        "password-reset-key-done",
        "/accounts/password/reset/key/done/",
        200,
        "en",
        "Change Password",
        ("text", "Your password is now changed."),
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
        ("text", "This link is not valid."),
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
        "Şifre sıfırlama",
        ("textbox", "E-posta"),
    ),
]


def _h1(phone) -> list[str]:
    return [text.strip() for text in phone.locator("h1").all_inner_texts()]


def test_pages_reached_by_a_link_or_by_mistake(phone, live_server, axe, subtests):
    from loyalty import services
    from loyalty.models import Account
    from loyalty.notifications import unsubscribe_token
    from tests.portal.factories import UserFactory

    for name, path, status, lang, h1, control in PAGES_WITHOUT_SETUP:
        with subtests.test(msg=name):
            response = phone.goto(live_server.url + path)
            assert response.status == status
            assert phone.locator("html").get_attribute("lang") == lang
            assert _h1(phone) == [h1]
            role, label = control
            if role == "text":
                assert phone.get_by_text(label).is_visible()
            else:
                assert phone.get_by_role(role, name=label).is_visible()
            axe(phone, name)

    # The link in every points email: asks first, then says it is done.
    account = services.member_join(user=UserFactory(email="mira@example.com"))
    with subtests.test(msg="points-emails-off"):
        phone.goto(live_server.url + f"/rewards/emails-off/{unsubscribe_token(account.pk)}/")
        assert _h1(phone) == ["Points emails"]
        axe(phone, "points-emails-off")
        phone.get_by_role("button", name="Turn off points emails").click()
        phone.get_by_role("status").filter(has_text="We will no longer email you").wait_for()
        assert not Account.objects.get(pk=account.pk).points_emails
        axe(phone, "points-emails-off-done")


def test_the_server_error_page_in_both_languages(phone, live_server, axe, subtests, monkeypatch):
    """handler500 (portal.views.server_error) as the live server serves it when a view
    raises: the order lookup's view is made to fail for this test."""
    import orders.views

    def broken(*args, **kwargs):
        raise RuntimeError("a failure the 500 page must cover")

    monkeypatch.setattr(orders.views, "render", broken)
    for name, path, lang, h1, home in [
        (
            "server-error",
            "/track/",
            "en",
            "Something went wrong on our side",
            "Go to the home page",
        ),
        (
            "server-error-tr",
            "/tr/track/",
            "tr",
            "Bizim tarafımızda bir sorun oluştu",
            "Ana sayfaya git",
        ),
    ]:
        with subtests.test(msg=name):
            response = phone.goto(live_server.url + path)
            assert response.status == 500
            assert phone.locator("html").get_attribute("lang") == lang
            assert _h1(phone) == [h1]
            assert phone.get_by_role("link", name=home).is_visible()
            axe(phone, name)


def test_a_customer_resets_the_password_uses_the_account_and_signs_in_with_a_code(
    phone, live_server, axe, subtests
):
    from orders.models import ShipmentStatus
    from tests.orders.factories import (
        CustomerFactory,
        OrderFactory,
        OrderLineFactory,
        ShipmentFactory,
        ShipmentLineFactory,
    )
    from tests.portal.factories import UserFactory

    UserFactory(email="ada@example.com")  # verified
    order = OrderFactory(number="#7001", customer=CustomerFactory(email="ada@example.com"))
    line = OrderLineFactory(order=order, title="Linen shirt")
    shipment = ShipmentFactory(order=order, status=ShipmentStatus.OUT_FOR_DELIVERY)
    ShipmentLineFactory(shipment=shipment, line=line)
    mail.outbox = []

    # Forgot the password: the "sent" page, the link from the email, a new password.
    phone.goto(live_server.url + "/accounts/password/reset/")
    phone.get_by_label("Email").fill("ada@example.com")
    phone.get_by_role("button", name="Reset My Password").click()
    phone.wait_for_url(re.compile(r"/accounts/password/reset/done/$"))
    with subtests.test(msg="password-reset-done"):
        assert _h1(phone) == ["Password Reset"]
        assert phone.get_by_text("We have sent you an email").is_visible()
        axe(phone, "password-reset-done")

    assert len(mail.outbox) == 1, "the password reset email was not sent"
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body)
    key_path = re.sub(r"^https?://[^/]+", "", link.group(0))
    phone.goto(live_server.url + key_path)
    # allauth keeps the key in the session and shows the form at a URL without it.
    phone.wait_for_url(re.compile(r"/accounts/password/reset/key/[^/]+-set-password/$"))
    with subtests.test(msg="password-reset-key"):
        assert _h1(phone) == ["Change Password"]
        axe(phone, "password-reset-key")
    phone.get_by_label(re.compile(r"^New Password:?$")).fill(NEW_PASSWORD)
    phone.get_by_label(re.compile(r"^New Password \(again\):?$")).fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Change Password").click()
    phone.get_by_role("heading", name="My account").wait_for()  # signed in

    # The same link again: a bad key now, and the way to a new one.
    phone.goto(live_server.url + key_path)
    with subtests.test(msg="password-reset-key-bad"):
        assert _h1(phone) == ["Bad Token"]
        assert phone.get_by_role("link", name="new password reset").is_visible()
        axe(phone, "password-reset-key-bad")

    # Signed in, with a verified email that has an order.
    phone.goto(live_server.url + "/account/orders/")
    with subtests.test(msg="orders"):
        assert _h1(phone) == ["Your orders"]
        assert phone.get_by_text("Out for delivery").first.is_visible()
        axe(phone, "orders")
    phone.get_by_role("link", name="Order #7001").click()
    phone.wait_for_url(re.compile(r"/account/orders/7001/$"))
    with subtests.test(msg="order"):
        assert _h1(phone) == ["Order #7001"]
        assert phone.get_by_text("Linen shirt").first.is_visible()
        assert phone.get_by_text(shipment.tracking_number).first.is_visible()
        axe(phone, "order")

    phone.goto(live_server.url + "/accounts/email/")
    with subtests.test(msg="email"):
        assert _h1(phone) == ["Email Addresses"]
        assert phone.get_by_text("ada@example.com").first.is_visible()
        assert phone.get_by_text("Verified").first.is_visible()
        assert phone.get_by_role("textbox", name="Email").is_visible()  # add another
        axe(phone, "email")

    phone.goto(live_server.url + "/accounts/password/change/")
    with subtests.test(msg="password-change"):
        assert _h1(phone) == ["Change Password"]
        assert phone.get_by_label(re.compile(r"^Current Password:?$")).is_visible()
        assert phone.get_by_label(re.compile(r"^New Password:?$")).is_visible()
        axe(phone, "password-change")

    phone.goto(live_server.url + "/accounts/logout/")
    with subtests.test(msg="logout"):
        assert _h1(phone) == ["Sign Out"]
        axe(phone, "logout")
    phone.locator("main").get_by_role("button", name="Sign Out").click()
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").wait_for()

    # Back in with a code from the email instead of the password.
    mail.outbox = []
    phone.goto(live_server.url + "/accounts/login/code/")
    phone.get_by_label("Email").fill("ada@example.com")
    phone.locator("main").get_by_role("button").click()
    phone.wait_for_url(re.compile(r"/accounts/login/code/confirm/$"))
    with subtests.test(msg="login-code-confirm"):
        assert _h1(phone) == ["Enter Sign-In Code"]
        assert phone.get_by_label(re.compile(r"^Code:?$")).is_visible()
        axe(phone, "login-code-confirm")
    assert len(mail.outbox) == 1, "the sign-in code was not emailed"
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", mail.outbox[0].body, re.M).group(1)
    phone.get_by_label(re.compile(r"^Code:?$")).fill(code)
    phone.locator("main").get_by_role("button", name="Confirm").click()
    phone.get_by_role("heading", name="My account").wait_for()
