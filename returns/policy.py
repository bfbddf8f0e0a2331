"""The policy engine: pure functions over a frozen policy and the facts of one order.

Nothing here reads the database or the clock: ``selectors.order_facts`` gathers the facts,
``services`` stores what the engine decides. The customer's form, the agents' simulator,
the policy page and the tests all run these same functions, so what a customer is told is
what the portal enforces.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import Method, Resolution

ZERO = Decimal("0")
CENT = Decimal("0.01")
STATUTORY_DAYS = 14


def money(value: Decimal) -> Decimal:
    """Round to the cent, half up: the one rounding rule of every amount here."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in (text or "").split(",") if part.strip())


# --- The frozen policy ------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    label_tr: str = ""
    requires_photo: bool = False
    requires_comment: bool = False
    restocking_percent: Decimal = ZERO
    restocking_fixed: Decimal = ZERO
    shipping_fee: Decimal = ZERO

    @property
    def display(self) -> str:
        if (get_language() or "").startswith("tr") and self.label_tr:
            return self.label_tr
        return self.label


@dataclass(frozen=True)
class Override:
    match: str  # "product_type" | "tag"
    value: str
    returnable: bool = True
    window_days: int | None = None

    def applies_to(self, line) -> bool:
        value = self.value.strip().lower()
        if self.match == "product_type":
            return (line.product_type or "").strip().lower() == value
        return value in {str(tag).strip().lower() for tag in line.tags or ()}


@dataclass(frozen=True)
class Rule:
    name: str
    action: str
    priority: int = 100
    reasons: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    product_types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    min_order_discount: Decimal | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_customer_returns: int | None = None
    only_unflagged: bool = False
    fee: Decimal | None = None
    resolution: str = ""
    window_days: int | None = None

    def line_matches(self, line) -> bool:
        """The line-level conditions (SKU, product type, tag); empty ones match."""
        if self.skus and (line.sku or "").lower() not in self.skus:
            return False
        if self.product_types and (line.product_type or "").lower() not in self.product_types:
            return False
        return not (self.tags and not {str(t).lower() for t in line.tags or ()} & set(self.tags))

    def order_matches(self, facts: OrderFacts) -> bool:
        if self.countries and facts.country.lower() not in self.countries:
            return False
        if self.min_order_discount is not None and facts.discount < self.min_order_discount:
            return False
        if (
            self.max_customer_returns is not None
            and facts.customer_returns > self.max_customer_returns
        ):
            return False
        return not (self.only_unflagged and facts.flagged)


