"""Starting a return: a guest names the order and proves the email; a customer picks one.

A guest gives the order's number and email (one answer, "we couldn't find that order", for
an unknown number and a wrong email, as on /track/), then types the code we email to the
order's address (``returns.guest``). Only then does the session hold a grant for the order
(``returns.access``). Failures are counted per client and per order number with orders'
window counters; codes sent are limited per order and per client, and to
``guest.MAX_CODES_PER_DAY`` per order a day, so nobody can flood a customer's inbox from
here; wrong codes are limited per client, and per order a day across its codes
(``guest.MAX_WRONG_TRIES_PER_DAY``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from orders import selectors as order_selectors
from orders.models import Order
from orders.views import TRACK_WINDOW_SECONDS, attempt_record, attempts, client_ip

from .. import access, guest
from ..forms import CodeForm, LookupForm
from ..selectors import returns_for_user
from .common import error_summary

SESSION_PENDING = "returns_pending"
PENDING_SECONDS = 3600
MAX_LOOKUP_FAILURES_PER_CLIENT = 10
MAX_LOOKUP_FAILURES_PER_NUMBER = 5
MAX_CODES_PER_ORDER = 3
MAX_CODES_PER_CLIENT = 6
MAX_WRONG_CODES_PER_CLIENT = 10
LIST_LIMIT = 20


def _key(kind: str, value: object) -> str:
    return f"returns:start:{kind}:{value}"


@dataclass(frozen=True)
class Limit:
    """A limit reached: for how long, and whether it is one of the order's daily ones."""

    seconds: int = TRACK_WINDOW_SECONDS
    daily: bool = False


def _too_many(
    request: HttpRequest, template: str, context: dict, limit: Limit = Limit()
) -> HttpResponse:
    context = {
        **context,
        "limited": True,
        "window_minutes": TRACK_WINDOW_SECONDS // 60,
        "wait_hours": math.ceil(limit.seconds / 3600) if limit.daily else 0,
    }
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(limit.seconds)
    return response


def new_return_url(order) -> str:
    return reverse("returns:new", args=[order.lookup_number])


def _start_context(request: HttpRequest, form: LookupForm) -> dict:
    context = {"form": form}
    if request.user.is_authenticated:
        context["orders"] = list(order_selectors.orders_for_user(user=request.user)[:LIST_LIMIT])
        context["returns"] = list(
            returns_for_user(user=request.user)
            .select_related("order")
            .order_by("-created_at", "-pk")[:LIST_LIMIT]
        )
    return context


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        number = request.GET.get("order", "")[:50]
        if number:
            order = access.order_for_visitor(request, number)
            if order is not None:
                return redirect(new_return_url(order))
        form = LookupForm(initial={"order_number": number})
        return render(request, "returns/start.html", _start_context(request, form))

    form = LookupForm(request.POST)
    client_key = _key("fail:ip", client_ip(request))
    if attempts(client_key) >= MAX_LOOKUP_FAILURES_PER_CLIENT:
        return _too_many(request, "returns/start.html", _start_context(request, form))
    if not form.is_valid():
        context = {**_start_context(request, form), "errors": error_summary(form)}
        return render(request, "returns/start.html", context, status=400)
    number_key = _key("fail:number", form.lookup_key)
    if attempts(number_key) >= MAX_LOOKUP_FAILURES_PER_NUMBER:
        return _too_many(request, "returns/start.html", _start_context(request, form))

    found = order_selectors.order_for_guest(
        number=form.cleaned_data["order_number"], email=form.cleaned_data["email"]
    )
    if found is None:
        attempt_record(client_key)
        attempt_record(number_key)
        context = {**_start_context(request, form), "not_found": True}
        return render(request, "returns/start.html", context)
    order = Order.objects.get(pk=found.pk)
    # The signed-in owner has nothing to prove.
    owned = access.order_for_visitor(request, order.lookup_number)
    if owned is not None and owned.pk == order.pk:
        return redirect(new_return_url(order))
    limit = _code_send(request, order)
    if limit is not None:
        return _too_many(request, "returns/start.html", _start_context(request, form), limit)
    request.session[SESSION_PENDING] = {
        "order": order.pk,
        "email": form.cleaned_data["email"],
        "at": int(time.time()),
    }
    return redirect("returns:verify")


