"""What the checkers look at: a comment about to be stored, and where it goes."""

from dataclasses import dataclass
from datetime import datetime

from rostra.moderation.settings import ModerationSettings


@dataclass(frozen=True)
class Submission:
    site_id: int
    thread_id: int | None
    thread_policy: str | None
    settings: ModerationSettings
    body: str
    author_name: str
    email: str | None
    website: str | None
    author_key: str
    ip_hash: str
    fingerprint: str
    now: datetime
    signed_in: bool = False
    # The site's identity rules hold every comment from readers not signed in.
    premoderate_anonymous: bool = False
    form_token: str | None = None
    honeypot: str | None = None
    confirmed: bool = False
