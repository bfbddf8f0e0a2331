"""Contact with deflection: the requests customers send, the articles the form suggested to
them, and forwarding each request to the merchant's helpdesk.

A request is stored first, then emailed (to the store's support address, and a confirmation
to the customer) and forwarded by tasks once the transaction commits. The forward is a JSON
POST signed with HMAC-SHA256 (``docs/help-center.md``); it is retried with backoff and, when
it keeps failing, stays visible in Wagtail admin where staff can retry it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import requests
from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Site

from .feedback import live_articles
from .models import ContactRequest, SuggestionOpen

logger = logging.getLogger(__name__)

# No 0/O or 1/I: customers read the reference out on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_PREFIX = "HC-"
REFERENCE_LENGTH = 6
VISIT_LENGTH = 22
# An opened suggestion counts as a deflection once its visit has sent nothing for this long.
DEFLECTION_AFTER = timedelta(minutes=30)
FORWARD_TIMEOUT_SECONDS = 10
FORWARD_EVENT = "contact_request.created"


class ArticleUnavailable(Exception):
    """The suggested article does not exist or is not published."""


class InvalidVisit(Exception):
    """The contact page's visit token is missing or malformed."""


class ForwardFailed(Exception):
    """The helpdesk did not accept the request (network error or a non-2xx answer)."""


def visit_new() -> str:
    """A random token for one rendering of the contact page (its suggestions link to it)."""
    return secrets.token_urlsafe(16)[:VISIT_LENGTH]


def visit_valid(visit: str | None) -> bool:
    return bool(
        visit
        and 16 <= len(visit) <= 32
        and visit.replace("-", "").replace("_", "").isalnum()
        and visit.isascii()
    )


def reference_new() -> str:
    return REFERENCE_PREFIX + "".join(
        secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH)
    )


def suggestion_open_record(*, visit: str, article_id: int) -> bool:
    """Record that the contact page's ``visit`` opened a suggested article.

    Idempotent: one row per visit and article (the unique constraint; a repeat is ignored).
    Returns True when this call added the row. Raises ``InvalidVisit`` or
    ``ArticleUnavailable`` for a bad token or an unknown or unpublished article.
    """
    if not visit_valid(visit):
        raise InvalidVisit(visit)
    if not live_articles(article_id).exists():
        raise ArticleUnavailable(article_id)
    try:
        with transaction.atomic():
            SuggestionOpen.objects.create(visit=visit, article_id=article_id)
    except IntegrityError:
        return False
    return True


def contact_request_submit(
    *,
    email: str,
    subject: str,
    message: str,
    language: str,
    user=None,
    order=None,
    visit: str = "",
) -> ContactRequest:
    """Store a customer's request under a new unique reference (``HC-7K3QX9``).

    In one transaction: the row, and the link from the visit's opened suggestions to it (so
    they no longer count as deflections). On commit: the support email (Reply-To the
    customer), the customer's confirmation in ``language``, and — when
    ``HELPDESK_WEBHOOK_URL`` is set — the forward task; the request starts PENDING then,
    else OFF. ``order`` must already be checked to belong to the customer (the form does).
    """
    from . import tasks

    forward = (
        ContactRequest.Forward.PENDING
        if settings.HELPDESK_WEBHOOK_URL
        else ContactRequest.Forward.OFF
    )
    with transaction.atomic():
        for attempt in range(8):
            try:
                with transaction.atomic():
                    request = ContactRequest.objects.create(
                        reference=reference_new(),
                        user=user if user is not None and user.is_authenticated else None,
                        email=email,
                        subject=subject[:200],
                        message=message[:5000],
                        order=order,
                        language=language[:8],
                        forward_status=forward,
                    )
                break
            except IntegrityError:
                # 32^6 references: a clash is rare, and only the reference can clash.
                if attempt == 7:
                    raise
        if visit_valid(visit):
            SuggestionOpen.objects.filter(visit=visit, contact_request__isnull=True).update(
                contact_request=request
            )
        pk = request.pk
        transaction.on_commit(lambda: tasks.send_contact_email.delay(pk, "support"))
        transaction.on_commit(lambda: tasks.send_contact_email.delay(pk, "confirmation"))
        if forward == ContactRequest.Forward.PENDING:
            transaction.on_commit(lambda: tasks.forward_contact_request.delay(pk))
    return request


# --- Emails -----------------------------------------------------------------------------


