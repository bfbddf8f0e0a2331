"""The customer's emails about their return: one per customer-visible step, each once.

``services`` queue ``tasks.return_email(request_id, kind)`` on commit with every status
change (and "requested" for a new return); the task calls ``return_email_send``. A
``ReturnEmail`` row, unique per (return, kind), is written in the same transaction as
the send, so a repeated task sends nothing and a failed send leaves no row behind.

The email goes out in the return's language, as HTML and text, with a signed link to the
return's page (``access.link_path``). A step the return has already left for another
emailed step is skipped: an automatic approval moves "requested" → "approved" → "label
issued" in one transaction, and the customer wants the label, not three emails.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import translation

from . import access
from .models import ReturnEmail, ReturnEvent, ReturnLine, ReturnRequest, Status
from .selectors import policy_for_version

log = logging.getLogger(__name__)

EMAIL_KINDS = frozenset(
    {
        Status.REQUESTED,
        Status.APPROVED,
        Status.LABEL_ISSUED,
        Status.DROPOFF_ISSUED,
        Status.RECEIVED,
        Status.REJECTED,
        Status.REFUNDED,
        Status.CREDITED,
        Status.EXCHANGED,
        Status.CANCELLED,
    }
)


def return_email_send(*, request_id: int, kind: str) -> bool:
    """Email the customer about ``kind`` (a status their return reached, or "requested");
    True if sent now. Kinds customers are not told about are skipped quietly, and so is a
    step the return has since left for another emailed step.
    """
    if kind not in EMAIL_KINDS:
        return False
    ret = (
        ReturnRequest.objects.select_related("order", "policy_version")
        .prefetch_related(
            Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line"))
        )
        .filter(pk=request_id)
        .first()
    )
    if ret is None or _superseded(ret, kind):
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReturnEmail.objects.create(request=ret, kind=kind)
        except IntegrityError:
            return False  # sent already
        # Raising here rolls the row back, so a retry sends it.
        _send(ret, kind)
    return True


def _superseded(ret: ReturnRequest, kind: str) -> bool:
    return ret.status != kind and ret.status in EMAIL_KINDS


def language_of(ret: ReturnRequest) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    code = (ret.language or "").split("-")[0].lower()
    return code if code in supported else settings.LANGUAGE_CODE


def _payout_note(ret: ReturnRequest) -> str:
    event = (
        ret.events.filter(kind=ReturnEvent.Kind.PAYMENT, public=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    return event.message if event else ""


def _send(ret: ReturnRequest, kind: str) -> None:
    with translation.override(language_of(ret)):
        policy = policy_for_version(ret.policy_version)
        lines = [
            {
                "line": line,
                "reason": getattr(policy.reason(line.reason), "display", line.reason_label),
            }
            for line in ret.lines.all()
        ]
        context = {
            "ret": ret,
            "order": ret.order,
            "kind": kind,
            "lines": lines,
            # What a payout gave (a store credit's code, or the points it became).
            "payout_note": _payout_note(ret) if kind == Status.CREDITED else "",
            "return_url": settings.SITE_URL + access.link_path(ret.pk),
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("returns/email/return_subject.txt", context)
        text = render_to_string("returns/email/return_message.txt", context)
        html = render_to_string("returns/email/return_message.html", context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, to=[ret.email])
    message.attach_alternative(html, "text/html")
    message.send()
