"""HMAC-SHA256 signatures over the raw body, as Shopify, WooCommerce and Portico send them."""

import base64
import hashlib
import hmac

from ..exceptions import InvalidSignature


def header(headers: dict[str, str], name: str) -> str:
    """A header by name, whatever case the web server delivered it in ("" when absent)."""
    wanted = name.lower()
    for key, value in (headers or {}).items():
        if str(key).lower() == wanted:
            return str(value or "").strip()
    return ""


def digest(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()


def verify_base64(secret: str, body: bytes, given: str) -> None:
    """Refuse unless ``given`` is the base64 HMAC-SHA256 of ``body``. An unset secret
    refuses everything: anyone could post otherwise."""
    if not secret or not given:
        raise InvalidSignature("missing signature or secret")
    expected = base64.b64encode(digest(secret, body))
    # Bytes, not text: compare_digest refuses non-ASCII text, and a header may carry any.
    if not hmac.compare_digest(expected, given.encode("utf-8", errors="replace")):
        raise InvalidSignature("signature does not match")


def verify_hex(secret: str, body: bytes, given: str, prefix: str = "sha256=") -> None:
    if not secret or not given.startswith(prefix):
        raise InvalidSignature("missing signature or secret")
    expected = (prefix + digest(secret, body).hex()).encode()
    if not hmac.compare_digest(expected, given.encode("utf-8", errors="replace")):
        raise InvalidSignature("signature does not match")
