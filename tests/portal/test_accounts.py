import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Unusual-passphrase-42"


def _signup(client, email, prefix=""):
    return client.post(
        f"{prefix}/accounts/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def _link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/\S*/accounts/confirm-email/\S+/)", message.body)
    if match is None:
        match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_sends_a_verification_email_and_login_waits_for_it(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client, "New.Customer@Example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    user = get_user_model().objects.get(email__iexact="new.customer@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert "confirm" in mail.outbox[0].subject.lower()

    # Until the address is verified, a correct password does not sign the customer in.
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "new.customer@example.com", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")


def test_confirmation_link_verifies_and_opens_the_account_page(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client, "grace@example.com")
    link = _link_in(mail.outbox[0])

    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="grace@example.com").verified

    page = client.get(reverse("account_dashboard"))
    assert page.status_code == 200
    assert "grace@example.com" in page.content.decode()
    assert "Verified" in page.content.decode()


def test_email_is_the_login_in_any_case(client, verified_user):
    response = client.post(
        "/accounts/login/", {"login": "ADA@Example.COM", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(verified_user.pk)


def test_the_same_email_cannot_sign_up_twice_in_another_case(client, verified_user):
    _signup(client, "Ada@Example.com")
    assert get_user_model().objects.filter(email__iexact="ada@example.com").count() == 1


def test_login_by_emailed_code(client, verified_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"email": "ada@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    code = re.search(r"^\s*([A-Z]{4}-[A-Z]{4})\s*$", mail.outbox[0].body, re.MULTILINE).group(1)

    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(verified_user.pk)


def test_a_wrong_code_is_refused_with_a_message(
    client, verified_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"email": "ada@example.com"})
    response = client.post(response["Location"], {"code": "WRONG1"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Incorrect code" in response.content.decode()


def test_password_reset_emails_a_link_that_sets_a_new_password(
    client, verified_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link.group(1)
    new = "another-Long-passphrase-77"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    verified_user.refresh_from_db()
    assert verified_user.check_password(new)


def test_signing_up_in_turkish_remembers_the_language_and_writes_in_turkish(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client, "ayse@example.com", prefix="/tr")
    assert response.status_code == 302
    user = get_user_model().objects.get(email="ayse@example.com")
    assert user.language == "tr"
    assert "/tr/accounts/confirm-email/" in mail.outbox[0].body
    assert "E-posta" in mail.outbox[0].subject or "e-posta" in mail.outbox[0].subject


def test_account_page_needs_a_login(client):
    response = client.get(reverse("account_dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_account_page_saves_preferences_and_rejects_unknown_language(client, verified_user):
    client.force_login(verified_user)
    response = client.post(
        reverse("account_dashboard"), {"first_name": "Ada", "last_name": "L", "language": "tr"}
    )
    assert response.status_code == 302
    verified_user.refresh_from_db()
    assert verified_user.language == "tr"

    response = client.post(
        reverse("account_dashboard"), {"first_name": "Ada", "last_name": "L", "language": "xx"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    verified_user.refresh_from_db()
    assert verified_user.language == "tr"


def test_signup_honeypot_stops_bots(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "bot@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "phone_number": "555",
        },
    )
    assert response.status_code in (200, 302)
    assert not get_user_model().objects.filter(email="bot@example.com").exists()


def test_verification_email_is_branded_in_text_and_html(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client, "brand@example.com")
    message = mail.outbox[0]
    assert message.body.startswith("Portico Demo Store")
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Portico Demo Store" in html
    link = _link_in(message)
    assert f'href="http://testserver{link}"' in html
    # allauth's sentence names the site the account is for, in both bodies.
    for body in (message.body, html):
        assert "register an account on testserver." in body


def test_turkish_html_email_is_in_turkish(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client, "tr-html@example.com", prefix="/tr")
    html = mail.outbox[0].alternatives[0][0]
    assert '<html lang="tr">' in html
    assert "Onayla" in html
