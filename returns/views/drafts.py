"""A return being put together, between "Review" and "Submit".

The choices (lines, quantities, reasons, comments, then resolution and method) and the
cleaned photos are kept in the cache under a random token for ``DRAFT_SECONDS``; the
session remembers which token belongs to which order, so a token only works in the
browser that made it. The token is also the form's idempotency key: the first submit
claims it (``cache.add``, atomic on every backend we use), and any later submit with
the same token is sent to the return the first one made.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, field

from django.core.cache import cache
from django.http import HttpRequest

from ..services import NewLine

DRAFT_SECONDS = 2 * 3600
SUBMITTED_SECONDS = 24 * 3600
CLAIM_SECONDS = 120
SESSION_DRAFTS = "returns_drafts"


@dataclass
class Draft:
    token: str
    order_id: int
    lines: list[dict] = field(default_factory=list)  # line_id, quantity, reason, comment
    resolution: str = ""
    method: str = ""
    exchange_for: str = ""
    comment: str = ""


def _key(token: str) -> str:
    return f"returns:draft:{token}"


def _photos_key(token: str) -> str:
    return f"returns:draft:{token}:photos"


def draft_load(request: HttpRequest, order_id: int) -> Draft | None:
    """This browser's draft for the order, if it has one that has not expired."""
    token = (request.session.get(SESSION_DRAFTS) or {}).get(str(order_id))
    if not isinstance(token, str):
        return None
    data = cache.get(_key(token))
    if not isinstance(data, dict) or data.get("order_id") != order_id:
        return None
    return Draft(**data)


def draft_photos(draft: Draft) -> dict[int, list]:
    photos = cache.get(_photos_key(draft.token))
    return photos if isinstance(photos, dict) else {}


def draft_save(request: HttpRequest, draft: Draft, photos: dict[int, list] | None = None) -> bool:
    """Store the draft (and, when given, its photos), and tie it to this browser. False
    when the cache did not keep it (Redis unreachable: ``portal.cache`` drops the write),
    so the page can say so instead of sending the customer round in a circle."""
    cache.set(_key(draft.token), asdict(draft), DRAFT_SECONDS)
    if photos is not None:
        cache.set(_photos_key(draft.token), photos, DRAFT_SECONDS)
    if cache.get(_key(draft.token)) is None:
        return False
    drafts = dict(request.session.get(SESSION_DRAFTS) or {})
    drafts[str(draft.order_id)] = draft.token
    request.session[SESSION_DRAFTS] = dict(list(drafts.items())[-10:])
    return True


def draft_new(order_id: int) -> Draft:
    return Draft(token=secrets.token_urlsafe(24), order_id=order_id)


def draft_drop(request: HttpRequest, draft: Draft) -> None:
    cache.delete_many([_key(draft.token), _photos_key(draft.token)])
    drafts = dict(request.session.get(SESSION_DRAFTS) or {})
    if drafts.get(str(draft.order_id)) == draft.token:
        drafts.pop(str(draft.order_id))
        request.session[SESSION_DRAFTS] = drafts


def new_lines(draft: Draft, photos: dict[int, list]) -> list[NewLine]:
    return [
        NewLine(
            line_id=line["line_id"],
            quantity=line["quantity"],
            reason=line["reason"],
            comment=line.get("comment", ""),
            photos=tuple(photos.get(line["line_id"], ())),
        )
        for line in draft.lines
    ]


# --- Submitting once ------------------------------------------------------------------------


def submitted(token: str) -> str | None:
    """The number of the return a submit with this token made, if any."""
    return cache.get(f"returns:submitted:{token}")


def submit_claim(token: str) -> bool:
    """True for the one request that may create the return for this token."""
    return cache.add(f"returns:submitting:{token}", 1, CLAIM_SECONDS)


def submit_done(token: str, number: str) -> None:
    cache.set(f"returns:submitted:{token}", number, SUBMITTED_SECONDS)


def submit_release(token: str) -> None:
    cache.delete(f"returns:submitting:{token}")


def submit_wait(token: str, seconds: float = 10.0) -> str | None:
    """Wait for the request that claimed the token to finish; its return's number."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        number = submitted(token)
        if number:
            return number
        if cache.get(f"returns:submitting:{token}") is None:
            return None  # it failed and let go
        time.sleep(0.1)
    return submitted(token)
