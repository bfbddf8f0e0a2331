"""The portal's own pages: health, the customer's account, and the error pages."""

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from . import health
from .forms import PreferencesForm


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    body, status = health.report()
    return JsonResponse(body, status=status)


@login_required
def account_dashboard(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferencesForm(request.POST, instance=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your preferences were saved."))
            return redirect("account_dashboard")
    else:
        form = PreferencesForm(instance=request.user)
    emails = EmailAddress.objects.filter(user=request.user).order_by("-primary", "email")
    return render(
        request, "portal/account_dashboard.html", {"form": form, "email_addresses": emails}
    )


@requires_csrf_token
def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """The branded 500 page; it must render even when the database is what failed."""
    store_name = None
    try:
        from .models import BrandingSettings

        store_name = BrandingSettings.for_request(request).store_name
    except Exception:  # the error page itself must not fail
        store_name = None
    return HttpResponseServerError(render_to_string(template_name, {"store_name": store_name}))
