"""Small helpers the returns pages share."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from orders import access as order_access
from orders import selectors as order_selectors


def error_summary(form) -> list[dict]:
    """The form's errors in page order, each with the id of the input it is about: the
    error summary at the top of the page links to them (the GOV.UK pattern). Errors about
    the form as a whole link to ``form.error_anchor`` when the form names one."""
    if not form.is_bound or not form.errors:
        return []
    anchor = getattr(form, "error_anchor", "")
    items = [
        {"href": f"#{anchor}" if anchor else "", "message": m} for m in form.non_field_errors()
    ]
    for bound in form:
        for message in bound.errors:
            items.append({"href": f"#{bound.id_for_label or bound.auto_id}", "message": message})
    return items


def order_url(request: HttpRequest, order) -> str:
    """Where this visitor sees the order: "my orders" for its owner, else a guest's signed
    link (a guest here has proved the order's email, which is what that link needs)."""
    user = request.user
    if user.is_authenticated and order_selectors.order_key_for_user(
        user=user, number=order.lookup_number
    ):
        return reverse("orders:detail", args=[order.lookup_number])
    return order_access.order_tracking_path(order)
