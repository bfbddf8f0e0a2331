"""One return as an agent sees it, the actions on it, and its photos.

The page shows the return, its lines with the customer's photos, the order, the
customer's history and return rate, the policy version and the rules it was decided
under, the payments and the whole event log (internal notes included, with who and
when), in a fixed number of queries whatever the lines, photos, events and payments.

Each action is a POST to ``ReturnActionView``, which calls one service and comes back to
the page with the service's words: a move the status table refuses is an error message,
never an error page. Photos are served only through ``ReturnPhotoView``, to staff who may
see the return.
"""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation

from django.contrib.admin.utils import quote
from django.db.models import Prefetch, Q, Subquery
from django.db.models.functions import Lower
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permissions import policy_registry

from orders.models import Order

from . import admin_payments, services, states
from .admin_views import MANAGE_ACTION, actor_name, can_manage, status_tone
from .exceptions import IllegalTransition, ReturnsError
from .models import (
    ReturnEvent,
    ReturnLine,
    ReturnPayment,
    ReturnPhoto,
    ReturnRequest,
    Status,
)
from .policy import customer_flagged
from .selectors import order_facts, policy_current, policy_for_version

HISTORY_SHOWN = 20
# The customer's returns are looked for on their newest orders, this many at most.
CUSTOMER_ORDERS = 500
MESSAGE_MAX = 5000
THUMB_SIDE = 320
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}

# The agent's actions: the status each one moves to (None: no move), in the order shown.
ACTIONS: dict[str, str | None] = {
    "approve": Status.APPROVED,
    "reject": Status.REJECTED,
    "in_transit": Status.IN_TRANSIT,
    "receive": Status.RECEIVED,
    "inspect": Status.INSPECTED,
    "cancel": Status.CANCELLED,
    "close": Status.CLOSED,
    "note": None,
}


def offered_actions(status: str) -> list[str]:
    """The actions the status table allows from ``status`` (a note always)."""
    return [
        name
        for name, target in ACTIONS.items()
        if target is None
        or (states.can_move(status, target) and (name != "reject" or status == Status.REQUESTED))
    ]


def return_for_agent():
    """A return with everything its admin page shows, in a fixed number of queries."""
    return ReturnRequest.objects.select_related(
        "order", "order__customer", "policy_version", "user"
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=ReturnLine.objects.select_related("order_line").prefetch_related(
                Prefetch("photos", queryset=ReturnPhoto.objects.order_by("pk"))
            ),
        ),
        Prefetch(
            "events",
            queryset=ReturnEvent.objects.select_related("actor").order_by("created_at", "pk"),
        ),
        Prefetch("payments", queryset=ReturnPayment.objects.order_by("created_at", "pk")),
    )


def customer_returns(request: ReturnRequest):
    """The customer's other returns: those on orders of the same customer record or the
    same email. The orders are found through their indexes (customer, lower(email)) and
    the returns by their order; matching the returns' own email or joining the orders in
    an OR would read the whole returns table."""
    order = request.order
    match = Q(email_ci__in={request.email.lower(), (order.email or "").lower()})
    if order.customer_id:
        match |= Q(customer_id=order.customer_id)
    orders = (
        Order.objects.annotate(email_ci=Lower("email"))
        .filter(match)
        .order_by("-placed_at")
        .values("pk")[:CUSTOMER_ORDERS]
    )
    return (
        ReturnRequest.objects.filter(order_id__in=Subquery(orders))
        .exclude(pk=request.pk)
        .select_related("order")
        .only("number", "status", "total", "currency", "created_at", "resolution", "order__number")
        .order_by("-created_at", "-pk")
    )


