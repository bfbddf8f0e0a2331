"""The mirror of the store's orders. The store stays the system of record.

Every row that comes from a platform carries the connector it came from and the
platform's own id, unique together, so that a delivery applied twice changes nothing.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0")}


class Connector(models.TextChoices):
    SHOPIFY = "shopify", "Shopify"
    WOOCOMMERCE = "woocommerce", "WooCommerce"
    STRIPE = "stripe", "Stripe Checkout"
    PORTICO = "portico", _("Portico JSON")
    IMPORT = "import", _("File import")


class Customer(models.Model):
    """A buyer as the store knows them; linked to a portal account by verified email."""

    email = models.EmailField(_("email"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    locale = models.CharField(_("language"), max_length=12, blank=True)
    accepts_marketing = models.BooleanField(_("accepts marketing"), default=False)
    shipping_notifications = models.BooleanField(
        _("shipment emails"),
        default=True,
        help_text=_("Email the customer when a parcel ships, is out for delivery or arrives."),
    )
    connector = models.CharField(max_length=20, choices=Connector.choices, blank=True)
    external_id = models.CharField(_("store's customer id"), max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="orders_customer_email_ci_unique"),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} <{self.email}>" if name else self.email


class Order(models.Model):
    class FinancialStatus(models.TextChoices):
        PENDING = "pending", _("Payment pending")
        AUTHORIZED = "authorized", _("Authorized")
        PAID = "paid", _("Paid")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        REFUNDED = "refunded", _("Refunded")
        VOIDED = "voided", _("Voided")

    class FulfillmentStatus(models.TextChoices):
        UNFULFILLED = "unfulfilled", _("Not shipped yet")
        PARTIAL = "partial", _("Partly shipped")
        FULFILLED = "fulfilled", _("Shipped")

    connector = models.CharField(_("source"), max_length=20, choices=Connector.choices)
    external_id = models.CharField(_("store's order id"), max_length=100)
    number = models.CharField(_("order number"), max_length=50)
    # The number as a customer may type it: no "#", no spaces, upper case ("#1001" → "1001").
    lookup_number = models.CharField(max_length=50, db_index=True, editable=False)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField(_("email"))
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = models.DecimalField(_("subtotal"), **MONEY)
    discount_total = models.DecimalField(_("discounts"), **MONEY)
    shipping_total = models.DecimalField(_("shipping"), **MONEY)
    tax_total = models.DecimalField(_("tax"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    discount_codes = models.JSONField(_("discount codes"), default=list, blank=True)
    payment_reference = models.CharField(
        _("payment reference"),
        max_length=100,
        blank=True,
        help_text=_("The payment at the processor, e.g. a Stripe PaymentIntent id."),
    )
    financial_status = models.CharField(
        max_length=20, choices=FinancialStatus.choices, default=FinancialStatus.PENDING
    )
    fulfillment_status = models.CharField(
        max_length=20, choices=FulfillmentStatus.choices, default=FulfillmentStatus.UNFULFILLED
    )
    placed_at = models.DateTimeField(_("placed"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(max_length=100, blank=True)
    # When the source last changed the order: an update older than this is stale.
    source_updated_at = models.DateTimeField(null=True, blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "external_id"], name="orders_order_source_unique"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="orders_order_total_gte_0"),
        ]
        indexes = [
            models.Index(Lower("email"), name="orders_order_email_ci"),
            models.Index(fields=["customer", "-placed_at"], name="orders_order_customer_placed"),
            models.Index(fields=["payment_reference"], name="orders_order_payment_ref"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    external_id = models.CharField(max_length=100)
    sku = models.CharField(_("SKU"), max_length=100, blank=True)
    title = models.CharField(_("product"), max_length=255)
    variant_title = models.CharField(_("variant"), max_length=255, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    discount_total = models.DecimalField(_("line discount"), **MONEY)
    product_type = models.CharField(_("product type"), max_length=100, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    is_final_sale = models.BooleanField(_("final sale"), default=False)
    is_gift_card = models.BooleanField(_("gift card"), default=False)
    # A line the store later removed is kept (refunds and returns may point at it).
    removed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("order line")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "external_id"], name="orders_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity - self.discount_total


class ShipmentStatus(models.TextChoices):
    """One normalised set; each connector maps its platform's words onto it."""

    PENDING = "pending", _("Preparing")
    INFO_RECEIVED = "info_received", _("Label created")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    FAILED_ATTEMPT = "failed_attempt", _("Delivery attempt failed")
    AVAILABLE_FOR_PICKUP = "available_for_pickup", _("Ready for pickup")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Delivery problem")
    RETURNED_TO_SENDER = "returned_to_sender", _("Returned to sender")


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    external_id = models.CharField(max_length=100)
    carrier = models.CharField(_("carrier"), max_length=50, blank=True)
    carrier_name = models.CharField(_("carrier name"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    tracking_url = models.URLField(_("tracking link"), max_length=500, blank=True)
    status = models.CharField(
        max_length=30, choices=ShipmentStatus.choices, default=ShipmentStatus.PENDING
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    estimated_delivery_at = models.DateTimeField(_("estimated delivery"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("shipment")
        ordering = ["shipped_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "external_id"], name="orders_shipment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier_name or self.carrier} {self.tracking_number}".strip()


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="items")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="shipment_items")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shipment", "line"], name="orders_shipmentline_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × line {self.line_id}"


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=30, choices=ShipmentStatus.choices)
    message = models.CharField(max_length=500, blank=True)
    location = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField()
    # Derived from the event's own content, so the same event sent twice is one row.
    dedupe_key = models.CharField(max_length=64)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "dedupe_key"], name="orders_trackingevent_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class Refund(models.Model):
    class Source(models.TextChoices):
        STORE = "store", _("Refunded in the store")
        RETURN = "return", _("Portico return")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    connector = models.CharField(max_length=20, choices=Connector.choices)
    external_id = models.CharField(max_length=100)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.STORE)
    refunded_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        ordering = ["refunded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "external_id"], name="orders_refund_source_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="orders_refund_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class RefundLine(models.Model):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="refund_lines")
    quantity = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["refund", "line"], name="orders_refundline_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × line {self.line_id}"


class WebhookDelivery(models.Model):
    """The inbox: every delivery is stored before it is processed, and kept for replay."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        WAITING = "waiting", _("Waiting for its order")
        FAILED = "failed", _("Failed")
        IGNORED = "ignored", _("Ignored (topic not used)")

    connector = models.CharField(max_length=20, choices=Connector.choices)
    topic = models.CharField(max_length=100, blank=True)
    delivery_id = models.CharField(max_length=200)
    headers = models.JSONField(default=dict)
    # The exact bytes received: what the signature covered, replayable as they came.
    body = models.BinaryField()
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    error_field = models.CharField(max_length=200, blank=True)
    # For a refund or shipment that came before its order: "<connector>:<order external id>".
    waiting_for = models.CharField(max_length=150, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook inbox")
        ordering = ["-received_at"]
        permissions = [("replay_webhookdelivery", "Can replay a webhook delivery")]
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "delivery_id"], name="orders_delivery_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.connector} {self.topic} {self.delivery_id}"

    @property
    def body_bytes(self) -> bytes:
        return bytes(self.body or b"")

    @property
    def body_text(self) -> str:
        return self.body_bytes.decode("utf-8", errors="replace")


class ShipmentNotification(models.Model):
    """One email about one status change of one shipment: the row makes sending once."""

    class Kind(models.TextChoices):
        SHIPPED = "shipped", _("Shipped")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")
        EXCEPTION = "exception", _("Delivery problem")

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status_changed_at = models.DateTimeField()
    email = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "kind", "status_changed_at"],
                name="orders_shipmentnotification_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.email}"
