"""Signed deliveries, as each platform sends them."""

import base64
import hashlib
import hmac
import json
import uuid
from pathlib import Path

from django.conf import settings

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text())


def body_of(data) -> bytes:
    return data if isinstance(data, bytes) else json.dumps(data).encode()


def _b64_hmac(secret: str, body: bytes) -> str:
    """Signed here, not with the code under test, so a bug there cannot sign its own way."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def shopify(client, topic: str, data, *, delivery_id=None, secret=None, signature=None):
    body = body_of(data)
    secret = settings.SHOPIFY_WEBHOOK_SECRET if secret is None else secret
    sig = _b64_hmac(secret, body)
    headers = {
        "HTTP_X_SHOPIFY_TOPIC": topic,
        "HTTP_X_SHOPIFY_WEBHOOK_ID": delivery_id or str(uuid.uuid4()),
        "HTTP_X_SHOPIFY_SHOP_DOMAIN": "harbor-and-loom.myshopify.com",
    }
    if signature is not False:
        headers["HTTP_X_SHOPIFY_HMAC_SHA256"] = signature or sig
    return client.post("/webhooks/shopify/", body, content_type="application/json", **headers)


def portico(client, data, *, delivery_id=None, secret=None, signature=None):
    body = body_of(data)
    secret = settings.PORTICO_WEBHOOK_SECRET if secret is None else secret
    sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"HTTP_X_PORTICO_DELIVERY_ID": delivery_id or str(uuid.uuid4())}
    if signature is not False:
        headers["HTTP_X_PORTICO_SIGNATURE"] = signature or sig
    return client.post("/webhooks/portico/", body, content_type="application/json", **headers)


def woocommerce(client, topic: str, data, *, delivery_id=None, secret=None, signature=None):
    body = body_of(data)
    secret = settings.WOOCOMMERCE_WEBHOOK_SECRET if secret is None else secret
    sig = _b64_hmac(secret, body)
    headers = {
        "HTTP_X_WC_WEBHOOK_TOPIC": topic,
        "HTTP_X_WC_WEBHOOK_DELIVERY_ID": delivery_id or str(uuid.uuid4()),
        "HTTP_X_WC_WEBHOOK_SOURCE": "https://shop.example.com/",
    }
    if signature is not False:
        headers["HTTP_X_WC_WEBHOOK_SIGNATURE"] = signature or sig
    return client.post("/webhooks/woocommerce/", body, content_type="application/json", **headers)


def stripe(client, data, *, secret=None, signature=None, timestamp=None):
    import time

    body = body_of(data)
    secret = settings.STRIPE_WEBHOOK_SECRET if secret is None else secret
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + body
    v1 = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    headers = {}
    if signature is not False:
        headers["HTTP_STRIPE_SIGNATURE"] = signature or f"t={timestamp},v1={v1}"
    return client.post("/webhooks/stripe/", body, content_type="application/json", **headers)
