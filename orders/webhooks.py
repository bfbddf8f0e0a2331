"""Webhook endpoints: verify, store, enqueue, answer. Nothing else happens here."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .connectors import get_connector
from .exceptions import InvalidSignature

MAX_BODY_BYTES = 5 * 1024 * 1024


def _headers(request: HttpRequest) -> dict[str, str]:
    return dict(request.headers.items())


@csrf_exempt
@require_POST
def receive(request: HttpRequest, connector: str) -> JsonResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return JsonResponse({"error": "payload too large", "field": "body"}, status=413)
    body = request.body
    headers = _headers(request)
    adapter = get_connector(connector)
    if getattr(adapter, "is_ping", None) and adapter.is_ping(headers, body):
        # WooCommerce pings a webhook's URL when it is saved; nothing to store.
        return JsonResponse({"status": "pong"})
    try:
        received = services.delivery_receive(connector=connector, headers=headers, body=body)
    except InvalidSignature:
        return JsonResponse(
            {"error": "invalid or missing signature", "field": "signature"}, status=401
        )
    delivery = received.delivery
    if received.error is not None:
        return JsonResponse(
            {
                "error": received.error.message,
                "field": received.error.field,
                "delivery": delivery.delivery_id,
            },
            status=400,
        )
    return JsonResponse(
        {
            "status": "duplicate" if received.duplicate else "accepted",
            "delivery": delivery.delivery_id,
        },
        status=200 if received.duplicate else 202,
    )
