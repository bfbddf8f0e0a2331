"""A guest proves the order's email with a one-time code before starting a return."""

from __future__ import annotations

import re
from datetime import timedelta
from time import time

import pytest
from django.conf import settings
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from returns import access, guest
from returns.models import GuestCode

pytestmark = pytest.mark.django_db

START = "/returns/"
VERIFY = "/returns/verify/"
IP = "203.0.113.7"


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """``ask(number, email)``: the lookup form posted, with the code's email sent."""

    def post(number="#5001", email="grace@example.com", ip=IP, path=START):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, {"order_number": number, "email": email}, REMOTE_ADDR=ip)

    return post


def sent_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def enter(client, code, ip=IP):
    return client.post(VERIFY, {"code": code, "action": "verify"}, REMOTE_ADDR=ip)


def new_form_path(order) -> str:
    return reverse("returns:new", args=[order.lookup_number])


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_guest_gets_a_code_by_email_and_the_code_opens_the_form(client, order, ask):
    response = ask("5001", "GRACE@example.com")
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["grace@example.com"]
    code = sent_code()
    assert code in message.subject
    assert code in message.alternatives[0][0]  # the HTML part too
    page = client.get(VERIFY).content.decode()
    assert "grace@example.com" in page and "#5001" in page

    assert client.get(new_form_path(order)).status_code == 302  # not yet
    response = enter(client, code)
    assert response.status_code == 302 and response["Location"] == new_form_path(order)
    form = client.get(new_form_path(order))
    assert form.status_code == 200
    assert "Linen shirt" in form.content.decode()


def test_the_code_is_stored_only_as_a_keyed_hash(order, ask):
    ask()
    row = GuestCode.objects.get(order=order)
    code = sent_code()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.code_hash == guest.code_hash(order.pk, code)
    assert row.expires_at > timezone.now()


def test_an_unknown_number_and_a_wrong_email_get_the_same_answer(client, order, ask):
    unknown = ask("#9999", "grace@example.com")
    wrong = ask("#5001", "someone@example.com")
    assert unknown.status_code == wrong.status_code == 200
    for response in (unknown, wrong):
        assert "find that order" in response.content.decode()
    assert mail.outbox == []
    assert not GuestCode.objects.exists()


def test_the_code_email_is_in_the_language_of_the_page(client, order, ask):
    ask(path="/tr/returns/")
    html = mail.outbox[0].alternatives[0][0]
    assert '<html lang="tr">' in html


def test_a_wrong_code_is_refused_and_counted(client, order, ask):
    ask()
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    response = enter(client, wrong)
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert "4 left" in response.content.decode()
    assert GuestCode.objects.get(order=order).attempts == 1
    assert client.get(new_form_path(order)).status_code == 302


def test_five_wrong_codes_burn_it_even_for_the_right_one_after(client, order, ask):
    ask()
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        enter(client, wrong)
    response = enter(client, code)
    assert response.status_code == 400
    assert "no longer works" in response.content.decode()
    assert client.get(new_form_path(order)).status_code == 302


def test_an_expired_code_is_refused(client, order, ask):
    ask()
    GuestCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = enter(client, sent_code())
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert client.get(new_form_path(order)).status_code == 302


def test_a_code_works_once(client, order, ask):
    ask()
    code = sent_code()
    assert enter(client, code).status_code == 302
    assert client.session.get("returns_pending") is None  # done with it
    # Another browser at the code step for the same order (set up directly: asking for a
    # code there would retire this one) types the used code.
    other = client.__class__()
    session = other.session
    session["returns_pending"] = {"order": order.pk, "email": order.email, "at": int(time())}
    session.save()
    response = enter(other, code, ip="198.51.100.20")
    assert response.status_code == 400
    assert "expired or was used" in response.content.decode()
    assert other.get(new_form_path(order)).status_code == 302


