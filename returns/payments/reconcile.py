"""The beat task's sweep, and the payments waiting for an agent."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ..models import ReturnPayment, ReturnRequest, Status
from .core import Kind, State

# Left alone this long after their last change: the task or the webhook is on it.
QUIET = timedelta(minutes=5)
# What ``exchange.exchange_send`` marks an exchange with no webhook to send it to.
WAITING_FOR_AGENT = "waiting_for_agent"


def payments_reconcile(*, now: datetime | None = None) -> dict[str, int]:
    """Queue a task for everything a payout left half done; how many of each.

    - pending Stripe refunds: their status is read from Stripe (``payment_refresh``), or,
      with no refund id stored (Stripe never answered, or a crash came between its answer
      and our save), the refund is asked again under the payment's key;
    - pending store credit: issued again under its key;
    - pending exchanges, when the webhook is set up: sent again (same delivery id);
    - inspected returns with no payment at all (a crash after the inspection): paid out.

    Only what has been quiet for a few minutes. Every task it queues is safe to run twice.
    """
    from .. import tasks

    cutoff = (now or timezone.now()) - QUIET
    quiet = ReturnPayment.objects.filter(state=State.PENDING, updated_at__lte=cutoff)
    refresh = list(
        quiet.filter(kind=Kind.STRIPE).exclude(external_id="").values_list("pk", flat=True)
    )
    attempt = list(
        quiet.filter(Q(kind=Kind.STRIPE, external_id="") | Q(kind=Kind.CREDIT)).values_list(
            "pk", flat=True
        )
    )
    exchanges = []
    if settings.EXCHANGE_WEBHOOK_URL:
        exchanges = list(quiet.filter(kind=Kind.EXCHANGE).values_list("pk", flat=True))
    orphans = list(
        ReturnRequest.objects.filter(status=Status.INSPECTED, updated_at__lte=cutoff)
        .filter(~Exists(ReturnPayment.objects.filter(request=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    for pk in refresh:
        tasks.payment_refresh.delay(pk)
    for pk in attempt:
        tasks.payment_attempt.delay(pk)
    for pk in exchanges:
        tasks.exchange_send.delay(pk)
    for pk in orphans:
        tasks.return_payout.delay(pk)
    return {
        "refreshed": len(refresh),
        "attempted": len(attempt),
        "exchanges": len(exchanges),
        "payouts": len(orphans),
    }


def payments_needing_agent():
    """Each return's latest payment when an agent must act: failed, a refund to make in
    the store, or an exchange with no webhook to send it to (oldest first)."""
    later = ReturnPayment.objects.filter(request=OuterRef("request"), pk__gt=OuterRef("pk"))
    return (
        ReturnPayment.objects.filter(
            Q(state=State.FAILED, request__status=Status.INSPECTED)
            | Q(state=State.PENDING, kind=Kind.STORE)
            | Q(state=State.PENDING, kind=Kind.EXCHANGE, external_status=WAITING_FOR_AGENT)
        )
        .filter(~Exists(later))
        .select_related("request", "order")
        .order_by("created_at", "pk")
    )
