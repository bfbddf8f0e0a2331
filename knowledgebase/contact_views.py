"""The contact page: a question for the store, with help articles suggested as the customer
types the subject, and the confirmation with the request's reference.

Spam is kept out without third parties: a honeypot field (a bot that fills it sees the same
confirmation, but nothing is stored or sent) and a limit per client address (429).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from orders import selectors as order_selectors
from orders.views import attempt_record as hit_record
from orders.views import attempts as hits
from orders.views import client_ip

from . import contact as service
from .forms import ContactForm

SESSION_SENT = "kb_contact_sent"
RATE_WINDOW_MINUTES = 15  # the window of orders.views' counter, which this reuses


def _rate_key(request: HttpRequest) -> str:
    return f"kb:contact:ip:{client_ip(request)}"


def _render(request: HttpRequest, form: ContactForm, visit: str, status: int = 200, **extra):
    context = {
        "form": form,
        "visit": visit,
        "suggest_url": reverse("knowledgebase:suggest"),
        "open_url": reverse("knowledgebase:contact_suggestion_opened"),
        "rate_window": RATE_WINDOW_MINUTES,
        **extra,
    }
    return render(request, "knowledgebase/contact.html", context, status=status)


def _orders(request: HttpRequest):
    if request.user.is_authenticated:
        return order_selectors.orders_for_user(user=request.user)
    return None


def _remember_sent(request: HttpRequest, reference: str) -> None:
    # Only the browser that sent a request may see its confirmation page.
    sent = request.session.get(SESSION_SENT, [])[-9:]
    request.session[SESSION_SENT] = [*sent, reference]


@never_cache
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    orders = _orders(request)
    if request.method != "POST":
        initial = {"subject": request.GET.get("subject", "")[:200]}
        form = ContactForm(user=request.user, orders=orders, initial=initial)
        return _render(request, form, service.visit_new())

    form = ContactForm(request.POST, user=request.user, orders=orders)
    posted_visit = request.POST.get("visit", "")
    visit = posted_visit if service.visit_valid(posted_visit) else service.visit_new()
    key = _rate_key(request)
    if hits(key) >= settings.CONTACT_RATE_LIMIT:
        response = _render(request, form, visit, status=429, limited=True)
        response["Retry-After"] = str(RATE_WINDOW_MINUTES * 60)
        return response
    if not form.is_valid():
        return _render(request, form, visit, status=400)
    hit_record(key)
    if form.is_spam:
        reference = service.reference_new()
    else:
        order = form.cleaned_data.get("order")
        message = form.cleaned_data["message"]
        email = form.customer_email()
        number = (form.cleaned_data.get("order_number") or "").strip()
        if order is None and number:
            # A guest's number links the order only together with its email (as the
            # tracking lookup does); otherwise it travels with the message as typed.
            order = order_selectors.order_for_guest(number=number, email=email)
            if order is None:
                message = _("Order number: %(number)s") % {"number": number} + "\n\n" + message
        request_row = service.contact_request_submit(
            email=email,
            subject=form.cleaned_data["subject"],
            message=message,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            user=request.user,
            order=order,
            visit=visit,
        )
        reference = request_row.reference
    _remember_sent(request, reference)
    return redirect("knowledgebase:contact_sent", reference=reference)


@never_cache
def contact_sent(request: HttpRequest, reference: str) -> HttpResponse:
    if reference not in request.session.get(SESSION_SENT, []):
        raise Http404("Not a request sent from this browser.")
    return render(
        request,
        "knowledgebase/contact_sent.html",
        {"reference": reference, "help_url": reverse("knowledgebase:index")},
    )


@never_cache
@require_POST
def suggestion_opened(request: HttpRequest) -> HttpResponse:
    """The contact page's script reports a suggested article the customer opened."""
    try:
        article_id = int(request.POST.get("article", ""))
    except ValueError:
        return JsonResponse({"ok": False, "errors": {"article": ["not a number"]}}, status=400)
    try:
        service.suggestion_open_record(visit=request.POST.get("visit", ""), article_id=article_id)
    except service.InvalidVisit:
        return JsonResponse({"ok": False, "errors": {"visit": ["invalid"]}}, status=400)
    except service.ArticleUnavailable:
        return JsonResponse({"ok": False, "errors": {"article": ["unavailable"]}}, status=400)
    return HttpResponse(status=204)
