"""A new return for one order: choose the items, review the amounts, submit.

1. ``new``: the order's lines, each returnable one with how many, why, photos and a
   comment; the others say why not (the engine's ``eligibility``). "Review" checks the
   photos, asks the engine, and keeps the choices as a draft (``drafts``).
2. ``review``: the engine's quote for the draft: the amounts, and the resolutions and
   methods it offers ("keep the item" only when it does). Changing a choice shows the new
   amounts before anything is submitted.
3. Submit: ``services.return_create`` once per draft token, however often it is sent, and
   only for the quote the page showed: the page carries its digest (``quote_digest``), and
   a submit whose quote has changed since (another choice, items changed in another
   window, a new policy) shows the review again instead.

Works without JavaScript; ``returns.js`` only moves focus and hides what does not apply.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import access, services
from ..exceptions import ReturnNotAllowed
from ..forms import ItemsForm, ReviewForm
from ..models import Method
from ..policy import WINDOW_CLOSED, eligibility
from ..selectors import order_facts, policy_current, returns_for_order
from . import drafts
from .common import error_summary, order_url
from .start import start_url

REVIEW_FIELDS = ("resolution", "method", "exchange_for")
# A draft lives in the cache; while Redis is away it cannot be kept (portal.cache).
UNAVAILABLE = gettext_lazy(
    "We can't save your return right now. Please try again in a few minutes."
)
AMOUNTS = (
    "items_total",
    "tax_total",
    "shipping_refund",
    "restocking_fee",
    "shipping_fee",
    "other_fees",
    "bonus_credit",
    "total",
)


def _order(request: HttpRequest, number: str):
    return access.order_for_visitor(request, number)


@never_cache
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    if order is None:
        return redirect(start_url(number))
    policy, _version = policy_current()
    now = timezone.now()
    facts = order_facts(order=order)
    checks = eligibility(policy, facts, now=now)
    draft = drafts.draft_load(request, order.pk)
    attached = drafts.draft_photos(draft) if draft else {}
    kept = {line_id: len(photos) for line_id, photos in attached.items()}
    context = {
        "order": order,
        "policy": policy,
        "returnable": [c for c in checks if c.eligible],
        "blocked": _blocked(checks),
        "existing": list(returns_for_order(order_id=order.pk)),
        "photo_reasons": [r.display for r in policy.reasons if r.requires_photo],
        "comment_reasons": [r.display for r in policy.reasons if r.requires_comment],
        "order_url": order_url(request, order),
    }

    if request.method != "POST":
        initial = {}
        for line in draft.lines if draft else ():
            prefix = f"line-{line['line_id']}"
            initial[f"{prefix}-quantity"] = line["quantity"]
            initial[f"{prefix}-reason"] = line["reason"]
            initial[f"{prefix}-comment"] = line.get("comment", "")
        form = ItemsForm(initial=initial, eligible=checks, policy=policy, kept=kept)
        return render(request, "returns/new.html", {**context, "form": form})

    form = ItemsForm(request.POST, request.FILES, eligible=checks, policy=policy, kept=kept)
    status = 400
    if form.is_valid():
        picks = form.picks()
        photos = {
            pick["line_id"]: form.photos.get(pick["line_id"], attached.get(pick["line_id"], []))
            for pick in picks
        }
        draft = draft or drafts.draft_new(order.pk)
        draft.lines = picks
        resolution, method = _choice(draft, policy)
        quote = services.return_quote(
            order=order,
            lines=drafts.new_lines(draft, photos),
            resolution=resolution,
            method=method,
            now=now,
        )
        form.add_engine_errors(quote.errors)
        if not form.errors:
            if drafts.draft_save(request, draft, photos):
                return redirect("returns:review", number=order.lookup_number)
            form.add_error(None, UNAVAILABLE)
            status = 503
    context.update(form=form, errors=error_summary(form))
    return render(request, "returns/new.html", context, status=status)


def _blocked(checks) -> list[dict]:
    """The lines that cannot be returned, each with whether its window is what closed (so
    the page can say when and how the window was counted)."""
    blocked = []
    for check in checks:
        if not check.eligible:
            blocked.append({"check": check, "window_closed": check.why == WINDOW_CLOSED})
    return blocked


def _choice(draft: drafts.Draft, policy) -> tuple[str, str]:
    """The draft's resolution and method, else the policy's first resolution and a label."""
    return draft.resolution or next(iter(policy.resolutions), ""), draft.method or Method.LABEL


def quote_digest(quote) -> str:
    """The quote a review page shows, as one value: its lines (id, quantity, reason,
    comment), the resolution and method, the currency and every amount."""
    shown = {
        "lines": [[q.line.id, q.quantity, q.reason.code, q.comment] for q in quote.lines],
        "choice": [quote.resolution, quote.method],
        "currency": quote.currency,
        "amounts": [str(getattr(quote, name)) for name in AMOUNTS],
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:40]


def _quote(order, draft: drafts.Draft, photos: dict, policy):
    """The engine's quote for the draft, with the draft's choices where the engine still
    offers them, else the first it offers."""
    lines = drafts.new_lines(draft, photos)
    resolution, method = _choice(draft, policy)
    quote = services.return_quote(order=order, lines=lines, resolution=resolution, method=method)
    if quote.resolutions and resolution not in quote.resolutions:
        resolution = quote.resolutions[0]
    if quote.methods and method not in quote.methods:
        method = quote.methods[0]
    if (resolution, method) != (quote.resolution, quote.method):
        quote = services.return_quote(
            order=order, lines=lines, resolution=resolution, method=method
        )
    return quote


def _line_errors(quote) -> list[str]:
    return [message for key, message in quote.errors.items() if key not in REVIEW_FIELDS]


@never_cache
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    if order is None:
        return redirect(start_url(number))
    posted_token = request.POST.get("draft", "")[:64] if request.method == "POST" else ""
    if posted_token:
        done = drafts.submitted(posted_token)
        if done:  # sent twice: the first one made the return
            return redirect("returns:detail", number=done)
    draft = drafts.draft_load(request, order.pk)
    if draft is None:
        messages.info(request, _("Choose the items you want to return."))
        return redirect("returns:new", number=order.lookup_number)

    policy, _version = policy_current()
    photos = drafts.draft_photos(draft)
    quote = _quote(order, draft, photos, policy)
    if _line_errors(quote):
        # Something changed since the items were chosen (another return, the policy).
        for message in _line_errors(quote):
            messages.error(request, message)
        return redirect("returns:new", number=order.lookup_number)

    def page(form, status=200):
        context = {
            "order": order,
            "policy": policy,
            "draft": draft,
            "quote": quote,
            "photo_counts": {k: len(v) for k, v in photos.items()},
            "form": form,
            "errors": error_summary(form),
        }
        return render(request, "returns/review.html", context, status=status)

    form_options = {
        "resolutions": quote.resolutions,
        "methods": quote.methods,
        "bonus_percent": policy.credit_bonus_percent,
    }
    if request.method != "POST":
        initial = {
            "draft": draft.token,
            "quoted": quote_digest(quote),
            "resolution": quote.resolution,
            "method": quote.method,
            "exchange_for": draft.exchange_for,
            "comment": draft.comment,
        }
        return page(ReviewForm(initial=initial, **form_options))

    form = ReviewForm(request.POST, **form_options)
    if not form.is_valid():
        return page(form, status=400)
    data = form.cleaned_data
    if data["draft"] != draft.token:
        messages.info(request, _("This page was out of date. Check your return again."))
        return redirect("returns:review", number=order.lookup_number)
    draft.resolution, draft.method = data["resolution"], data["method"]
    draft.exchange_for, draft.comment = data["exchange_for"], data["comment"].strip()
    if not drafts.draft_save(request, draft):
        messages.error(request, UNAVAILABLE)
        return redirect("returns:review", number=order.lookup_number)
    if request.POST.get("action") != "submit":
        return redirect("returns:review", number=order.lookup_number)
    chosen = quote
    if (draft.resolution, draft.method) != (quote.resolution, quote.method):
        chosen = services.return_quote(
            order=order,
            lines=drafts.new_lines(draft, photos),
            resolution=draft.resolution,
            method=draft.method,
        )
    if data["quoted"] != quote_digest(chosen):
        messages.info(
            request,
            _("The items or amounts changed since the page was shown. Check them, then submit."),
        )
        return redirect("returns:review", number=order.lookup_number)
    return _submit(request, order, draft, photos, form, page)


def _submit(request, order, draft: drafts.Draft, photos: dict, form, page) -> HttpResponse:
    if not drafts.submit_claim(draft.token):
        done = drafts.submit_wait(draft.token)
        if done:
            return redirect("returns:detail", number=done)
        messages.error(request, _("We could not submit your return. Please try again."))
        return redirect("returns:review", number=order.lookup_number)
    made = None
    try:
        made = services.return_create(
            order_id=order.pk,
            email=order.email,
            lines=drafts.new_lines(draft, photos),
            resolution=draft.resolution,
            method=draft.method,
            comment=draft.comment,
            exchange_for=draft.exchange_for,
            user=request.user,
            language=translation.get_language(),
            submission_key=draft.token,
        )
    except ReturnNotAllowed as exc:
        here = {k: v for k, v in exc.errors.items() if k in REVIEW_FIELDS}
        if len(here) == len(exc.errors):
            for field, message in here.items():
                form.add_error(field, message)
            return page(form, status=400)
        for message in exc.errors.values():
            messages.error(request, message)
        return redirect("returns:new", number=order.lookup_number)
    finally:
        if made is None:
            drafts.submit_release(draft.token)
    drafts.submit_done(draft.token, made.number)
    drafts.draft_drop(request, draft)
    messages.success(
        request,
        _("Thank you: your return %(number)s is submitted. We have emailed you the details.")
        % {"number": made.number},
    )
    return redirect(reverse("returns:detail", args=[made.number]))
