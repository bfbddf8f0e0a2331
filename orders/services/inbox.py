"""The webhook inbox: store every delivery first, process it in a task, never twice."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from ..connectors import get_connector
from ..connectors.base import OrderData, load_json
from ..exceptions import OrderNotYetKnown, PayloadError
from ..models import WebhookDelivery
from . import mirror

log = logging.getLogger(__name__)

# Headers worth keeping with a delivery (never cookies or authorisation).
KEPT_HEADER_PREFIXES = ("x-", "stripe-", "content-type", "user-agent")


@dataclass
class Received:
    delivery: WebhookDelivery
    duplicate: bool = False
    error: PayloadError | None = None


def _clean(text: str) -> str:
    """Text as PostgreSQL can store it: a NUL character becomes U+FFFD."""
    return (text or "").replace("\x00", "\ufffd")


def _kept_headers(headers: dict[str, str]) -> dict[str, str]:
    return {
        _clean(k): _clean(v)[:1000]
        for k, v in headers.items()
        if k.lower().startswith(KEPT_HEADER_PREFIXES) and k.lower() != "x-forwarded-for"
    }


def delivery_receive(*, connector: str, headers: dict[str, str], body: bytes) -> Received:
    """Verify, store and (when mappable) queue one delivery. Idempotent per delivery id.

    Raises ``InvalidSignature`` before anything is stored. A payload that is not JSON or
    cannot be mapped is stored as failed (for staff to see and replay) and returned with
    its error. A delivery id seen before returns the stored row with ``duplicate=True``.
    The processing task is enqueued on commit.
    """
    adapter = get_connector(connector)
    adapter.verify(headers, body)
    error = None
    topic = ""
    try:
        payload = load_json(body)
        topic = adapter.topic(headers, payload)
        adapter.parse(topic, payload)
    except PayloadError as exc:
        error = exc
    delivery_id = _clean(adapter.delivery_id(headers, body))[:200] or (
        "sha256:" + hashlib.sha256(body).hexdigest()
    )
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                connector=connector,
                topic=_clean(topic)[:100],
                delivery_id=delivery_id,
                headers=_kept_headers(headers),
                body=body,
                status=WebhookDelivery.Status.FAILED if error else WebhookDelivery.Status.RECEIVED,
                error=_clean(error.message) if error else "",
                error_field=_clean(error.field)[:200] if error else "",
            )
            if error is None:
                _enqueue(delivery.pk)
    except IntegrityError:
        existing = WebhookDelivery.objects.get(connector=connector, delivery_id=delivery_id)
        return Received(delivery=existing, duplicate=True)
    return Received(delivery=delivery, error=error)


def _enqueue(delivery_pk: int) -> None:
    from ..tasks import process_delivery

    transaction.on_commit(lambda: process_delivery.delay(delivery_pk))


@transaction.atomic
def delivery_process(*, delivery_id: int, replay: bool = False) -> WebhookDelivery:
    """Apply a stored delivery. Locks its row; a processed delivery is not applied again.

    ``replay`` re-applies a failed or processed delivery on staff request (the changes
    themselves are idempotent, so a replay of a processed delivery changes nothing).
    A shipment or refund whose order has not arrived waits for it (status ``waiting``);
    the order's arrival re-queues it.
    """
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    done = (WebhookDelivery.Status.PROCESSED, WebhookDelivery.Status.IGNORED)
    if delivery.status in done and not replay:
        return delivery
    adapter = get_connector(delivery.connector)
    delivery.attempts += 1
    try:
        payload = json.loads(delivery.body_bytes)
        changes = adapter.parse(delivery.topic, payload)
        changes = _enrich(adapter, changes)
        outcomes = mirror.apply_many(connector=delivery.connector, changes=changes)
    except OrderNotYetKnown as exc:
        delivery.status = WebhookDelivery.Status.WAITING
        delivery.waiting_for = _clean(exc.key)[:150]
        delivery.error = _clean(str(exc))
        delivery.error_field = ""
    except PayloadError as exc:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.error, delivery.error_field = _clean(exc.message), _clean(exc.field)[:200]
    except ValueError as exc:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.error, delivery.error_field = _clean(f"not valid JSON ({exc})"), "body"
    except Exception as exc:
        # Whatever went wrong, the delivery stays in the inbox, marked, for staff to replay.
        # A passing failure of a platform's API (Stripe line items), or of the database
        # (two batches that lock the same customers deadlock; PostgreSQL aborts one), is
        # retried by the task.
        log.exception("delivery %s failed", delivery.pk)
        delivery.retry_soon = is_contention(exc)
        delivery.retry_later = delivery.retry_soon or getattr(exc, "retryable", False)
        delivery.status = (
            WebhookDelivery.Status.RECEIVED
            if delivery.retry_later
            else WebhookDelivery.Status.FAILED
        )
        delivery.error = _clean(f"{exc.__class__.__name__}: {exc}")[:2000]
        delivery.error_field = ""
    else:
        delivery.status = (
            WebhookDelivery.Status.PROCESSED if changes else WebhookDelivery.Status.IGNORED
        )
        delivery.error = delivery.error_field = delivery.waiting_for = ""
        delivery.processed_at = timezone.now()
        keys = []
        for change, outcome in zip(changes, outcomes, strict=True):
            if isinstance(change, OrderData) and outcome.order is not None:
                keys.append(f"{delivery.connector}:{change.external_id}")
                if outcome.order.payment_reference:
                    reference = outcome.order.payment_reference
                    keys.append(f"{delivery.connector}:{mirror.PAYMENT_PREFIX}{reference}")
        _wake_waiting(keys)
    delivery.save()
    return delivery


# PostgreSQL's deadlock_detected and serialization_failure: the transaction was aborted
# for another one's sake and succeeds when run again.
CONTENTION_SQLSTATES = {"40P01", "40001"}


def is_contention(exc: BaseException) -> bool:
    """Whether ``exc`` is the database aborting a transaction that a retry would pass."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) in CONTENTION_SQLSTATES


def _enrich(adapter, changes):
    """Connectors whose events lack data (Stripe's line items) fetch it here, in the task."""
    enrich = getattr(adapter, "enrich", None)
    return enrich(changes) if enrich else changes


def _wake_waiting(keys: list[str]) -> None:
    """Queue the deliveries that wait for any of these orders (one query for a batch)."""
    if not keys:
        return
    waiting = list(
        WebhookDelivery.objects.filter(
            waiting_for__in=keys, status=WebhookDelivery.Status.WAITING
        ).values_list("pk", flat=True)
    )
    for pk in waiting:
        _enqueue(pk)


def delivery_replay(*, delivery_id: int) -> None:
    """Staff asked to run a delivery again: queue it (after commit)."""
    from ..tasks import replay_delivery

    transaction.on_commit(lambda: replay_delivery.delay(delivery_id))
