"""What the return's page shows, built from rows already fetched (no queries here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.models import Shipment

from .. import states
from ..models import Method, Resolution, ReturnEvent, ReturnPayment, ReturnRequest, Status

S = Status

# Where each status sits on the customer's progress bar (``states.CUSTOMER_STEPS``).
STEP_OF = {
    S.REQUESTED: S.REQUESTED,
    S.APPROVED: S.APPROVED,
    S.LABEL_ISSUED: S.APPROVED,
    S.DROPOFF_ISSUED: S.APPROVED,
    S.IN_TRANSIT: S.IN_TRANSIT,
    S.RECEIVED: S.RECEIVED,
    S.INSPECTED: S.INSPECTED,
}
RESOLVED = {S.REFUNDED, S.CREDITED, S.EXCHANGED, S.CLOSED}
FINAL_STATUS = {
    Resolution.REFUND: S.REFUNDED,
    Resolution.CREDIT: S.CREDITED,
    Resolution.EXCHANGE: S.EXCHANGED,
}
STEP_LABELS = {
    S.REQUESTED: gettext_lazy("Requested"),
    S.APPROVED: gettext_lazy("Approved"),
    S.IN_TRANSIT: gettext_lazy("Sent back"),
    S.RECEIVED: gettext_lazy("Received"),
    S.INSPECTED: gettext_lazy("Checked"),
}
EVENT_TITLES = {
    S.REQUESTED: gettext_lazy("You asked to return items"),
    S.APPROVED: gettext_lazy("Return approved"),
    S.LABEL_ISSUED: gettext_lazy("Return label ready"),
    S.DROPOFF_ISSUED: gettext_lazy("Drop-off code ready"),
    S.IN_TRANSIT: gettext_lazy("Parcel on its way back"),
    S.RECEIVED: gettext_lazy("Parcel received"),
    S.INSPECTED: gettext_lazy("Items checked"),
    S.REFUNDED: gettext_lazy("Refunded"),
    S.CREDITED: gettext_lazy("Store credit issued"),
    S.EXCHANGED: gettext_lazy("Exchange arranged"),
    S.CLOSED: gettext_lazy("Return complete"),
    S.REJECTED: gettext_lazy("Return not accepted"),
    S.CANCELLED: gettext_lazy("Return cancelled"),
}
TONE = {S.REJECTED: "problem", S.CANCELLED: "problem", S.REFUNDED: "ok", S.CREDITED: "ok"}
ENDED = (S.REJECTED, S.CANCELLED)


def ended(ret: ReturnRequest) -> str:
    """ "rejected" or "cancelled" for a return that ended so, also one closed afterwards
    (the status table once allowed rejected → closed), else "". Reads the prefetched
    ``public_events`` when there are some."""
    if ret.status in ENDED:
        return ret.status
    for event in reversed(getattr(ret, "public_events", None) or ()):
        if event.kind == ReturnEvent.Kind.TRANSITION and event.to_status in ENDED:
            return event.to_status
    return ""


def rejection_note(ret: ReturnRequest) -> str:
    """Why the return was not accepted: the agent's message, else the rejection's own
    (an inspection that accepted nothing says so there)."""
    if ret.rejection_message:
        return ret.rejection_message
    for event in reversed(getattr(ret, "public_events", None) or ()):
        if event.kind == ReturnEvent.Kind.TRANSITION and event.to_status == S.REJECTED:
            return event.message
    return ""


def progress(ret: ReturnRequest) -> list[dict] | None:
    """The steps with their state ("done", "current", "todo"); None for a return that was
    rejected or cancelled (the page says so instead), even if closed since."""
    if ended(ret):
        return None
    steps = [s for s in states.CUSTOMER_STEPS if s != S.CLOSED]
    if ret.method == Method.KEEP:
        steps = [s for s in steps if s not in (S.IN_TRANSIT, S.RECEIVED)]
    final = FINAL_STATUS.get(ret.resolution, S.CLOSED)
    labels = [str(STEP_LABELS.get(s, Status(s).label)) for s in steps]
    labels.append(str(Status(final).label))
    if ret.status in RESOLVED:
        current = len(labels)  # everything done
    else:
        current = steps.index(STEP_OF.get(ret.status, S.REQUESTED))
    return [
        {
            "number": index + 1,
            "label": label,
            "state": "done" if index < current else "current" if index == current else "todo",
        }
        for index, label in enumerate(labels)
    ]


def line_rows(ret: ReturnRequest, policy) -> list[dict]:
    """Each line with its reason in the active language and its photos' URLs."""
    rows = []
    for line in ret.lines.all():
        reason = policy.reason(line.reason)
        rows.append(
            {
                "line": line,
                "reason": reason.display if reason else line.reason_label,
                "refund": line.full_value,
                "photos": [
                    reverse("returns:photo", args=[ret.number, photo.pk])
                    for photo in line.photos.all()
                ],
            }
        )
    return rows


