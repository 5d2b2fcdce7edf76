"""Pseudonymous identifiers: Rostra keeps salted hashes, never raw IP addresses."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Hasher:
    salt: bytes

    def _digest(self, purpose: str, value: str) -> str:
        message = f"{purpose}\x00{value}".encode()
        # The one-shot form runs wholly in OpenSSL, about a third faster than hmac.new().
        return hmac.digest(self.salt, message, "sha256").hex()[:40]

    def ip_hash(self, ip: str) -> str:
        return self._digest("ip", ip)

    def voter_key(self, ip: str, user_agent: str) -> str:
        """Anonymous readers are told apart by address and browser together."""
        return "a:" + self._digest("voter", f"{ip}\x00{user_agent}")


def new_edit_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What is stored of a secret token (edit tokens, sessions, emailed links).

    The tokens are 256 random bits, so a fast hash cannot be brute-forced.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of a secret a client sent with the expected one.

    `hmac.compare_digest` raises on text with non-ASCII characters, and a
    client can send any text, so both sides are compared as bytes.
    """
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def edit_token_matches(token: str | None, stored_hash: str | None) -> bool:
    if not token or not stored_hash:
        return False
    return hmac.compare_digest(hash_token(token), stored_hash)
