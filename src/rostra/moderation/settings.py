"""A site's moderation rules, stored with the site and edited on its settings page."""

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from rostra.domain.policy import Premoderation
from rostra.moderation.classifier import DEFAULT_HOLD_THRESHOLD, DEFAULT_REJECT_THRESHOLD


class ModerationSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    premoderation: Premoderation = Premoderation.NONE
    trusted_after: int = Field(
        1, ge=1, le=100, description="Approved comments before an author is trusted"
    )
    banned_words: tuple[str, ...] = ()
    suspect_words: tuple[str, ...] = ()
    max_links: int = Field(3, ge=0, le=100)
    blocked_domains: tuple[str, ...] = ()
    min_seconds_to_post: int = Field(3, ge=0, le=600)
    posts_per_minute: int = Field(5, ge=1, le=1000)
    duplicate_window_minutes: int = Field(10, ge=1, le=1440)
    raid_authors: int = Field(
        4, ge=2, le=1000, description="Authors posting the same text that make a raid"
    )
    # The shipped thresholds were chosen on a validation split (docs/MODEL.md).
    hold_threshold: float = Field(DEFAULT_HOLD_THRESHOLD, ge=0.0, le=1.0)
    reject_threshold: float = Field(DEFAULT_REJECT_THRESHOLD, ge=0.0, le=1.0)
    think_again: bool = False
    think_again_threshold: float = Field(DEFAULT_HOLD_THRESHOLD, ge=0.0, le=1.0)
    report_threshold: float = Field(3.0, ge=1.0, le=1000.0)
    toxicity_model: bool = True
    close_after_days: int = Field(
        0, ge=0, le=3650, description="Days after its first comment that a thread closes (0: never)"
    )

    @field_validator("banned_words", "suspect_words", "blocked_domains", mode="before")
    @classmethod
    def _clean_list(cls, value):
        if isinstance(value, str):
            value = value.splitlines()
        return tuple(sorted({item.strip().lower() for item in value if item and item.strip()}))

    @field_validator("blocked_domains")
    @classmethod
    def _bare_domains(cls, domains: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if (info.context or {}).get("stored"):
            # Lists saved before entries were checked may hold junk; a post must not fail on it.
            domains = tuple(domain for domain in domains if _is_domain(domain))
        return tuple(sorted({bare_domain(domain) for domain in domains}))

    @classmethod
    def of_site(cls, settings: dict) -> "ModerationSettings":
        return cls.model_validate(settings.get("moderation", {}), context={"stored": True})


def bare_domain(text: str) -> str:
    """The host a blocked-domain entry means, in the form links are compared in.

    Moderators paste whole links ("https://evil.example/offer") or wildcards
    ("*.evil.example"); either would otherwise never match a link's host.
    """
    host = text.strip().lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
    host = host.split(":", 1)[0].removeprefix("*.").strip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{text.strip()!r} is not a domain like spam.example") from None
    if not host or " " in host:
        raise ValueError(f"{text.strip()!r} is not a domain like spam.example")
    return host


def _is_domain(text: str) -> bool:
    try:
        bare_domain(text)
    except ValueError:
        return False
    return True
