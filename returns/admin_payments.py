"""Payouts in Wagtail admin: the payments panel of a return's page, its actions, and the
"Waiting for an agent" screen.

The panel lists every payment of the return and, for staff with
``returns.manage_returnrequest``, the actions that apply to the latest one (earlier ones
are history: a failed payment is followed by a new one). Each action is one POST to
``PaymentActionView`` (or ``PayoutView`` for a return with no payment yet), which calls
one service and comes back to the return's page with its words: a refusal
(``PaymentError``, ``IllegalTransition``) is an error message, never an error page. A
POST from staff who may only look is answered 403.

The actions are worked out from rows the return's page already loaded, so the page keeps
its fixed number of queries. The waiting screen is ``payments.payments_needing_agent()``,
newest first, in two queries per page whatever it lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.admin.utils import quote
from django.db.models import Case, F, When
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.paginator import WagtailPaginator

from . import payments
from .admin_views import ReturnsPageView, can_manage
from .exceptions import PaymentError, ReturnsError
from .models import ReturnPayment, ReturnRequest, Status
from .payments.core import amount
from .payments.reconcile import WAITING_FOR_AGENT
from .payments.refunds import FAILED as STRIPE_FAILED

Kind = ReturnPayment.Kind
State = ReturnPayment.State

PER_PAGE = 50
REFERENCE_MAX = 100
# The agents' actions on a payment, each one service.
PAYMENT_ACTIONS = ("retry", "in_store", "store_done")
# What a payment's ``external_status`` says, where it is ours rather than Stripe's.
EXTERNAL_LABELS = {
    "done_by_agent": gettext_lazy("marked done by an agent"),
    WAITING_FOR_AGENT: gettext_lazy("waiting for an agent"),
    "delivered": gettext_lazy("sent to the store"),
    "code": gettext_lazy("a credit code"),
    "points": gettext_lazy("as points"),
}


# --- The panel on a return's page ---------------------------------------------------------


@dataclass
class PaymentRow:
    """One payment as the panel shows it; ``offers`` are the actions that apply now."""

    payment: ReturnPayment
    latest: bool
    offers: list[str] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)
    # A failed payment that cannot be paid again while the return is in this status.
    blocked: str = ""


def exchange_waits_for_agent(payment: ReturnPayment) -> bool:
    """A pending exchange nobody will send: no webhook is set up (or none was when it was
    tried), so an agent places the replacement order in the store."""
    return (
        payment.kind == Kind.EXCHANGE
        and payment.state == State.PENDING
        and payment.external_status == WAITING_FOR_AGENT
    )


def external_label(payment: ReturnPayment) -> str:
    """The outside party's word on a payment: Stripe's refund status, or ours in words."""
    if not payment.external_status:
        return ""
    if payment.kind == Kind.STRIPE:
        return _("Stripe: %(status)s") % {"status": payment.external_status}
    return str(EXTERNAL_LABELS.get(payment.external_status, payment.external_status))


def payment_offers(payment: ReturnPayment, request: ReturnRequest) -> tuple[list[str], str]:
    """The actions that apply to a return's latest payment, and why a failed one has none.

    They follow what the services accept: a pending payment is attempted again under its
    own key; a failed one is followed by a new payment while the return is inspected
    (a failed Stripe refund may go to the store instead); a refund in the store and an
    exchange waiting for an agent are marked done.
    """
    if payment.state == State.SUCCEEDED:
        return [], ""
    if payment.state == State.FAILED:
        if request.status != Status.INSPECTED:
            return [], _(
                "The return is “%(status)s”: a failed payment is paid again only while "
                "the return is inspected."
            ) % {"status": Status(request.status).label}
        if payment.kind == Kind.STRIPE:
            return ["retry", "in_store"], ""
        return ["retry"], ""
    if payment.kind == Kind.STORE or exchange_waits_for_agent(payment):
        return ["store_done"], ""
    return ["retry"], ""


def payment_rows(
    *, request: ReturnRequest, payment_list: list[ReturnPayment], may_manage: bool, url_name: str
) -> list[PaymentRow]:
    """The panel's rows, oldest first; actions on the latest payment for managers."""
    latest_pk = max((p.pk for p in payment_list), default=None)
    rows = []
    for payment in payment_list:
        row = PaymentRow(payment=payment, latest=payment.pk == latest_pk)
        if may_manage and row.latest:
            row.offers, row.blocked = payment_offers(payment, request)
            row.urls = {
                action: reverse(url_name, args=(quote(request.pk), payment.pk, action))
                for action in row.offers
            }
        payment.external_label = external_label(payment)
        payment.stripe_failed_refund = (
            payment.kind == Kind.STRIPE
            and payment.external_id
            and payment.external_status in STRIPE_FAILED
        )
        rows.append(row)
    return rows


