"""Returns: the policy staff edit, the requests customers make, and the money paid out.

The policy lives in a few editable tables (``ReturnPolicy`` and its reasons, window
overrides and automation rules). What the portal enforces is a *version*: a frozen JSON
snapshot of those tables (``PolicyVersion``), made whenever they change. Every return
keeps the version it was decided under, and the policy page is rendered from the same
snapshot, so the page can never disagree with what the portal does.

A return moves through one status table (``states.py``); each move is a service that writes
a ``ReturnEvent``. Money leaves through ``ReturnPayment`` rows, written before any call to
Stripe under a key derived from the return, so a retry can never pay twice.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0")}


class Resolution(models.TextChoices):
    REFUND = "refund", _("Refund to the original payment")
    CREDIT = "credit", _("Store credit")
    EXCHANGE = "exchange", _("Exchange for another variant")


class Method(models.TextChoices):
    LABEL = "label", _("Prepaid return label")
    DROPOFF = "dropoff", _("Drop-off with a QR code")
    KEEP = "keep", _("Keep the item")


class Statutory(models.TextChoices):
    NONE = "", _("No statutory minimum")
    EU = "eu", _("EU: 14-day right of withdrawal")
    TR = "tr", _("Turkey: 14-day right of withdrawal")


# --- The policy staff edit -----------------------------------------------------------------


@register_setting(icon="undo")
class ReturnPolicy(ClusterableModel, BaseGenericSetting):
    """The return policy. One for the whole portal; every save makes a new version."""

    window_days = models.PositiveSmallIntegerField(
        _("return window (days)"),
        default=30,
        help_text=_("Counted from delivery, else from shipping, else from the order date."),
    )
    statutory = models.CharField(
        _("statutory minimum"),
        max_length=2,
        choices=Statutory.choices,
        blank=True,
        default="",
        help_text=_(
            "A right of withdrawal the policy can never undercut: at least 14 days from "
            "delivery for every line, no restocking fee within them, and the outbound "
            "shipping refunded when the whole order comes back."
        ),
    )
    conditions = models.TextField(
        _("conditions"),
        blank=True,
        help_text=_("What the customer must know, e.g. unworn, with tags, in the original box."),
    )
    conditions_tr = models.TextField(_("conditions (Turkish)"), blank=True)
    offer_refund = models.BooleanField(_("offer a refund to the original payment"), default=True)
    offer_credit = models.BooleanField(_("offer store credit"), default=True)
    credit_bonus_percent = models.DecimalField(
        _("store credit bonus (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    offer_exchange = models.BooleanField(_("offer an exchange"), default=True)
    method_label = models.BooleanField(_("prepaid return label"), default=True)
    method_dropoff = models.BooleanField(_("drop-off with a QR code"), default=True)
    keep_item_under = models.DecimalField(
        _("keep the item under"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_(
            "A return whose lines are each worth less than this is refunded without sending "
            "anything back. 0 turns it off."
        ),
    )
    max_open_returns = models.PositiveSmallIntegerField(
        _("open returns per customer"), default=3, help_text=_("0: no limit.")
    )
    flag_rate_percent = models.PositiveSmallIntegerField(
        _("flag customers whose return rate is above (%)"), default=50
    )
    flag_min_orders = models.PositiveSmallIntegerField(
        _("… over their last N orders"),
        default=4,
        help_text=_("The rate is only judged once a customer has at least this many orders."),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("window_days"), FieldPanel("statutory")], heading=_("Return window")
        ),
        InlinePanel("overrides", heading=_("Windows by product type or tag"), label=_("Override")),
        InlinePanel("reasons", heading=_("Reasons"), label=_("Reason"), min_num=1),
        MultiFieldPanel(
            [
                FieldPanel("offer_refund"),
                FieldRowPanel([FieldPanel("offer_credit"), FieldPanel("credit_bonus_percent")]),
                FieldPanel("offer_exchange"),
            ],
            heading=_("Resolutions"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("method_label"),
                FieldPanel("method_dropoff"),
                FieldPanel("keep_item_under"),
            ],
            heading=_("Return methods"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("max_open_returns"),
                FieldRowPanel([FieldPanel("flag_rate_percent"), FieldPanel("flag_min_orders")]),
            ],
            heading=_("Limits"),
        ),
        MultiFieldPanel(
            [FieldPanel("conditions"), FieldPanel("conditions_tr")], heading=_("Conditions")
        ),
        InlinePanel("rules", heading=_("Automation rules"), label=_("Rule")),
    ]

    class Meta:
        verbose_name = _("return policy")


class ReturnReason(models.Model):
    policy = ParentalKey(ReturnPolicy, on_delete=models.CASCADE, related_name="reasons")
    sort_order_field = "sort_order"
    sort_order = models.PositiveSmallIntegerField(default=0, editable=False)
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    label_tr = models.CharField(_("label (Turkish)"), max_length=100, blank=True)
    requires_photo = models.BooleanField(_("photo required"), default=False)
    requires_comment = models.BooleanField(_("comment required"), default=False)
    restocking_percent = models.DecimalField(
        _("restocking fee (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    restocking_fixed = models.DecimalField(_("restocking fee (fixed, per line)"), **MONEY)
    shipping_fee = models.DecimalField(
        _("return shipping fee"),
        help_text=_("What the customer pays for the return label; 0: the store pays."),
        **MONEY,
    )

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("label"), FieldPanel("label_tr")]),
        FieldRowPanel([FieldPanel("requires_photo"), FieldPanel("requires_comment")]),
        FieldRowPanel(
            [
                FieldPanel("restocking_percent"),
                FieldPanel("restocking_fixed"),
                FieldPanel("shipping_fee"),
            ]
        ),
    ]

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "code"], name="returns_reason_code_unique")
        ]

    def __str__(self) -> str:
        return self.label


class WindowOverride(models.Model):
    class Match(models.TextChoices):
        PRODUCT_TYPE = "product_type", _("Product type")
        TAG = "tag", _("Tag")

    policy = ParentalKey(ReturnPolicy, on_delete=models.CASCADE, related_name="overrides")
    sort_order_field = "sort_order"
    sort_order = models.PositiveSmallIntegerField(default=0, editable=False)
    match = models.CharField(_("match on"), max_length=20, choices=Match.choices)
    value = models.CharField(_("value"), max_length=100)
    returnable = models.BooleanField(_("returnable"), default=True)
    window_days = models.PositiveSmallIntegerField(_("window (days)"), null=True, blank=True)

    panels = [
        FieldRowPanel(
            [
                FieldPanel("match"),
                FieldPanel("value"),
                FieldPanel("returnable"),
                FieldPanel("window_days"),
            ]
        )
    ]

    class Meta:
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_match_display()}: {self.value}"


class AutomationRule(models.Model):
    """Condition → action, evaluated in priority order (lowest number first).

    Every condition left empty matches; the rule applies when all the set ones do.
    """

    class Action(models.TextChoices):
        AUTO_APPROVE = "auto_approve", _("Approve automatically")
        REQUIRE_REVIEW = "require_review", _("Send to an agent for review")
        ADD_FEE = "add_fee", _("Add a fee")
        REMOVE_RESOLUTION = "remove_resolution", _("Remove a resolution")
        CHANGE_WINDOW = "change_window", _("Change the return window")

    policy = ParentalKey(ReturnPolicy, on_delete=models.CASCADE, related_name="rules")
    sort_order_field = "sort_order"
    sort_order = models.PositiveSmallIntegerField(default=0, editable=False)
    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    active = models.BooleanField(_("active"), default=True)
    reasons = models.CharField(
        _("every line's reason is one of"), max_length=255, blank=True,
        help_text=_("Reason codes, separated by commas."),
    )  # fmt: skip
    skus = models.CharField(_("a line's SKU is one of"), max_length=500, blank=True)
    product_types = models.CharField(
        _("a line's product type is one of"), max_length=255, blank=True
    )
    tags = models.CharField(_("a line has one of the tags"), max_length=255, blank=True)
    countries = models.CharField(
        _("shipping country is one of"), max_length=255, blank=True,
        help_text=_("ISO codes, e.g. TR, DE."),
    )  # fmt: skip
    min_order_discount = models.DecimalField(
        _("order discount at least"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    min_value = models.DecimalField(
        _("returned value at least"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("returned value at most"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_customer_returns = models.PositiveSmallIntegerField(
        _("customer's earlier returns at most"), null=True, blank=True
    )
    only_unflagged = models.BooleanField(_("customer is not flagged"), default=False)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    fee = models.DecimalField(_("fee"), max_digits=14, decimal_places=2, null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=10, choices=Resolution.choices, blank=True
    )
    window_days = models.PositiveSmallIntegerField(_("window (days)"), null=True, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("priority"), FieldPanel("active")]),
        MultiFieldPanel(
            [
                FieldPanel("reasons"),
                FieldRowPanel(
                    [FieldPanel("skus"), FieldPanel("product_types"), FieldPanel("tags")]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("min_order_discount"),
                        FieldPanel("min_value"),
                        FieldPanel("max_value"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("countries"),
                        FieldPanel("max_customer_returns"),
                        FieldPanel("only_unflagged"),
                    ]
                ),
            ],
            heading=_("When"),
        ),
        FieldRowPanel(
            [
                FieldPanel("action"),
                FieldPanel("fee"),
                FieldPanel("resolution"),
                FieldPanel("window_days"),
            ],
            heading=_("Then"),
        ),
    ]

    class Meta:
        ordering = ["priority", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        needs = {
            self.Action.ADD_FEE: ("fee", _("Say how much the fee is.")),
            self.Action.REMOVE_RESOLUTION: ("resolution", _("Choose the resolution to remove.")),
            self.Action.CHANGE_WINDOW: ("window_days", _("Say how many days the window is.")),
        }
        if self.action in needs:
            field, message = needs[self.action]
            if getattr(self, field) in (None, ""):
                raise ValidationError({field: message})
        if self.action == self.Action.CHANGE_WINDOW and (
            self.reasons or self.min_value is not None or self.max_value is not None
        ):
            raise ValidationError(
                _(
                    "A return window is decided before items are chosen: reasons and the "
                    "returned value cannot be its conditions."
                )
            )


class PolicyVersion(models.Model):
    """A frozen copy of the policy as the engine reads it (``policy.Policy.as_dict``)."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    digest = models.CharField(max_length=64, unique=True)
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("policy version")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number}"


