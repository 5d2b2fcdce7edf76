"""A site's identity rules, stored with the site under settings["identity"]."""

from enum import StrEnum
from typing import Literal

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Anonymous(StrEnum):
    ALLOWED = "allowed"  # name, optional email and website, as always
    PREMODERATED = "premoderated"  # allowed, but held for review
    FORBIDDEN = "forbidden"  # readers must sign in to comment


MIN_SECRET_CHARS = 32


class SsoSettings(BaseModel):
    """How the host site signs the tokens its pages pass to the widget."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    algorithm: Literal["HS256", "RS256", "EdDSA"]
    secret: str | None = Field(None, description="Shared secret, for HS256")
    public_key: str | None = Field(None, description="PEM public key, for RS256 and EdDSA")
    issuer: str | None = Field(None, description="Required `iss` claim, when set")
    audience: str | None = Field(None, description="Required `aud` claim, when set")
    leeway_seconds: int = Field(30, ge=0, le=600, description="Clock skew forgiven")
    # The server-wide admin role is not for any one site's sign-on to hand out
    # unless the operator says so (one server, one site).
    trust_admin_role: bool = False

    @model_validator(mode="after")
    def _key_fits_algorithm(self) -> "SsoSettings":
        if self.algorithm == "HS256":
            if not self.secret or len(self.secret) < MIN_SECRET_CHARS:
                raise ValueError(f"HS256 needs a secret of at least {MIN_SECRET_CHARS} characters")
            return self
        if not self.public_key:
            raise ValueError(f"{self.algorithm} needs a PEM public key")
        try:
            load_pem_public_key(self.public_key.encode())
        except ValueError as exc:
            raise ValueError(f"the public key is not a PEM public key: {exc}") from None
        return self


class IdentitySettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    anonymous: Anonymous = Anonymous.ALLOWED
    sso: SsoSettings | None = None
    email_signin: bool = Field(False, description="Readers may sign in by an emailed link")
    session_days: int = Field(30, ge=1, le=365)

    @classmethod
    def of_site(cls, settings: dict) -> "IdentitySettings":
        return cls.model_validate(settings.get("identity", {}))
