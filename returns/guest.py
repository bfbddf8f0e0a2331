"""The one-time code a guest gets by email before starting a return.

Knowing an order's number and email is enough to track it; starting a return takes more:
proof that the visitor reads that mailbox. The flow:

1. ``guest_code_request`` stores a ``GuestCode`` row for the order (no code yet) and queues
   its email on commit. Only the newest code of an order counts, so asking again retires
   the earlier ones.
2. The worker runs ``guest_code_send``: it draws the six digits, stores only their keyed
   hash and sends them, in one transaction (a failed send leaves the row without a code
   and the task is retried; a code is never sent twice). The digits never pass through the
   broker and are never stored.
3. ``guest_code_verify`` checks what the guest typed under the row's lock: a match within
   ``settings.RETURNS_GUEST_CODE_SECONDS`` uses the code up; every wrong try counts, and
   the fifth burns it. A used code matches once more, for ``AGAIN_SECONDS``, only when
   sent again with the session that used it (the browser's double click on "Continue":
   the first request has replaced that session, so the second one would otherwise find
   neither the grant nor a code that works).

Asking for a new code gives five more tries, so the order's wrong tries are also counted
across its codes: after ``MAX_WRONG_TRIES_PER_DAY`` in 24 hours no code of that order
opens anything until the oldest of them is a day old, the right one included. Both daily
counts (``wrong_tries_today``, ``codes_today``) are read from the code rows themselves,
so no cache eviction resets them. The views add short-window limits per client and per
order through the cache, and refuse to send more than ``MAX_CODES_PER_DAY`` codes for
one order in 24 hours (``views.start``).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import GuestCode

CODE_DIGITS = 6
MAX_WRONG_TRIES = 5
# Per order, across its codes, over the last 24 hours: ten guesses at a million codes.
MAX_WRONG_TRIES_PER_DAY = 10
MAX_CODES_PER_DAY = 10
DAY = timedelta(hours=24)
HASH_SALT = "returns.guest-code"
# A double click sends the code twice; the second request may use it again this long.
AGAIN_SECONDS = 30


class Verdict(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # a try counted; tries are left
    BURNT = "burnt"  # this try was the last one allowed, or the code was burnt already
    EXPIRED = "expired"  # too old, or already used
    NONE = "none"  # no code was asked for this order (or it has not been sent yet)
    LOCKED = "locked"  # too many wrong tries for this order today, whatever the code


def code_seconds() -> int:
    return getattr(settings, "RETURNS_GUEST_CODE_SECONDS", 15 * 60)


def code_hash(order_id: int, code: str) -> str:
    """Keyed with the site's secret: a copy of the table does not give six-digit codes away
    to a million guesses."""
    return salted_hmac(HASH_SALT, f"{order_id}:{code}", algorithm="sha256").hexdigest()


def normalise(code: str) -> str:
    """What the guest typed, as digits: "123 456" and "123-456" are "123456"."""
    return "".join(ch for ch in (code or "") if ch.isdigit())[: CODE_DIGITS + 1]


def guest_code_request(*, order_id: int, email: str, language: str) -> GuestCode:
    """Store a new code row for the order and email the code in ``language`` on commit
    (through the worker). Earlier codes of the order stop counting. One transaction."""
    with transaction.atomic():
        row = GuestCode.objects.create(
            order_id=order_id,
            email=email,
            code_hash="",
            expires_at=timezone.now() + timedelta(seconds=code_seconds()),
        )
        pk = row.pk

        def enqueue():
            from . import tasks

            tasks.guest_code_email.delay(pk, language)

        transaction.on_commit(enqueue)
    return row


def guest_code_send(*, code_id: int, language: str) -> bool:
    """Draw the code, store its hash and email it, in one transaction; True if sent now.

    Nothing is sent for a code already sent (a repeated task), used, expired, or retired
    by a newer one. If sending raises, the row keeps no code and the task may try again.
    """
    now = timezone.now()
    with transaction.atomic():
        row = (
            GuestCode.objects.select_for_update().select_related("order").filter(pk=code_id).first()
        )
        if row is None or row.code_hash or row.used_at or row.expires_at <= now:
            return False
        newest = (
            GuestCode.objects.filter(order_id=row.order_id)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)
            .first()
        )
        if newest != row.pk:
            return False
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        row.code_hash = code_hash(row.order_id, code)
        row.save(update_fields=["code_hash"])
        _send(row, code, language)
    return True


def _send(row: GuestCode, code: str, language: str) -> None:
    supported = {lang for lang, _name in settings.LANGUAGES}
    language = language if language in supported else settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "order": row.order,
            "code": code,
            "minutes": max(code_seconds() // 60, 1),
            "verify_url": settings.SITE_URL + reverse("returns:verify"),
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("returns/email/guest_code_subject.txt", context)
        text = render_to_string("returns/email/guest_code_message.txt", context)
        html = render_to_string("returns/email/guest_code_message.html", context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, to=[row.email])
    message.attach_alternative(html, "text/html")
    message.send()


def _used_key(session_key: str) -> str:
    # Hashed: session ids are not written into cache keys.
    tag = salted_hmac(HASH_SALT, f"session:{session_key}", algorithm="sha256").hexdigest()
    return f"returns:guest-code-used:{tag}"


def recent_use(*, session_key: str) -> dict | None:
    """``{"order", "code", "email"}`` when the session ``session_key`` (the id the browser
    sent, perhaps replaced since) used a code in the last ``AGAIN_SECONDS``."""
    if not session_key:
        return None
    note = cache.get(_used_key(session_key))
    return note if isinstance(note, dict) else None


def guest_code_verify(*, order_id: int, code: str, session_key: str = "") -> Verdict:
    """Check ``code`` against the order's newest code, under its row lock.

    A match uses the code up: it cannot open a second session, except that the session
    that used it (``session_key``, the id the browser sent) may send the same code again
    within ``AGAIN_SECONDS`` (a double click). A miss counts one try; the fifth miss
    burns the code. Codes past their time, used or burnt never match, and once the
    order's codes have had ``MAX_WRONG_TRIES_PER_DAY`` misses in 24 hours nothing is
    compared at all (``LOCKED``). Concurrent tries of one order take turns on the newest
    row's lock, so the daily count cannot be overrun, and the note of who used the code
    is written before the lock is let go.
    """
    typed = normalise(code)
    now = timezone.now()
    with transaction.atomic():
        row = (
            GuestCode.objects.select_for_update()
            .filter(order_id=order_id)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None or not row.code_hash:
            return Verdict.NONE
        wrong_today = wrong_tries_today(order_id=order_id, now=now)
        if wrong_today >= MAX_WRONG_TRIES_PER_DAY:
            return Verdict.LOCKED
        matches = len(typed) == CODE_DIGITS and constant_time_compare(
            row.code_hash, code_hash(order_id, typed)
        )
        if row.used_at:
            note = recent_use(session_key=session_key) or {}
            if note.get("code") != row.pk or row.attempts >= MAX_WRONG_TRIES:
                return Verdict.EXPIRED
            if (now - row.used_at).total_seconds() >= AGAIN_SECONDS:
                return Verdict.EXPIRED
            if matches:
                return Verdict.OK
            # Guesses in that window count like any other.
            return _miss(row, wrong_today, Verdict.EXPIRED)
        if row.expires_at <= now:
            return Verdict.EXPIRED
        if row.attempts >= MAX_WRONG_TRIES:
            return Verdict.BURNT
        if matches:
            row.used_at = now
            row.save(update_fields=["used_at"])
            if session_key:
                note = {"order": order_id, "code": row.pk, "email": row.email}
                cache.set(_used_key(session_key), note, AGAIN_SECONDS)
            return Verdict.OK
        return _miss(row, wrong_today, Verdict.WRONG)


def _miss(row: GuestCode, wrong_today: int, verdict: Verdict) -> Verdict:
    """Count a wrong code on the (locked) row: ``LOCKED`` when it was the order's last
    of the day, ``BURNT`` when the code's, else ``verdict``."""
    row.attempts += 1
    row.save(update_fields=["attempts"])
    if wrong_today + 1 >= MAX_WRONG_TRIES_PER_DAY:
        return Verdict.LOCKED
    return Verdict.BURNT if row.attempts >= MAX_WRONG_TRIES else verdict


