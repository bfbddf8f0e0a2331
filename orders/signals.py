"""The contract other apps listen to. Each is sent after commit, once per real change.

Receivers get ``sender=Order`` (or ``Shipment``) and keyword ids, never objects: a
receiver only enqueues a task, which loads what it needs.

- ``order_placed(order_id)``: the order was seen for the first time.
- ``order_paid(order_id)``: the order became paid (``paid_at`` set).
- ``order_cancelled(order_id)``: the order was cancelled.
- ``order_refunded(order_id, refund_id)``: a refund row was recorded (store or return).
- ``shipment_updated(shipment_id, order_id, status, previous_status)``: a shipment was
  created or its normalised status changed.
- ``shipment_delivered(shipment_id, order_id)``: a shipment reached "delivered".
- ``payment_refund_updated(refund_id, status, payment_intent, metadata, amount, currency,
  failure_reason)`` (``sender=Refund``): the payment platform reported a refund's status
  (Stripe's ``refund.*`` / ``charge.refunded`` events; ``refund_id`` is its ``re_…`` id,
  ``status`` pending / succeeded / failed / canceled / requires_action, ``metadata`` its
  metadata as a dict, ``amount`` a decimal string in ``currency``). Sent for every such
  event, not once per change: a receiver compares the status with what it holds. Refunds
  whose metadata has ``portico_return`` are not recorded as ``Refund`` rows by the
  connector; this signal is all that their events produce.

A delivery of many records (a batch) sends ``batch_started`` before its signals and
``batch_finished`` after them, in the same thread. A receiver that enqueues a task per
signal can use ``Collector`` to enqueue one task per batch instead: on 2 CPUs, publishing
a message per order costs about as much as writing the order.
"""

import threading
from collections.abc import Callable

from django.dispatch import Signal

order_placed = Signal()
order_paid = Signal()
order_cancelled = Signal()
order_refunded = Signal()
shipment_updated = Signal()
shipment_delivered = Signal()
payment_refund_updated = Signal()
batch_started = Signal()
batch_finished = Signal()


class Collector:
    """Gathers what a receiver would enqueue one by one, and hands it over in chunks.

    Inside a batch (between ``batch_started`` and ``batch_finished``) items are kept and
    passed to ``flush`` at the end, ``chunk`` at a time; outside one, each item is passed
    at once. Per thread, so concurrent requests and workers never mix their items.
    """

    def __init__(self, flush: Callable[[list], None], *, chunk: int = 5):
        self.flush, self.chunk = flush, chunk
        self._local = threading.local()

    def start(self, **kwargs) -> None:
        self._drain()  # what an interrupted batch left is not lost
        self._local.items = []

    def add(self, item) -> None:
        items = getattr(self._local, "items", None)
        if items is None:
            self.flush([item])
        else:
            items.append(item)

    def finish(self, **kwargs) -> None:
        self._drain()

    def _drain(self) -> None:
        items, self._local.items = getattr(self._local, "items", None), None
        for start in range(0, len(items or ()), self.chunk):
            self.flush(items[start : start + self.chunk])
