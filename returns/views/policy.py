"""The return policy page, rendered from the version the engine enforces.

Nothing on it is written by hand: windows, overrides, reasons and their fees, resolutions,
methods, limits and the statute all come from ``selectors.policy_current()``, the same
frozen snapshot ``services.return_create`` judges returns by. Change a reason's fee and
the page changes with the next request; the version number and date say which one it is.

The windows of their own follow ``policy._window``: window rules first (with the order
conditions the engine checks for them), then the product type and tag overrides, each in
the engine's order, where the first that applies to an item counts; an entry that can
never apply because an earlier one always does first is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..models import Method, Resolution, Statutory
from ..policy import STATUTORY_DAYS, Override, Policy, Rule
from ..selectors import policy_current


@dataclass(frozen=True)
class Window:
    """One entry of "some items have a window of their own": which items, on which orders
    (the order conditions ``Rule.order_matches`` checks), how many days."""

    days: int
    product_types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    min_order_discount: Decimal | None = None
    max_customer_returns: int | None = None
    only_unflagged: bool = False

    @property
    def all_items(self) -> bool:
        return not (self.product_types or self.tags or self.skus)

    @property
    def conditional(self) -> bool:
        return bool(
            self.countries
            or self.min_order_discount is not None
            or self.max_customer_returns is not None
            or self.only_unflagged
        )


def _days(policy: Policy, days: int) -> int:
    """What ``_window`` makes of a returnable item's window: never under the statute's."""
    return max(days, STATUTORY_DAYS) if policy.statutory else days


def _has_order_conditions(rule: Rule) -> bool:
    return bool(
        rule.countries
        or rule.min_order_discount is not None
        or rule.max_customer_returns is not None
        or rule.only_unflagged
    )


def _same_order_conditions(a: Rule, b: Rule) -> bool:
    keys = ("countries", "min_order_discount", "max_customer_returns", "only_unflagged")
    return all(getattr(a, k) == getattr(b, k) for k in keys)


def _covers(earlier: Rule, later: Rule) -> bool:
    """Every item ``later`` matches, ``earlier`` matches too (on the item's own terms)."""
    for name in ("skus", "product_types", "tags"):
        wide, narrow = getattr(earlier, name), getattr(later, name)
        if wide and not (narrow and set(narrow) <= set(wide)):
            return False
    return True


def _override_covers_all(override: Override, rule: Rule) -> bool:
    """Every item ``rule`` matches, ``override`` matches too."""
    value = override.value.strip().lower()
    kinds = rule.product_types if override.match == "product_type" else rule.tags
    return tuple(kinds) == (value,)


def _override_may_match(override: Override, rule: Rule) -> bool:
    """Some item that ``rule`` matches could match ``override`` (items have any tags)."""
    if override.match == "product_type" and rule.product_types:
        return override.value.strip().lower() in rule.product_types
    return True


def _never_returnable(policy: Policy, rule: Rule) -> bool:
    """Every item ``rule`` matches is stopped by an override before its window counts:
    the first override that could apply to them always applies, and says "not
    returnable". (Under the statute such items get the statute's 14 days, not the rule's.)"""
    for override in policy.overrides:
        if _override_may_match(override, rule):
            return not override.returnable and _override_covers_all(override, rule)
    return False


def _key(override: Override) -> tuple[str, str]:
    return override.match, override.value.strip().lower()


def _first_overrides(policy: Policy) -> list[Override]:
    """The overrides that can apply: for one product type or tag, only the first counts."""
    seen, result = set(), []
    for override in policy.overrides:
        if _key(override) not in seen:
            seen.add(_key(override))
            result.append(override)
    return result


def window_entries(policy: Policy) -> list[Window]:
    """The windows of their own, in the order ``policy._window`` tries them."""
    rules: list[Rule] = []
    for rule in policy.rules:
        if rule.action != "change_window" or rule.window_days is None:
            continue
        shadowed = any(
            _covers(earlier, rule)
            and (not _has_order_conditions(earlier) or _same_order_conditions(earlier, rule))
            for earlier in rules
        )
        if not shadowed and not _never_returnable(policy, rule):
            rules.append(rule)
    entries = [
        Window(
            days=_days(policy, rule.window_days),
            product_types=rule.product_types,
            tags=rule.tags,
            skus=rule.skus,
            countries=tuple(code.upper() for code in rule.countries),
            min_order_discount=rule.min_order_discount,
            max_customer_returns=rule.max_customer_returns,
            only_unflagged=rule.only_unflagged,
        )
        for rule in rules
    ]
    unconditional = [rule for rule in rules if not _has_order_conditions(rule)]
    overrides = []
    for override in _first_overrides(policy):
        if not override.returnable:
            continue
        as_rule = Rule(
            name="",
            action="change_window",
            product_types=(override.value.strip().lower(),)
            if override.match == "product_type"
            else (),
            tags=(override.value.strip().lower(),) if override.match == "tag" else (),
        )
        if any(_covers(rule, as_rule) for rule in unconditional):
            continue  # a rule always gives these items its window first
        overrides.append(override)
    # A returnable override without a window of its own still stops a later one from
    # applying to the items it matches: it is listed when a later one is.
    while overrides and overrides[-1].window_days is None:
        overrides.pop()
    for override in overrides:
        kind = "product_types" if override.match == "product_type" else "tags"
        days = override.window_days if override.window_days is not None else policy.window_days
        entries.append(Window(days=_days(policy, days), **{kind: (override.value,)}))
    return entries


@require_GET
def policy_page(request: HttpRequest) -> HttpResponse:
    policy, version = policy_current()
    currency = settings.PORTICO_DEFAULT_CURRENCY
    resolutions = [
        {"value": value, "label": Resolution(value).label} for value in policy.resolutions
    ]
    methods = []
    if policy.method_label:
        methods.append({"value": Method.LABEL, "label": Method.LABEL.label})
    if policy.method_dropoff:
        methods.append({"value": Method.DROPOFF, "label": Method.DROPOFF.label})
    if policy.keep_item_under > 0:
        methods.append({"value": Method.KEEP, "label": Method.KEEP.label})
    fee_rules = [rule for rule in policy.rules if rule.action == "add_fee" and rule.fee]
    context = {
        "policy": policy,
        "version": version,
        "currency": currency,
        "window_days": _days(policy, policy.window_days),
        "statutory_label": Statutory(policy.statutory).label if policy.statutory else "",
        "statutory_days": STATUTORY_DAYS,
        "resolutions": resolutions,
        "methods": methods,
        "windows": window_entries(policy),
        "fee_rules": fee_rules,
        "no_return_overrides": [o for o in _first_overrides(policy) if not o.returnable],
    }
    return render(request, "returns/policy.html", context)
