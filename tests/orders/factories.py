"""factory_boy factories for the order mirror, shared by every app's tests.

Defaults describe a plain, paid-for order placed an hour ago by a customer with no portal
account, in USD, with totals that add up. They write rows directly (no services), so no
signals are sent; use ``orders.services`` when a test is about the signals.

    order = OrderFactory(number="#1001", email="ada@example.com")
    line = OrderLineFactory(order=order, quantity=2)
    shipment = ShipmentFactory(order=order, status=ShipmentStatus.OUT_FOR_DELIVERY)
    ShipmentLineFactory(shipment=shipment, line=line)
    TrackingEventFactory(shipment=shipment)
    OrderFactory(cancelled=True), OrderFactory(unpaid=True), ShipmentFactory(delivered=True)
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from orders import carriers
from orders.models import (
    Connector,
    Customer,
    Order,
    OrderLine,
    Refund,
    RefundLine,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TrackingEvent,
)
from orders.services import lookup_number


def _ago(**kwargs):
    return factory.LazyFunction(lambda: timezone.now() - timedelta(**kwargs))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    first_name = "Grace"
    last_name = "Hopper"
    connector = Connector.PORTICO
    external_id = factory.Sequence(lambda n: f"cust-{n}")
    user = None


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    class Params:
        cancelled = factory.Trait(
            cancelled_at=_ago(minutes=30),
            cancel_reason="customer",
            financial_status=Order.FinancialStatus.VOIDED,
            paid_at=None,
        )
        unpaid = factory.Trait(financial_status=Order.FinancialStatus.PENDING, paid_at=None)
        fulfilled = factory.Trait(fulfillment_status=Order.FulfillmentStatus.FULFILLED)

    connector = Connector.PORTICO
    external_id = factory.Sequence(lambda n: f"order-{n}")
    number = factory.Sequence(lambda n: f"#{1001 + n}")
    lookup_number = factory.LazyAttribute(lambda o: lookup_number(o.number))
    customer = factory.SubFactory(CustomerFactory)
    # The order's email is its customer's unless a test says otherwise.
    email = factory.LazyAttribute(
        lambda o: o.customer.email if o.customer else f"guest-{o.external_id}@example.com"
    )
    currency = "USD"
    subtotal = Decimal("100.00")
    discount_total = Decimal("0.00")
    shipping_total = Decimal("5.00")
    tax_total = Decimal("8.00")
    # Amounts may be given as strings ("60.00") or Decimals; the total always adds up.
    total = factory.LazyAttribute(
        lambda o: (
            Decimal(str(o.subtotal))
            - Decimal(str(o.discount_total))
            + Decimal(str(o.shipping_total))
            + Decimal(str(o.tax_total))
        )
    )
    financial_status = Order.FinancialStatus.PAID
    fulfillment_status = Order.FulfillmentStatus.UNFULFILLED
    placed_at = _ago(hours=1)
    paid_at = factory.LazyAttribute(lambda o: o.placed_at + timedelta(minutes=1))
    shipping_address = factory.LazyFunction(
        lambda: {
            "name": "Grace Hopper",
            "address1": "1 Example Street",
            "city": "Springfield",
            "zip": "12345",
            "country_code": "US",
        }
    )


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    external_id = factory.Sequence(lambda n: f"line-{n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    title = factory.Sequence(lambda n: f"Product {n}")
    variant_title = "Blue / M"
    quantity = 1
    unit_price = Decimal("25.00")
    discount_total = Decimal("0.00")
    product_type = "Apparel"


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shipment

    class Params:
        delivered = factory.Trait(status=ShipmentStatus.DELIVERED, delivered_at=_ago(minutes=5))

    order = factory.SubFactory(OrderFactory)
    external_id = factory.Sequence(lambda n: f"shipment-{n}")
    carrier = "ups"
    carrier_name = factory.LazyAttribute(lambda s: carriers.display_name(s.carrier, s.carrier))
    tracking_number = factory.Sequence(lambda n: f"1Z999AA1{n:010d}")
    tracking_url = factory.LazyAttribute(
        lambda s: carriers.tracking_url(s.carrier, s.tracking_number)
    )
    status = ShipmentStatus.IN_TRANSIT
    status_changed_at = _ago(minutes=30)
    shipped_at = _ago(minutes=50)
    estimated_delivery_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    delivered_at = None


class ShipmentLineFactory(factory.django.DjangoModelFactory):
    """An order line in a shipment; by default the whole quantity of a line of that order."""

    class Meta:
        model = ShipmentLine

    shipment = factory.SubFactory(ShipmentFactory)
    line = factory.SubFactory(OrderLineFactory, order=factory.SelfAttribute("..shipment.order"))
    quantity = factory.LazyAttribute(lambda s: s.line.quantity)


class TrackingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackingEvent

    shipment = factory.SubFactory(ShipmentFactory)
    status = ShipmentStatus.IN_TRANSIT
    message = "Departed facility"
    location = "Louisville, KY, US"
    occurred_at = _ago(minutes=20)
    dedupe_key = factory.Sequence(lambda n: f"{n:064x}")


class RefundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Refund

    order = factory.SubFactory(OrderFactory)
    connector = factory.SelfAttribute("order.connector")
    external_id = factory.Sequence(lambda n: f"refund-{n}")
    amount = Decimal("10.00")
    currency = factory.SelfAttribute("order.currency")
    reason = ""
    source = Refund.Source.STORE
    refunded_at = _ago(minutes=10)


class RefundLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RefundLine

    refund = factory.SubFactory(RefundFactory)
    line = factory.SubFactory(OrderLineFactory, order=factory.SelfAttribute("..refund.order"))
    quantity = 1
    amount = factory.LazyAttribute(lambda r: r.line.unit_price)