def _branding():
    # By name, not by import: portal imports the apps, never the other way round.
    branding_model = apps.get_model("portal", "BrandingSettings")
    return branding_model.for_site(Site.objects.get(is_default_site=True))


def support_address(branding=None) -> str:
    """Where requests are emailed: the branding's support address, else ``SERVER_EMAIL``
    (the operator's address, so that no request is dropped while the branding is unset)."""
    branding = branding or _branding()
    return branding.support_email or settings.SERVER_EMAIL


def contact_email_send(*, contact_request_id: int, kind: str) -> bool:
    """Send one of a request's two emails: ``"support"`` (to the store's support address,
    Reply-To the customer, in the site's default language) or ``"confirmation"`` (to the
    customer, in the request's language, with its reference). Returns False if the request
    is gone. Not idempotent on its own (SMTP offers no key): the task retries only on errors
    raised before the server accepted the message."""
    request = (
        ContactRequest.objects.select_related("order", "user").filter(pk=contact_request_id).first()
    )
    if request is None:
        return False
    branding = _branding()
    opened = list(
        SuggestionOpen.objects.filter(contact_request=request)
        .select_related("article")
        .order_by("opened_at")
    )
    context = {
        "contact_request": request,
        "branding": branding,
        # What email/base.html reads when it fetches the branding itself.
        "settings": {"portal": {"BrandingSettings": branding}},
        "opened": opened,
        "site_url": settings.SITE_URL,
        "admin_url": settings.SITE_URL + reverse("knowledgebase_contact_detail", args=[request.pk]),
    }
    if kind == "support":
        language = settings.LANGUAGE_CODE
        to, reply_to = [support_address(branding)], [request.email]
    else:
        language = request.language or settings.LANGUAGE_CODE
        to, reply_to = [request.email], [branding.support_email] if branding.support_email else []
    with translation.override(language):
        subject = render_to_string(f"knowledgebase/email/{kind}_subject.txt", context)
        text = render_to_string(f"knowledgebase/email/{kind}_message.txt", context)
        html = (
            render_to_string("knowledgebase/email/confirmation_message.html", context)
            if kind == "confirmation"
            else None
        )
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, to=to, reply_to=reply_to
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    return True


# --- Forwarding to the helpdesk -----------------------------------------------------------


def forward_payload(request: ContactRequest) -> dict:
    """The JSON body of a forward (documented in ``docs/help-center.md``)."""
    opened = (
        SuggestionOpen.objects.filter(contact_request=request)
        .select_related("article")
        .order_by("opened_at")
    )
    order = request.order
    return {
        "event": FORWARD_EVENT,
        "reference": request.reference,
        "created_at": request.created_at.isoformat(),
        "language": request.language,
        "customer": {
            "email": request.email,
            "signed_in": request.user_id is not None,
        },
        "subject": request.subject,
        "message": request.message,
        "order": (
            {
                "number": order.number,
                "platform": order.connector,
                "external_id": order.external_id,
            }
            if order is not None
            else None
        ),
        "suggested_articles_opened": [
            {"title": o.article.title, "url": settings.SITE_URL + (o.article.url or "")}
            for o in opened
        ],
        "admin_url": settings.SITE_URL + reverse("knowledgebase_contact_detail", args=[request.pk]),
    }


