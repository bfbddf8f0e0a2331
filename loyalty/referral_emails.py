"""Referral emails: the friend's code, and the member's points for a friend's order.

Each is sent once: the referral row is locked, the send happens in the transaction that
stamps ``friend_emailed_at`` / ``referrer_emailed_at``, and a failed send rolls the stamp
back for a retry. The friend is not a member: their email goes out in the language of the
page they claimed on. The member's follows their points-email choice and language.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from .models import ProgramSettings, Redemption, Referral
from .notifications import member_language, unsubscribe_token


def referral_email_send(*, referral_id: int, kind: str) -> bool:
    """Send the ``friend`` or ``referrer`` email of a referral; True if sent now."""
    program = ProgramSettings.load()
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("redemption__reward", "referrer__user")
            .filter(pk=referral_id)
            .first()
        )
        if referral is None:
            return False
        if kind == "friend":
            return _friend(referral, program)
        if kind == "referrer":
            return _referrer(referral, program)
    return False


def _friend(referral: Referral, program: ProgramSettings) -> bool:
    redemption = referral.redemption
    if referral.friend_emailed_at or redemption is None:
        return False
    if redemption.status != Redemption.Status.ISSUED:
        return False  # voided, used or not issued yet: nothing to tell
    supported = {code for code, _ in settings.LANGUAGES}
    language = referral.language if referral.language in supported else settings.LANGUAGE_CODE
    referrer = referral.referrer
    with translation.override(language):
        context = {
            "referral": referral,
            "redemption": redemption,
            "reward": redemption.reward,
            "referrer_name": referrer_first_name(referrer),
            "program_name": program.program_name,
            "shop_url": settings.SITE_URL,
            "site_url": settings.SITE_URL,
        }
        subject = gettext("Your code: %(code)s") % {"code": redemption.code}
        _send(referral.friend_email, subject, "friend", context)
    referral.friend_emailed_at = timezone.now()
    referral.save(update_fields=["friend_emailed_at"])
    return True


def _referrer(referral: Referral, program: ProgramSettings) -> bool:
    account = referral.referrer
    if referral.referrer_emailed_at or referral.status != Referral.Status.REWARDED:
        return False
    if not program.enabled or account.user_id is None or not account.is_member:
        return False
    if not account.points_emails:
        return False  # the member turned points emails off
    with translation.override(member_language(account.user)):
        unsubscribe_url = settings.SITE_URL + reverse(
            "loyalty:emails_off", args=[unsubscribe_token(account.pk)]
        )
        context = {
            "referral": referral,
            "points": referral.points,
            "balance": account.available,
            "pending": account.pending,
            "program_name": program.program_name,
            "rewards_url": settings.SITE_URL + reverse("loyalty:rewards"),
            "unsubscribe_url": unsubscribe_url,
            "site_url": settings.SITE_URL,
        }
        subject = gettext("Your friend's order earned you %(points)s points") % {
            "points": referral.points
        }
        _send(
            account.user.email or account.email,
            subject,
            "referrer",
            context,
            headers={"List-Unsubscribe": f"<{unsubscribe_url}>"},
        )
    referral.referrer_emailed_at = timezone.now()
    referral.save(update_fields=["referrer_emailed_at"])
    return True


def referrer_first_name(account) -> str:
    """The member's first name as a friend may see it ("" when we do not know it)."""
    user = account.user
    name = (getattr(user, "first_name", "") or "").strip() if user else ""
    if not name and user is not None:
        customer = getattr(user, "customer", None)
        name = (customer.first_name or "").strip() if customer else ""
    return name.split()[0] if name else ""


def _send(to: str, subject: str, kind: str, context: dict, headers=None) -> None:
    text = render_to_string(f"loyalty/email/referral_{kind}.txt", context)
    html = render_to_string(f"loyalty/email/referral_{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, to=[to], headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    message.send()  # raising rolls the stamp back, so a retry sends it
