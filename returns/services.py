"""Every write a return allows. Each function is one transaction that locks the return (or
the order, when a return is made) and writes a ``ReturnEvent`` with each status change.

Moves follow the one table in ``states.py``; anything else raises ``IllegalTransition``
with a message fit to show. Customer emails and payouts are queued on commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Order

from . import states
from .exceptions import IllegalTransition, ReturnNotAllowed
from .models import (
    Method,
    Resolution,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    Status,
)
from .policy import Pick, Quote, quote
from .selectors import order_facts, policy_current, policy_for_version

NUMBER_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"


def _number() -> str:
    return "R-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(7))


def _on_commit(task_name: str, *args) -> None:
    """Queue a returns task after commit (imported late: tasks import services)."""

    def send():
        from . import tasks

        getattr(tasks, task_name).delay(*args)

    transaction.on_commit(send)


def _event(
    request: ReturnRequest,
    *,
    kind: str = ReturnEvent.Kind.TRANSITION,
    from_status: str = "",
    to_status: str = "",
    actor=None,
    message: str = "",
    public: bool = True,
) -> ReturnEvent:
    return ReturnEvent.objects.create(
        request=request,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        message=message,
        public=public,
    )


def _order_touch(order_id: int) -> None:
    """The order page is cached per ``Order.updated_at``: it shows its returns."""
    Order.objects.filter(pk=order_id).update(updated_at=timezone.now())


def _locked(request_id: int) -> ReturnRequest:
    return ReturnRequest.objects.select_for_update().get(pk=request_id)


# --- Making a return ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewLine:
    line_id: int
    quantity: int
    reason: str
    comment: str = ""
    photos: tuple = ()  # ``uploads.CleanPhoto`` each


def return_quote(
    *, order: Order, lines: list[NewLine], resolution: str, method: str, now: datetime | None = None
) -> Quote:
    """The engine's answer for these picks under the policy in force (reads only)."""
    policy, _version = policy_current()
    return quote(
        policy,
        order_facts(order=order),
        [Pick(x.line_id, x.quantity, x.reason, x.comment, len(x.photos)) for x in lines],
        resolution=resolution,
        method=method,
        now=now or timezone.now(),
    )


def return_create(
    *,
    order_id: int,
    email: str,
    lines: list[NewLine],
    resolution: str,
    method: str,
    comment: str = "",
    exchange_for: str = "",
    user=None,
    language: str = "en",
    submission_key: str | None = None,
    now: datetime | None = None,
) -> ReturnRequest:
    """Make a return request, or raise ``ReturnNotAllowed`` naming the fields at fault.

    Idempotent on ``submission_key`` (the form's key): a second call with the same key
    returns the return the first one made, whatever else it says.

    Locks the order row so two requests for the same order are judged one after the
    other (the second sees the units the first took). Stores the quote the customer saw,
    the policy version it came from, the photos, and the "requested" event; approves at
    once when a rule says so. Emails the customer on commit.
    """
    from .uploads import MAX_PHOTOS_PER_LINE

    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if submission_key:
            # Under the order's lock: a concurrent submit of the same form waits here.
            made = ReturnRequest.objects.filter(submission_key=submission_key).first()
            if made is not None:
                return made
        policy, version = policy_current()
        result = quote(
            policy,
            order_facts(order=order),
            [Pick(x.line_id, x.quantity, x.reason, x.comment, len(x.photos)) for x in lines],
            resolution=resolution,
            method=method,
            now=now,
        )
        if resolution == Resolution.EXCHANGE and not exchange_for.strip():
            result.errors["exchange_for"] = _("Say which size or colour you would like instead.")
        for x in lines:
            if len(x.photos) > MAX_PHOTOS_PER_LINE:
                result.errors[f"line-{x.line_id}-photos"] = _(
                    "At most %(count)s photos per item."
                ) % {"count": MAX_PHOTOS_PER_LINE}
        if result.errors:
            raise ReturnNotAllowed(result.errors)
        request = _request_insert(
            order=order,
            email=email,
            user=user,
            language=language,
            version=version,
            result=result,
            comment=comment,
            exchange_for=exchange_for,
            submission_key=submission_key or None,
        )
        by_line = {x.line_id: x for x in lines}
        for q in result.lines:
            row = ReturnLine.objects.create(
                request=request,
                order_line_id=q.line.id,
                quantity=q.quantity,
                reason=q.reason.code,
                reason_label=q.reason.label,
                comment=q.comment,
                unit_amount=q.unit_amount,
                amount=q.amount,
                tax=q.tax,
                restocking_fee=q.restocking_fee,
            )
            for photo in by_line[q.line.id].photos:
                _photo_store(row, photo)
        _event(request, to_status=Status.REQUESTED, actor=user)
        _order_touch(order.pk)
        _on_commit("return_email", request.pk, "requested")
        if result.auto_approve:
            _move(request, Status.APPROVED, actor=None, message=_("Approved automatically."))
            _after_approval(request)
    return request


