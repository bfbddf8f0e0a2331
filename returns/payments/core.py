"""The payment rows themselves: their keys, the check that nothing is paid back twice,
and the two ends a payment can reach (``payment_complete``, ``payment_fail``)."""

from __future__ import annotations

import logging
from decimal import Decimal

from babel.numbers import format_currency
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orders.models import Connector, Order, Refund
from orders.services.return_refunds import refund_record_for_order

from ..exceptions import IllegalTransition
from ..models import ReturnEvent, ReturnLine, ReturnPayment, ReturnRequest, Status

log = logging.getLogger(__name__)

Kind = ReturnPayment.Kind
State = ReturnPayment.State

# The metadata key on a Stripe refund naming the payment row (its key): how a refund whose
# id we never stored (a crash between Stripe's answer and our save) is found again.
PAYMENT_METADATA_KEY = "portico_payment"
# Kinds that give money (or its equivalent) back and are written to the order mirror.
MONEY_KINDS = (Kind.STRIPE, Kind.STORE, Kind.CREDIT)
CENT = Decimal("0.01")
RESOLVED = {
    Kind.STRIPE: Status.REFUNDED,
    Kind.STORE: Status.REFUNDED,
    Kind.CREDIT: Status.CREDITED,
    Kind.EXCHANGE: Status.EXCHANGED,
}
KEY_SUFFIX = {
    Kind.STRIPE: "refund",
    Kind.STORE: "refund",
    Kind.CREDIT: "credit",
    Kind.EXCHANGE: "exchange",
}


def payment_key(request: ReturnRequest, kind: str) -> str:
    """The first payment's key: derived from the return, the same on every attempt."""
    return f"return:{request.number}:{KEY_SUFFIX[kind]}"


def payout_kind(request: ReturnRequest, order: Order) -> str:
    """How this return is paid out: a refund goes back through Stripe when the order was
    paid with a PaymentIntent and Stripe is set up, else an agent refunds it in the store."""
    if request.resolution == "credit":
        return Kind.CREDIT
    if request.resolution == "exchange":
        return Kind.EXCHANGE
    if order.payment_reference.startswith("pi_") and settings.STRIPE_API_KEY:
        return Kind.STRIPE
    return Kind.STORE


def amount(value: Decimal, currency: str) -> str:
    """An amount as the active language writes it ("₺1.234,50", "$59.85"), for messages
    written in Python; templates use the ``money`` filter."""
    locale = translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)
    return format_currency(value, currency.upper(), locale=locale)


def event(request, message: str, *, actor=None, public: bool = True) -> ReturnEvent:
    from ..services import _event

    return _event(
        request, kind=ReturnEvent.Kind.PAYMENT, actor=actor, message=message, public=public
    )


def accepted_value(line: ReturnLine) -> Decimal:
    """What a line is paid for: the inspection's amount, else (a kept item, accepted on
    approval) its value less the restocking fee."""
    if line.accepted_amount is not None:
        return line.accepted_amount
    return line.full_value


def money_back(payment: ReturnPayment, request: ReturnRequest) -> Decimal:
    """The money a payment gives back: store credit without its bonus; an exchange none."""
    if payment.kind == Kind.EXCHANGE:
        return Decimal("0")
    if payment.kind == Kind.CREDIT:
        return max(payment.amount - request.bonus_credit, Decimal("0"))
    return payment.amount


# --- Opening a payment --------------------------------------------------------------------


def over_refund_refusal(order: Order, money: Decimal) -> str:
    """Why ``money`` more cannot go back on ``order`` ("" when it can). The caller holds
    the order's row lock, so two returns of one order are judged one after the other.

    Counted: every refund in the order mirror (the store's and ours), and every pending or
    paid return payment not yet written there.
    """
    mirrored = Refund.objects.filter(order=order).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    mirrored = Decimal(mirrored).quantize(CENT)  # SQLite sums decimals as floats
    waiting = (
        ReturnPayment.objects.filter(
            order=order,
            order_refund_id__isnull=True,
            state__in=(State.PENDING, State.SUCCEEDED),
            kind__in=MONEY_KINDS,
        )
        .select_related("request")
        .order_by()
    )
    promised = sum((money_back(p, p.request) for p in waiting), Decimal(0))
    given = mirrored + promised
    if given + money <= order.total:
        return ""
    return _(
        "Not paid: %(amount)s more would bring what order %(order)s got back to %(sum)s, "
        "more than the %(paid)s paid (already given back or on its way: %(given)s)."
    ) % {
        "amount": amount(money, order.currency),
        "order": order.number,
        "sum": amount(given + money, order.currency),
        "paid": amount(order.total, order.currency),
        "given": amount(given, order.currency),
    }


