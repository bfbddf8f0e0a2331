"""Turning shipment emails off from the link in every shipment email."""

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import services
from .services.notifications import UNSUBSCRIBE_SALT


def emails_off(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (mail scanners follow links); POST turns the emails off."""
    try:
        customer_id = int(signing.loads(token, salt=UNSUBSCRIBE_SALT)["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, "orders/emails_off.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        services.shipment_emails_off(customer_id=customer_id)
        done = True
    return render(request, "orders/emails_off.html", {"done": done})