# --- Returns ------------------------------------------------------------------------------


class Status(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    LABEL_ISSUED = "label_issued", _("Label issued")
    DROPOFF_ISSUED = "dropoff_issued", _("Drop-off code issued")
    IN_TRANSIT = "in_transit", _("On its way back")
    RECEIVED = "received", _("Received")
    INSPECTED = "inspected", _("Inspected")
    REFUNDED = "refunded", _("Refunded")
    CREDITED = "credited", _("Store credit issued")
    EXCHANGED = "exchanged", _("Exchanged")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", pgettext_lazy("return", "Cancelled")


class ReturnRequestQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)


CLOSED_STATUSES = (Status.CLOSED, Status.REJECTED, Status.CANCELLED)


class ReturnRequest(models.Model):
    class Review(models.TextChoices):
        NONE = "", _("No review needed")
        PENDING = "pending", _("Needs review")
        DONE = "done", _("Reviewed")

    number = models.CharField(_("return number"), max_length=20, unique=True)
    # The form's idempotency key: the same submission twice makes one return.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(_("email"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="returns",
    )
    language = models.CharField(max_length=12, default="en")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    resolution = models.CharField(_("resolution"), max_length=10, choices=Resolution.choices)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    currency = models.CharField(max_length=3)
    # The quote the customer saw (``policy.Quote``), kept as computed.
    items_total = models.DecimalField(_("items"), **MONEY)
    tax_total = models.DecimalField(_("tax"), **MONEY)
    shipping_refund = models.DecimalField(_("outbound shipping refunded"), **MONEY)
    restocking_fee = models.DecimalField(_("restocking fee"), **MONEY)
    shipping_fee = models.DecimalField(_("return shipping fee"), **MONEY)
    other_fees = models.DecimalField(_("other fees"), **MONEY)
    bonus_credit = models.DecimalField(_("bonus credit"), **MONEY)
    total = models.DecimalField(_("to pay out"), **MONEY)
    comment = models.TextField(_("comment"), blank=True)
    exchange_for = models.CharField(_("exchange for"), max_length=255, blank=True)
    exchange_difference = models.DecimalField(_("exchange price difference"), **MONEY)
    review = models.CharField(max_length=10, choices=Review.choices, blank=True, default="")
    review_reasons = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(_("flagged customer"), default=False)
    decision = models.JSONField(default=dict, blank=True)
    dropoff_code = models.CharField(max_length=20, blank=True)
    label_carrier = models.CharField(max_length=50, blank=True)
    label_tracking_number = models.CharField(max_length=100, blank=True)
    rejection_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReturnRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-created_at", "-pk"]
        permissions = [("manage_returnrequest", "Can approve, receive and resolve returns")]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="returns_total_gte_0"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="returns_status_created"),
            models.Index(fields=["-created_at"], name="returns_created"),
            # The queue's search by the start of an email (LIKE 'x%' on PostgreSQL).
            models.Index(
                fields=["email"], name="returns_email_prefix", opclasses=["varchar_pattern_ops"]
            ),
            # The queue's "flagged" and "needs review" filters, newest first.
            models.Index(
                fields=["-created_at"], name="returns_flagged_created", condition=Q(flagged=True)
            ),
            models.Index(
                fields=["-created_at"],
                name="returns_review_created",
                condition=Q(review="pending"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


class ReturnLine(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "", _("Not inspected")
        ACCEPTED = "accepted", _("Accepted")
        PARTIAL = "partial", _("Partial credit")
        REJECTED = "rejected", pgettext_lazy("inspection", "Rejected")

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    reason = models.CharField(_("reason"), max_length=40)
    reason_label = models.CharField(max_length=100)
    comment = models.TextField(blank=True)
    unit_amount = models.DecimalField(**MONEY)
    amount = models.DecimalField(_("item value"), **MONEY)
    tax = models.DecimalField(**MONEY)
    restocking_fee = models.DecimalField(**MONEY)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    outcome_note = models.CharField(max_length=255, blank=True)
    # What inspection accepts of ``full_value``; set when inspected.
    accepted_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="returns_line_qty_gt_0"),
            models.UniqueConstraint(fields=["request", "order_line"], name="returns_line_unique"),
        ]
        # The queue's filter by reason.
        indexes = [models.Index(fields=["reason", "request"], name="returns_line_reason")]

    def __str__(self) -> str:
        return f"{self.quantity} × line {self.order_line_id}"

    @property
    def full_value(self):
        """What the line pays back if inspection accepts it all: its value and tax share,
        less its restocking fee."""
        return self.amount + self.tax - self.restocking_fee


def photo_path(instance: ReturnPhoto, filename: str) -> str:
    return f"returns/{instance.line.request.number}/{filename}"


class ReturnPhoto(models.Model):
    line = models.ForeignKey(ReturnLine, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=30)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name


class ReturnEvent(models.Model):
    """The timeline and the audit trail: every transition, note and payment step."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("Status change")
        NOTE = "note", _("Note")
        PAYMENT = "payment", _("Payment")
        EMAIL = "email", _("Email")

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True)
    # Agents' notes are internal; the customer's timeline shows only public events.
    public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"], name="returns_event_request")]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_status}→{self.to_status}"


class ReturnPayment(models.Model):
    """Money (or its equivalent) leaving for a return: one row per payout, written before
    the call that pays it, under a key derived from the return so a retry reuses it."""

    class Kind(models.TextChoices):
        STRIPE = "stripe", _("Refund through Stripe")
        STORE = "store", _("Refund in the store (by an agent)")
        CREDIT = "credit", _("Store credit")
        EXCHANGE = "exchange", _("Exchange")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Failed")

    request = models.ForeignKey(ReturnRequest, on_delete=models.PROTECT, related_name="payments")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    external_id = models.CharField(max_length=100, blank=True)
    external_status = models.CharField(max_length=30, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # The refund row in the order mirror, once the money has gone.
    order_refund_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="returns_payment_amount_gt_0"),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="returns_payment_external_unique",
            ),
        ]
        indexes = [models.Index(fields=["state", "kind"], name="returns_payment_state")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} ({self.state})"


class ReturnEmail(models.Model):
    """Each customer-visible step's email goes out once."""

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=30)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="returns_email_once")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.kind}"


class GuestCode(models.Model):
    """A one-time code mailed to an order's address before a guest may start a return."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["order", "-created_at"], name="returns_guestcode_order")]

    def __str__(self) -> str:
        return f"code for order {self.order_id}"