def payout_offer(*, request: ReturnRequest, payment_list: list, may_manage: bool) -> dict | None:
    """ "Pay out now" for an inspected return with no payment yet (its payout task never
    ran: a worker or the broker was down): how it would be paid and how much."""
    if not may_manage or payment_list or request.status != Status.INSPECTED:
        return None
    kind = payments.payout_kind(request, request.order)
    return {"kind": Kind(kind).label, "total": request.total, "currency": request.currency}


# --- The actions --------------------------------------------------------------------------


def _forbidden():
    return HttpResponseForbidden(
        _("You may look at returns but not act on their payments."),
        content_type="text/plain; charset=utf-8",
    )


def _outcome(payment: ReturnPayment) -> tuple[str, str]:
    """("success" | "warning" | "error", what to tell the agent) about a payment after an
    agent's action."""
    money = amount(payment.amount, payment.currency)
    if payment.state == State.SUCCEEDED:
        if payment.kind == Kind.EXCHANGE:
            return "success", _("The exchange is done.")
        if payment.kind == Kind.STORE:
            return "success", _("Recorded: %(amount)s refunded in the store.") % {"amount": money}
        if payment.kind == Kind.STRIPE:
            return "success", _(
                "%(amount)s refunded to the original payment (Stripe refund %(id)s)."
            ) % {"amount": money, "id": payment.external_id}
        return "success", _("%(amount)s paid out as store credit.") % {"amount": money}
    if payment.state == State.FAILED:
        return "error", _("The payment of %(amount)s failed: %(reason)s") % {
            "amount": money,
            "reason": payment.error or _("no reason given"),
        }
    if payment.kind == Kind.STORE:
        return "warning", _(
            "Refund %(amount)s in the store's own admin, then mark it refunded here."
        ) % {"amount": money}
    if exchange_waits_for_agent(payment):
        return "warning", _("Place the replacement order in the store, then mark it placed here.")
    if payment.error:
        return "warning", _(
            "Not paid yet: %(reason)s. The payment stays pending under the same key; it is "
            "tried again automatically, or retry it later."
        ) % {"reason": payment.error}
    if payment.kind == Kind.STRIPE and payment.external_id:
        return "warning", _(
            "Stripe is processing refund %(id)s; its status will follow by itself."
        ) % {"id": payment.external_id}
    return "warning", _("The payment of %(amount)s is on its way.") % {"amount": money}


def _tell(http_request, number: str, outcome: tuple[str, str]) -> None:
    level, text = outcome
    getattr(messages, level)(http_request, f"{number}: {text}")


class PaymentActionView(View):
    """POST only, ``returns.manage_returnrequest``: retry a payment, pay a failed Stripe
    refund in the store instead, or mark a refund in the store (or an exchange's
    replacement order) done. The payment must belong to the return in the URL."""

    http_method_names = ["post"]
    inspect_url_name = None

    def post(self, request, pk, payment_pk, action):
        if not can_manage(request.user):
            return _forbidden()
        if action not in PAYMENT_ACTIONS:
            raise Http404
        payment = get_object_or_404(
            ReturnPayment.objects.select_related("request").only("pk", "request__number"),
            pk=payment_pk,
            request_id=pk,
        )
        number = payment.request.number
        try:
            if action == "store_done":
                reference = (request.POST.get("reference") or "").strip()
                if len(reference) > REFERENCE_MAX:
                    raise PaymentError(
                        _("Keep the store's reference under %(count)s characters.")
                        % {"count": REFERENCE_MAX}
                    )
                done = payments.payment_store_done(
                    payment_id=payment.pk,
                    actor=request.user,
                    reference=reference,
                    difference=request.POST.get("difference"),
                )
            else:
                done = payments.payment_retry(
                    payment_id=payment.pk, actor=request.user, in_store=action == "in_store"
                )
        except ReturnsError as exc:
            messages.error(request, f"{number}: {exc.message}")
        except (ReturnPayment.DoesNotExist, ReturnRequest.DoesNotExist) as exc:
            raise Http404 from exc
        else:
            _tell(request, number, _outcome(done))
        return redirect(self.inspect_url_name, quote(pk))


