"""Signed links in mails, and the signature on webhook deliveries.

Links are signed with a server secret (`link_key`, made by the migration
step) so that confirming or unsubscribing needs no login and no token stored
in the database; the signature covers the address, so a link stays bound to
the subscription it was made for.
"""

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import Connection

from rostra.domain.numbers import parse_count
from rostra.service.identity import same_secret
from rostra.store.secrets import read_secret

CONFIRM_LIFETIME = timedelta(days=14)


def link_key(conn: Connection) -> bytes:
    return bytes.fromhex(read_secret(conn, "link_key"))


def _mac(key: bytes, *parts: str) -> str:
    digest = hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def unsubscribe_token(key: bytes, subscription_id: int, email: str) -> str:
    """Never expires: an unsubscribe link must work as long as the mail is kept."""
    return f"{subscription_id}.{_mac(key, 'unsubscribe', str(subscription_id), email)}"


def confirm_token(key: bytes, subscription_id: int, email: str, issued: datetime) -> str:
    stamp = str(int(issued.timestamp()))
    return f"{subscription_id}.{stamp}.{_mac(key, 'confirm', str(subscription_id), email, stamp)}"


def token_subscription(token: str) -> int | None:
    """The subscription a token names, before checking it (None when malformed)."""
    return parse_count(token.split(".", 1)[0])


def unsubscribe_matches(key: bytes, token: str, email: str) -> bool:
    subscription_id = token_subscription(token)
    if subscription_id is None:
        return False
    return same_secret(token, unsubscribe_token(key, subscription_id, email))


def confirm_matches(key: bytes, token: str, email: str, now: datetime) -> bool:
    parts = token.split(".")
    stamp = parse_count(parts[1]) if len(parts) == 3 else None
    if stamp is None or token_subscription(token) is None or len(parts[1]) > 11:
        return False
    issued = datetime.fromtimestamp(stamp, now.tzinfo)
    if not issued - timedelta(minutes=5) <= now <= issued + CONFIRM_LIFETIME:
        return False
    return same_secret(token, confirm_token(key, int(parts[0]), email, issued))


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Rostra-Signature` header: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
