"""The one table of a return's statuses and the moves between them.

    requested ─► approved ─► label issued / drop-off code ─► in transit ─► received
        │            │                 │                                    │
        ▼            ▼                 ▼                                    ▼
    rejected     cancelled         cancelled                            inspected
                                                                            │
                               refunded / credited / exchanged ◄────────────┘
                                              │
                                              ▼
                                            closed

A "keep the item" return skips the parcel: approved goes straight to inspected. A return
whose every line inspection rejects ends rejected. Receiving without paying yet is the
state ``received`` (and ``inspected`` until the money has gone).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import Status

S = Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.REQUESTED: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset(
        {S.LABEL_ISSUED, S.DROPOFF_ISSUED, S.IN_TRANSIT, S.RECEIVED, S.INSPECTED, S.CANCELLED}
    ),
    S.LABEL_ISSUED: frozenset({S.IN_TRANSIT, S.RECEIVED, S.CANCELLED}),
    S.DROPOFF_ISSUED: frozenset({S.IN_TRANSIT, S.RECEIVED, S.CANCELLED}),
    S.IN_TRANSIT: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.INSPECTED}),
    S.INSPECTED: frozenset({S.REFUNDED, S.CREDITED, S.EXCHANGED, S.REJECTED}),
    S.REFUNDED: frozenset({S.CLOSED}),
    S.CREDITED: frozenset({S.CLOSED}),
    S.EXCHANGED: frozenset({S.CLOSED}),
    # Final: its units may be returned again, which a closed return's may not.
    S.REJECTED: frozenset(),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Until the parcel has left, the customer may cancel.
CUSTOMER_CANCELLABLE = frozenset({S.REQUESTED, S.APPROVED, S.LABEL_ISSUED, S.DROPOFF_ISSUED})

# The steps a customer sees, in order, for the progress bar on the return's page.
CUSTOMER_STEPS = (S.REQUESTED, S.APPROVED, S.IN_TRANSIT, S.RECEIVED, S.INSPECTED, S.CLOSED)

# What happens next, in the customer's words.
NEXT_STEP = {
    S.REQUESTED: _("We are looking at your request. You will get an email when it is approved."),
    S.APPROVED: _("Your return is approved. Get your label or drop-off code below."),
    S.LABEL_ISSUED: _("Print the label, stick it on the parcel and hand it to the carrier."),
    S.DROPOFF_ISSUED: _("Show the QR code at the drop-off point with your parcel."),
    S.IN_TRANSIT: _("Your parcel is on its way back to us."),
    S.RECEIVED: _("We have your parcel and will check the items within two working days."),
    S.INSPECTED: _("The items are checked. Your money is on its way."),
    S.REFUNDED: _("Refunded. Banks take 5–10 working days to show it."),
    S.CREDITED: _("Your store credit is ready to use."),
    S.EXCHANGED: _("Your replacement is on its way: the store will send its tracking."),
    S.CLOSED: _("This return is complete."),
    S.REJECTED: _("This return was not accepted. See the message below."),
    S.CANCELLED: _("This return was cancelled."),
}


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def allowed_from(current: str) -> list[str]:
    return sorted(TRANSITIONS.get(current, frozenset()))