class ReturnDetailView(InspectView):
    template_name = "returns/admin/detail.html"
    fields = ["number"]
    inspect_url_name = None
    action_url_name = None
    photo_url_name = None
    payment_url_name = None
    payout_url_name = None

    def get_object(self, queryset=None):
        return get_object_or_404(return_for_agent(), pk=self.pk)

    def get_page_title(self):
        return gettext_lazy("Return")

    def get_page_subtitle(self):
        return self.object.number

    def _order_url(self, order: Order) -> str | None:
        allowed = policy_registry.get_by_type(Order).user_has_any_permission(
            self.request.user, ("view", "change")
        )
        try:
            return reverse("orders_order:inspect", args=(quote(order.pk),)) if allowed else None
        except NoReverseMatch:  # the orders admin is not installed
            return None

    def _history(self, request: ReturnRequest) -> dict:
        facts = order_facts(order=request.order)
        policy, _version = policy_current()
        others = list(customer_returns(request)[: HISTORY_SHOWN + 1])
        inspect_url_name = self.inspect_url_name
        for other in others:
            other.admin_url = reverse(inspect_url_name, args=(quote(other.pk),))
            other.tone = status_tone(other.status)
        rate = None
        if facts.customer_orders:
            rate = Decimal(facts.customer_returned_orders * 100) / facts.customer_orders
        return {
            "others": others[:HISTORY_SHOWN],
            "more": len(others) > HISTORY_SHOWN,
            "orders": facts.customer_orders,
            "returned_orders": facts.customer_returned_orders,
            "returns": facts.customer_returns,
            "open_returns": facts.customer_open_returns,
            "rate": rate,
            "flagged_now": customer_flagged(policy, facts),
            "flag_rate": policy.flag_rate_percent,
            "flag_min_orders": policy.flag_min_orders,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.object
        lines = list(request.lines.all())
        for line in lines:
            line.photo_list = [
                {
                    "full": reverse(self.photo_url_name, args=(request.pk, photo.pk)),
                    "thumb": reverse(self.photo_url_name, args=(request.pk, photo.pk))
                    + "?size=thumb",
                    "width": photo.width,
                    "height": photo.height,
                }
                for photo in line.photos.all()
            ]
        events = list(request.events.all())
        for event in events:
            event.who = actor_name(event.actor)
            event.from_label = Status(event.from_status).label if event.from_status else ""
            event.to_label = Status(event.to_status).label if event.to_status else ""
        may_manage = can_manage(self.request.user)
        actions = offered_actions(request.status) if may_manage else []
        policy = policy_for_version(request.policy_version)
        payment_list = list(request.payments.all())
        context.update(
            request_obj=request,
            order=request.order,
            order_url=self._order_url(request.order),
            lines=lines,
            events=events,
            payments=payment_list,
            payment_rows=admin_payments.payment_rows(
                request=request,
                payment_list=payment_list,
                may_manage=may_manage,
                url_name=self.payment_url_name,
            ),
            payout=admin_payments.payout_offer(
                request=request, payment_list=payment_list, may_manage=may_manage
            ),
            payout_url=reverse(self.payout_url_name, args=(quote(request.pk),)),
            history=self._history(request),
            policy=policy,
            decision=request.decision or {},
            tone=status_tone(request.status),
            actions=actions,
            action_urls={
                name: reverse(self.action_url_name, args=(request.pk, name)) for name in actions
            },
            outcomes=ReturnLine.Outcome.choices[1:],
            age=timezone.now() - request.created_at,
            may_manage=may_manage,
        )
        return context


# --- Actions ----------------------------------------------------------------------------


def _text(request, name: str = "message") -> str:
    value = (request.POST.get(name) or "").strip()
    if "\x00" in value:
        raise IllegalTransition(_("The message has a character that cannot be stored."))
    if len(value) > MESSAGE_MAX:
        raise IllegalTransition(
            _("Keep the message under %(count)s characters.") % {"count": MESSAGE_MAX}
        )
    return value


def _amount(raw: str):
    """The partial amount as typed ("12,50" too), or None for anything that is not a finite
    number: the service then refuses it in words ("Give the partial amount as a number")."""
    raw = (raw or "").strip().replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _inspect(http_request, request: ReturnRequest) -> str:
    results = []
    for line_id in request.lines.order_by("pk").values_list("pk", flat=True):
        prefix = f"line-{line_id}"
        results.append(
            services.Inspection(
                line_id=line_id,
                outcome=(http_request.POST.get(f"{prefix}-outcome") or "").strip(),
                note=(http_request.POST.get(f"{prefix}-note") or "").strip()[:255],
                amount=_amount(http_request.POST.get(f"{prefix}-amount")),
            )
        )
    done = services.return_inspect(request_id=request.pk, results=results, actor=http_request.user)
    if done.status == Status.REJECTED:
        return _("Inspected: no item passed, so the return is rejected.")
    return _("Inspected. The payout of %(total)s %(currency)s is on its way.") % {
        "total": done.total,
        "currency": done.currency,
    }


def _run(action: str, http_request, request: ReturnRequest) -> str:
    """Call the action's one service; its refusal (``ReturnsError``) reaches the caller."""
    user, pk = http_request.user, request.pk
    if action == "approve":
        services.return_approve(request_id=pk, actor=user, message=_text(http_request))
        return _("Approved.")
    if action == "reject":
        services.return_reject(request_id=pk, actor=user, message=_text(http_request))
        return _("Rejected. The customer is told why.")
    if action == "in_transit":
        services.return_in_transit(request_id=pk, actor=user)
        return _("Marked as on its way back.")
    if action == "receive":
        services.return_receive(request_id=pk, actor=user, message=_text(http_request))
        return _("Marked as received. Inspect the items to pay it out.")
    if action == "inspect":
        return _inspect(http_request, request)
    if action == "cancel":
        services.return_cancel(request_id=pk, actor=user)
        return _("Cancelled.")
    if action == "close":
        services.return_close(request_id=pk, actor=user)
        return _("Closed.")
    services.return_note(request_id=pk, actor=user, message=_text(http_request))
    return _("Note added to the log.")


class ReturnActionView(PermissionCheckedMixin, View):
    """POST only, ``returns.manage_returnrequest``: one action on one return, then back to
    its page with a success or error message."""

    model = ReturnRequest
    permission_required = MANAGE_ACTION
    http_method_names = ["post"]
    inspect_url_name = None

    def post(self, request, pk, action):
        if action not in ACTIONS:
            raise Http404
        target = get_object_or_404(ReturnRequest.objects.only("pk", "number"), pk=pk)
        try:
            message = _run(action, request, target)
        except ReturnsError as exc:
            messages.error(request, exc.message)
        except ReturnRequest.DoesNotExist as exc:
            raise Http404 from exc
        else:
            messages.success(request, f"{target.number}: {message}")
        return redirect(self.inspect_url_name, quote(target.pk))


# --- Photos -----------------------------------------------------------------------------


class ReturnPhotoView(PermissionCheckedMixin, View):
    """A customer's photo (or its thumbnail, ``?size=thumb``) for staff who may see the
    return; never cached by a shared cache, never sniffed as anything but an image."""

    model = ReturnRequest
    any_permission_required = ("view", "change", MANAGE_ACTION)
    http_method_names = ["get"]

    def get(self, request, pk, photo_pk):
        photo = get_object_or_404(ReturnPhoto, pk=photo_pk, line__request_id=pk)
        if photo.content_type not in PHOTO_TYPES:
            raise Http404
        try:
            if request.GET.get("size") == "thumb":
                response = HttpResponse(_thumbnail(photo), content_type="image/jpeg")
            else:
                response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
        except (OSError, ValueError) as exc:  # the file is gone or not an image any more
            raise Http404 from exc
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'"
        return response


def _thumbnail(photo: ReturnPhoto) -> bytes:
    from PIL import Image, UnidentifiedImageError

    with photo.image.open("rb") as handle:
        try:
            with Image.open(handle) as image:
                image.thumbnail((THUMB_SIDE, THUMB_SIDE))
                out = io.BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=80)
        except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
            raise ValueError("not an image") from exc
    return out.getvalue()
