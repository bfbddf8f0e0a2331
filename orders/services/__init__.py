"""Every write the order mirror allows (see ``mirror``) and the webhook inbox (``inbox``)."""

from .inbox import Received, delivery_process, delivery_receive, delivery_replay
from .mirror import (
    Outcome,
    apply,
    apply_many,
    customer_upsert,
    customers_link_for_user,
    lookup_number,
    order_upsert,
    refund_record,
    shipment_emails_off,
    shipment_upsert,
)
from .notifications import shipment_notify

__all__ = [
    "Outcome",
    "Received",
    "apply",
    "apply_many",
    "customer_upsert",
    "customers_link_for_user",
    "delivery_process",
    "delivery_receive",
    "delivery_replay",
    "lookup_number",
    "order_upsert",
    "refund_record",
    "shipment_emails_off",
    "shipment_notify",
    "shipment_upsert",
]
