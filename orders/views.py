"""The customer's order pages: guest tracking by number and email, and "my orders".

A guest who names an order's number and email gets a signed, expiring link to that one
order. Failed lookups are counted per client and per order number in the cache, and the
answer to a failed lookup never says whether the number or the email was wrong.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import access, selectors, services
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


def _failures(key: str) -> int:
    return cache.get(key, 0)


def _record_failure(key: str) -> None:
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
    if _failures(client_key) >= TRACK_MAX_FAILURES_PER_CLIENT:
        return _too_many(request, form)
    if not form.is_valid():
        return render(request, "orders/track.html", {"form": form})
    number_key = _number_key(form.lookup_key)
    if _failures(number_key) >= TRACK_MAX_FAILURES_PER_ORDER_NUMBER:
        return _too_many(request, form)

    order = selectors.order_for_guest(
        number=form.cleaned_data["order_number"], email=form.cleaned_data["email"]
    )
    if order is None:
        _record_failure(client_key)
        _record_failure(number_key)
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


def _order_page(request: HttpRequest, pk: int, version, *, is_guest: bool) -> HttpResponse:
    """The order page, rendered once per order version, language and kind of visitor.

    Access is checked before this is called; the page holds no form, token or personal
    greeting, so the same HTML serves everyone allowed to see this order.
    """
    key = ":".join(
        [
            "orders:page:v1",
            request.path,
            str(version.timestamp()),
            translation.get_language(),
            "guest" if is_guest else "customer",
        ]
    )
    pending_messages = len(messages.get_messages(request))
    html = None if pending_messages else cache.get(key)
    if html is not None:
        return HttpResponse(html)
    order = selectors.order_for_tracking(pk=pk)
    if order is None:
        raise Http404("The order is gone.")
    response = render(request, "orders/order_detail.html", {"order": order, "is_guest": is_guest})
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


@never_cache
@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    services.customers_link_for_user(user=request.user)
    paginator = Paginator(selectors.order_list_for_user(user=request.user), ORDERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "orders/order_list.html", {"page_obj": page, "orders": page})


@never_cache
@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    found = selectors.order_key_for_user(user=request.user, number=number)
    if found is None:
        raise Http404("No such order for this customer.")
    pk, version = found
    return _order_page(request, pk, version, is_guest=False)