def _request_insert(
    *, order, email, user, language, version, result: Quote, comment, exchange_for, submission_key
):
    fields = dict(
        submission_key=submission_key,
        order=order,
        email=email.lower(),
        user=user if getattr(user, "is_authenticated", False) else None,
        language=language,
        policy_version=version,
        resolution=result.resolution,
        method=result.method,
        currency=result.currency,
        items_total=result.items_total,
        tax_total=result.tax_total,
        shipping_refund=result.shipping_refund,
        restocking_fee=result.restocking_fee,
        shipping_fee=result.shipping_fee,
        other_fees=result.other_fees,
        bonus_credit=result.bonus_credit,
        total=result.total,
        comment=comment,
        exchange_for=exchange_for,
        flagged=result.flagged,
        review="" if result.auto_approve else ReturnRequest.Review.PENDING,
        review_reasons=result.review_reasons,
        decision={"rules": result.applied_rules, "auto_approve": result.auto_approve},
    )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return ReturnRequest.objects.create(number=_number(), **fields)
        except IntegrityError:
            continue  # the number was taken: draw another
    raise RuntimeError("could not draw a free return number")


def _photo_store(line: ReturnLine, photo) -> None:
    from django.core.files.base import ContentFile

    from .models import ReturnPhoto

    stored = ReturnPhoto(
        line=line, content_type=photo.content_type, width=photo.width, height=photo.height
    )
    stored.image.save(
        f"{secrets.token_hex(8)}.{photo.extension}", ContentFile(photo.content), save=False
    )
    stored.save()


# --- Moving a return ----------------------------------------------------------------------


def _move(request: ReturnRequest, target: str, *, actor=None, message: str = "", public=True):
    if not states.can_move(request.status, target):
        raise IllegalTransition(
            _("A return that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": Status(request.status).label,
                "target": Status(target).label,
            }
        )
    previous = request.status
    request.status = target
    now = timezone.now()
    stamp = {
        Status.APPROVED: "approved_at",
        Status.RECEIVED: "received_at",
        Status.REFUNDED: "resolved_at",
        Status.CREDITED: "resolved_at",
        Status.EXCHANGED: "resolved_at",
        Status.CLOSED: "closed_at",
        Status.REJECTED: "closed_at",
        Status.CANCELLED: "closed_at",
    }.get(target)
    update = ["status", "updated_at"]
    if stamp:
        setattr(request, stamp, now)
        update.append(stamp)
    request.save(update_fields=update)
    _event(
        request, from_status=previous, to_status=target, actor=actor, message=message, public=public
    )
    _order_touch(request.order_id)
    _on_commit("return_email", request.pk, str(target))