def payment_insert(
    request: ReturnRequest, order: Order, *, kind: str, key: str, value: Decimal, actor=None
) -> ReturnPayment:
    """Write a payment row before anything is paid. The caller holds the return's and then
    the order's row locks. A payment that would give back more than was paid is written
    failed, with the reason, and nothing is called."""
    payment = ReturnPayment(
        request=request,
        order=order,
        kind=kind,
        key=key,
        amount=value,
        currency=request.currency,
    )
    refusal = (
        over_refund_refusal(order, money_back(payment, request)) if kind in MONEY_KINDS else ""
    )
    if refusal:
        payment.state, payment.error = State.FAILED, refusal[:500]
    payment.save()
    if refusal:
        event(request, refusal, actor=actor, public=False)
    elif kind == Kind.STORE:
        event(
            request,
            _("Refund %(amount)s in the store, then mark it done here.")
            % {"amount": amount(value, request.currency)},
            actor=actor,
            public=False,
        )
    elif kind == Kind.EXCHANGE:
        event(
            request,
            _("Exchange recorded: %(wanted)s.") % {"wanted": request.exchange_for},
            actor=actor,
        )
    return payment


# --- Ending a payment ---------------------------------------------------------------------


def payment_complete(
    *,
    payment_id: int,
    message: str,
    external_id: str = "",
    external_status: str = "",
    reference: str = "",
    actor=None,
) -> ReturnPayment:
    """The payment is made: mark it succeeded, resolve the return and write the refund to
    the order mirror. Once: the payment row is locked, and a payment already succeeded is
    returned as it is, so the webhook and the task arriving together complete it once.

    Locks, in this order: the payment, the return, the order. Writes a public PAYMENT event
    (``message``), the return's transition (refunded / credited / exchanged), and for money
    kinds the ``orders.Refund`` row with the accepted lines (``order_refunded`` on commit,
    which loyalty reverses points from). A return that can no longer move (closed meanwhile)
    keeps its status; an internal event says the money went.
    """
    with transaction.atomic():
        payment = ReturnPayment.objects.select_for_update().get(pk=payment_id)
        if payment.state != State.PENDING:
            # Done already, or failed and followed by another payment: a late or replayed
            # "succeeded" must not pay (and record) a second time.
            return payment
        request = ReturnRequest.objects.get(pk=payment.request_id)
        now = timezone.now()
        if external_id and not payment.external_id:
            payment.external_id = external_id
        if external_status:
            payment.external_status = external_status
        payment.state, payment.completed_at, payment.error = State.SUCCEEDED, now, ""
        payment.save()
        _resolve(request, payment, actor)
        if payment.kind in MONEY_KINDS:
            refund = _mirror(payment, request, reference=reference, now=now)
            payment.order_refund_id = refund.pk
            payment.save(update_fields=["order_refund_id", "updated_at"])
        event(request, message, actor=actor)
    return payment


def _resolve(request: ReturnRequest, payment: ReturnPayment, actor) -> None:
    from ..services import return_resolve

    target = RESOLVED[payment.kind]
    try:
        with transaction.atomic():
            return_resolve(request_id=request.pk, status=target, actor=actor)
    except IllegalTransition as exc:
        log.warning("return %s paid while %s: %s", request.number, request.status, exc.message)
        event(
            request,
            _("Paid out, but the return could not be marked “%(status)s”: %(reason)s")
            % {"status": Status(target).label, "reason": exc.message},
            public=False,
        )


def _mirror(payment: ReturnPayment, request: ReturnRequest, *, reference: str, now) -> Refund:
    order = Order.objects.only("pk", "connector").get(pk=payment.order_id)
    if payment.kind == Kind.STRIPE and payment.external_id:
        connector, external_id = Connector.STRIPE, payment.external_id
    else:
        # The store's refund id, when the agent gives it, is the id the store's own webhook
        # records that refund under: the mirror then counts it once.
        connector, external_id = order.connector, reference or f"portico:{payment.key}"
    note = {Kind.CREDIT: " (store credit)", Kind.STORE: " (refunded in the store)"}
    return refund_record_for_order(
        order_id=order.pk,
        connector=connector,
        external_id=external_id[:100],
        amount=money_back(payment, request),
        currency=payment.currency,
        reason=f"Portico return {request.number}{note.get(payment.kind, '')}",
        refunded_at=now,
        lines=[
            (line.order_line_id, line.quantity, accepted_value(line))
            for line in request.lines.filter(
                outcome__in=(ReturnLine.Outcome.ACCEPTED, ReturnLine.Outcome.PARTIAL)
            ).order_by("pk")
        ],
    )


def payment_fail(*, payment_id: int, message: str, external_status: str = "") -> str:
    """A pending payment that cannot be made: failed, with the reason on the row and in an
    internal PAYMENT event, for an agent to see and retry (``payment_retry``). Returns the
    payment's state (a payment no longer pending is left as it is)."""
    with transaction.atomic():
        payment = ReturnPayment.objects.select_for_update().get(pk=payment_id)
        if payment.state != State.PENDING:
            return payment.state
        payment.state, payment.error = State.FAILED, message[:500]
        if external_status:
            payment.external_status = external_status
        payment.save()
        request = ReturnRequest.objects.get(pk=payment.request_id)
        event(
            request,
            _("Payment of %(amount)s failed: %(reason)s")
            % {"amount": amount(payment.amount, payment.currency), "reason": message},
            public=False,
        )
    return State.FAILED


def payment_note_error(*, payment_id: int, message: str) -> None:
    """A passing failure (Stripe unreachable): the payment stays pending with the reason."""
    ReturnPayment.objects.filter(pk=payment_id, state=State.PENDING).update(
        error=message[:500], updated_at=timezone.now()
    )