@dataclass(frozen=True)
class Policy:
    version: int
    window_days: int
    statutory: str = ""
    conditions: str = ""
    conditions_tr: str = ""
    offer_refund: bool = True
    offer_credit: bool = True
    credit_bonus_percent: Decimal = ZERO
    offer_exchange: bool = True
    method_label: bool = True
    method_dropoff: bool = True
    keep_item_under: Decimal = ZERO
    max_open_returns: int = 0
    flag_rate_percent: int = 0
    flag_min_orders: int = 0
    reasons: tuple[Reason, ...] = ()
    overrides: tuple[Override, ...] = ()
    rules: tuple[Rule, ...] = ()

    # -- storage --------------------------------------------------------------------------

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("version")
        return json.loads(json.dumps(data, default=str))

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: dict, *, version: int) -> Policy:
        def dec(value):
            return None if value is None else Decimal(str(value))

        reasons = tuple(
            Reason(
                **{
                    **r,
                    **{
                        k: dec(r[k])
                        for k in ("restocking_percent", "restocking_fixed", "shipping_fee")
                    },
                }
            )
            for r in data.get("reasons", ())
        )
        overrides = tuple(Override(**o) for o in data.get("overrides", ()))
        rules = tuple(
            Rule(
                **{
                    **r,
                    **{
                        k: tuple(r.get(k) or ())
                        for k in ("reasons", "skus", "product_types", "tags", "countries")
                    },
                    **{
                        k: dec(r.get(k))
                        for k in ("min_order_discount", "min_value", "max_value", "fee")
                    },
                }
            )
            for r in data.get("rules", ())
        )
        plain = {k: v for k, v in data.items() if k not in {"reasons", "overrides", "rules"}}
        for k in ("credit_bonus_percent", "keep_item_under"):
            plain[k] = dec(plain.get(k, "0"))
        return cls(version=version, reasons=reasons, overrides=overrides, rules=rules, **plain)

    @classmethod
    def from_models(cls, policy, *, version: int = 0) -> Policy:
        """From a ``ReturnPolicy`` row and its reasons, overrides and active rules."""
        return cls(
            version=version,
            window_days=policy.window_days,
            statutory=policy.statutory,
            conditions=policy.conditions,
            conditions_tr=policy.conditions_tr,
            offer_refund=policy.offer_refund,
            offer_credit=policy.offer_credit,
            credit_bonus_percent=money(policy.credit_bonus_percent),
            offer_exchange=policy.offer_exchange,
            method_label=policy.method_label,
            method_dropoff=policy.method_dropoff,
            keep_item_under=money(policy.keep_item_under),
            max_open_returns=policy.max_open_returns,
            flag_rate_percent=policy.flag_rate_percent,
            flag_min_orders=policy.flag_min_orders,
            reasons=tuple(
                Reason(
                    code=r.code,
                    label=r.label,
                    label_tr=r.label_tr,
                    requires_photo=r.requires_photo,
                    requires_comment=r.requires_comment,
                    restocking_percent=money(r.restocking_percent),
                    restocking_fixed=money(r.restocking_fixed),
                    shipping_fee=money(r.shipping_fee),
                )
                for r in policy.reasons.all()
            ),
            overrides=tuple(
                Override(
                    match=o.match,
                    value=o.value,
                    returnable=o.returnable,
                    window_days=o.window_days,
                )
                for o in policy.overrides.all()
            ),
            rules=tuple(
                Rule(
                    name=r.name,
                    action=r.action,
                    priority=r.priority,
                    reasons=_split(r.reasons),
                    skus=_split(r.skus),
                    product_types=_split(r.product_types),
                    tags=_split(r.tags),
                    countries=_split(r.countries),
                    min_order_discount=r.min_order_discount,
                    min_value=r.min_value,
                    max_value=r.max_value,
                    max_customer_returns=r.max_customer_returns,
                    only_unflagged=r.only_unflagged,
                    fee=r.fee,
                    resolution=r.resolution,
                    window_days=r.window_days,
                )
                for r in sorted(policy.rules.all(), key=lambda r: (r.priority, r.pk or 0))
                if r.active
            ),
        )

    def reason(self, code: str) -> Reason | None:
        return next((r for r in self.reasons if r.code == code), None)

    @property
    def conditions_display(self) -> str:
        if (get_language() or "").startswith("tr") and self.conditions_tr:
            return self.conditions_tr
        return self.conditions

    @property
    def resolutions(self) -> tuple[str, ...]:
        offered = (
            (Resolution.REFUND, self.offer_refund),
            (Resolution.CREDIT, self.offer_credit),
            (Resolution.EXCHANGE, self.offer_exchange),
        )
        return tuple(str(value) for value, on in offered if on)


# --- The facts of one order -------------------------------------------------------------


@dataclass(frozen=True)
class LineFacts:
    """One order line as the engine needs it (``selectors.order_facts`` builds these)."""

    id: int
    title: str
    variant_title: str
    sku: str
    quantity: int
    unit_price: Decimal
    discount_total: Decimal
    product_type: str = ""
    tags: tuple[str, ...] = ()
    is_final_sale: bool = False
    is_gift_card: bool = False
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    # Units already in a return (not cancelled or rejected) or refunded by the store.
    taken: int = 0


@dataclass(frozen=True)
class OrderFacts:
    id: int
    number: str
    currency: str
    placed_at: datetime
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    paid: bool
    cancelled: bool
    lines: tuple[LineFacts, ...]
    country: str = ""
    # The customer's history, for the limits and the rules.
    customer_returns: int = 0
    customer_open_returns: int = 0
    customer_orders: int = 0
    customer_returned_orders: int = 0
    refunded: Decimal = ZERO

    @property
    def taxes_included(self) -> bool:
        """Prices include tax when the total does not add the tax on top."""
        exclusive = self.subtotal - self.discount + self.shipping + self.tax
        return self.tax > 0 and abs(exclusive - self.total) > CENT

    def line(self, line_id: int) -> LineFacts | None:
        return next((line for line in self.lines if line.id == line_id), None)


def customer_flagged(policy: Policy, facts: OrderFacts) -> bool:
    """A customer whose return rate over their last N orders is above the threshold."""
    if not policy.flag_rate_percent or facts.customer_orders < max(policy.flag_min_orders, 1):
        return False
    rate = Decimal(facts.customer_returned_orders * 100) / facts.customer_orders
    return rate > policy.flag_rate_percent


