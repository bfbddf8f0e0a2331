"""Paying an inspected return out: the first payment row, each attempt, and what agents
do (retry a failed payment, mark one done in the store)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from orders import stripe_api
from orders.models import Order, Refund

from ..exceptions import PaymentError
from ..models import ReturnLine, ReturnPayment, ReturnRequest, Status
from .core import (
    KEY_SUFFIX,
    RESOLVED,
    Kind,
    State,
    accepted_value,
    amount,
    event,
    money_back,
    payment_complete,
    payment_fail,
    payment_insert,
    payment_key,
    payment_note_error,
    payout_kind,
)
from .refunds import FAILED, stripe_attempt


def return_payout(*, request_id: int) -> str:
    """Pay an inspected return out the way the customer chose; the payment's state
    ("skipped" when there is nothing to pay: not inspected, or already resolved).

    Safe to run twice and concurrently: the payment row is written first, under the
    return's and the order's row locks, with a key derived from the return, and every
    attempt uses that row. A refund goes through Stripe when the order was paid there,
    else it waits for an agent to refund in the store; store credit is issued through
    ``loyalty.services``; an exchange is sent to the store by the ``exchange_send`` task.
    A payment that would give back more than the order paid is written failed with the
    reason and nothing is called. A failed payment waits for an agent (``payment_retry``).
    Raises ``PaymentError`` (retryable) when Stripe or the store could not be reached.
    """
    payment = _payment_open(request_id=request_id)
    if payment is None:
        return "skipped"
    if payment.state != State.PENDING:
        return payment.state
    return payment_attempt(payment_id=payment.pk)


@transaction.atomic
def _payment_open(*, request_id: int) -> ReturnPayment | None:
    request = ReturnRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        return None
    current = request.payments.order_by("-pk").first()
    if current is not None:
        return current
    if request.status != Status.INSPECTED:
        return None
    order = Order.objects.select_for_update().get(pk=request.order_id)
    kind = payout_kind(request, order)
    value = _payout_value(request, kind)
    if value <= 0:
        _resolve_without_payment(request, kind)
        return None
    return payment_insert(request, order, kind=kind, key=payment_key(request, kind), value=value)


def _payout_value(request: ReturnRequest, kind: str) -> Decimal:
    """What the payment is worth: the return's total (with any credit bonus); for an
    exchange, the value of the items exchanged."""
    if kind != Kind.EXCHANGE:
        return request.total
    lines = request.lines.filter(
        outcome__in=(ReturnLine.Outcome.ACCEPTED, ReturnLine.Outcome.PARTIAL)
    )
    return sum((accepted_value(line) for line in lines), Decimal("0"))


def _resolve_without_payment(request: ReturnRequest, kind: str) -> None:
    from ..services import return_resolve

    return_resolve(
        request_id=request.pk,
        status=RESOLVED[kind],
        message=_("Nothing to pay out: the fees came to the value of the items."),
    )


def payment_attempt(*, payment_id: int) -> str:
    """One attempt at a pending payment; its state after it. Stripe refunds are created
    under the payment's key; store credit is issued under it; an exchange is queued for
    ``exchange_send``; a refund in the store waits for an agent. Safe to run twice."""
    payment = ReturnPayment.objects.select_related("order").get(pk=payment_id)
    if payment.state != State.PENDING:
        return payment.state
    if payment.kind == Kind.STRIPE:
        return stripe_attempt(payment)
    if payment.kind == Kind.CREDIT:
        return _credit_attempt(payment)
    if payment.kind == Kind.EXCHANGE:
        from ..services import _on_commit

        _on_commit("exchange_send", payment.pk)
    return State.PENDING


def _credit_attempt(payment: ReturnPayment) -> str:
    from loyalty import services as loyalty

    request = ReturnRequest.objects.get(pk=payment.request_id)
    with translation.override(request.language):
        reason = _("Return %(number)s") % {"number": request.number}
    try:
        credit = loyalty.store_credit_issue(
            email=request.email,
            amount=payment.amount,
            currency=payment.currency,
            key=payment.key,
            reason=reason,
            order_id=payment.order_id,
        )
    except stripe_api.StripeApiError as exc:
        if exc.retryable:
            payment_note_error(payment_id=payment.pk, message=str(exc))
            raise PaymentError(str(exc), retryable=True) from exc
        return payment_fail(payment_id=payment.pk, message=str(exc))
    if credit.status == credit.Status.FAILED:
        return payment_fail(payment_id=payment.pk, message=credit.error or _("Not issued."))
    if credit.status != credit.Status.ISSUED:
        raise PaymentError(credit.error or _("The credit is still being issued."), retryable=True)
    given = amount(credit.amount, credit.currency)
    if credit.kind == credit.Kind.POINTS:
        message = _("Store credit of %(amount)s added to your rewards as %(points)s points.") % {
            "amount": given,
            "points": credit.points,
        }
    else:
        message = _("Store credit of %(amount)s: use the code %(code)s at checkout.") % {
            "amount": given,
            "code": credit.code,
        }
    payment_complete(
        payment_id=payment.pk,
        external_id=f"store-credit:{credit.pk}",
        external_status=credit.kind,
        message=message,
    )
    return State.SUCCEEDED


# --- Agents ---------------------------------------------------------------------------------


def payment_retry(*, payment_id: int, actor=None, in_store: bool = False) -> ReturnPayment:
    """An agent's retry; the payment that now carries the payout.

    A pending payment is attempted again now, under its own key. A failed one is followed
    by a new payment whose key derives from what failed: a refund Stripe failed gives
    ``return:<number>:refund:after:<refund id>`` (the only way a second Stripe refund is
    ever asked for), anything else ``…:retry:<failed payment id>``, so a double click
    makes one. ``in_store`` pays the new one in the store instead (a card Stripe cannot
    refund). Only the return's latest payment, and only while the return is inspected,
    can be retried; the over-payment check runs again. Raises ``PaymentError``.
    """
    payment = ReturnPayment.objects.get(pk=payment_id)
    if payment.state == State.SUCCEEDED:
        return payment
    if payment.state == State.PENDING:
        event(payment.request, _("Payment retried."), actor=actor, public=False)
        try:
            payment_attempt(payment_id=payment.pk)
        except PaymentError as exc:
            if not exc.retryable:
                raise
        return ReturnPayment.objects.get(pk=payment.pk)
    successor = _successor_open(payment_id=payment.pk, actor=actor, in_store=in_store)
    if successor.state == State.PENDING:
        try:
            payment_attempt(payment_id=successor.pk)
        except PaymentError as exc:
            if not exc.retryable:
                raise
    return ReturnPayment.objects.get(pk=successor.pk)


@transaction.atomic
def _successor_open(*, payment_id: int, actor, in_store: bool) -> ReturnPayment:
    failed = ReturnPayment.objects.select_for_update().get(pk=payment_id)
    request = ReturnRequest.objects.select_for_update().get(pk=failed.request_id)
    stripe_failed = failed.kind == Kind.STRIPE and failed.external_id
    if stripe_failed and failed.external_status in FAILED:
        key = f"return:{request.number}:refund:after:{failed.external_id}"
    else:
        key = f"return:{request.number}:{KEY_SUFFIX[failed.kind]}:retry:{failed.pk}"
    existing = ReturnPayment.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if failed.state != State.FAILED:
        raise PaymentError(_("Only a failed payment is paid again."))
    if request.payments.filter(pk__gt=failed.pk).exists():
        raise PaymentError(_("A later payment of this return exists: retry that one."))
    if stripe_failed and failed.external_status not in FAILED:
        # Stripe holds a refund for this payment that has not failed: paying again
        # could pay twice. Its status will come by webhook or the reconcile task.
        raise PaymentError(_("Stripe has a refund for this payment that has not failed."))
    if request.status != Status.INSPECTED:
        raise PaymentError(_("Only an inspected return is paid out."))
    order = Order.objects.select_for_update().get(pk=request.order_id)
    kind = failed.kind
    if in_store and kind in (Kind.STRIPE, Kind.STORE):
        kind = Kind.STORE
    event(request, _("Payment retried."), actor=actor, public=False)
    return payment_insert(request, order, kind=kind, key=key, value=failed.amount, actor=actor)


def payment_store_done(
    *, payment_id: int, actor, reference: str = "", difference: str | None = None
) -> ReturnPayment:
    """An agent refunded the customer in the store (or placed an exchange's replacement
    order by hand): the payment completes, the return is resolved and the refund written
    to the order mirror. ``reference`` is the store's refund id when it has one: the
    mirror records the refund under it, so the store's own webhook for that refund does
    not count it twice. Idempotent; raises ``PaymentError`` for another kind of payment
    or a failed one."""
    payment = ReturnPayment.objects.get(pk=payment_id)
    if payment.state == State.SUCCEEDED:
        return payment
    if payment.kind not in (Kind.STORE, Kind.EXCHANGE):
        raise PaymentError(_("This payment is not made in the store."))
    if payment.state != State.PENDING:
        raise PaymentError(_("This payment failed: retry it instead."))
    reference = reference.strip()[:100]
    if "\x00" in reference:
        raise PaymentError(_("The store's refund id has a character that cannot be stored."))
    if payment.kind == Kind.STORE and reference:
        _reference_check(payment, reference)
    if payment.kind == Kind.STORE:
        message = _("Refunded %(amount)s in the store.") % {
            "amount": amount(payment.amount, payment.currency)
        }
    else:
        request = ReturnRequest.objects.get(pk=payment.request_id)
        message = _("The replacement is ordered: %(wanted)s.") % {"wanted": request.exchange_for}
        if difference not in (None, ""):
            request.exchange_difference = _difference(difference)
            request.save(update_fields=["exchange_difference", "updated_at"])
            message = "{} {}".format(
                message,
                _("Price difference: %(amount)s.")
                % {"amount": amount(request.exchange_difference, request.currency)},
            )
    if reference:
        message = f"{message} ({reference})"
    return payment_complete(
        payment_id=payment.pk,
        external_status="done_by_agent",
        reference=reference if payment.kind == Kind.STORE else "",
        actor=actor,
        message=message,
    )


def _reference_check(payment: ReturnPayment, reference: str) -> None:
    """The store's refund id may name a refund the mirror already holds (its webhook came
    first) only when it is this payout's: same order, same amount, no other payout's."""
    order = Order.objects.only("connector").get(pk=payment.order_id)
    known = Refund.objects.filter(connector=order.connector, external_id=reference).first()
    if known is None:
        return
    request = ReturnRequest.objects.get(pk=payment.request_id)
    taken = ReturnPayment.objects.filter(order_refund_id=known.pk).exclude(pk=payment.pk)
    if (
        known.order_id != payment.order_id
        or known.amount != money_back(payment, request)
        or taken.exists()
    ):
        raise PaymentError(
            _(
                "The store's refund %(reference)s is already recorded for another refund "
                "(%(amount)s). Give this refund's own id, or leave it empty."
            )
            % {"reference": reference, "amount": amount(known.amount, known.currency)},
            field="reference",
        )


def _difference(raw: str) -> Decimal:
    """The exchange's price difference as an agent typed it ("-5", "12,50")."""
    text = str(raw).strip().replace(",", ".")
    try:
        value = Decimal(text)
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite() or abs(value) >= 10**12:
        raise PaymentError(_("Give the price difference as a number, e.g. 12.50 or -5."))
    return value.quantize(Decimal("0.01"))