def _after_approval(request: ReturnRequest) -> None:
    """What an approval sets going: the label or drop-off code, or for a return the customer
    keeps, the payout at once."""
    if request.method == Method.KEEP:
        _move(request, Status.INSPECTED, message=_("Nothing to send back: you keep the item."))
        ReturnLine.objects.filter(request=request).update(outcome=ReturnLine.Outcome.ACCEPTED)
        _on_commit("return_payout", request.pk)
    elif request.method == Method.DROPOFF:
        request.dropoff_code = secrets.token_hex(4).upper()
        request.save(update_fields=["dropoff_code"])
        _move(request, Status.DROPOFF_ISSUED)
    else:
        request.label_carrier = "portico-label"
        request.label_tracking_number = "RL" + request.number.removeprefix("R-")
        request.save(update_fields=["label_carrier", "label_tracking_number"])
        _move(request, Status.LABEL_ISSUED)


@transaction.atomic
def return_approve(*, request_id: int, actor=None, message: str = "") -> ReturnRequest:
    """Approve a requested return, then issue its label or drop-off code (or pay it out
    when the customer keeps the item). Raises ``IllegalTransition`` unless requested."""
    request = _locked(request_id)
    _move(request, Status.APPROVED, actor=actor, message=message)
    if request.review:
        request.review = ReturnRequest.Review.DONE
        request.save(update_fields=["review"])
    _after_approval(request)
    return request


@transaction.atomic
def return_reject(*, request_id: int, actor=None, message: str) -> ReturnRequest:
    """Reject a requested return with a message for the customer; its units may be
    returned again. Raises ``IllegalTransition`` for any other status."""
    request = _locked(request_id)
    if not message.strip():
        raise IllegalTransition(_("Say why the return is rejected: the customer will read it."))
    if request.status != Status.REQUESTED:
        # Once approved, the items are on their way or here: the inspection decides, per
        # line (and rejects the return itself when nothing passes).
        raise IllegalTransition(
            _("Only a requested return can be rejected; inspect the items instead.")
        )
    _move(request, Status.REJECTED, actor=actor, message=message)
    request.rejection_message = message
    request.review = ReturnRequest.Review.DONE if request.review else ""
    request.save(update_fields=["rejection_message", "review"])
    return request


@transaction.atomic
def return_cancel(*, request_id: int, actor=None, by_customer: bool = False) -> ReturnRequest:
    """Cancel a return while nothing has shipped; its units may be returned again."""
    request = _locked(request_id)
    if by_customer and request.status not in states.CUSTOMER_CANCELLABLE:
        raise IllegalTransition(
            _("This return can no longer be cancelled: the parcel is on its way.")
        )
    _move(request, Status.CANCELLED, actor=actor)
    return request


@transaction.atomic
def return_in_transit(*, request_id: int, actor=None) -> ReturnRequest:
    request = _locked(request_id)
    _move(request, Status.IN_TRANSIT, actor=actor)
    return request


@transaction.atomic
def return_receive(*, request_id: int, actor=None, message: str = "") -> ReturnRequest:
    """The parcel arrived. Nothing is paid yet: that waits for the inspection."""
    request = _locked(request_id)
    _move(request, Status.RECEIVED, actor=actor, message=message)
    return request


@dataclass(frozen=True)
class Inspection:
    line_id: int  # ReturnLine id
    outcome: str  # ReturnLine.Outcome
    note: str = ""
    amount: object = None  # Decimal for partial credit


