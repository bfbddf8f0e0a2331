"""Signed, expiring access to one order for a guest who proved the order's email."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

TRACK_SALT = "orders.track"


def grant_seconds() -> int:
    return getattr(settings, "ORDERS_TRACK_GRANT_SECONDS", 86400)


def grant_token(order_id: int) -> str:
    return signing.dumps({"o": order_id}, salt=TRACK_SALT)


def order_id_from_token(token: str) -> int:
    """The order id a token grants; ``signing.SignatureExpired`` / ``BadSignature`` else."""
    data = signing.loads(token, salt=TRACK_SALT, max_age=grant_seconds())
    return int(data["o"])


def order_tracking_path(order) -> str:
    return reverse("orders:track_order", args=[grant_token(order.pk)])