def _today(order_id: int, now=None):
    """The order's code rows asked for in the last 24 hours."""
    return GuestCode.objects.filter(order_id=order_id, created_at__gt=(now or timezone.now()) - DAY)


def wrong_tries_today(*, order_id: int, now=None) -> int:
    """Wrong codes typed for the order in the last 24 hours, across its codes."""
    return _today(order_id, now).aggregate(total=Sum("attempts"))["total"] or 0


def codes_today(*, order_id: int) -> int:
    """Codes asked for the order in the last 24 hours (each one is an email)."""
    return _today(order_id).count()


def _seconds_until_a_day_after(rows) -> int:
    oldest = rows.order_by("created_at").values_list("created_at", flat=True).first()
    if oldest is None:
        return 60
    return max(int((oldest + DAY - timezone.now()).total_seconds()), 60)


def locked_seconds(*, order_id: int) -> int:
    """How long until the order's oldest wrong try of the day stops counting."""
    return _seconds_until_a_day_after(_today(order_id).filter(attempts__gt=0))


def codes_wait_seconds(*, order_id: int) -> int:
    """How long until the order's oldest code of the day stops counting."""
    return _seconds_until_a_day_after(_today(order_id))


def tries_left(*, order_id: int) -> int:
    """Wrong tries left: of the newest code's five, and of the order's daily ones."""
    row = GuestCode.objects.filter(order_id=order_id).order_by("-created_at", "-pk").first()
    if row is None:
        return 0
    today = MAX_WRONG_TRIES_PER_DAY - wrong_tries_today(order_id=order_id)
    return max(min(MAX_WRONG_TRIES - row.attempts, today), 0)
