"""Batches: many records in one Portico delivery, applied set-based where they are new.

The set-based path (``mirror.apply_many``) must leave exactly what applying each change
with ``mirror.apply`` leaves, and send the same signals; the comparisons below build random
batches around stored customers, users and orders and check both paths against each other.
"""

import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.db import transaction

from orders.connectors.portico import MAX_BATCH_RECORDS, connector
from orders.models import (
    Customer,
    Order,
    OrderLine,
    Refund,
    RefundLine,
    Shipment,
    ShipmentLine,
    TrackingEvent,
    WebhookDelivery,
)
from orders.services import mirror
from tests.orders.test_webhooks_portico import order_record, shipment_record
from tests.orders.webhook_helpers import portico

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def batch(*records):
    return {"type": "batch", "records": list(records)}


def order(n: int, **overrides) -> dict:
    fields = {"id": f"B-{n}", "number": f"#B{n}", "email": f"buyer{n}@example.com"}
    return order_record(**{"customer": {}, **fields, **overrides})


# --- Through the endpoint -----------------------------------------------------------------


def test_a_batch_is_one_delivery_that_mirrors_every_record(client, deliver, sent):
    response = deliver(
        portico,
        client,
        batch(
            order(1),
            order(2, customer={"first_name": "Ece"}),
            shipment_record(id="S-2", order_id="B-2"),
            order(3, cancelled_at="2026-06-01T10:00:00Z"),
        ),
    )
    assert response.status_code == 202
    delivery = WebhookDelivery.objects.get()
    assert (delivery.topic, delivery.status) == ("batch", WebhookDelivery.Status.PROCESSED)
    assert set(Order.objects.values_list("number", flat=True)) == {"#B1", "#B2", "#B3"}
    b2 = Order.objects.get(external_id="B-2")
    assert b2.customer.first_name == "Ece"
    assert b2.shipments.get().items.get().line.external_id == "L1"
    assert b2.fulfillment_status == Order.FulfillmentStatus.PARTIAL
    assert Order.objects.get(external_id="B-3").cancelled_at is not None
    names = Counter(name for name, _ in sent)
    assert names == {
        "order_placed": 3,
        "order_paid": 3,
        "order_cancelled": 1,
        "shipment_updated": 1,
    }


def test_a_bad_record_fails_the_whole_batch_naming_its_field(client, deliver):
    response = deliver(portico, client, batch(order(1), order(2, total="lots")))
    assert response.status_code == 400
    assert response.json()["field"] == "records.1.data.total"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.error_field == "records.1.data.total"
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([], "at least one record"),
        ([order(1)] * (MAX_BATCH_RECORDS + 1), f"at most {MAX_BATCH_RECORDS} records"),
        ("not a list", ""),
    ],
)
def test_a_batch_without_records_or_with_too_many_is_refused(client, deliver, records, message):
    response = deliver(portico, client, {"type": "batch", "records": records})
    assert response.status_code == 400
    assert response.json()["field"] == "records"
    assert message in response.json()["error"]
    assert not Order.objects.exists()


def test_a_record_cannot_be_a_batch(client, deliver):
    response = deliver(portico, client, batch(batch(order(1))))
    assert response.status_code == 400
    assert response.json()["field"] == "records.0.type"


def test_the_same_batch_again_changes_nothing_and_signals_nothing(client, deliver, sent):
    records = batch(order(1), order(2), shipment_record(id="S-1", order_id="B-1"))
    deliver(portico, client, records, delivery_id="first")
    before = _snapshot()
    sent.clear()
    assert deliver(portico, client, records, delivery_id="first").json()["status"] == "duplicate"
    assert deliver(portico, client, records, delivery_id="second").status_code == 202
    assert _snapshot() == before
    assert sent == []


def test_a_shipment_before_its_order_in_the_same_batch_is_applied(client, deliver):
    deliver(portico, client, batch(shipment_record(id="S-1", order_id="B-1"), order(1)))
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PROCESSED
    assert Shipment.objects.get().order.external_id == "B-1"