@transaction.atomic
def return_inspect(*, request_id: int, results: list[Inspection], actor=None) -> ReturnRequest:
    """Record the inspection of each line and what it is worth, then pay out.

    Accepted lines keep their value; partial credit takes the amount given (at most the
    line's value); a rejected line pays nothing and needs a reason. Fees and bonus are
    re-applied to the accepted value. When every line is rejected the return is rejected.
    """
    from decimal import Decimal

    from .policy import ZERO, money, payout

    request = _locked(request_id)
    if not states.can_move(request.status, Status.INSPECTED):
        raise IllegalTransition(_("Only a received return can be inspected."))
    lines = {line.pk: line for line in request.lines.select_for_update()}
    given = {r.line_id: r for r in results}
    if set(given) != set(lines):
        raise IllegalTransition(_("Inspect every line of the return."))
    accepted_value = ZERO
    for line_id, line in lines.items():
        result = given[line_id]
        full = line.full_value
        if result.outcome == ReturnLine.Outcome.ACCEPTED:
            value = full
        elif result.outcome == ReturnLine.Outcome.PARTIAL:
            try:
                value = money(Decimal(str(result.amount)))
            except Exception as exc:
                raise IllegalTransition(_("Give the partial amount as a number.")) from exc
            if not value.is_finite():
                raise IllegalTransition(_("Give the partial amount as a number."))
            if not ZERO <= value <= full:
                raise IllegalTransition(
                    _("A partial amount is between 0 and %(max)s.") % {"max": full}
                )
        elif result.outcome == ReturnLine.Outcome.REJECTED:
            if not result.note.strip():
                raise IllegalTransition(_("Say why a line is rejected."))
            value = ZERO
        else:
            raise IllegalTransition(_("Choose accept, partial or reject for every line."))
        line.outcome, line.outcome_note, line.accepted_amount = (
            result.outcome,
            result.note[:255],
            value,
        )
        line.save(update_fields=["outcome", "outcome_note", "accepted_amount"])
        accepted_value += value
    _move(request, Status.INSPECTED, actor=actor)
    if accepted_value <= 0:
        request.total = ZERO
        request.bonus_credit = ZERO
        request.save(update_fields=["total", "bonus_credit"])
        _move(request, Status.REJECTED, actor=actor, message=_("No item passed the inspection."))
        return request
    bonus_percent = ZERO
    if request.resolution == Resolution.CREDIT:
        bonus_percent = policy_for_version(request.policy_version).credit_bonus_percent
    # Inspection can lower what was quoted, never raise it: the quote was already held to
    # what was left of the order's payment.
    request.total, request.bonus_credit = payout(
        gross=accepted_value + request.shipping_refund,
        fees=request.shipping_fee + request.other_fees,
        left=request.total - request.bonus_credit,
        bonus_percent=bonus_percent,
    )
    request.save(update_fields=["total", "bonus_credit"])
    _on_commit("return_payout", request.pk)
    return request


@transaction.atomic
def return_resolve(*, request_id: int, status: str, actor=None, message: str = "") -> ReturnRequest:
    """Mark an inspected return refunded, credited or exchanged (the payout service calls
    this once the money or the replacement is on its way)."""
    request = _locked(request_id)
    if status not in (Status.REFUNDED, Status.CREDITED, Status.EXCHANGED):
        raise IllegalTransition(_("Not a resolution."))
    if request.status == status:
        return request  # already done
    _move(request, status, actor=actor, message=message)
    return request


@transaction.atomic
def return_close(*, request_id: int, actor=None) -> ReturnRequest:
    request = _locked(request_id)
    _move(request, Status.CLOSED, actor=actor)
    return request


@transaction.atomic
def return_note(*, request_id: int, actor, message: str) -> ReturnEvent:
    """An agent's internal note on the return's log (never shown to the customer)."""
    request = _locked(request_id)
    if not message.strip():
        raise IllegalTransition(_("A note needs some text."))
    return _event(
        request, kind=ReturnEvent.Kind.NOTE, actor=actor, message=message.strip(), public=False
    )


def returns_bulk(*, request_ids: list[int], action: str, actor, message: str = "") -> dict:
    """Approve or reject many returns; each in its own transaction. Returns counts of done
    and of those refused (with the reason per return number)."""
    done, refused = 0, {}
    for request_id in sorted(set(request_ids)):
        try:
            if action == "approve":
                return_approve(request_id=request_id, actor=actor, message=message)
            elif action == "reject":
                return_reject(request_id=request_id, actor=actor, message=message)
            else:
                raise IllegalTransition(_("Unknown action."))
            done += 1
        except (IllegalTransition, ReturnRequest.DoesNotExist) as exc:
            number = (
                ReturnRequest.objects.filter(pk=request_id).values_list("number", flat=True).first()
            )
            refused[number or str(request_id)] = str(getattr(exc, "message", exc))
    return {"done": done, "refused": refused}
