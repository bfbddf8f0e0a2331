"""The loyalty program: settings, earning rules, and the points ledger.

The ledger is the truth. Every change of points is one append-only ``Entry`` with a unique
key derived from its cause (an order and rule, a refund, a redemption), so the same event
twice changes nothing. Each earn entry opens a ``Lot``: the points, the rule and rate they
were earned at, when they become available and when they expire. Entries that take points
away (redeem, expire, reverse, a negative adjustment) say which lots they took from in
``Allocation`` rows, first in first out. ``Account`` keeps cached balances, changed in the
same transaction as the entry under a row lock; ``loyalty_check`` proves they match.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField


@register_setting(icon="pick")
class ProgramSettings(BaseGenericSetting):
    """How the points program behaves. One for the whole portal."""

    class EarnOn(models.TextChoices):
        MERCHANDISE = "merchandise", _("What the products cost, less discounts")
        TOTAL = "total", _("The order total, shipping and tax included")

    class Expiry(models.TextChoices):
        NEVER = "never", _("Points never expire")
        AFTER_EARNED = "after_earned", _("N months after they were earned")
        AFTER_INACTIVITY = "after_inactivity", _("After N months without activity")

    class SpentReversal(models.TextChoices):
        NEGATIVE = "negative", _("Allow a negative balance that later points repay")
        VOID = "void", _("Void unused reward codes bought with them, then allow a negative balance")
        FORGIVE = "forgive", _("Forgive them")

    enabled = models.BooleanField(_("program is on"), default=True)
    program_name = models.CharField(_("program name"), max_length=60, default="Rewards")
    enrol_all_customers = models.BooleanField(
        _("enrol every customer"),
        default=False,
        help_text=_("Otherwise customers join when they sign up or opt in on the rewards page."),
    )
    earn_on = models.CharField(
        _("points are earned on"), max_length=20, choices=EarnOn.choices, default=EarnOn.MERCHANDISE
    )
    return_window_days = models.PositiveIntegerField(
        _("days until order points become available"),
        default=30,
        help_text=_("The return window: returned goods never leave spendable points behind."),
    )
    expiry = models.CharField(
        _("expiry"), max_length=20, choices=Expiry.choices, default=Expiry.AFTER_EARNED
    )
    expiry_months = models.PositiveIntegerField(_("months"), default=12)
    expiry_reminder_days = models.PositiveIntegerField(
        _("remind this many days before points expire"), default=14
    )
    spent_reversal = models.CharField(
        _("when refunded points were already spent"),
        max_length=20,
        choices=SpentReversal.choices,
        default=SpentReversal.NEGATIVE,
    )

    class TierBasis(models.TextChoices):
        POINTS = "points", _("Points earned")
        SPEND = "spend", _("Money spent")

    class TierPeriod(models.TextChoices):
        CALENDAR_YEAR = "calendar_year", _("Calendar year")
        ROLLING_YEAR = "rolling_year", _("The last 12 months")

    class CampaignOverlap(models.TextChoices):
        HIGHEST = "highest", _("The most generous campaign wins")
        STACK = "stack", _("Campaigns add up")

    tier_basis = models.CharField(
        _("tiers are reached by"), max_length=10, choices=TierBasis.choices, default="points"
    )
    tier_period = models.CharField(
        _("counted over"), max_length=20, choices=TierPeriod.choices, default="calendar_year"
    )
    campaign_overlap = models.CharField(
        _("when campaigns overlap"),
        max_length=10,
        choices=CampaignOverlap.choices,
        default=CampaignOverlap.HIGHEST,
    )
    how_it_works = RichTextField(
        _("how it works"),
        blank=True,
        features=["h3", "bold", "italic", "link", "ol", "ul"],
        help_text=_("Shown on the rewards page above the earning rules."),
    )
    referrals_enabled = models.BooleanField(
        _("referrals are on"),
        default=False,
        help_text=_("Members get a link to share; friends who use it get the reward below."),
    )
    referral_points = models.PositiveIntegerField(
        _("points the member earns per referral"),
        default=500,
        help_text=_("Given once the friend's first order can no longer be returned."),
    )
    referral_reward = models.ForeignKey(
        "Reward",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("the friend's reward"),
        help_text=_(
            "Issued to the friend at no cost in points. Make the reward inactive to keep it "
            "out of the members' catalogue: friends still get it."
        ),
    )
    referral_weekly_limit_per_client = models.PositiveIntegerField(
        _("referrals from one device or network a week"),
        default=3,
        help_text=_("More than this are held for review. 0: no limit."),
    )

    class StoreCreditAs(models.TextChoices):
        CODE = "code", _("A single-use code for the amount")
        POINTS = "points", _("Points, at the rate below")

    store_credit_as = models.CharField(
        _("store credit is paid as"),
        max_length=10,
        choices=StoreCreditAs.choices,
        default=StoreCreditAs.CODE,
        help_text=_(
            "How a return paid out as store credit reaches the customer: a single-use "
            "discount code for the amount (a Stripe promotion code when Stripe is set up), "
            "or points in their account (while the program is on; they expire like any "
            "points)."
        ),
    )
    store_credit_points_per_unit = models.DecimalField(
        _("points per 1.00 of store credit"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("20"),
        help_text=_("E.g. 20 when 200 points buy 10.00 off. Rounded half up."),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("enabled"), FieldPanel("program_name"), FieldPanel("enrol_all_customers")],
            heading=_("Program"),
        ),
        MultiFieldPanel(
            [FieldPanel("earn_on"), FieldPanel("return_window_days"), FieldPanel("spent_reversal")],
            heading=_("Earning"),
        ),
        MultiFieldPanel(
            [FieldPanel("expiry"), FieldPanel("expiry_months"), FieldPanel("expiry_reminder_days")],
            heading=_("Expiry"),
        ),
        MultiFieldPanel(
            [FieldPanel("tier_basis"), FieldPanel("tier_period"), FieldPanel("campaign_overlap")],
            heading=_("Tiers and campaigns"),
        ),
        FieldPanel("how_it_works"),
        MultiFieldPanel(
            [
                FieldPanel("referrals_enabled"),
                FieldPanel("referral_points"),
                FieldPanel("referral_reward"),
                FieldPanel("referral_weekly_limit_per_client"),
            ],
            heading=_("Referrals"),
        ),
        MultiFieldPanel(
            [FieldPanel("store_credit_as"), FieldPanel("store_credit_points_per_unit")],
            heading=_("Store credit for returns"),
        ),
    ]

    class Meta:
        verbose_name = _("loyalty program")


class EarningRule(models.Model):
    """A way to earn points. Changing a rule bumps its version; points already earned keep
    the rule, version and rate they were earned at (on their lot)."""

    class Kind(models.TextChoices):
        SPEND = "spend", _("Points per amount spent")
        SIGNUP = "signup", _("Sign-up bonus")
        FIRST_ORDER = "first_order", _("First order bonus")
        BIRTHDAY = "birthday", _("Birthday bonus")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    points = models.PositiveIntegerField(
        _("points"), help_text=_("For points per amount spent: the points per amount below.")
    )
    per_amount = models.DecimalField(
        _("per amount spent"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("1"),
        help_text=_("E.g. 1 point per 1.00 spent; only for points per amount spent."),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        help_text=_("Only orders in this currency (e.g. TRY); empty for every currency."),
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("points"),
        FieldPanel("per_amount"),
        FieldPanel("currency"),
        FieldPanel("active"),
    ]

    class Meta:
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(per_amount__gt=0), name="loyalty_rule_per_gt_0"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def rate(self) -> Decimal:
        """Points per one unit of currency (spend rules)."""
        return Decimal(self.points) / self.per_amount


class Tier(models.Model):
    """A VIP level: reached by points earned or money spent in the qualifying period."""

    name = models.CharField(_("name"), max_length=60)
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Points earned, or money spent, in the period to reach this tier."),
    )
    multiplier = models.DecimalField(
        _("points multiplier"), max_digits=4, decimal_places=2, default=Decimal("1")
    )
    perks = models.TextField(_("perks"), blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("threshold"),
        FieldPanel("multiplier"),
        FieldPanel("perks"),
    ]

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["threshold"]
        constraints = [
            models.UniqueConstraint(fields=["threshold"], name="loyalty_tier_threshold_unique"),
            models.CheckConstraint(condition=Q(multiplier__gte=1), name="loyalty_tier_mult_gte_1"),
        ]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """Extra points for a while: a multiplier, or a fixed bonus per order."""

    class Kind(models.TextChoices):
        MULTIPLIER = "multiplier", _("Multiply the points")
        BONUS = "bonus", _("Bonus points per order")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    multiplier = models.DecimalField(
        _("multiplier"), max_digits=4, decimal_places=2, default=Decimal("2")
    )
    bonus_points = models.PositiveIntegerField(_("bonus points"), default=0)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    product_types = models.JSONField(
        _("only product types"), default=list, blank=True, help_text=_("Empty: every product.")
    )
    tags = models.JSONField(
        _("only products tagged"), default=list, blank=True, help_text=_("Empty: any tag.")
    )
    tiers = models.ManyToManyField(
        Tier, blank=True, verbose_name=_("only members of"), related_name="campaigns"
    )
    first_order_only = models.BooleanField(_("only a customer's first order"), default=False)
    active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("multiplier"),
        FieldPanel("bonus_points"),
        FieldPanel("starts_at"),
        FieldPanel("ends_at"),
        FieldPanel("product_types"),
        FieldPanel("tags"),
        FieldPanel("tiers"),
        FieldPanel("first_order_only"),
        FieldPanel("active"),
    ]

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="loyalty_campaign_dates"
            ),
            models.CheckConstraint(
                condition=Q(multiplier__gte=1), name="loyalty_campaign_mult_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, line) -> bool:
        """Whether the campaign's product conditions take in an order line."""
        if self.product_types and line.product_type not in self.product_types:
            return False
        return not self.tags or bool(set(self.tags) & set(line.tags or []))


