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
"""

from django.dispatch import Signal

order_placed = Signal()
order_paid = Signal()
order_cancelled = Signal()
order_refunded = Signal()
shipment_updated = Signal()
shipment_delivered = Signal()
