"""``/api/loyalty/me``: a member's points as JSON, for the store's own pages (a balance in the
header, a link to ``/rewards/``), and ``/embed/loyalty.js``, the script that shows them.

Two ways in:

- the portal session, for the portal's own pages (cross-site, the browser keeps the session
  cookie to itself);
- ``Authorization: Bearer <token>``, a customer token the store's server signs
  (``loyalty/tokens.py``): it answers for the token's email and signs no one in. Never in
  the query string, where access logs and Referer headers would keep it.

Pages of the origins in ``LOYALTY_EMBED_ORIGINS`` may read the answer (CORS, without
credentials: the token is the credential).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import selectors, services, tokens
from .exceptions import InvalidCustomerToken

# How long a browser may reuse a preflight answer (Chromium caps it at two hours).
PREFLIGHT_MAX_AGE = 600
# How long browsers and CDNs may keep the stable script address's redirect.
EMBED_SCRIPT_MAX_AGE = 300


def _allowed_origin(request: HttpRequest) -> str | None:
    """The request's Origin when it is one the store's pages are served from."""
    origin = request.headers.get("Origin", "").rstrip("/").lower()
    allowed = {o.rstrip("/").lower() for o in settings.LOYALTY_EMBED_ORIGINS}
    return origin if origin and origin in allowed else None


def _cors(response: HttpResponse, origin: str | None) -> HttpResponse:
    # Whatever the origin, the answer differs by it: a cache must not mix them up.
    response.headers["Vary"] = ", ".join(v for v in [response.headers.get("Vary"), "Origin"] if v)
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


def _language(request: HttpRequest) -> str:
    """The language the embedding page asked for (``?lang=tr``), else the request's."""
    try:
        return translation.get_supported_language_variant(request.GET.get("lang", ""))
    except LookupError:
        return translation.get_language()


def _text(program, account) -> dict | None:
    """What the embedded balance says, in the active language, as plain text; nothing while
    the program is off (the store's placeholder stays as it is)."""
    if not program.enabled:
        return None
    if account is None or not account.is_member:
        return {
            "balance": None,
            "tier": None,
            "link": _("Join %(program)s") % {"program": program.program_name},
        }
    points = account.available
    return {
        "balance": ngettext("%(points)s point", "%(points)s points", points)
        % {"points": formats.number_format(points, force_grouping=True)},
        "tier": _("%(tier)s tier") % {"tier": account.tier.name} if account.tier_id else None,
        "link": _("See your rewards"),
    }


def _answer(account) -> dict:
    program = services.program()
    base = {
        "program": program.program_name,
        "rewards_url": settings.SITE_URL + reverse("loyalty:rewards"),
        "text": _text(program, account),
    }
    if not program.enabled or account is None:
        return {**base, "member": False}
    now = timezone.now()
    balances = selectors.balances(account=account, program=program, now=now)
    _value, upcoming, missing = services.tier_progress(account, settings=program, now=now)
    return {
        **base,
        "member": account.is_member,
        "points": {
            "available": account.available,
            "pending": account.pending,
            "lifetime_earned": account.lifetime_earned,
            "expiring_soon": balances.expiring_soon,
            "expiring_soon_first": balances.expiring_soon_first,
        },
        "tier": {"name": account.tier.name, "until": account.tier_until}
        if account.tier_id
        else None,
        # Points to go as a whole number; money to spend as a decimal string.
        "next_tier": {
            "name": upcoming.name,
            "basis": program.tier_basis,
            "missing": int(missing)
            if program.tier_basis == program.TierBasis.POINTS
            else str(missing),
        }
        if upcoming
        else None,
    }


def _me(request: HttpRequest) -> JsonResponse:
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        try:
            email = tokens.customer_token_verify(
                credentials.strip(), secret=settings.LOYALTY_TOKEN_SECRET
            )
        except InvalidCustomerToken as error:
            response = JsonResponse(
                {"error": error.message, "field": error.field}, status=error.status
            )
            if error.status == 401:
                response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        return JsonResponse(_answer(selectors.account_for_store_email(email=email)))
    if not request.user.is_authenticated:
        return JsonResponse({"error": "sign in first", "field": "session"}, status=401)
    return JsonResponse(_answer(selectors.account_for_user(user=request.user)))


@never_cache
@require_http_methods(["GET", "OPTIONS"])
def me(request: HttpRequest) -> HttpResponse:
    origin = _allowed_origin(request)
    if request.method == "OPTIONS":
        # The preflight a cross-origin call with an Authorization header sends first.
        response = HttpResponse(status=204)
        if origin:
            response.headers["Access-Control-Allow-Methods"] = "GET"
            response.headers["Access-Control-Allow-Headers"] = "Authorization"
            response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        return _cors(response, origin)
    with translation.override(_language(request)):
        return _cors(_me(request), origin)


@require_GET
def embed_script(request: HttpRequest) -> HttpResponse:
    """The stable address stores put in their pages: a short-lived redirect to the script's
    current (hashed, cached for good) static file."""
    response = HttpResponseRedirect(static("loyalty/embed.js"))
    response.headers["Cache-Control"] = f"public, max-age={EMBED_SCRIPT_MAX_AGE}"
    return response
