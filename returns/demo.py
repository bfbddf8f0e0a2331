"""Demo returns: a queue an agent can work, made through the same services customers and
agents use, from the demo store's delivered orders.

Deterministic (a seeded random); when demo returns exist, seeding again changes nothing.
Payouts go through the payout task like real ones (``seed_demo`` runs the tasks of the
demo's past in the seed): the demo orders were not paid through Stripe, so refunds become
"refund in the store" tasks for an agent.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from orders.models import Order

from . import services
from .exceptions import ReturnsError
from .models import Method, Resolution, ReturnRequest, Status
from .policy import eligibility
from .selectors import order_facts, policy_current
from .services import Inspection, NewLine

RETURN_COUNT = 30
# What each demo return goes through after it is requested (agents' steps).
JOURNEYS = [
    ("requested", 8),
    ("label_issued", 5),
    ("in_transit", 4),
    ("received", 4),
    ("inspected", 5),
    ("rejected", 2),
    ("cancelled", 2),
]
REASONS_WITHOUT_PHOTO = ["too_small", "too_large", "changed_mind", "not_as_described"]
COMMENTS = {
    "not_as_described": "The colour is much darker than in the photos.",
}


def _candidates(now) -> list[Order]:
    """Delivered, paid demo orders still within the window, oldest customers first."""
    return list(
        Order.objects.filter(
            external_id__startswith="DEMO-",
            paid_at__isnull=False,
            cancelled_at__isnull=True,
            shipments__delivered_at__gte=now - timedelta(days=25),
        )
        .distinct()
        .order_by("pk")[:200]
    )


def seed(*, stdout=None) -> None:
    if ReturnRequest.objects.filter(order__external_id__startswith="DEMO-").exists():
        if stdout:
            stdout.write("Returns: demo returns already there.")
        return
    policy, _version = policy_current()
    rng = random.Random(20261207)
    now = timezone.now()
    journeys = [name for name, weight in JOURNEYS for _ in range(weight)]
    made = 0
    for order in _candidates(now):
        if made >= RETURN_COUNT:
            break
        facts = order_facts(order=order)
        lines = [e for e in eligibility(policy, facts, now=now) if e.eligible]
        if not lines:
            continue
        picked = rng.sample(lines, k=min(len(lines), rng.choice([1, 1, 2])))
        new_lines = []
        for e in picked:
            reason = rng.choice(REASONS_WITHOUT_PHOTO)
            new_lines.append(
                NewLine(
                    line_id=e.line.id,
                    quantity=rng.randint(1, e.returnable),
                    reason=reason,
                    comment=COMMENTS.get(reason, ""),
                )
            )
        resolution = rng.choice([Resolution.REFUND, Resolution.REFUND, Resolution.CREDIT])
        try:
            request = services.return_create(
                order_id=order.pk,
                email=order.email,
                lines=new_lines,
                resolution=resolution,
                method=rng.choice([Method.LABEL, Method.DROPOFF]),
                language="tr" if order.currency == "TRY" else "en",
            )
        except ReturnsError:
            continue  # the open-returns limit or a window: try the next order
        _walk(request, journeys[made % len(journeys)])
        made += 1
    if stdout:
        stdout.write(f"Returns: {made} demo returns in every state of the queue.")


def _walk(request: ReturnRequest, journey: str) -> None:
    """Move a new demo return along to ``journey`` as an agent would."""
    pk = request.pk
    request.refresh_from_db()
    if journey == "requested":
        return
    if journey == "cancelled":
        services.return_cancel(request_id=pk, by_customer=True)
        return
    if journey == "rejected":
        if request.status == Status.REQUESTED:
            services.return_reject(
                request_id=pk, message="The items were bought more than 30 days ago."
            )
        return
    if request.status == Status.REQUESTED:
        services.return_approve(request_id=pk)
    if journey == "label_issued":
        return
    services.return_in_transit(request_id=pk)
    if journey == "in_transit":
        return
    services.return_receive(request_id=pk)
    if journey == "received":
        return
    services.return_inspect(
        request_id=pk,
        results=[Inspection(line.pk, "accepted") for line in request.lines.all()],
    )