class Account(models.Model):
    """A member's points, or points waiting against an email until its owner verifies it."""

    email = models.EmailField(_("email"), unique=True)  # always lower case
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="loyalty_account",
    )
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)
    # Month and day only, in the leap year 2000 (so 29 February fits); given once by the
    # member. When it was given decides the first birthday it pays (services.birthdays).
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    birthday_given_at = models.DateTimeField(_("birthday given"), null=True, blank=True)
    points_emails = models.BooleanField(
        _("points emails"),
        default=True,
        help_text=_("Email the member about points earned, ready, expiring, tiers and codes."),
    )
    # Cached from the ledger, changed only with an entry, under a row lock.
    pending = models.IntegerField(_("pending points"), default=0)
    available = models.IntegerField(_("available points"), default=0)
    lifetime_earned = models.IntegerField(_("points earned"), default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    # A tier is kept at least until the end of the period it was reached in.
    tier_until = models.DateTimeField(null=True, blank=True)
    # One more with every entry posted and every tier change: what the rewards page keys
    # its cached ledger panels on (``views.rewards``).
    ledger_version = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("loyalty account")
        verbose_name_plural = _("loyalty accounts")
        constraints = [
            models.CheckConstraint(condition=Q(pending__gte=0), name="loyalty_pending_gte_0"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_member(self) -> bool:
        return self.joined_at is not None


class Entry(models.Model):
    """One change of points. Never updated or deleted."""

    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        RELEASE = "release", _("Became available")
        REDEEM = "redeem", _("Spent")
        EXPIRE = "expire", _("Expired")
        REVERSE = "reverse", _("Reversed")
        ADJUST = "adjust", _("Adjusted by staff")
        # New points paying back a negative balance: they leave their lot, not the balance.
        REPAY = "repay", _("Repaid a negative balance")
        # Spent points given back to the lots they came from (a reward code that could not
        # be issued, or was voided unused).
        RESTORE = "restore", _("Given back")
        # A return paid out as store credit in points (``StoreCredit``): not earned, so
        # it counts towards no tier.
        CREDIT = "credit", _("Store credit")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Derived from the cause ("order:12:rule:3", "refund:7:lot:40"): the same cause twice
    # is one entry.
    key = models.CharField(max_length=120, unique=True)
    pending_delta = models.IntegerField(default=0)
    available_delta = models.IntegerField(default=0)
    lifetime_delta = models.IntegerField(default=0)
    # Points a reversal could not take back because they were spent, and forgave.
    forgiven = models.PositiveIntegerField(default=0)
    # The lot an earn opened, a release freed, or a reversal takes back (the points may
    # come from other lots: see allocations).
    lot = models.ForeignKey(
        "Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refund = models.ForeignKey(
        "orders.Refund", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "-created_at"], name="loyalty_entry_account")]

    def __str__(self) -> str:
        return self.key

    @property
    def points(self) -> int:
        """The change as a member reads it: pending and available together."""
        return self.pending_delta + self.available_delta


class Lot(models.Model):
    """Points earned together: one rule on one order, or one bonus."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        AVAILABLE = "available", _("Available")
        CLOSED = "closed", _("Closed")  # nothing left: spent, expired or reversed

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lots")
    status = models.CharField(max_length=10, choices=Status.choices)
    points = models.PositiveIntegerField()
    # Cached: points minus what allocations took; checked against them.
    remaining = models.PositiveIntegerField()
    available_at = models.DateTimeField(null=True, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    rule = models.ForeignKey(
        EarningRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="lots"
    )
    rule_name = models.CharField(max_length=100, blank=True)
    rule_version = models.PositiveIntegerField(null=True, blank=True)
    # Points per unit of currency the lot was earned at (spend rules), kept for reversals.
    rate = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__lte=models.F("points")), name="loyalty_lot_remaining_lte"
            ),
        ]
        indexes = [models.Index(fields=["account", "status"], name="loyalty_lot_account_status")]

    def __str__(self) -> str:
        return f"{self.points} ({self.rule_name})"


class LotLine(models.Model):
    """How many of a lot's points each order line earned, for reversing a partial refund."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    points = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lot", "line"], name="loyalty_lotline_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.points} for line {self.line_id}"


class Allocation(models.Model):
    """Points an entry took from a lot (negative: points it gave back to the lot, as when
    a reward code could not be issued)."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="allocations")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="allocations")
    points = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "lot"], name="loyalty_allocation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.points} from lot {self.lot_id}"


class Reward(models.Model):
    """Something points buy: a discount code for the store."""

    class Kind(models.TextChoices):
        AMOUNT_OFF = "amount_off", _("Fixed amount off")
        PERCENT_OFF = "percent_off", _("Percentage off")
        FREE_SHIPPING = "free_shipping", _("Free shipping")
        FREE_PRODUCT = "free_product", _("Free product")

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    points_cost = models.PositiveIntegerField(_("points"))
    amount = models.DecimalField(
        _("amount off"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    percent = models.PositiveSmallIntegerField(_("percent off"), null=True, blank=True)
    product_sku = models.CharField(_("product SKU"), max_length=100, blank=True)
    minimum_order = models.DecimalField(
        _("minimum order"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    starts_at = models.DateTimeField(_("available from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("available until"), null=True, blank=True)
    stock = models.PositiveIntegerField(
        _("how many can be redeemed"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    per_customer_limit = models.PositiveIntegerField(
        _("per customer"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("kind"),
        FieldPanel("points_cost"),
        MultiFieldPanel(
            [
                FieldPanel("amount"),
                FieldPanel("currency"),
                FieldPanel("percent"),
                FieldPanel("product_sku"),
                FieldPanel("minimum_order"),
            ],
            heading=_("What it gives"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("starts_at"),
                FieldPanel("ends_at"),
                FieldPanel("stock"),
                FieldPanel("per_customer_limit"),
                FieldPanel("active"),
            ],
            heading=_("Availability"),
        ),
    ]

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["points_cost", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="amount_off") | (Q(amount__gt=0) & ~Q(currency="")),
                name="loyalty_reward_amount_off_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(kind="percent_off") | Q(percent__gte=1, percent__lte=100),
                name="loyalty_reward_percent_1_100",
            ),
            models.CheckConstraint(
                condition=~Q(kind="free_product") | ~Q(product_sku=""),
                name="loyalty_reward_free_product_has_sku",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    """Points spent on a reward, and the single-use code they bought."""

    class Status(models.TextChoices):
        ISSUING = "issuing", _("Being issued")
        ISSUED = "issued", _("Ready to use")
        USED = "used", _("Used")
        FAILED = "failed", _("Could not be issued")
        VOIDED = "voided", pgettext_lazy("reward code", "Voided")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="redemptions")
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    # The request's own key (a form's hidden UUID): the same click twice is one redemption.
    request_key = models.CharField(max_length=100, unique=True)
    points = models.PositiveIntegerField()
    code = models.CharField(_("code"), max_length=40, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUING)
    stripe_coupon_id = models.CharField(max_length=100, blank=True)
    stripe_promotion_code_id = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=500, blank=True)
    used_order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.code


class PointsEmail(models.Model):
    """An email a member was sent about their points: written before sending, unique per
    cause, so each goes out once however often its task runs."""

    class Kind(models.TextChoices):
        EARNED = "earned", _("Points earned")
        AVAILABLE = "available", _("Points available")
        TIER = "tier", _("Tier changed")
        REDEEMED = "redeemed", _("Reward redeemed")
        EXPIRING = "expiring", _("Points expiring soon")
        BIRTHDAY = "birthday", _("Birthday bonus")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points email")
        verbose_name_plural = _("points emails")

    def __str__(self) -> str:
        return self.key


class ReferralCode(models.Model):
    """A member's own referral link (``/r/<code>/``): made the first time it is shown."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="referral_code")
    code = models.CharField(_("referral code"), max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")

    def __str__(self) -> str:
        return self.code


class Referral(models.Model):
    """A friend a member invited: the friend's code, their first order, the member's points.

    One per friend email, whoever invited them. Fraud rules that fire are kept in
    ``flags`` (rule codes, shown in words by ``flag_labels``); the referral waits in review
    until staff clear them (``approved_flags``) or cancel it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Friend has their code")
        ORDERED = "ordered", _("Friend ordered")
        REVIEW = "review", _("Held for review")
        REWARDED = "rewarded", _("Member rewarded")
        CANCELLED = "cancelled", _("Cancelled by staff")
        REJECTED = "rejected", _("Order cancelled or refunded")

    class Flag(models.TextChoices):
        SAME_EMAIL = "same_email", _("The friend's email is the member's, written differently")
        SAME_NAME = "same_name", _("The friend's name matches one of the member's orders")
        SAME_ADDRESS = (
            "same_address",
            _("The friend's shipping address matches one of the member's orders"),
        )
        ORDERED_BEFORE = "ordered_before", _("The friend had ordered before they were invited")
        BUSY_CLIENT = "busy_client", _("Many referrals from one device or network this week")

    referrer = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="referrals_made", verbose_name=_("member")
    )
    friend_email = models.EmailField(_("friend's email"), unique=True)  # lower case
    friend_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals_received"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    flags = models.JSONField(_("rules that fired"), default=list, blank=True)
    approved_flags = models.JSONField(default=list, blank=True)
    # What the member was promised when the friend claimed, kept if the program changes.
    points = models.PositiveIntegerField(_("points for the member"))
    redemption = models.ForeignKey(
        Redemption, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # HMAC of the client's address with SECRET_KEY: enough to count, never the address.
    client_hash = models.CharField(max_length=64, blank=True, db_index=True)
    language = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(_("invited"), auto_now_add=True, db_index=True)
    ordered_at = models.DateTimeField(_("ordered"), null=True, blank=True)
    rewarded_at = models.DateTimeField(_("rewarded"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    friend_emailed_at = models.DateTimeField(null=True, blank=True)
    referrer_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-pk"]
        permissions = [("review_referral", "Can approve or cancel a referral held for review")]
        indexes = [models.Index(fields=["status", "created_at"], name="loyalty_referral_status")]

    def __str__(self) -> str:
        return f"{self.referrer} → {self.friend_email}"

    @property
    def open_flags(self) -> list[str]:
        """Rules that fired and staff have not cleared."""
        return [flag for flag in self.flags if flag not in self.approved_flags]

    @property
    def flag_labels(self) -> list[str]:
        labels = dict(self.Flag.choices)
        return [str(labels.get(flag, flag)) for flag in self.flags]


class StoreCredit(models.Model):
    """Store credit a customer was given (a return paid out as credit): a single-use code
    for the amount, or points at the program's rate. Unique per ``key`` (the caller's
    cause, e.g. the return's payment), so issuing twice gives one credit."""

    class Kind(models.TextChoices):
        CODE = "code", _("Code")
        POINTS = "points", _("Points")

    class Status(models.TextChoices):
        ISSUING = "issuing", _("Being issued")
        ISSUED = "issued", _("Ready to use")
        FAILED = "failed", _("Could not be issued")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="store_credits")
    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUING)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    points = models.PositiveIntegerField(_("points"), null=True, blank=True)
    code = models.CharField(_("code"), max_length=40, blank=True)
    stripe_coupon_id = models.CharField(max_length=100, blank=True)
    stripe_promotion_code_id = models.CharField(max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    error = models.CharField(max_length=500, blank=True)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("store credit")
        verbose_name_plural = _("store credits")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="loyalty_credit_amount_gt_0"),
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="loyalty_credit_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"{self.points} points"
