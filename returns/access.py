"""Who may reach an order's returns, and the grants a guest carries.

A signed-in customer reaches the returns of the orders they own (``orders.selectors``'
rules: the order's customer record is theirs, or its email is one of their verified
addresses), and the returns they made. A guest reaches an order's returns only after
proving control of the order's email: a one-time code (``returns.guest``) or a link
from one of the return's emails. Either puts a grant for that order in the session,
valid for ``orders.access.grant_seconds()``. Anything else is answered as if the return
did not exist (404), so a return number tells a stranger nothing.
"""

from __future__ import annotations

import time

from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

from orders import access as order_access
from orders import selectors as order_selectors
from orders.models import Order
from orders.services import lookup_number

from .models import ReturnRequest

SESSION_GRANTS = "returns_orders"
LINK_SALT = "returns.link"
# The emails' links to a return page: a return may take weeks, so they stay valid a while.
LINK_SECONDS = 60 * 24 * 3600
MAX_GRANTS = 20


# --- Guests' grants in the session --------------------------------------------------------


def guest_grant(request: HttpRequest, order_id: int) -> None:
    """Let this browser reach ``order_id``'s returns (after a code or an emailed link)."""
    grants = _live_grants(request)
    grants[str(order_id)] = int(time.time())
    # The newest few only: a session is no place for an unbounded list.
    newest = sorted(grants.items(), key=lambda item: item[1])[-MAX_GRANTS:]
    request.session[SESSION_GRANTS] = dict(newest)


def guest_granted(request: HttpRequest) -> list[int]:
    """The order ids this browser's session holds a live grant for."""
    return [int(pk) for pk in _live_grants(request)]


def _live_grants(request: HttpRequest) -> dict[str, int]:
    grants = request.session.get(SESSION_GRANTS)
    if not isinstance(grants, dict):
        return {}
    oldest = time.time() - order_access.grant_seconds()
    return {
        str(pk): at
        for pk, at in grants.items()
        if isinstance(at, int) and at >= oldest and str(pk).isdigit()
    }


# --- Orders and returns a visitor may reach -----------------------------------------------


def order_for_visitor(request: HttpRequest, number: str) -> Order | None:
    """The order with that number (as in the URL: its lookup form, "1001") that this
    visitor owns or holds a grant for, else None. The newest if two platforms share it."""
    key = lookup_number(number or "")
    if not key:
        return None
    if request.user.is_authenticated:
        mine = order_selectors.orders_for_user(user=request.user).filter(lookup_number=key)
        found = mine.first()
        if found is not None:
            return found
    granted = guest_granted(request)
    if not granted:
        return None
    return (
        Order.objects.filter(pk__in=granted, lookup_number=key)
        .order_by("-placed_at", "-pk")
        .first()
    )


def may_see(request: HttpRequest, ret: ReturnRequest) -> bool:
    """Whether this visitor may see ``ret`` (and its photos, PDF, and cancel it)."""
    if ret.order_id in guest_granted(request):
        return True
    user = request.user
    if not user.is_authenticated:
        return False
    if ret.user_id == user.pk:
        return True
    return order_selectors.orders_for_user(user=user).filter(pk=ret.order_id).exists()


# --- Links in emails ----------------------------------------------------------------------


def link_token(request_id: int) -> str:
    return signing.dumps({"r": request_id}, salt=LINK_SALT, compress=True)


def request_id_from_token(token: str) -> int:
    """The return a link names; ``signing.SignatureExpired`` / ``BadSignature`` else."""
    data = signing.loads(token, salt=LINK_SALT, max_age=LINK_SECONDS)
    return int(data["r"])


def link_path(request_id: int) -> str:
    """The path of the signed link (in the active language) that opens a return's page."""
    return reverse("returns:link", args=[link_token(request_id)])