def _code_send(request: HttpRequest, order) -> Limit | None:
    """Email a new code for the order; else the limit this order or client has reached."""
    order_key = _key("codes:order", order.pk)
    client_key = _key("codes:ip", client_ip(request))
    if attempts(order_key) >= MAX_CODES_PER_ORDER or attempts(client_key) >= MAX_CODES_PER_CLIENT:
        return Limit()
    if guest.codes_today(order_id=order.pk) >= guest.MAX_CODES_PER_DAY:
        return Limit(guest.codes_wait_seconds(order_id=order.pk), daily=True)
    attempt_record(order_key)
    attempt_record(client_key)
    guest.guest_code_request(
        order_id=order.pk, email=order.email, language=translation.get_language()
    )
    return None


def _sent_session_key(request: HttpRequest) -> str:
    """The session id the browser sent: after a double click, the one the first request
    has already replaced (``request.session`` then starts empty)."""
    return request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")[:100]


def _pending(request: HttpRequest) -> dict | None:
    pending = request.session.get(SESSION_PENDING)
    if isinstance(pending, dict) and isinstance(pending.get("order"), int):
        if int(pending.get("at") or 0) >= time.time() - PENDING_SECONDS:
            return pending
        return None
    # The second "Continue" of a double click, arriving after the first replaced the
    # session: carry on with the order whose code this browser's session just used.
    used = guest.recent_use(session_key=_sent_session_key(request))
    if used is not None:
        return {"order": used["order"], "email": used["email"], "at": int(time.time())}
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        messages.info(request, _("Enter your order number and email to get a code."))
        return redirect("returns:start")
    order = Order.objects.filter(pk=pending["order"]).first()
    if order is None:
        request.session.pop(SESSION_PENDING, None)
        return redirect("returns:start")
    context = {"order": order, "email": pending.get("email", "")}
    if order.pk in access.guest_granted(request):
        return redirect(new_return_url(order))  # done already (another tab, a second click)

    if request.method != "POST":
        return render(request, "returns/verify.html", {**context, "form": CodeForm()})

    if request.POST.get("action") == "resend":
        limit = _code_send(request, order)
        if limit is not None:
            return _too_many(request, "returns/verify.html", {**context, "form": CodeForm()}, limit)
        messages.success(request, _("We sent you a new code. Only the newest code works."))
        return redirect("returns:verify")

    form = CodeForm(request.POST)
    context["form"] = form
    client_key = _key("wrong:ip", client_ip(request))
    if attempts(client_key) >= MAX_WRONG_CODES_PER_CLIENT:
        return _too_many(request, "returns/verify.html", context)
    if not form.is_valid():
        context["errors"] = error_summary(form)
        return render(request, "returns/verify.html", context, status=400)

    verdict = guest.guest_code_verify(
        order_id=order.pk,
        code=form.cleaned_data["code"],
        session_key=_sent_session_key(request),
    )
    if verdict == guest.Verdict.OK:
        request.session.cycle_key()  # the session now opens more: give it a new id
        access.guest_grant(request, order.pk)
        request.session.pop(SESSION_PENDING, None)
        return redirect(new_return_url(order))
    if verdict == guest.Verdict.LOCKED:
        locked = Limit(guest.locked_seconds(order_id=order.pk), daily=True)
        return _too_many(request, "returns/verify.html", context, locked)
    attempt_record(client_key)
    if verdict == guest.Verdict.WRONG:
        left = guest.tries_left(order_id=order.pk)
        message = _("That code is not right. Check the email and try again (%(left)s left).") % {
            "left": left
        }
    elif verdict == guest.Verdict.BURNT:
        message = _("Too many wrong codes: this one no longer works. Send yourself a new code.")
    elif verdict == guest.Verdict.EXPIRED:
        message = _("This code has expired or was used already. Send yourself a new code.")
    else:
        message = _("We have no code for you yet. Wait a minute for the email, or send a new code.")
    form.add_error("code", message)
    context["errors"] = error_summary(form)
    return render(request, "returns/verify.html", context, status=400)


def start_url(number: str = "") -> str:
    url = reverse("returns:start")
    return f"{url}?{urlencode({'order': number})}" if number else url
