"""A signed timestamp handed out with the comment form.

Bots post the moment they load a page; people take a few seconds at least.
The server signs the time the form was shown, so a bot cannot forge an old
one, and checks the gap when the comment arrives. Nothing is shown to readers.
"""

import hashlib
import hmac
from datetime import datetime

from rostra.domain.numbers import parse_count
from rostra.service.identity import same_secret

MAX_AGE_SECONDS = 24 * 3600


def issue(secret: bytes, site_id: int, now: datetime) -> str:
    stamp = str(int(now.timestamp()))
    return f"{stamp}.{_sign(secret, site_id, stamp)}"


def seconds_since_issued(secret: bytes, site_id: int, token: str, now: datetime) -> float | None:
    """Age of a genuine token, or None for a forged, foreign or stale one."""
    stamp, _, signature = token.partition(".")
    issued = parse_count(stamp)
    expected = _sign(secret, site_id, stamp)
    if issued is None or not same_secret(signature, expected):
        return None
    age = now.timestamp() - issued
    return age if -5 <= age <= MAX_AGE_SECONDS else None


def _sign(secret: bytes, site_id: int, stamp: str) -> str:
    message = f"form\x00{site_id}\x00{stamp}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]