def test_a_shipment_before_its_stored_order_updated_in_the_same_batch_follows_it(client, deliver):
    deliver(portico, client, order(1), delivery_id="first")
    records = batch(
        shipment_record(id="S-1", order_id="B-1", status="delivered"),
        order(1, updated_at="2026-06-02T09:31:00+02:00", lines=[]),
    )
    deliver(portico, client, records, delivery_id="second")
    assert WebhookDelivery.objects.get(delivery_id="second").status == (
        WebhookDelivery.Status.PROCESSED
    )
    # The order's update came first and removed its lines; the shipment then went on top.
    assert not Order.objects.get().lines.filter(removed=False).exists()
    assert Shipment.objects.get().status == "delivered"


def test_a_refund_waiting_for_an_order_is_applied_when_a_batch_brings_it(client, deliver):
    refund = {
        "type": "refund",
        "data": {
            "id": "R1",
            "order_id": "B-2",
            "amount": "20.00",
            "currency": "EUR",
            "refunded_at": "2026-06-10T10:00:00Z",
        },
    }
    deliver(portico, client, refund, delivery_id="refund")
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.WAITING
    deliver(portico, client, batch(order(1), order(2)), delivery_id="orders")
    assert WebhookDelivery.objects.get(delivery_id="refund").status == (
        WebhookDelivery.Status.PROCESSED
    )
    assert Order.objects.get(external_id="B-2").financial_status == (
        Order.FinancialStatus.PARTIALLY_REFUNDED
    )


# --- The set-based path equals one change at a time ---------------------------------------


def _snapshot() -> dict:
    """Every mirrored row by natural keys: no primary keys, no write times."""
    return {
        "customers": sorted(
            Customer.objects.values_list(
                "email",
                "first_name",
                "last_name",
                "phone",
                "locale",
                "accepts_marketing",
                "external_id",
                "connector",
                "user__email",
            )
        ),
        "orders": sorted(
            (row[0], *map(str, row[1:]))
            for row in Order.objects.values_list(
                "external_id",
                "number",
                "lookup_number",
                "email",
                "customer__email",
                "currency",
                "subtotal",
                "discount_total",
                "shipping_total",
                "tax_total",
                "total",
                "discount_codes",
                "financial_status",
                "fulfillment_status",
                "placed_at",
                "paid_at",
                "cancelled_at",
                "source_updated_at",
                "payment_reference",
            )
        ),
        "lines": sorted(
            (row[0], row[1], *map(str, row[2:]))
            for row in OrderLine.objects.values_list(
                "order__external_id",
                "external_id",
                "sku",
                "title",
                "variant_title",
                "quantity",
                "unit_price",
                "discount_total",
                "product_type",
                "tags",
                "is_final_sale",
                "is_gift_card",
                "removed",
            )
        ),
        "shipments": sorted(
            tuple(map(str, row))
            for row in Shipment.objects.values_list(
                "order__external_id",
                "external_id",
                "status",
                "carrier",
                "carrier_name",
                "tracking_number",
                "tracking_url",
                "shipped_at",
                "estimated_delivery_at",
                "delivered_at",
                "source_updated_at",
            )
        ),
        "items": sorted(
            ShipmentLine.objects.values_list(
                "shipment__order__external_id",
                "shipment__external_id",
                "line__external_id",
                "quantity",
            )
        ),
        "events": sorted(
            tuple(map(str, row))
            for row in TrackingEvent.objects.values_list(
                "shipment__external_id",
                "dedupe_key",
                "status",
                "message",
                "location",
                "occurred_at",
            )
        ),
        "refunds": sorted(
            tuple(map(str, row))
            for row in Refund.objects.values_list(
                "order__external_id", "external_id", "amount", "currency", "reason", "refunded_at"
            )
        ),
        "refund_lines": sorted(
            tuple(map(str, row))
            for row in RefundLine.objects.values_list(
                "refund__external_id", "line__external_id", "quantity", "amount"
            )
        ),
    }


def _named(calls) -> Counter:
    """Signals with their ids replaced by the store's ids, as a multiset."""

    def name_of(key, value):
        if key == "order_id":
            return Order.objects.get(pk=value).external_id
        if key == "shipment_id":
            return Shipment.objects.get(pk=value).external_id
        if key == "refund_id":
            return Refund.objects.get(pk=value).external_id
        return value

    return Counter(
        (name, tuple(sorted((k, name_of(k, v)) for k, v in kwargs.items())))
        for name, kwargs in calls
    )


