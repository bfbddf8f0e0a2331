"""The policy engine on its own: windows, overrides, fees, rules, limits and the statute.

The engine is pure (a frozen policy and the facts of one order in, a decision out), so
these tests build both by hand and need no database.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from returns.policy import (
    Basis,
    LineFacts,
    OrderFacts,
    Override,
    Pick,
    Policy,
    Reason,
    Rule,
    customer_flagged,
    eligibility,
    quote,
)

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)

REASONS = (
    Reason("damaged", "Damaged", "Hasarlı", requires_photo=True),
    Reason("changed_mind", "Changed my mind", shipping_fee=D("4.95")),
    Reason("opened", "Opened", restocking_percent=D("15"), restocking_fixed=D("1.00")),
)


def policy(**changes) -> Policy:
    base = Policy(version=1, window_days=30, reasons=REASONS, max_open_returns=3)
    return replace(base, **changes)


def line(pk=1, **changes) -> LineFacts:
    base = LineFacts(
        id=pk,
        title=f"Product {pk}",
        variant_title="M",
        sku=f"SKU-{pk}",
        quantity=2,
        unit_price=D("50.00"),
        discount_total=D("0"),
        product_type="Apparel",
        delivered_at=NOW - timedelta(days=5),
        shipped_at=NOW - timedelta(days=8),
    )
    return replace(base, **changes)


def order(*lines, **changes) -> OrderFacts:
    lines = lines or (line(1), line(2, unit_price=D("20.00"), quantity=1))
    subtotal = sum((x.unit_price * x.quantity for x in lines), D("0"))
    discount = sum((x.discount_total for x in lines), D("0"))
    base = OrderFacts(
        id=10,
        number="#1001",
        currency="EUR",
        placed_at=NOW - timedelta(days=10),
        subtotal=subtotal,
        discount=discount,
        shipping=D("5.00"),
        tax=D("0"),
        total=subtotal - discount + D("5.00"),
        paid=True,
        cancelled=False,
        lines=lines,
        country="DE",
    )
    return replace(base, **changes)


def by_line(policy_, facts, now=NOW):
    return {e.line.id: e for e in eligibility(policy_, facts, now=now)}


# --- Windows ------------------------------------------------------------------------------


def test_window_counts_from_delivery_then_shipping_then_the_order_date():
    facts = order(
        line(1, delivered_at=NOW - timedelta(days=29)),
        line(2, delivered_at=None, shipped_at=NOW - timedelta(days=31)),
        line(3, delivered_at=None, shipped_at=None),
    )
    found = by_line(policy(), facts)
    assert found[1].basis == Basis.DELIVERY and found[1].returnable == 2
    assert found[1].deadline == NOW - timedelta(days=29) + timedelta(days=30)
    assert found[2].basis == Basis.FULFILLMENT and found[2].returnable == 0
    assert "closed" in found[2].reason
    assert found[3].basis == Basis.ORDER and found[3].returnable == 2
    assert found[3].deadline == facts.placed_at + timedelta(days=30)


def test_the_window_closes_at_its_last_moment():
    delivered = NOW - timedelta(days=30)
    facts = order(line(1, delivered_at=delivered))
    assert by_line(policy(), facts, now=delivered + timedelta(days=30))[1].eligible
    assert not by_line(policy(), facts, now=delivered + timedelta(days=30, seconds=1))[1].eligible


def test_overrides_change_the_window_by_product_type_or_tag():
    overrides = (
        Override("product_type", "electronics", window_days=14),
        Override("tag", "Hygiene", returnable=False),
    )
    facts = order(
        line(1, product_type="Electronics", delivered_at=NOW - timedelta(days=20)),
        line(2, tags=("hygiene",)),
        line(3, product_type="Apparel", delivered_at=NOW - timedelta(days=20)),
    )
    found = by_line(policy(overrides=overrides), facts)
    assert found[1].days == 14 and not found[1].eligible
    assert not found[2].eligible and "cannot be returned" in found[2].reason
    assert found[3].days == 30 and found[3].eligible


def test_final_sale_and_gift_cards_are_not_returnable():
    facts = order(line(1, is_final_sale=True), line(2, is_gift_card=True), line(3))
    found = by_line(policy(), facts)
    assert "Final sale" in found[1].reason and found[1].returnable == 0
    assert "Gift cards" in found[2].reason and found[2].returnable == 0
    assert found[3].returnable == 2


def test_units_already_returned_or_refunded_are_not_offered_again():
    found = by_line(policy(), order(line(1, taken=1), line(2, taken=2)))
    assert found[1].returnable == 1
    assert found[2].returnable == 0 and "Already" in found[2].reason


def test_unpaid_and_cancelled_orders_have_nothing_to_return():
    assert not by_line(policy(), order(paid=False))[1].eligible
    assert not by_line(policy(), order(cancelled=True))[1].eligible


# --- Amounts ------------------------------------------------------------------------------


def test_refund_for_part_of_a_line_after_its_discount():
    # 2 x 50.00 with 10.00 off the line: each unit cost 45.00.
    facts = order(line(1, discount_total=D("10.00")), line(2, unit_price=D("20.00"), quantity=1))
    result = quote(
        policy(), facts, [Pick(1, 1, "damaged", photos=1)], resolution="refund", method="label",
        now=NOW,
    )  # fmt: skip
    assert not result.errors
    assert result.items_total == D("45.00")
    assert result.total == D("45.00")


def test_an_order_level_discount_is_spread_over_the_lines_by_value():
    facts = order(line(1), line(2, unit_price=D("20.00"), quantity=1))
    facts = replace(facts, discount=D("24.00"), total=facts.total - D("24.00"))  # 20 % off 120
    result = quote(
        policy(), facts, [Pick(2, 1, "damaged", photos=1)], resolution="refund", method="label",
        now=NOW,
    )  # fmt: skip
    assert result.items_total == D("16.00")


def test_tax_added_on_top_is_refunded_with_its_share():
    facts = order(line(1), line(2, unit_price=D("20.00"), quantity=1))
    facts = replace(facts, tax=D("24.00"), total=facts.total + D("24.00"))  # 20 % on 120
    result = quote(
        policy(), facts, [Pick(1, 1, "damaged", photos=1)], resolution="refund", method="label",
        now=NOW,
    )  # fmt: skip
    assert result.tax_total == D("10.00")
    assert result.total == D("60.00")


def test_tax_included_in_the_prices_is_not_added_again():
    facts = order(line(1), line(2, unit_price=D("20.00"), quantity=1))
    facts = replace(facts, tax=D("20.00"))  # VAT inside the 125.00 total
    assert facts.taxes_included
    result = quote(
        policy(), facts, [Pick(1, 1, "damaged", photos=1)], resolution="refund", method="label",
        now=NOW,
    )  # fmt: skip
    assert result.tax_total == 0 and result.total == D("50.00")


def test_restocking_fee_per_reason_percent_and_fixed():
    result = quote(
        policy(), order(), [Pick(1, 2, "opened")], resolution="refund", method="dropoff", now=NOW
    )
    assert result.restocking_fee == D("16.00")  # 15 % of 100.00 + 1.00
    assert result.total == D("84.00")


def test_return_shipping_fee_per_reason_is_charged_once_and_not_when_kept():
    picks = [Pick(1, 1, "changed_mind"), Pick(2, 1, "damaged", photos=1)]
    result = quote(policy(), order(), picks, resolution="refund", method="label", now=NOW)
    assert result.shipping_fee == D("4.95")
    assert result.total == D("70.00") - D("4.95")
    free = quote(
        policy(), order(), [Pick(2, 1, "damaged", photos=1)], resolution="refund", method="label",
        now=NOW,
    )  # fmt: skip
    assert free.shipping_fee == 0


def test_store_credit_gets_the_bonus_on_what_is_paid_out():
    result = quote(
        policy(credit_bonus_percent=D("10")), order(), [Pick(1, 1, "changed_mind")],
        resolution="credit", method="label", now=NOW,
    )  # fmt: skip
    assert result.bonus_credit == D("4.51")  # 10 % of 45.05
    assert result.total == D("49.56")


def test_never_more_than_is_left_of_what_was_paid():
    facts = replace(order(), refunded=D("100.00"))  # the store already refunded most of it
    result = quote(
        policy(), facts, [Pick(1, 2, "damaged", photos=1)], resolution="refund", method="label",
        now=NOW,
    )  # fmt: skip
    assert result.total == facts.total - D("100.00")


# --- What the customer must give ----------------------------------------------------------


def test_a_reason_that_needs_a_photo_or_comment_says_so_per_line():
    strict = policy(
        reasons=(Reason("damaged", "Damaged", requires_photo=True, requires_comment=True),)
    )
    result = quote(
        strict, order(), [Pick(1, 1, "damaged")], resolution="refund", method="label", now=NOW
    )
    assert set(result.errors) == {"line-1-photos", "line-1-comment"}


def test_picks_outside_the_order_or_above_what_is_left_are_refused():
    result = quote(
        policy(), order(line(1, taken=1)), [Pick(1, 2, "changed_mind"), Pick(99, 1, "damaged")],
        resolution="refund", method="label", now=NOW,
    )  # fmt: skip
    assert "At most 1" in result.errors["line-1"]
    assert "line-99" in result.errors


def test_unknown_reason_resolution_or_method_are_named():
    result = quote(policy(offer_exchange=False), order(), [Pick(1, 1, "bogus")],
                   resolution="exchange", method="keep", now=NOW)  # fmt: skip
    assert {"line-1-reason", "resolution", "method"} <= set(result.errors)


def test_keep_the_item_is_offered_only_when_every_line_is_under_the_threshold():
    cheap = order(
        line(1, unit_price=D("4.00"), quantity=1), line(2, unit_price=D("60"), quantity=1)
    )
    p = policy(keep_item_under=D("5.00"))
    small = quote(
        p, cheap, [Pick(1, 1, "damaged", photos=1)], resolution="refund", method="keep", now=NOW
    )
    assert "keep" in small.methods and not small.errors
    assert small.shipping_fee == 0
    both = quote(
        p, cheap, [Pick(1, 1, "damaged", photos=1), Pick(2, 1, "damaged", photos=1)],
        resolution="refund", method="keep", now=NOW,
    )  # fmt: skip
    assert "keep" not in both.methods and "method" in both.errors


# --- Rules --------------------------------------------------------------------------------


AUTO = Rule(
    "small and reasonable", "auto_approve", priority=10, reasons=("damaged", "changed_mind"),
    max_value=D("60"), only_unflagged=True,
)  # fmt: skip


def test_auto_approval_when_every_reason_is_listed_and_the_value_is_small():
    p = policy(rules=(AUTO,))
    ok = quote(
        p, order(), [Pick(1, 1, "changed_mind")], resolution="refund", method="label", now=NOW
    )
    assert ok.auto_approve and ok.applied_rules == ["small and reasonable"]
    mixed = quote(
        p, order(), [Pick(1, 1, "changed_mind"), Pick(2, 1, "opened")], resolution="refund",
        method="label", now=NOW,
    )  # fmt: skip
    assert not mixed.auto_approve and mixed.review_reasons
    big = quote(
        p, order(), [Pick(1, 2, "changed_mind")], resolution="refund", method="label", now=NOW
    )
    assert not big.auto_approve


def test_the_first_deciding_rule_wins_and_fees_and_removals_add_up():
    rules = (
        Rule("discounted orders", "require_review", priority=1, min_order_discount=D("10")),
        Rule("fee", "add_fee", priority=2, fee=D("2.50")),
        Rule("no refunds on sale tag", "remove_resolution", priority=3, tags=("sale",),
             resolution="refund"),
        AUTO,
    )  # fmt: skip
    facts = order(line(1, tags=("sale",)), line(2, unit_price=D("20.00"), quantity=1))
    result = quote(policy(rules=rules), facts, [Pick(1, 1, "changed_mind")], resolution="credit",
                   method="label", now=NOW)  # fmt: skip
    assert result.auto_approve  # no discount, so the review rule does not apply
    assert result.other_fees == D("2.50")
    assert "refund" not in result.resolutions and not result.errors
    discounted = replace(facts, discount=D("12.00"))
    held = quote(policy(rules=rules), discounted, [Pick(1, 1, "changed_mind")],
                 resolution="credit", method="label", now=NOW)  # fmt: skip
    assert not held.auto_approve and "Rule: discounted orders" in held.review_reasons


def test_a_rule_can_change_the_window_for_matching_lines_and_countries():
    longer = Rule("holiday", "change_window", skus=("sku-1",), countries=("de",), window_days=60)
    facts = order(
        line(1, delivered_at=NOW - timedelta(days=45)),
        line(2, delivered_at=NOW - timedelta(days=45)),
    )
    found = by_line(policy(rules=(longer,)), facts)
    assert found[1].eligible and found[1].days == 60
    assert not found[2].eligible
    elsewhere = by_line(policy(rules=(longer,)), replace(facts, country="FR"))
    assert not elsewhere[1].eligible


# --- Limits -------------------------------------------------------------------------------


def test_too_many_open_returns_are_refused():
    facts = replace(order(), customer_open_returns=3)
    result = quote(
        policy(), facts, [Pick(1, 1, "changed_mind")], resolution="refund", method="label", now=NOW
    )
    assert "open returns" in result.errors["lines"]
    assert not quote(policy(max_open_returns=0), facts, [Pick(1, 1, "changed_mind")],
                     resolution="refund", method="label", now=NOW).errors  # fmt: skip


def test_a_customer_above_the_return_rate_is_flagged_and_never_auto_approved():
    p = policy(
        rules=(replace(AUTO, only_unflagged=False),), flag_rate_percent=50, flag_min_orders=4
    )
    heavy = replace(order(), customer_orders=4, customer_returned_orders=3)
    light = replace(order(), customer_orders=4, customer_returned_orders=2)
    new = replace(order(), customer_orders=2, customer_returned_orders=2)
    assert customer_flagged(p, heavy)
    assert not customer_flagged(p, light)  # 50 % is not above 50 %
    assert not customer_flagged(p, new)  # too few orders to judge
    result = quote(
        p, heavy, [Pick(1, 1, "changed_mind")], resolution="refund", method="label", now=NOW
    )
    assert result.flagged and not result.auto_approve
    assert any("return rate" in r for r in result.review_reasons)


# --- The statute --------------------------------------------------------------------------


def test_statutory_mode_never_undercuts_fourteen_days_from_delivery():
    short = (Override("product_type", "apparel", window_days=7),)
    facts = order(line(1, delivered_at=NOW - timedelta(days=10)))
    assert not by_line(policy(overrides=short), facts)[1].eligible
    found = by_line(policy(overrides=short, statutory="eu"), facts)[1]
    assert found.eligible and found.days == 14


def test_statutory_mode_covers_final_sale_within_its_fourteen_days_only():
    facts = order(
        line(1, is_final_sale=True, delivered_at=NOW - timedelta(days=10)),
        line(2, is_final_sale=True, delivered_at=NOW - timedelta(days=20)),
    )
    found = by_line(policy(statutory="tr"), facts)
    assert found[1].eligible
    assert not found[2].eligible


def test_statutory_withdrawal_has_no_restocking_fee_and_refunds_shipping_on_a_whole_return():
    p = policy(statutory="eu")
    facts = order(line(1), line(2, unit_price=D("20.00"), quantity=1))
    whole = quote(p, facts, [Pick(1, 2, "opened"), Pick(2, 1, "opened")], resolution="refund",
                  method="dropoff", now=NOW)  # fmt: skip
    assert whole.restocking_fee == 0
    assert whole.shipping_refund == D("5.00")
    assert whole.total == D("125.00")
    part = quote(p, facts, [Pick(1, 1, "opened")], resolution="refund", method="dropoff", now=NOW)
    assert part.shipping_refund == 0
    late = replace(
        facts, lines=tuple(replace(x, delivered_at=NOW - timedelta(days=20)) for x in facts.lines)
    )
    after = quote(p, late, [Pick(1, 2, "opened")], resolution="refund", method="dropoff", now=NOW)
    assert after.restocking_fee == D("16.00")  # past the statute, the policy's own fee


# --- Storage ------------------------------------------------------------------------------


def test_a_policy_survives_its_snapshot_unchanged():
    p = policy(
        rules=(AUTO, Rule("fee", "add_fee", fee=D("1.10"), tags=("a", "b"))),
        overrides=(Override("tag", "x", returnable=False),),
        credit_bonus_percent=D("7.50"),
        statutory="eu",
    )
    again = Policy.from_dict(p.as_dict(), version=1)
    assert again == p
    assert again.digest() == p.digest()
    assert replace(p, window_days=31).digest() != p.digest()


def test_reason_labels_follow_the_language():
    from django.utils import translation

    with translation.override("tr"):
        assert REASONS[0].display == "Hasarlı"
        assert REASONS[1].display == "Changed my mind"  # no Turkish label: the default
