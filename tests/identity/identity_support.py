"""Signing tokens as a host site would, and configuring a site's sign-on."""

import time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from rostra.service.sites import configure_identity

SECRET = "a-shared-secret-long-enough-for-hs256-and-hs384-0123456789abcdef"
ORIGIN = {"Origin": "https://news.example"}


def hs256_site(db, **identity) -> None:
    configure_identity(db, "news", {"sso": {"algorithm": "HS256", "secret": SECRET}, **identity})


def token(claims: dict | None = None, *, key=SECRET, algorithm="HS256", ttl=300, **extra) -> str:
    now = int(time.time())
    body = {"sub": "u-1001", "name": "Anna Berg", "exp": now + ttl, "iat": now, **extra}
    body.update(claims or {})
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key, algorithm=algorithm)


def rsa_keys() -> tuple[object, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return private, _public_pem(private)


def ed25519_keys() -> tuple[object, str]:
    private = ed25519.Ed25519PrivateKey.generate()
    return private, _public_pem(private)


def _public_pem(private) -> str:
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign_in(api, token_value: str, site: str = "news"):
    return api.post("/api/v1/auth/sso", json={"site": site, "token": token_value}, headers=ORIGIN)


def bearer(session: str) -> dict:
    return {**ORIGIN, "Authorization": f"Bearer {session}"}


def comment(api, body: str, headers: dict, name: str | None = None, **extra):
    payload = {"site": "news", "thread": {"key": "story-1"}, "body": body, **extra}
    if name is not None:
        payload["author"] = {"name": name}
    return api.post("/api/v1/comments", json=payload, headers=headers)