def _random_batch(rng: random.Random) -> list[dict]:
    """Orders in every shape the mirror knows, around the stored rows ``_stored`` makes."""
    emails = [
        "stored@example.com",  # a stored customer with blanks to fill
        "linked@example.com",  # a user verified it: the new customer is theirs
        "taken@example.com",  # verified by a user who already has a customer
        "shared@example.com",  # new, in several orders of the batch
        "SHARED@example.com",
    ]
    records = []
    for n in range(rng.randint(1, 14)):
        lines = [
            {
                "id": f"L{k}",
                "sku": f"SKU-{k}",
                "title": rng.choice(["Mug", "Plate", "Gift card"]),
                "quantity": rng.randint(1, 3),
                "unit_price": f"{rng.randint(1, 90)}.{rng.randint(0, 99):02d}",
                "gift_card": rng.random() < 0.15,
                "final_sale": rng.random() < 0.2,
                "tags": rng.choice(["", "sale", "sale, ceramics"]),
            }
            for k in range(rng.randint(0, 4))
        ]
        shipments = []
        for k in range(rng.randint(0, 2)):
            status = rng.choice(["pending", "in_transit", "delivered", "exception"])
            shipped = T0 + timedelta(hours=k)
            shipments.append(
                {
                    "id": f"S{n}-{k}",
                    "carrier": rng.choice(["UPS", "Yurtiçi Kargo", "Acme Parcels", ""]),
                    "tracking_number": f"TRK{n}{k}",
                    "status": status,
                    "shipped_at": shipped.isoformat(),
                    "updated_at": (shipped + timedelta(days=1)).isoformat(),
                    "lines": [
                        {"line_id": line["id"], "quantity": line["quantity"]}
                        for line in lines
                        if rng.random() < 0.5
                    ]
                    + ([{"line_id": "NOT-SENT", "quantity": 1}] if rng.random() < 0.1 else []),
                    "events": [
                        {
                            "status": rng.choice(["info_received", "in_transit"]),
                            "message": rng.choice(["Label created", "Departed", ""]),
                            "occurred_at": (shipped + timedelta(minutes=m)).isoformat(),
                        }
                        for m in range(rng.randint(0, 3))
                    ],
                }
            )
        email = rng.choice([*emails, f"new{n}@example.com"])
        data = {
            # Mostly new; sometimes the stored order or one named earlier in the batch.
            "id": rng.choices([f"N-{n}", "E-1", "N-0"], weights=[16, 1, 1])[0],
            "number": f"#{1000 + n}",
            "email": email,
            "currency": rng.choice(["EUR", "TRY"]),
            "total": f"{rng.randint(0, 500)}.00",
            "subtotal": "10.00",
            "placed_at": (T0 + timedelta(minutes=n)).isoformat(),
            "updated_at": (T0 + timedelta(minutes=n + rng.randint(0, 60))).isoformat(),
            "financial_status": rng.choice(["pending", "paid", "refunded"]),
            "cancelled_at": rng.choice([None, (T0 + timedelta(hours=5)).isoformat()]),
            "payment_reference": rng.choice(["", f"pi_{n}"]),
            "discount_codes": rng.choice([[], ["WELCOME"]]),
            "customer": {
                "first_name": rng.choice(["", "Ada", "Deniz"]),
                "last_name": rng.choice(["", "Kaya"]),
                "phone": rng.choice(["", "+90 555 000 0000"]),
                "locale": rng.choice(["", "tr", "en"]),
                "accepts_marketing": rng.random() < 0.5,
            },
            "lines": lines,
            "shipments": shipments,
        }
        if lines and rng.random() < 0.1:
            data["refunds"] = [
                {
                    "id": f"R{n}",
                    "amount": "5.00",
                    "currency": data["currency"],
                    "refunded_at": (T0 + timedelta(days=3)).isoformat(),
                    "lines": [{"line_id": lines[0]["id"], "quantity": 1, "amount": "5.00"}],
                }
            ]
        records.append({"type": "order", "data": data})
        if shipments and rng.random() < 0.2:
            update = dict(shipments[0], order_id=data["id"], status="delivered")
            update["updated_at"] = (T0 + timedelta(days=4)).isoformat()
            records.append({"type": "shipment", "data": update})
    return records


SEEDS = range(24)


