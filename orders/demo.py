"""Demo orders: ~400 orders over six months for the demo customers, in every state, with
shipments that carry realistic tracking histories from English and Turkish carriers.

Deterministic (a seeded random) and applied through the same services the webhooks use;
when the demo orders exist, seeding again changes nothing.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import services
from .connectors.base import (
    CustomerData,
    LineData,
    OrderData,
    RefundData,
    ShipmentData,
    TrackingEventData,
)
from .models import Connector, Order, ShipmentStatus

ORDER_COUNT = 400
CUSTOMER_COUNT = 60
PREFIX = "DEMO-"
CATALOGUE = [
    ("TWL-SAND-L", "Linen towel", "Sand / Large", "Bath", "24.00"),
    ("TWL-SAGE-S", "Linen towel", "Sage / Small", "Bath", "16.00"),
    ("THR-GREY", "Wool throw", "Grey", "Living", "89.00"),
    ("THR-OCHRE", "Wool throw", "Ochre", "Living", "89.00"),
    ("SHT-DBL-WHT", "Linen sheet set", "Double / White", "Bedroom", "140.00"),
    ("PIL-CASE-2", "Pillowcase pair", "Oat", "Bedroom", "38.00"),
    ("NPK-4", "Napkins, set of 4", "Rust", "Kitchen", "22.00"),
    ("APR-CANVAS", "Canvas apron", "Navy", "Kitchen", "34.00"),
    ("GIFT-50", "Gift card", "50", "Gift cards", "50.00"),
]
ENGLISH_CARRIERS = ["UPS", "DHL Express", "Royal Mail", "FedEx"]
TURKISH_CARRIERS = ["Yurtiçi Kargo", "Aras Kargo", "MNG Kargo", "PTT Kargo", "Sürat Kargo"]
HISTORY_EN = [
    (ShipmentStatus.INFO_RECEIVED, "Shipping label created", "Bristol, GB"),
    (ShipmentStatus.IN_TRANSIT, "Picked up by the carrier", "Bristol, GB"),
    (ShipmentStatus.IN_TRANSIT, "Arrived at sorting hub", "Birmingham, GB"),
    (ShipmentStatus.OUT_FOR_DELIVERY, "Out for delivery", "London, GB"),
    (ShipmentStatus.DELIVERED, "Delivered, signed for by the customer", "London, GB"),
]
HISTORY_TR = [
    (ShipmentStatus.INFO_RECEIVED, "Gönderi kaydı oluşturuldu", "İstanbul"),
    (ShipmentStatus.IN_TRANSIT, "Kargo şubeye teslim edildi", "Şişli / İstanbul"),
    (ShipmentStatus.IN_TRANSIT, "Transfer merkezinde", "Ankara Transfer Merkezi"),
    (ShipmentStatus.OUT_FOR_DELIVERY, "Dağıtıma çıkarıldı", "Çankaya / Ankara"),
    (ShipmentStatus.DELIVERED, "Teslim edildi", "Çankaya / Ankara"),
]
PROBLEMS = [
    (ShipmentStatus.FAILED_ATTEMPT, "Delivery attempted: nobody at home", "Adres kapalı"),
    (ShipmentStatus.EXCEPTION, "Address could not be found", "Adres bulunamadı"),
]
# (state, weight)
STATES = [
    ("pending", 4), ("unfulfilled", 12), ("partial", 5), ("in_transit", 14),
    ("out_for_delivery", 3), ("delivered", 44), ("problem", 5), ("cancelled", 5),
    ("refunded", 8),
]  # fmt: skip


def _money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def _lines(rng: random.Random, turkish: bool) -> list[LineData]:
    picks = rng.sample(CATALOGUE, k=rng.choice([1, 1, 2, 2, 3, 4]))
    lines = []
    for i, (sku, title, variant, kind, price) in enumerate(picks):
        unit = _money(price) * (Decimal(30) if turkish else Decimal(1))
        lines.append(
            LineData(
                external_id=f"L{i + 1}",
                sku=sku,
                title=title,
                variant_title=variant,
                quantity=rng.choice([1, 1, 1, 2, 3]),
                unit_price=unit,
                product_type=kind,
                tags=[kind.lower()],
                is_gift_card=sku.startswith("GIFT"),
                is_final_sale=sku == "APR-CANVAS",
            )
        )
    return lines


def _shipment(rng, order_id, lines, state, shipped_at, turkish, now, index=1) -> ShipmentData:
    carrier = rng.choice(TURKISH_CARRIERS if turkish else ENGLISH_CARRIERS)
    history = HISTORY_TR if turkish else HISTORY_EN
    steps = {"in_transit": 3, "partial": 2, "out_for_delivery": 4, "problem": 3}.get(state, 5)
    events, at = [], shipped_at
    for status, message, location in history[:steps]:
        events.append(TrackingEventData(status=status, message=message, location=location,
                                        occurred_at=at))  # fmt: skip
        # The next step, but never in the future: recent orders are still on their way.
        at = min(at + timedelta(hours=rng.randint(5, 30)), now - timedelta(minutes=10))
    status = events[-1].status
    if state == "problem":
        status, english, turkish_text = rng.choice(PROBLEMS)
        events.append(
            TrackingEventData(
                status=status,
                message=turkish_text if turkish else english,
                location=events[-1].location,
                occurred_at=at,
            )
        )
    number = f"{rng.randint(10**9, 10**10 - 1)}"
    return ShipmentData(
        order_external_id=order_id,
        external_id=f"S{index}",
        status=status,
        carrier=carrier,
        carrier_name=carrier,
        tracking_number=("YK" if turkish else "1Z") + number,
        shipped_at=shipped_at,
        estimated_delivery_at=shipped_at + timedelta(days=3),
        delivered_at=events[-1].occurred_at if status == ShipmentStatus.DELIVERED else None,
        updated_at=events[-1].occurred_at,
        lines=[(line.external_id, line.quantity) for line in lines],
        events=events,
    )


def build(rng: random.Random, n: int, now) -> OrderData:
    customer_number = rng.randint(1, CUSTOMER_COUNT)
    email = f"customer{customer_number:03d}@example.com"
    turkish = customer_number % 3 == 0
    state = rng.choices([s for s, _ in STATES], weights=[w for _, w in STATES])[0]
    placed = now - timedelta(days=rng.uniform(0.2, 182), minutes=rng.randint(0, 600))
    if state in ("in_transit", "out_for_delivery", "partial", "unfulfilled", "pending"):
        placed = now - timedelta(days=rng.uniform(0.2, 6))
    lines = _lines(rng, turkish)
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    shipping = (
        Decimal("0")
        if subtotal > (1500 if turkish else 50)
        else _money("150" if turkish else "4.95")
    )
    tax = _money(subtotal * Decimal("0.2") / Decimal("1.2"))
    order_id = f"{PREFIX}{1000 + n}"
    paid_at = None if state == "pending" else placed + timedelta(minutes=2)
    data = OrderData(
        external_id=order_id,
        number=f"#{1000 + n}",
        email=email,
        currency="TRY" if turkish else "GBP",
        subtotal=subtotal,
        shipping_total=shipping,
        tax_total=tax,
        total=subtotal + shipping,
        placed_at=placed,
        financial_status="pending" if state == "pending" else "paid",
        paid_at=paid_at,
        updated_at=placed + timedelta(minutes=3),
        customer=CustomerData(email=email, locale="tr" if turkish else "en"),
        lines=lines,
    )
    if state == "cancelled":
        data.cancelled_at = placed + timedelta(hours=2)
        data.cancel_reason = "customer"
    shipped_at = min(placed + timedelta(hours=rng.randint(6, 40)), now - timedelta(hours=1))
    if state in ("partial",):
        data.shipments.append(
            _shipment(rng, order_id, lines[:1], "in_transit", shipped_at, turkish, now)
        )
    elif state in ("in_transit", "out_for_delivery", "delivered", "problem", "refunded"):
        ship_state = "delivered" if state == "refunded" else state
        data.shipments.append(_shipment(rng, order_id, lines, ship_state, shipped_at, turkish, now))
    if state == "refunded":
        line = lines[0]
        data.refunds.append(
            RefundData(
                order_external_id=order_id,
                external_id=f"{order_id}-R1",
                amount=line.unit_price,
                currency=data.currency,
                refunded_at=shipped_at + timedelta(days=9),
                reason="Changed my mind",
                lines=[(line.external_id, 1, line.unit_price)],
            )
        )
    return data


@transaction.atomic
def seed(*, stdout) -> None:
    if Order.objects.filter(connector=Connector.PORTICO, external_id__startswith=PREFIX).exists():
        stdout.write("Orders: demo orders already there.")
        return
    rng = random.Random(20261123)
    now = timezone.now()
    for n in range(1, ORDER_COUNT + 1):
        services.order_upsert(connector=Connector.PORTICO, data=build(rng, n, now))
    stdout.write(f"Orders: {ORDER_COUNT} demo orders with shipments and tracking histories.")