# --- Eligibility --------------------------------------------------------------------------


class Basis:
    DELIVERY = "delivery"
    FULFILLMENT = "fulfillment"
    ORDER = "order"


BASIS_LABELS = {
    Basis.DELIVERY: _("from delivery"),
    Basis.FULFILLMENT: _("from shipping"),
    Basis.ORDER: _("from the order date"),
}


@dataclass(frozen=True)
class Eligibility:
    line: LineFacts
    returnable: int  # units that may still be returned
    days: int
    basis: str
    deadline: datetime | None
    reason: str = ""  # why not, for the customer, when ``returnable`` is 0
    # The same for code: cancelled, unpaid, gift_card, final_sale, not_returnable,
    # window_closed or taken.
    why: str = ""

    @property
    def eligible(self) -> bool:
        return self.returnable > 0

    @property
    def basis_label(self):
        return BASIS_LABELS[self.basis]


def _window(policy: Policy, facts: OrderFacts, line: LineFacts) -> tuple[int, bool]:
    """(days, returnable) for a line: overrides, then window rules, then the statute."""
    days, returnable = policy.window_days, True
    for override in policy.overrides:
        if override.applies_to(line):
            returnable = override.returnable
            if override.window_days is not None:
                days = override.window_days
            break
    for rule in policy.rules:
        if (
            rule.action == "change_window"
            and rule.window_days is not None
            and rule.line_matches(line)
            and rule.order_matches(_with_flag(policy, facts))
        ):
            days = rule.window_days
            break
    if policy.statutory:
        days = max(days, STATUTORY_DAYS) if returnable else days
    return days, returnable


def _with_flag(policy: Policy, facts: OrderFacts) -> OrderFacts:
    flagged = customer_flagged(policy, facts)
    return _Flagged(facts, flagged)


class _Flagged:
    """``facts`` with ``flagged`` decided by the policy (facts are frozen)."""

    def __init__(self, facts: OrderFacts, flagged: bool):
        self._facts, self.flagged = facts, flagged

    def __getattr__(self, name):
        return getattr(self._facts, name)


def eligibility(policy: Policy, facts: OrderFacts, *, now: datetime) -> list[Eligibility]:
    """Each line: how many units may be returned, until when, counted from what, or why not."""
    result = []
    for line in facts.lines:
        days, returnable = _window(policy, facts, line)
        if line.delivered_at:
            basis, start = Basis.DELIVERY, line.delivered_at
        elif line.shipped_at:
            basis, start = Basis.FULFILLMENT, line.shipped_at
        else:
            basis, start = Basis.ORDER, facts.placed_at
        deadline = start + timedelta(days=days)
        left = max(line.quantity - line.taken, 0)
        statutory_only = policy.statutory and line.delivered_at
        why, code = "", ""
        if facts.cancelled:
            why, code = _("The order was cancelled."), "cancelled"
        elif not facts.paid:
            why, code = _("The order is not paid yet."), "unpaid"
        elif line.is_gift_card:
            why, code = _("Gift cards cannot be returned."), "gift_card"
        elif line.is_final_sale and not statutory_only:
            why, code = _("Final sale: this item cannot be returned."), "final_sale"
        elif not returnable and not statutory_only:
            why, code = _("This kind of item cannot be returned."), "not_returnable"
        elif now > deadline:
            why, code = _window_closed(deadline), WINDOW_CLOSED
        elif left == 0:
            why, code = _("Already returned or refunded."), "taken"
        if statutory_only and (line.is_final_sale or not returnable):
            # The statute covers these too, for its own 14 days.
            days = STATUTORY_DAYS
            deadline = line.delivered_at + timedelta(days=days)
            if not why and now > deadline:
                why, code = _window_closed(deadline), WINDOW_CLOSED
        result.append(
            Eligibility(
                line=line,
                returnable=0 if why else left,
                days=days,
                basis=basis,
                deadline=deadline,
                reason=str(why),
                why=code,
            )
        )
    return result


WINDOW_CLOSED = "window_closed"


def _window_closed(deadline: datetime) -> str:
    return _("The return window closed on %(date)s.") % {"date": f"{deadline:%Y-%m-%d}"}


# --- Quote --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    line_id: int
    quantity: int
    reason: str
    comment: str = ""
    photos: int = 0


@dataclass
class QuoteLine:
    line: LineFacts
    quantity: int
    reason: Reason
    unit_amount: Decimal
    amount: Decimal
    tax: Decimal
    restocking_fee: Decimal
    comment: str = ""


