"""Checking the sign-in tokens a host site gives its pages (JWT).

Only the one algorithm the site configured is accepted, so a token signed with
`none`, or with HS256 using a public key as the secret, is refused before its
signature is even looked at.
"""

from dataclasses import dataclass

import jwt

from rostra.domain import text
from rostra.errors import InvalidInput, Unauthorized
from rostra.identity.settings import SsoSettings

KNOWN_ROLES = frozenset({"moderator", "admin"})


@dataclass(frozen=True)
class SsoClaims:
    subject: str
    name: str
    avatar_url: str | None
    email: str | None
    roles: tuple[str, ...]


def _key(sso: SsoSettings) -> str:
    return sso.secret if sso.algorithm == "HS256" else sso.public_key


def _refusal(exc: jwt.PyJWTError, sso: SsoSettings) -> Unauthorized:
    if isinstance(exc, jwt.ExpiredSignatureError):
        return Unauthorized("sso_token_expired", "The sign-in token has expired; sign in again.")
    if isinstance(exc, jwt.ImmatureSignatureError):
        return Unauthorized(
            "sso_token_not_yet_valid", "The sign-in token is not valid yet (check the clocks)."
        )
    if isinstance(exc, jwt.InvalidAlgorithmError):
        return Unauthorized(
            "sso_algorithm_refused",
            f"The sign-in token is not signed with {sso.algorithm}, the only algorithm "
            "this site accepts.",
        )
    if isinstance(exc, jwt.InvalidSignatureError):
        return Unauthorized(
            "sso_bad_signature", "The sign-in token's signature does not match this site's key."
        )
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return Unauthorized("sso_missing_claim", f"The sign-in token has no {exc.claim!r} claim.")
    if isinstance(exc, jwt.InvalidIssuerError):
        return Unauthorized("sso_wrong_issuer", "The sign-in token was issued by someone else.")
    if isinstance(exc, jwt.InvalidAudienceError):
        return Unauthorized("sso_wrong_audience", "The sign-in token is meant for someone else.")
    return Unauthorized("sso_malformed_token", f"The sign-in token cannot be read: {exc}")


def _algorithm_of(token: str) -> str | None:
    try:
        return jwt.get_unverified_header(token).get("alg")
    except jwt.PyJWTError:
        return None


def verify_token(token: str, sso: SsoSettings) -> SsoClaims:
    """The claims of a token the site signed, or Unauthorized saying what is wrong."""
    if _algorithm_of(token) not in (sso.algorithm, None):
        # Checked first so that `alg: none` gets a clear answer, not a
        # signature error.
        raise _refusal(jwt.InvalidAlgorithmError(), sso)
    options = {"require": ["exp", "sub"]}
    try:
        claims = jwt.decode(
            token, _key(sso), algorithms=[sso.algorithm], options=options,
            issuer=sso.issuer, audience=sso.audience, leeway=sso.leeway_seconds,
        )  # fmt: skip
    except jwt.PyJWTError as exc:
        raise _refusal(exc, sso) from None
    return _claims(claims)


_TEXT_CLAIMS = ("sub", "name", "preferred_username", "picture", "avatar", "email")


def _claims(claims: dict) -> SsoClaims:
    for claim in _TEXT_CLAIMS:
        value = claims.get(claim)
        if isinstance(value, str) and not text.is_storable(value):
            raise InvalidInput(
                "sso_invalid_claim",
                f"The sign-in token's {claim!r} claim holds a NUL or an unpaired surrogate.",
            )
    subject = str(claims["sub"]).strip()
    if not subject or len(subject) > 254:
        raise Unauthorized("sso_missing_claim", "The sign-in token's 'sub' claim is empty.")
    raw_name = claims.get("name") or claims.get("preferred_username") or ""
    try:
        name = text.clean_name(str(raw_name))
        avatar = text.clean_website(_string(claims.get("picture") or claims.get("avatar")))
        email = text.clean_email(_string(claims.get("email")))
    except text.InvalidText as exc:
        raise InvalidInput(f"sso_{exc.code}", f"The sign-in token's claim: {exc.message}") from None
    roles = claims.get("roles") or []
    if isinstance(roles, str):
        roles = roles.split()
    return SsoClaims(
        subject, name, avatar, email, tuple(sorted({str(r) for r in roles} & KNOWN_ROLES))
    )


def _string(value) -> str | None:
    return value if isinstance(value, str) else None