def settled_amounts(ret: ReturnRequest) -> dict | None:
    """After the inspection, what the total is made of: each line's accepted value (its
    price, tax and restocking fee as inspected, ``ReturnLine.accepted_amount``), the
    outbound shipping refunded, the return shipping and other fees, the store credit bonus,
    and the difference when the payout was held at zero or to what is left of the order's
    payment (``policy.payout``). The rows add up to ``ret.total``. None before the
    inspection, when the page shows the quote. Reads the prefetched lines only."""
    lines = list(ret.lines.all())
    if not lines or any(line.accepted_amount is None for line in lines):
        return None
    accepted = sum((line.accepted_amount for line in lines), Decimal("0"))
    computed = accepted + ret.shipping_refund - ret.shipping_fee - ret.other_fees
    difference = (ret.total - ret.bonus_credit) - computed
    return {
        "currency": ret.currency,
        "resolution": ret.resolution,
        "lines": lines,
        "shipping_refund": ret.shipping_refund,
        "shipping_fee": ret.shipping_fee,
        "other_fees": ret.other_fees,
        # Fees beyond the items' value are not charged; a payout is held to what is left.
        "waived": max(difference, Decimal("0")),
        "held": max(-difference, Decimal("0")),
        "bonus_credit": ret.bonus_credit,
        "total": ret.total,
    }


@dataclass(frozen=True)
class Entry:
    at: datetime
    title: str = ""
    detail: str = ""
    source: str = ""  # "order", "return", "money"
    tone: str = ""
    # A payout: the template words it by kind, with the amount in the order's notation.
    payment_kind: str = ""
    amount: Decimal | None = None
    currency: str = ""


def _shipment_entries(shipment: Shipment) -> list[Entry]:
    carrier = shipment.carrier_name or shipment.carrier
    detail = " · ".join(part for part in (carrier, shipment.tracking_number) if part)
    entries = []
    if shipment.shipped_at:
        entries.append(Entry(shipment.shipped_at, _("Your order was shipped"), detail, "order"))
    if shipment.delivered_at:
        entries.append(
            Entry(shipment.delivered_at, _("Your order was delivered"), detail, "order", "ok")
        )
    return entries


def _event_entry(event: ReturnEvent) -> Entry | None:
    if event.kind != ReturnEvent.Kind.TRANSITION or not event.to_status:
        return None  # payouts are shown from their own rows; notes are never public
    title = EVENT_TITLES.get(event.to_status)
    if title is None:
        return None
    tone = TONE.get(event.to_status, "")
    return Entry(event.created_at, str(title), event.message, "return", tone)


def _payment_entry(payment: ReturnPayment, note: str = "") -> Entry:
    detail = {
        ReturnPayment.State.PENDING: _("In progress"),
        ReturnPayment.State.SUCCEEDED: _("Done"),
        ReturnPayment.State.FAILED: _("Delayed: we are looking into it"),
    }.get(payment.state, "")
    if payment.kind == ReturnPayment.Kind.CREDIT and payment.state == "succeeded" and note:
        detail = note  # the code to use at checkout, or the points it became
    return Entry(
        payment.completed_at or payment.created_at,
        detail=str(detail),
        source="money",
        tone={"succeeded": "ok", "failed": "problem"}.get(payment.state, ""),
        payment_kind=payment.kind,
        amount=payment.amount,
        currency=payment.currency,
    )


def timeline(ret: ReturnRequest) -> list[Entry]:
    """The order's shipments (prefetched on ``ret.order``), the return's public steps and
    its payouts, oldest first; entries at the same moment keep that order."""
    entries: list[Entry] = []
    for shipment in ret.order.shipments.all():
        entries.extend(_shipment_entries(shipment))
    for event in ret.public_events:
        entry = _event_entry(event)
        if entry is not None:
            entries.append(entry)
    # The public note of a completed payout says what the customer got (a credit's code).
    notes = [e.message for e in ret.public_events if e.kind == ReturnEvent.Kind.PAYMENT]
    note = notes[-1] if notes else ""
    entries.extend(_payment_entry(payment, note) for payment in ret.payments.all())
    return sorted(entries, key=lambda entry: entry.at)