@dataclass
class Quote:
    currency: str
    lines: list[QuoteLine]
    resolution: str
    method: str
    items_total: Decimal = ZERO
    tax_total: Decimal = ZERO
    shipping_refund: Decimal = ZERO
    restocking_fee: Decimal = ZERO
    shipping_fee: Decimal = ZERO
    other_fees: Decimal = ZERO
    bonus_credit: Decimal = ZERO
    total: Decimal = ZERO
    resolutions: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    auto_approve: bool = False
    review_reasons: list[str] = field(default_factory=list)
    applied_rules: list[str] = field(default_factory=list)
    flagged: bool = False
    # Problems with the picks, by form field: {"lines": "...", "line-12-photos": "..."}.
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def payout_before_fees(self) -> Decimal:
        return self.items_total + self.tax_total + self.shipping_refund


def unit_net(line: LineFacts, facts: OrderFacts) -> Decimal:
    """What one unit of the line cost after its own discount and its share of any
    order-level discount (spread over the lines by their value)."""
    gross = line.unit_price * line.quantity
    net = gross - line.discount_total
    line_discounts = sum((x.discount_total for x in facts.lines), ZERO)
    order_level = max(facts.discount - line_discounts, ZERO)
    if order_level:
        base = sum((x.unit_price * x.quantity - x.discount_total for x in facts.lines), ZERO)
        if base > 0:
            net -= order_level * net / base
    return max(net, ZERO) / line.quantity


def _tax_share(facts: OrderFacts, amount: Decimal) -> Decimal:
    """The tax on ``amount`` of merchandise when it was added on top of the prices."""
    if facts.taxes_included or not facts.tax:
        return ZERO
    base = sum((unit_net(x, facts) * x.quantity for x in facts.lines), ZERO)
    return money(facts.tax * amount / base) if base > 0 else ZERO


def methods_for(policy: Policy, lines: list[QuoteLine]) -> tuple[str, ...]:
    methods = []
    if policy.method_label:
        methods.append(str(Method.LABEL))
    if policy.method_dropoff:
        methods.append(str(Method.DROPOFF))
    if (
        policy.keep_item_under > 0
        and lines
        and all(q.unit_amount * q.quantity < policy.keep_item_under for q in lines)
    ):
        methods.append(str(Method.KEEP))
    return tuple(methods)