def _stored(user_factory):
    Customer.objects.create(email="stored@example.com", connector="portico", locale="")
    user_factory(email="linked@example.com")
    owner = user_factory(email="owner@example.com")
    EmailAddress.objects.create(user=owner, email="taken@example.com", verified=True)
    Customer.objects.create(email="owner@example.com", connector="portico", user=owner)
    existing = order_record(id="E-1", number="#E1", email="stored@example.com", customer={})
    mirror.apply(connector="portico", change=connector.parse("order", existing)[0])


@pytest.mark.parametrize("seed", SEEDS)
def test_a_batch_leaves_what_one_change_at_a_time_leaves(
    seed, user_factory, sent, django_capture_on_commit_callbacks
):
    _stored(user_factory)
    changes = connector.parse("batch", batch(*_random_batch(random.Random(seed))))
    results = []
    for run in (
        lambda: [mirror.apply(connector="portico", change=change) for change in changes],
        lambda: mirror.apply_many(connector="portico", changes=changes),
    ):
        sent.clear()
        with transaction.atomic():
            with django_capture_on_commit_callbacks(execute=True):
                outcomes = run()
            results.append(
                (
                    _snapshot(),
                    _named(sent),
                    [(o.created, o.stale, sorted(o.events)) for o in outcomes],
                )
            )
            transaction.set_rollback(True)
    (one_by_one, one_by_one_signals, one_by_one_outcomes), (batched, signals, outcomes) = results
    assert batched == one_by_one
    assert signals == one_by_one_signals
    assert outcomes == one_by_one_outcomes


def test_the_random_batches_take_both_paths(user_factory):
    _stored(user_factory)
    shapes = []
    for seed in SEEDS:
        changes = connector.parse("batch", batch(*_random_batch(random.Random(seed))))
        fresh = len(mirror._fresh_orders("portico", changes))
        shapes.append((fresh, len(changes) - fresh))
    assert sum(1 for fresh, _ in shapes if fresh) >= len(SEEDS) * 3 // 4
    assert sum(1 for fresh, rest in shapes if fresh and rest) >= len(SEEDS) // 2


def test_the_batch_path_is_taken_and_its_queries_do_not_grow_with_the_batch(
    django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def changes(count, offset):
        records = [
            order(
                offset + n,
                customer={"first_name": "Ada"},
                shipments=[
                    {
                        "id": "S1",
                        "status": "in_transit",
                        "lines": [{"line_id": "L1", "quantity": 2}],
                        "events": [{"status": "in_transit", "occurred_at": "2026-06-02T08:00:00Z"}],
                    }
                ],
            )
            for n in range(count)
        ]
        return connector.parse("batch", batch(*records))

    few, many = changes(2, 0), changes(60, 100)
    with django_capture_on_commit_callbacks():
        with CaptureQueriesContext(connection) as few_queries:
            mirror.apply_many(connector="portico", changes=few)
        # SQLite splits a long INSERT in chunks of its variable limit; PostgreSQL does not.
        extra = 0 if connection.vendor == "postgresql" else 6
        with django_assert_max_num_queries(len(few_queries) + extra):
            outcomes = mirror.apply_many(connector="portico", changes=many)
    assert all(outcome.created for outcome in outcomes)
    assert Order.objects.count() == 62
    assert ShipmentLine.objects.count() == 62 and TrackingEvent.objects.count() == 62


def test_the_endpoint_keeps_a_batch_body_exactly(client, deliver):
    body = batch(order(1))
    deliver(portico, client, body)
    assert json.loads(WebhookDelivery.objects.get().body_bytes) == body


def test_a_batch_queues_one_task_for_its_shipment_emails(client, deliver, monkeypatch):
    from orders import tasks

    calls = []
    original = tasks.notify_shipments.delay
    monkeypatch.setattr(
        tasks.notify_shipments, "delay", lambda items: (calls.append(items), original(items))
    )
    shipment = {"id": "S1", "status": "in_transit", "lines": [{"line_id": "L1", "quantity": 1}]}
    deliver(portico, client, batch(*(order(n, shipments=[shipment]) for n in range(3))))
    assert len(calls) == 1 and len(calls[0]) == 3
    deliver(portico, client, shipment_record(id="S9", order_id="B-0"))  # one record alone
    assert len(calls) == 2 and len(calls[1]) == 1