def test_a_double_click_on_continue_opens_the_form_for_the_second_click_too(client, order, ask):
    """The browser sends "Continue" twice with the same session id; the first request
    replaces that session, and the page the browser ends on is the second's answer."""
    ask()
    code = sent_code()
    second = client.__class__()
    second.cookies[settings.SESSION_COOKIE_NAME] = session_key(client)
    assert enter(client, code)["Location"] == new_form_path(order)
    response = enter(second, code)
    assert response.status_code == 302 and response["Location"] == new_form_path(order)
    assert second.get(new_form_path(order)).status_code == 200


def test_a_second_click_that_read_the_old_session_first_is_no_400(client, order, ask, rf):
    """The second request loaded the session before the first one deleted it: it must
    neither fail on saving it (Django's SessionInterrupted, a 400) nor refuse the code."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.middleware import MessageMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware

    from returns.views.start import verify

    ask()
    code = sent_code()
    second = rf.post(VERIFY, {"code": code, "action": "verify"}, REMOTE_ADDR=IP)
    second.COOKIES[settings.SESSION_COOKIE_NAME] = session_key(client)
    second.user = AnonymousUser()
    sessions = SessionMiddleware(lambda request: None)
    sessions.process_request(second)
    MessageMiddleware(lambda request: None).process_request(second)
    assert second.session.get("returns_pending")  # read before the first click's answer

    assert enter(client, code).status_code == 302
    response = sessions.process_response(second, verify(second))
    assert response.status_code == 302 and response["Location"] == new_form_path(order)
    granted = client.__class__()
    granted.cookies[settings.SESSION_COOKIE_NAME] = response.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    assert granted.get(new_form_path(order)).status_code == 200


def test_the_session_that_used_a_code_may_not_send_it_again_after_half_a_minute(client, order, ask):
    ask()
    code = sent_code()
    old = session_key(client)
    assert enter(client, code).status_code == 302
    late = client.__class__()
    late.cookies[settings.SESSION_COOKIE_NAME] = old
    GuestCode.objects.update(used_at=timezone.now() - timedelta(seconds=guest.AGAIN_SECONDS))
    response = enter(late, code)
    assert response.status_code == 400
    assert "expired or was used" in response.content.decode()
    assert late.get(new_form_path(order)).status_code == 302


def test_a_new_code_retires_the_old_one(client, order, ask, django_capture_on_commit_callbacks):
    ask()
    first = sent_code()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(VERIFY, {"action": "resend"}, REMOTE_ADDR=IP)
    assert response.status_code == 302
    second = sent_code()
    assert len(mail.outbox) == 2
    if first != second:
        assert enter(client, first).status_code == 400
    assert enter(client, second).status_code == 302


def test_the_code_step_needs_a_lookup_first(client, order):
    response = client.get(VERIFY)
    assert response.status_code == 302 and response["Location"] == START


def test_lookups_that_fail_are_limited_per_client(client, order, ask):
    for n in range(10):
        assert ask(f"#{7000 + n}").status_code == 200
    limited = ask()
    assert limited.status_code == 429
    assert limited["Retry-After"]
    assert ask(ip="198.51.100.9").status_code == 302  # another client is not held back


def test_codes_sent_are_limited_per_order(client, order, ask):
    for _ in range(3):
        assert ask().status_code == 302
    assert ask(ip="198.51.100.9").status_code == 429
    assert len(mail.outbox) == 3


def test_wrong_codes_are_limited_per_client(client, order, ask):
    ask()
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        enter(client, wrong)
    ask()  # a new code, 4 more tries
    for _ in range(6):
        enter(client, wrong)
    assert enter(client, sent_code()).status_code == 429


def wrong_for(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_wrong_codes_are_limited_per_order_across_its_codes(client, order, ask):
    """Asking again gives a new code five more tries; the order's day has ten, whatever
    the code and wherever the tries come from. Then not even the right code opens it."""
    tries = 0
    for n, count in enumerate((4, 4, 1)):  # three codes, each from another client
        ask(ip=f"198.51.100.{n}")
        for _ in range(count):
            assert enter(client, wrong_for(sent_code()), ip=f"198.51.100.{n}").status_code == 400
            tries += 1
    assert tries == 9
    last = enter(client, wrong_for(sent_code()), ip="192.0.2.1")
    assert last.status_code == 429
    assert "paused codes for this order" in last.content.decode()
    assert 0 < int(last["Retry-After"]) <= 24 * 3600
    right = enter(client, sent_code(), ip="192.0.2.2")
    assert right.status_code == 429
    assert client.get(new_form_path(order)).status_code == 302
    assert GuestCode.objects.filter(order=order, used_at__isnull=False).count() == 0
    # A day later those tries stop counting: the newest code (still valid) works.
    GuestCode.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert enter(client, sent_code(), ip="192.0.2.2").status_code == 302


def test_codes_sent_are_capped_per_order_per_day(client, order, ask):
    earlier = timezone.now() - timedelta(hours=3)
    for _ in range(guest.MAX_CODES_PER_DAY):
        GuestCode.objects.create(
            order=order, email=order.email, code_hash="", expires_at=earlier, used_at=earlier
        )
    GuestCode.objects.update(created_at=earlier)
    refused = ask(ip="192.0.2.9")
    assert refused.status_code == 429
    assert mail.outbox == []
    assert "Please try again in 21 hours" in refused.content.decode()
    assert "sign in" in refused.content.decode()
    GuestCode.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert ask(ip="192.0.2.9").status_code == 302
    assert len(mail.outbox) == 1


def test_a_malformed_code_is_not_a_try(client, order, ask):
    ask()
    response = enter(client, "12ab")
    assert response.status_code == 400
    assert "Enter the 6-digit code" in response.content.decode()
    assert GuestCode.objects.get(order=order).attempts == 0


def test_the_signed_in_owner_needs_no_code(client, order, owner, ask):
    client.force_login(owner)
    response = ask()
    assert response["Location"] == new_form_path(order)
    assert mail.outbox == []
    assert client.get(f"{START}?order=5001")["Location"] == new_form_path(order)


def test_a_link_from_an_email_opens_the_return(client, order, return_for):
    ret = return_for(order)
    path = access.link_path(ret.pk)
    assert client.get(reverse("returns:detail", args=[ret.number])).status_code == 404
    response = client.get(path)
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_a_granting_code_or_link_gives_the_session_a_new_id(client, order, ask, return_for):
    """Whoever planted a session id in the guest's browser before the grant does not
    share what the grant opens."""
    ask()
    before = session_key(client)
    assert enter(client, sent_code()).status_code == 302
    assert session_key(client) != before
    assert client.get(new_form_path(order)).status_code == 200

    ret = return_for(order)
    other = client.__class__()
    session = other.session  # the test client saves it and sets its cookie
    session["something"] = "before the link"
    session.save()
    before = session_key(other)
    assert other.get(access.link_path(ret.pk)).status_code == 302
    assert session_key(other) != before
    assert other.get(reverse("returns:detail", args=[ret.number])).status_code == 200


def test_an_expired_or_tampered_link_opens_nothing(client, order, return_for):
    import time

    ret = return_for(order)
    token = access.link_token(ret.pk)
    tampered = client.get(reverse("returns:link", args=[token[:-2] + "xx"]))
    assert tampered.status_code == 404
    signed_for_tracking = signing.dumps({"r": ret.pk}, salt="orders.track")
    assert client.get(reverse("returns:link", args=[signed_for_tracking])).status_code == 404
    now = time.time()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: now - access.LINK_SECONDS - 60)
        old = access.link_token(ret.pk)
    response = client.get(reverse("returns:link", args=[old]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert client.get(reverse("returns:detail", args=[ret.number])).status_code == 404
