"""Store credit: what a return paid out as credit gives the customer.

The program setting ``store_credit_as`` decides the form. A **code** is a single-use
discount code for the amount: with ``STRIPE_API_KEY`` set, a Stripe promotion code on a
coupon of its own (as rewards are, ``rewards.redemption_issue``), else a Portico code the
store honours. **Points** (only while the program is on; otherwise a code) go through the
ledger like any others: an available lot opened by a ``credit`` entry keyed
``store-credit:<credit>``, so ``ledger_check`` holds and a repeat writes nothing. They
count towards no tier (not earned) and expire as the program's points do.

Every credit is a ``StoreCredit`` row, unique per the caller's ``key``, which the member's
page can list.
"""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from orders import stripe_api
from orders.models import Order

from ..models import Entry, Lot, ProgramSettings, StoreCredit
from .ledger import _locked, _open_lot, account_for_email, program
from .rewards import _new_code

log = logging.getLogger(__name__)


def store_credit_points(amount: Decimal, settings: ProgramSettings) -> int:
    """The points ``amount`` of credit is worth at the program's rate (half up, at least 1)."""
    points = (amount * settings.store_credit_points_per_unit).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return max(int(points), 1)


def store_credit_issue(
    *,
    email: str,
    amount: Decimal,
    currency: str,
    key: str,
    reason: str,
    order_id: int | None = None,
) -> StoreCredit:
    """Give ``email``'s account store credit worth ``amount``; the credit as it now stands.

    Idempotent per ``key``: the same key again returns the first credit (whatever the
    setting says now). Points are posted in one transaction under the account's row
    lock and are ready at once. A code is recorded first and then made: with Stripe, the
    coupon and promotion code are created with ``Idempotency-Key:
    portico-credit-<id>:…``, so calling again after a timeout or a crash returns what the
    first call made. When Stripe cannot be reached the credit stays "being issued" and
    ``StripeApiError`` (retryable) is raised for the caller to retry; when Stripe refuses,
    the credit is marked failed with the reason.
    """
    if amount <= 0:
        raise ValueError("store credit must be positive")
    credit = _credit_open(
        email=email, amount=amount, currency=currency, key=key, reason=reason, order_id=order_id
    )
    if credit.status == StoreCredit.Status.ISSUING:
        return store_credit_finish(credit_id=credit.pk)
    return credit


@transaction.atomic
def _credit_open(
    *, email: str, amount: Decimal, currency: str, key: str, reason: str, order_id: int | None
) -> StoreCredit:
    existing = StoreCredit.objects.filter(key=key).first()
    if existing is not None:
        return existing
    account = _locked(account_for_email(email=email).pk)
    existing = StoreCredit.objects.filter(key=key).first()  # made while we waited
    if existing is not None:
        return existing
    settings = program()
    as_points = (
        settings.enabled and settings.store_credit_as == ProgramSettings.StoreCreditAs.POINTS
    )
    order = Order.objects.filter(pk=order_id).first() if order_id else None
    fields = dict(
        account=account,
        key=key,
        amount=amount,
        currency=currency.upper(),
        reason=reason[:255],
        order=order,
    )
    kind = StoreCredit.Kind.POINTS if as_points else StoreCredit.Kind.CODE
    for _attempt in range(5):
        try:
            with transaction.atomic():
                credit = StoreCredit.objects.create(
                    kind=kind, code="" if as_points else _new_code(), **fields
                )
            break
        except IntegrityError:
            # The key taken meanwhile by a caller for another email (whose account we did
            # not lock): that credit it is. Else the drawn code was taken: draw again.
            existing = StoreCredit.objects.filter(key=key).first()
            if existing is not None:
                return existing
    else:
        raise RuntimeError("could not draw a free store credit code")
    if as_points:
        _points_post(account, credit, settings)
    return credit


def _points_post(account, credit: StoreCredit, settings: ProgramSettings) -> None:
    now = timezone.now()
    points = store_credit_points(credit.amount, settings)
    # Receiving credit is the member's own activity (for "months without activity"); the
    # ledger saves this with the entry.
    account.last_activity_at = now
    _open_lot(
        account,
        key=f"store-credit:{credit.pk}",
        points=points,
        status=Lot.Status.AVAILABLE,
        earned_at=now,
        available_at=now,
        rule=None,
        label=gettext("Store credit"),
        # No order on the lot: an order's lots are what its refunds take back, and this
        # credit is what the refund gave.
        order=None,
        note=credit.reason,
        kind=Entry.Kind.CREDIT,
        settings=settings,
    )
    credit.points, credit.status, credit.issued_at = points, StoreCredit.Status.ISSUED, now
    credit.save(update_fields=["points", "status", "issued_at"])


def store_credit_finish(*, credit_id: int) -> StoreCredit:
    """Make the code of a credit still "being issued". Safe to run twice: the Stripe calls
    carry the credit's idempotency key, and only a credit still being issued is marked
    issued. Raises ``StripeApiError`` when Stripe may succeed later."""
    credit = StoreCredit.objects.get(pk=credit_id)
    if credit.status != StoreCredit.Status.ISSUING or credit.kind != StoreCredit.Kind.CODE:
        return credit
    fields = {}
    if django_settings.STRIPE_API_KEY:
        try:
            coupon, promotion = stripe_api.promotion_code_create(
                key=f"portico-credit-{credit.pk}",
                code=credit.code,
                name=gettext("Store credit"),
                amount_off=credit.amount,
                currency=credit.currency,
            )
        except stripe_api.StripeApiError as exc:
            log.warning("store credit %s: %s", credit.pk, exc)
            if exc.retryable:
                StoreCredit.objects.filter(pk=credit.pk).update(error=str(exc)[:500])
                raise
            StoreCredit.objects.filter(pk=credit.pk, status=StoreCredit.Status.ISSUING).update(
                status=StoreCredit.Status.FAILED, error=str(exc)[:500]
            )
            credit.refresh_from_db()
            return credit
        fields = {"stripe_coupon_id": coupon, "stripe_promotion_code_id": promotion}
    StoreCredit.objects.filter(pk=credit.pk, status=StoreCredit.Status.ISSUING).update(
        status=StoreCredit.Status.ISSUED, issued_at=timezone.now(), error="", **fields
    )
    credit.refresh_from_db()
    return credit