class PayoutView(View):
    """POST only, ``returns.manage_returnrequest``: pay an inspected return out now
    (``payments.return_payout``, the service its task runs; safe to run twice)."""

    http_method_names = ["post"]
    inspect_url_name = None

    def post(self, request, pk):
        if not can_manage(request.user):
            return _forbidden()
        target = get_object_or_404(ReturnRequest.objects.only("pk", "number"), pk=pk)
        try:
            state = payments.return_payout(request_id=target.pk)
        except PaymentError as exc:
            if not exc.retryable:
                messages.error(request, f"{target.number}: {exc.message}")
                return redirect(self.inspect_url_name, quote(target.pk))
            state = ""
        except ReturnsError as exc:
            messages.error(request, f"{target.number}: {exc.message}")
            return redirect(self.inspect_url_name, quote(target.pk))
        payment = target.payments.order_by("-pk").first()
        if payment is not None:
            _tell(request, target.number, _outcome(payment))
        elif state == "skipped":
            target.refresh_from_db(fields=["status"])
            if target.status == Status.INSPECTED:
                messages.error(request, f"{target.number}: {_('Nothing was paid out.')}")
            else:
                messages.success(
                    request,
                    f"{target.number}: "
                    + _("Nothing to pay out: the return is “%(status)s”.")
                    % {"status": Status(target.status).label},
                )
        return redirect(self.inspect_url_name, quote(target.pk))


# --- Waiting for an agent -----------------------------------------------------------------


def waiting_reason(payment: ReturnPayment) -> str:
    """Why an agent must act on a payment, in a few words."""
    if payment.state == State.FAILED:
        return payment.error or _("No reason given.")
    if payment.kind == Kind.STORE:
        return _("Refund it in the store's own admin, then mark it refunded.")
    return _("No exchange webhook: place the replacement order (%(wanted)s) in the store.") % {
        "wanted": payment.request.exchange_for or "—"
    }


WAITING_FIELDS = (
    *("kind", "amount", "currency", "state", "error", "external_status"),
    *("created_at", "updated_at", "order__number"),
    *("request__number", "request__email", "request__exchange_for"),
)


def waiting_payments():
    """``payments_needing_agent()`` newest first by when each began to wait (a failed
    payment since it failed, else since it was written), with only what the screen shows."""
    return (
        payments.payments_needing_agent()
        .annotate(
            since=Case(When(state=State.FAILED, then=F("updated_at")), default=F("created_at"))
        )
        .only(*WAITING_FIELDS)
        .order_by("-since", "-pk")
    )


class WaitingView(ReturnsPageView):
    """Payments an agent must act on: failed ones, refunds to make in the store, and
    exchanges with no webhook to send them. Each row opens the return's page, where the
    actions are."""

    template_name = "returns/admin/waiting.html"
    page_title = gettext_lazy("Waiting for an agent")
    header_icon = "warning"
    inspect_url_name = "returns_returnrequest:inspect"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = WagtailPaginator(waiting_payments(), PER_PAGE)
        page = paginator.get_page(self.request.GET.get("p"))
        rows = list(page.object_list)
        for payment in rows:
            payment.admin_url = reverse(self.inspect_url_name, args=(quote(payment.request_id),))
            payment.reason = waiting_reason(payment)
        context.update(
            page_obj=page,
            paginator=paginator,
            rows=rows,
            elided_page_range=list(paginator.get_elided_page_range(page.number)),
        )
        return context
