"""Customer tokens a store's own server signs, so that its pages can show a member's points.

The format is a JSON Web Token signed with HMAC-SHA256 (``HS256``), so a store can mint one
with any JWT library or in a few lines of standard library code (docs/loyalty.md):

    base64url(header) "." base64url(payload) "." base64url(HMAC-SHA256(secret, the first two))

with the header ``{"alg": "HS256", "typ": "JWT"}`` and the payload
``{"email": "...", "iat": <unix seconds>, "exp": <unix seconds>}``. Only ``HS256`` is
accepted, whatever else the header says, so a token cannot choose a weaker check.

The store vouches for the email: a token grants reading that email's points, nothing else,
and never signs anyone in. It must expire, and at most a day ahead, so a token copied from a
page or a log is worth little.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time

from .exceptions import InvalidCustomerToken

# Clocks of the store's server and ours may disagree by this much (seconds).
CLOCK_SKEW = 60
# How far ahead a token may expire (seconds).
MAX_LIFETIME = 24 * 60 * 60
_HEADER = {"alg": "HS256", "typ": "JWT"}
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(part: str) -> bytes:
    # Strict: only the URL-safe alphabet, padding optional.
    if not _BASE64URL.fullmatch(part):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _sign(secret: str, signing_input: str) -> bytes:
    return hmac.new(secret.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()


def customer_token_mint(
    *, email: str, secret: str, lifetime: int = 600, now: float | None = None
) -> str:
    """A token for ``email`` that expires ``lifetime`` seconds from now: what a store's
    server does (tests and Python stores can use this one)."""
    issued = int(time.time() if now is None else now)
    payload = {"email": email, "iat": issued, "exp": issued + lifetime}
    signing_input = (
        _b64encode(json.dumps(_HEADER, separators=(",", ":")).encode())
        + "."
        + _b64encode(json.dumps(payload, separators=(",", ":")).encode())
    )
    return signing_input + "." + _b64encode(_sign(secret, signing_input))


def _number(payload: dict, name: str) -> float:
    if name not in payload:
        raise InvalidCustomerToken(f"the token has no {name}", field=name, status=400)
    value = payload[name]
    # bool is an int in Python; JSON's true is not a time.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidCustomerToken(f"{name} must be unix seconds", field=name, status=400)
    return value


def customer_token_verify(token: str, *, secret: str, now: float | None = None) -> str:
    """The email a valid token vouches for, lower case.

    Raises ``InvalidCustomerToken`` naming the field at fault: ``token`` when tokens are off
    (no secret), the token is malformed or its signature does not match (compared in
    constant time, before anything in the payload is believed); ``email``, ``iat`` or
    ``exp`` when a claim is missing, of the wrong type, expired, issued in the future or
    expiring more than a day ahead. Pure: no queries.
    """
    if not secret:
        raise InvalidCustomerToken("customer tokens are not enabled", field="token")
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidCustomerToken(
            "the token must be three base64url parts joined by dots", status=400
        )
    header_part, payload_part, signature_part = parts
    try:
        header = json.loads(_b64decode(header_part))
        signature = _b64decode(signature_part)
        payload = json.loads(_b64decode(payload_part))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCustomerToken("the token is not base64url JSON", status=400) from None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise InvalidCustomerToken("the token must be signed with HS256", status=400)
    expected = _sign(secret, f"{header_part}.{payload_part}")
    if not hmac.compare_digest(expected, signature):
        raise InvalidCustomerToken("the token's signature does not match")
    if not isinstance(payload, dict):
        raise InvalidCustomerToken("the token's payload must be a JSON object", status=400)

    email = payload.get("email")
    if "email" not in payload:
        raise InvalidCustomerToken("the token has no email", field="email", status=400)
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise InvalidCustomerToken("email must be an email address", field="email", status=400)
    issued_at = _number(payload, "iat")
    expires_at = _number(payload, "exp")
    now = time.time() if now is None else now
    if expires_at <= now - CLOCK_SKEW:
        raise InvalidCustomerToken("the token has expired", field="exp")
    if issued_at > now + CLOCK_SKEW:
        raise InvalidCustomerToken("the token is issued in the future", field="iat")
    if expires_at > now + MAX_LIFETIME + CLOCK_SKEW or expires_at - issued_at > MAX_LIFETIME:
        raise InvalidCustomerToken("the token must expire within a day", field="exp")
    return email.strip().lower()
