"""Saving an earning rule as marketers edit it: a change to what a rule pays is a new
version, so lots say which version (and rate) their points were earned at."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from .models import EarningRule

# What a rule pays. Its name and whether it is active are not part of its version.
VERSIONED_FIELDS = ("kind", "points", "per_amount", "currency")


@transaction.atomic
def rule_save(*, rule: EarningRule) -> EarningRule:
    """Save ``rule``; bump its version when what it pays differs from the stored row.

    Compares with the stored row (locked), not with what a form reports as changed, so
    "1" and "1.00" per amount is no change. The currency is kept upper case, the way
    orders carry it. The bump is one ``version = version + 1`` under the row lock: two
    edits at once make two versions.
    """
    rule.currency = (rule.currency or "").strip().upper()
    stored = None
    if rule.pk is not None:
        stored = EarningRule.objects.select_for_update().filter(pk=rule.pk).first()
    changed = stored is not None and any(
        getattr(stored, name) != getattr(rule, name) for name in VERSIONED_FIELDS
    )
    if stored is not None:
        # The stored version, never one a stale form instance carried.
        rule.version = F("version") + 1 if changed else stored.version
    rule.save()
    if changed:
        rule.refresh_from_db(fields=["version"])
    return rule
