"""The customer's order pages: guest tracking by number and email, and "my orders".

A guest who names an order's number and email gets a signed, expiring link to that one
order. Failed lookups are counted per client and per order number in the cache, and the
answer to a failed lookup never says whether the number or the email was wrong.
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import access, selectors, services
from .extensions import order_page_panels_render
from .forms import TrackOrderForm

# The rendered order page is kept this long per order version and language: shipments,
# events and refunds make a new version at once; branding and menus show within this time.
PAGE_CACHE_SECONDS = 300

# Failed guest lookups allowed per window; the next attempt gets 429 until the window ends.
TRACK_WINDOW_SECONDS = 15 * 60
TRACK_MAX_FAILURES_PER_CLIENT = 10
TRACK_MAX_FAILURES_PER_ORDER_NUMBER = 5
ORDERS_PER_PAGE = 20


# --- Guest lookup -------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind N trusted proxies (``PORTICO_TRUSTED_PROXY_COUNT``),
    the address the outermost of them saw; otherwise ``REMOTE_ADDR``."""
    proxies = getattr(settings, "PORTICO_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _client_key(request: HttpRequest) -> str:
    return f"orders:track:fail:ip:{client_ip(request)}"


def _number_key(lookup_number: str) -> str:
    return f"orders:track:fail:number:{lookup_number}"


def attempts(key: str) -> int:
    """How many attempts the window counter ``key`` holds (0 when none or expired)."""
    return cache.get(key, 0)


def attempt_record(key: str) -> None:
    """Count one attempt under ``key``; the window (``TRACK_WINDOW_SECONDS``) starts at the
    first one. Also used by the help center's contact form."""
    # The window starts at the first failure; add() does nothing if the key exists.
    cache.add(key, 0, TRACK_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, TRACK_WINDOW_SECONDS)


def _too_many(request: HttpRequest, form: TrackOrderForm) -> HttpResponse:
    response = render(request, "orders/track.html", {"form": form, "limited": True}, status=429)
    response["Retry-After"] = str(TRACK_WINDOW_SECONDS)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "orders/track.html", {"form": TrackOrderForm()})

    form = TrackOrderForm(request.POST)
    client_key = _client_key(request)
    if attempts(client_key) >= TRACK_MAX_FAILURES_PER_CLIENT:
        return _too_many(request, form)
    if not form.is_valid():
        return render(request, "orders/track.html", {"form": form})
    number_key = _number_key(form.lookup_key)
    if attempts(number_key) >= TRACK_MAX_FAILURES_PER_ORDER_NUMBER:
        return _too_many(request, form)

    order = selectors.order_for_guest(
        number=form.cleaned_data["order_number"], email=form.cleaned_data["email"]
    )
    if order is None:
        attempt_record(client_key)
        attempt_record(number_key)
        # One answer for an unknown number and for a wrong email.
        return render(request, "orders/track.html", {"form": form, "not_found": True})
    # The grant (``orders.access``) is the one shipment emails link with too.
    return redirect("orders:track_order", token=access.grant_token(order.pk))


@never_cache
def track_order(request: HttpRequest, token: str) -> HttpResponse:
    try:
        pk = access.order_id_from_token(token)
    except signing.SignatureExpired:
        return _bad_link(request, expired=True)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        # Tampered, truncated, or signed by us for something else: never a 500.
        return _bad_link(request, expired=False)
    version = selectors.order_version(pk=pk)
    if version is None:
        return _bad_link(request, expired=False)
    return _order_page(request, pk, version, is_guest=True)


def _order_page(request: HttpRequest, pk: int, version: str, *, is_guest: bool) -> HttpResponse:
    """The order page, rendered once per order version, language and kind of visitor.

    Access is checked before this is called; the page holds no form, token or personal
    greeting, so the same HTML serves everyone allowed to see this order.
    """

    def render_page() -> HttpResponse:
        order = selectors.order_for_tracking(pk=pk)
        if order is None:
            raise Http404("The order is gone.")
        # What other apps add (returns: the order's returns and "Start a return").
        panels = order_page_panels_render(order, is_guest=is_guest)
        context = {"order": order, "is_guest": is_guest, "panels": panels}
        return render(request, "orders/order_detail.html", context)

    # The order's id, not only the URL: two platforms' orders may share a number.
    kind = "guest" if is_guest else "customer"
    return _cached_page(request, ["order", str(pk), version, kind], render_page)


def _cached_page(request: HttpRequest, parts: list[str], render_page) -> HttpResponse:
    """``render_page()``'s HTML, kept for ``PAGE_CACHE_SECONDS`` under ``parts`` (which
    must name what the page shows: which order or whose list, which version), the language,
    the time zone and the URL.

    The full URL is part of the key because the page links to itself in the other
    languages, query string included. A request with messages waiting skips the cache:
    they are shown once, to that visitor only.
    """
    # Hashed: the path is the visitor's to choose (any length, any characters).
    name = "\n".join(
        [
            *parts,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            request.get_full_path(),
        ]
    )
    key = "orders:page:v2:" + hashlib.sha256(name.encode()).hexdigest()
    pending_messages = len(messages.get_messages(request))
    html = None if pending_messages else cache.get(key)
    if html is not None:
        return HttpResponse(html)
    response = render_page()
    if not pending_messages:
        cache.set(key, response.content, PAGE_CACHE_SECONDS)
    return response


def _bad_link(request: HttpRequest, *, expired: bool) -> HttpResponse:
    return render(
        request,
        "orders/track_link_invalid.html",
        {"expired": expired},
        status=410 if expired else 404,
    )


# --- Signed-in customers ------------------------------------------------------------------


class _CountedPaginator(Paginator):
    """A paginator told the count instead of running its own ``COUNT(*)``."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count


@never_cache
@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """The user's orders, 20 a page, rendered once per list version, page and language."""
    version = selectors.order_list_version(user=request.user)

    def render_page() -> HttpResponse:
        count = version.count
        # A customer record of one of the user's verified addresses becomes theirs (usually
        # done when the address was confirmed; this catches records that came later).
        # Here is enough: a new record comes with an order, which changes the list.
        if services.customers_link_for_user(user=request.user):
            count = selectors.order_list_version(user=request.user).count
        paginator = _CountedPaginator(
            selectors.order_list_for_user(user=request.user), ORDERS_PER_PAGE, count=count
        )
        page = paginator.get_page(request.GET.get("page"))
        return render(request, "orders/order_list.html", {"page_obj": page, "orders": page})

    # The user's id in the key: a list is only ever served to the user it lists for. The
    # page asked for is in the URL, which is part of the key.
    return _cached_page(request, ["list", str(request.user.pk), version.key], render_page)


@never_cache
@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    found = selectors.order_key_for_user(user=request.user, number=number)
    if found is None:
        raise Http404("No such order for this customer.")
    pk, version = found
    return _order_page(request, pk, version, is_guest=False)