def quote(
    policy: Policy,
    facts: OrderFacts,
    picks: list[Pick],
    *,
    resolution: str,
    method: str,
    now: datetime,
) -> Quote:
    """What returning ``picks`` would pay out, and whether it is approved automatically.

    Per line: the units' price after discounts, their tax share (when tax came on top),
    less the reason's restocking fee (none within a statutory withdrawal). Per return: the
    largest return shipping fee among the reasons (only when something is sent back),
    fees added by rules, the outbound shipping when a statutory withdrawal returns the
    whole order, and the bonus when paid out as store credit. Never below zero.
    """
    flagged = customer_flagged(policy, facts)
    view = _Flagged(facts, flagged)
    eligible = {e.line.id: e for e in eligibility(policy, facts, now=now)}
    result = Quote(currency=facts.currency, lines=[], resolution=resolution, method=method)
    result.flagged = flagged
    seen: set[int] = set()
    for pick in picks:
        if pick.quantity <= 0:
            continue
        field_name = f"line-{pick.line_id}"
        check = eligible.get(pick.line_id)
        if check is None or pick.line_id in seen:
            result.errors[field_name] = str(_("This item is not part of the order."))
            continue
        seen.add(pick.line_id)
        if pick.quantity > check.returnable:
            result.errors[field_name] = check.reason or str(
                _("At most %(count)s can be returned.") % {"count": check.returnable}
            )
            continue
        reason = policy.reason(pick.reason)
        if reason is None:
            result.errors[f"{field_name}-reason"] = str(_("Choose a reason."))
            continue
        if reason.requires_photo and pick.photos < 1:
            result.errors[f"{field_name}-photos"] = str(_("Add a photo of the item."))
        if reason.requires_comment and not pick.comment.strip():
            result.errors[f"{field_name}-comment"] = str(_("Tell us what happened."))
        unit = money(unit_net(check.line, facts))
        amount = money(unit_net(check.line, facts) * pick.quantity)
        tax = _tax_share(facts, amount)
        within_statute = (
            policy.statutory
            and check.line.delivered_at
            and (now <= check.line.delivered_at + timedelta(days=STATUTORY_DAYS))
        )
        restocking = ZERO
        if not within_statute:
            restocking = money(amount * reason.restocking_percent / 100) + reason.restocking_fixed
        result.lines.append(
            QuoteLine(
                line=check.line,
                quantity=pick.quantity,
                reason=reason,
                unit_amount=unit,
                amount=amount,
                tax=tax,
                restocking_fee=min(restocking, amount + tax),
                comment=pick.comment,
            )
        )
    if not result.lines and not result.errors:
        result.errors["lines"] = str(_("Choose at least one item to return."))

    result.items_total = sum((q.amount for q in result.lines), ZERO)
    result.tax_total = sum((q.tax for q in result.lines), ZERO)
    result.restocking_fee = sum((q.restocking_fee for q in result.lines), ZERO)
    result.methods = methods_for(policy, result.lines)
    resolutions = list(policy.resolutions)

    # Rules, in priority order: fees and removed resolutions add up; the first rule that
    # decides (approve or review) decides.
    decided = False
    for rule in policy.rules:
        if not _rule_matches(rule, view, result):
            continue
        if rule.action == "add_fee" and rule.fee:
            result.other_fees += money(rule.fee)
            result.applied_rules.append(rule.name)
        elif rule.action == "remove_resolution" and rule.resolution in resolutions:
            resolutions.remove(rule.resolution)
            result.applied_rules.append(rule.name)
        elif rule.action in ("auto_approve", "require_review") and not decided:
            decided = True
            result.applied_rules.append(rule.name)
            if rule.action == "auto_approve":
                result.auto_approve = True
            else:
                result.review_reasons.append(str(_("Rule: %(name)s") % {"name": rule.name}))
    if not decided:
        result.review_reasons.append(str(_("No rule approves it automatically.")))
    if flagged:
        result.auto_approve = False
        result.review_reasons.append(str(_("The customer's return rate is above the limit.")))
    limit = policy.max_open_returns
    if limit and facts.customer_open_returns >= limit:
        result.errors["lines"] = str(
            _("You already have %(count)s open returns. Please wait until one is complete.")
            % {"count": facts.customer_open_returns}
        )

    result.resolutions = tuple(resolutions)
    if resolution not in resolutions:
        result.errors["resolution"] = str(_("Choose one of the options offered."))
    if method not in result.methods:
        result.errors["method"] = str(_("Choose one of the ways to send it back."))

    if method != Method.KEEP:
        result.shipping_fee = max((q.reason.shipping_fee for q in result.lines), default=ZERO)
    if policy.statutory and _whole_order(facts, result.lines):
        result.shipping_refund = money(facts.shipping)
    # Never more than is left of what the customer paid.
    result.total, result.bonus_credit = payout(
        gross=result.payout_before_fees,
        fees=result.restocking_fee + result.shipping_fee + result.other_fees,
        left=facts.total - facts.refunded,
        bonus_percent=policy.credit_bonus_percent if resolution == Resolution.CREDIT else ZERO,
    )
    return result


def payout(
    *, gross: Decimal, fees: Decimal, left: Decimal, bonus_percent: Decimal
) -> tuple[Decimal, Decimal]:
    """(total, bonus): ``gross`` less ``fees``, never below zero nor above ``left`` (what is
    left to pay back), plus the store credit bonus on that (``bonus_percent``, 0 for a
    refund). The quote and the inspection both pay out through this."""
    paid = min(max(gross - fees, ZERO), max(left, ZERO))
    bonus = money(paid * bonus_percent / 100) if bonus_percent else ZERO
    return money(paid + bonus), bonus


def _whole_order(facts: OrderFacts, lines: list[QuoteLine]) -> bool:
    picked = {q.line.id: q.quantity for q in lines}
    return bool(lines) and all(
        picked.get(line.id, 0) + line.taken >= line.quantity for line in facts.lines
    )


def _rule_matches(rule: Rule, facts, result: Quote) -> bool:
    if rule.action == "change_window":
        return False  # applied to eligibility, not to the quote
    if not result.lines or not rule.order_matches(facts):
        return False
    if rule.reasons and any(q.reason.code.lower() not in rule.reasons for q in result.lines):
        return False
    if (rule.skus or rule.product_types or rule.tags) and not any(
        rule.line_matches(q.line) for q in result.lines
    ):
        return False
    value = result.items_total + result.tax_total
    if rule.min_value is not None and value < rule.min_value:
        return False
    return not (rule.max_value is not None and value > rule.max_value)


def with_version(policy: Policy, version: int) -> Policy:
    return replace(policy, version=version)
