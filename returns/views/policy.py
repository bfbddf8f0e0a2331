"""The return policy page, rendered from the version the engine enforces.

Nothing on it is written by hand: windows, overrides, reasons and their fees, resolutions,
methods, limits and the statute all come from ``selectors.policy_current()``, the same
frozen snapshot ``services.return_create`` judges returns by. Change a reason's fee and
the page changes with the next request; the version number and date say which one it is.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..models import Method, Resolution, Statutory
from ..policy import STATUTORY_DAYS
from ..selectors import policy_current


@require_GET
def policy_page(request: HttpRequest) -> HttpResponse:
    policy, version = policy_current()
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
    window_rules = [
        rule
        for rule in policy.rules
        if rule.action == "change_window" and rule.window_days is not None
    ]
    fee_rules = [rule for rule in policy.rules if rule.action == "add_fee" and rule.fee]
    context = {
        "policy": policy,
        "version": version,
        "currency": settings.PORTICO_DEFAULT_CURRENCY,
        "statutory_label": Statutory(policy.statutory).label if policy.statutory else "",
        "statutory_days": STATUTORY_DAYS,
        "resolutions": resolutions,
        "methods": methods,
        "window_rules": window_rules,
        "fee_rules": fee_rules,
        "no_return_overrides": [o for o in policy.overrides if not o.returnable],
        "window_overrides": [
            o for o in policy.overrides if o.returnable and o.window_days is not None
        ],
    }
    return render(request, "returns/policy.html", context)
