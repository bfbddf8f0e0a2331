"""A return's own page, and what hangs off it: cancel, the authorization PDF, its photos,
and the signed links in the emails.

Everything here answers 404 to a visitor who may not see the return (``access.may_see``),
exactly as for a return that does not exist. The page costs a fixed number of queries
whatever the number of lines, photos, events and payments (a test counts them).
"""

from __future__ import annotations

from functools import wraps

from django.apps import apps
from django.contrib import messages
from django.core import signing
from django.db.models import F, Prefetch, prefetch_related_objects
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from orders.models import Shipment

from .. import access, notifications, services, states
from ..documents import AuthorizationData, AuthorizationLine, authorization_pdf, qr_svg
from ..exceptions import IllegalTransition
from ..models import Method, ReturnPhoto, ReturnRequest, Status
from ..selectors import policy_for_version, return_for_page
from .common import order_url
from .page import ended, line_rows, progress, rejection_note, settled_amounts, timeline

# The authorization is for sending things back: not before approval, not for a return
# that was refused or called off, and never when the customer keeps the items.
NO_AUTHORIZATION = {Status.REQUESTED, Status.REJECTED, Status.CANCELLED}
# While these hold, the page shows what to send the parcel with.
SENDING = {Status.APPROVED, Status.LABEL_ISSUED, Status.DROPOFF_ISSUED}


def _authorized(ret: ReturnRequest) -> bool:
    return ret.status not in NO_AUTHORIZATION and ret.method != Method.KEEP and not ended(ret)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "returns/not_found.html", status=404)


def visible_return(*, page: bool = False):
    """The view is called with the return instead of its number, once found and once
    ``access.may_see`` allows it; otherwise the visitor gets the same 404 as for a number
    that does not exist. ``page``: with everything the return's page shows
    (``selectors.return_for_page``). The URL's converter has already refused numbers of
    any other shape."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, number: str, **kwargs) -> HttpResponse:
            if page:
                ret = return_for_page(number=number)
            else:
                ret = ReturnRequest.objects.filter(number=number).first()
            if ret is None or not access.may_see(request, ret):
                return _not_found(request)
            return view(request, ret, **kwargs)

        return wrapper

    return decorate


@never_cache
@require_GET
@visible_return(page=True)
def detail(request: HttpRequest, ret: ReturnRequest) -> HttpResponse:
    shipments = Shipment.objects.order_by(F("shipped_at").asc(nulls_last=True), "pk")
    prefetch_related_objects([ret.order], Prefetch("shipments", queryset=shipments))
    policy = policy_for_version(ret.policy_version)
    outcome = ended(ret)
    context = {
        "ret": ret,
        "order": ret.order,
        "lines": line_rows(ret, policy),
        "progress": progress(ret),
        "timeline": timeline(ret),
        "next_step": states.NEXT_STEP.get(outcome or ret.status, ""),
        "ended": outcome,
        "rejection": rejection_note(ret),
        # Nothing is paid for a return that was rejected or cancelled.
        "show_amounts": not outcome,
        "settled": settled_amounts(ret),
        "can_cancel": ret.status in states.CUSTOMER_CANCELLABLE,
        "sending": ret.status in SENDING and ret.method != Method.KEEP,
        "authorization": _authorized(ret),
        "order_url": order_url(request, ret.order),
    }
    if context["sending"] and ret.method == Method.DROPOFF and ret.dropoff_code:
        context["qr"] = qr_svg(
            ret.dropoff_code,
            title=_("QR code to show at the drop-off point, code %(code)s")
            % {"code": ret.dropoff_code},
        )
    return render(request, "returns/return_detail.html", context)


@require_POST
@visible_return()
def cancel(request: HttpRequest, ret: ReturnRequest) -> HttpResponse:
    done = _("Your return %(number)s is cancelled.") % {"number": ret.number}
    try:
        services.return_cancel(request_id=ret.pk, actor=request.user, by_customer=True)
    except IllegalTransition as exc:
        # A second click on the button finds the return cancelled by the first.
        if ReturnRequest.objects.filter(pk=ret.pk, status=Status.CANCELLED).exists():
            messages.success(request, done)
        else:
            messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("returns:detail", number=ret.number)


def _branding(request: HttpRequest):
    # By name: nothing imports portal.
    return apps.get_model("portal", "BrandingSettings").for_request(request)


def _customer_name(order) -> str:
    name = str((order.shipping_address or {}).get("name") or "").strip()
    if not name and order.customer_id:
        customer = order.customer
        name = f"{customer.first_name} {customer.last_name}".strip()
    return name or order.email


def _instructions(ret: ReturnRequest) -> list[str]:
    steps = [_("Pack the items with this page in the parcel.")]
    if ret.method == Method.DROPOFF:
        steps.append(
            _("Take the parcel to a drop-off point and show the QR code on your return page.")
        )
    else:
        steps.append(_("Stick the return label on the parcel and hand it to the carrier."))
    steps.append(_("Keep the receipt until your return is complete."))
    return steps


@never_cache
@require_GET
@visible_return(page=True)
def authorization(request: HttpRequest, ret: ReturnRequest) -> HttpResponse:
    if not _authorized(ret):
        return _not_found(request)
    # In the return's language (as its emails), whatever the page it was opened from.
    with translation.override(notifications.language_of(ret)):
        branding = _branding(request)
        policy = policy_for_version(ret.policy_version)
        data = AuthorizationData(
            return_number=ret.number,
            order_number=ret.order.number,
            created_at=ret.created_at,
            store_name=branding.store_name,
            return_address=branding.return_address or branding.store_name,
            customer_name=_customer_name(ret.order),
            method_label=str(Method(ret.method).label),
            lines=[
                AuthorizationLine(
                    title=row["line"].order_line.title,
                    variant=row["line"].order_line.variant_title,
                    sku=row["line"].order_line.sku,
                    quantity=row["line"].quantity,
                    reason=row["reason"],
                )
                for row in line_rows(ret, policy)
            ],
            instructions=_instructions(ret),
            dropoff_code=ret.dropoff_code if ret.method == Method.DROPOFF else "",
            label_tracking_number=ret.label_tracking_number,
        )
        pdf = authorization_pdf(data)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="return-{ret.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@visible_return()
def photo(request: HttpRequest, ret: ReturnRequest, photo_id: int) -> HttpResponse:
    """A photo of the return, to those who may see the return; never a public URL."""
    found = ReturnPhoto.objects.filter(pk=photo_id, line__request=ret).first()
    if found is None:
        return _not_found(request)
    try:
        handle = found.image.open("rb")
    except OSError:
        return _not_found(request)
    response = FileResponse(handle, content_type=found.content_type or "image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response


@never_cache
@require_GET
def link(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link in a return's emails: this browser may now see the order's returns."""
    try:
        request_id = access.request_id_from_token(token)
    except signing.SignatureExpired:
        return render(request, "returns/link_invalid.html", {"expired": True}, status=410)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, "returns/link_invalid.html", {"expired": False}, status=404)
    ret = ReturnRequest.objects.filter(pk=request_id).only("pk", "number", "order_id").first()
    if ret is None:
        return render(request, "returns/link_invalid.html", {"expired": False}, status=404)
    request.session.cycle_key()  # the session now opens more: give it a new id
    access.guest_grant(request, ret.order_id)
    return redirect("returns:detail", number=ret.number)