def signature(body: bytes, secret: str) -> str:
    """The ``X-Portico-Signature`` header value: ``sha256=`` + hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def contact_forward(*, contact_request_id: int) -> str:
    """POST the request to ``HELPDESK_WEBHOOK_URL`` as signed JSON. Returns the new status.

    Safe to run twice and from two places at once (the task and a staff retry): the row is
    locked for the attempt, and a SENT request is never sent again. Every attempt is
    counted; a failure records its reason, leaves the request FAILED (visible and retryable
    in admin) and raises ``ForwardFailed`` so that the task retries with backoff. The
    delivery id is the same for every attempt of one request, so the helpdesk can drop a
    repeat whose answer we never saw.
    """
    with transaction.atomic():
        request = (
            ContactRequest.objects.select_for_update(of=("self",))
            .select_related("order")
            .filter(pk=contact_request_id)
            .first()
        )
        if request is None or request.forward_status == ContactRequest.Forward.SENT:
            return request.forward_status if request else ""
        url, secret = settings.HELPDESK_WEBHOOK_URL, settings.HELPDESK_WEBHOOK_SECRET
        if not url:
            request.forward_status = ContactRequest.Forward.OFF
            request.save(update_fields=["forward_status"])
            return request.forward_status
        request.forward_attempts += 1
        error = ""
        if not secret:
            error = "HELPDESK_WEBHOOK_SECRET is not set; requests are not sent unsigned."
        else:
            body = json.dumps(forward_payload(request), ensure_ascii=False).encode()
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Portico-Helpdesk/1",
                "X-Portico-Signature": signature(body, secret),
                "X-Portico-Delivery-Id": f"contact-{request.reference}",
                "X-Portico-Event": FORWARD_EVENT,
            }
            # The lock is held during the POST on purpose: a second attempt waits and then
            # sees SENT instead of sending the request twice.
            try:
                response = requests.post(
                    url, data=body, headers=headers, timeout=FORWARD_TIMEOUT_SECONDS
                )
                if not 200 <= response.status_code < 300:
                    error = f"HTTP {response.status_code}: {response.text[:300]}"
            except requests.RequestException as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
        if error:
            request.forward_status = ContactRequest.Forward.FAILED
            request.forward_error = error
        else:
            request.forward_status = ContactRequest.Forward.SENT
            request.forward_error = ""
            request.forwarded_at = timezone.now()
        request.save(
            update_fields=["forward_status", "forward_error", "forward_attempts", "forwarded_at"]
        )
    if error:
        logger.warning("Contact request %s not forwarded: %s", request.reference, error)
        raise ForwardFailed(error)
    return request.forward_status


def forward_retry(*, contact_request_id: int) -> str:
    """A staff retry: forward a FAILED (or stuck PENDING) request now. Returns the status;
    a request already SENT is left alone, so a double submit forwards once."""
    try:
        return contact_forward(contact_request_id=contact_request_id)
    except ForwardFailed:
        return ContactRequest.Forward.FAILED


# --- Report reads -----------------------------------------------------------------------


@dataclass
class Deflection:
    visits_opened: int  # contact page visits that opened at least one suggestion
    deflected: int  # …of them, sent nothing within DEFLECTION_AFTER
    opened_then_sent: int  # …of them, sent a request anyway
    requests: int  # all requests sent in the range

    @property
    def rate(self) -> float | None:
        """Deflections among visits that ended (deflected or sent), 0 to 1."""
        total = self.deflected + self.requests
        return self.deflected / total if total else None


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    first = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    return first, datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz)


def deflection_summary(*, start: date, end: date, now: datetime | None = None) -> Deflection:
    """Deflections vs requests between ``start`` and ``end`` (inclusive, local days).

    A visit is deflected when it opened a suggestion, none of its openings is linked to a
    request, and its last opening is older than ``DEFLECTION_AFTER``.
    """
    now = now or timezone.now()
    first, after = _day_bounds(start, end)
    linked = SuggestionOpen.objects.filter(visit=OuterRef("visit"), contact_request__isnull=False)
    visits = (
        SuggestionOpen.objects.filter(opened_at__gte=first, opened_at__lt=after)
        .values("visit")
        .annotate(last=Max("opened_at"), sent=Exists(linked))
    )
    opened = deflected = sent = 0
    for visit in visits:
        opened += 1
        if visit["sent"]:
            sent += 1
        elif visit["last"] <= now - DEFLECTION_AFTER:
            deflected += 1
    requests_sent = ContactRequest.objects.filter(
        created_at__gte=first, created_at__lt=after
    ).count()
    return Deflection(
        visits_opened=opened, deflected=deflected, opened_then_sent=sent, requests=requests_sent
    )


def deflecting_articles(*, start: date, end: date, now: datetime | None = None, limit: int = 10):
    """The suggested articles opened most often in visits that sent nothing afterwards."""
    from django.db.models import Count

    now = now or timezone.now()
    first, after = _day_bounds(start, end)
    linked = SuggestionOpen.objects.filter(visit=OuterRef("visit"), contact_request__isnull=False)
    return list(
        SuggestionOpen.objects.filter(
            opened_at__gte=first, opened_at__lt=min(after, now - DEFLECTION_AFTER)
        )
        .exclude(Exists(linked))
        .values("article_id", "article__title")
        .annotate(opens=Count("pk"))
        .order_by("-opens", "article__title")[:limit]
    )


def requests_list(*, status: str = "") -> QuerySet[ContactRequest]:
    """Contact requests for the admin list, newest first, optionally by forward status."""
    queryset = ContactRequest.objects.select_related("order").order_by("-created_at", "-pk")
    if status in ContactRequest.Forward.values:
        queryset = queryset.filter(forward_status=status)
    return queryset
