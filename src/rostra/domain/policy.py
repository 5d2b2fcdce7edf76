"""Decisions about what an author may do with a comment, and what deleting does."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"
    REJECTED = "rejected"
    DELETED = "deleted"


# What moderators can mark a comment with besides its status: featured (shown
# as a pick), shadowed (its author's shadow ban: only they see it).
MARKS = ("featured", "shadowed")

# The on/off facts about a comment that Rostra's own export carries: the
# moderators' marks, and verified (a signed-in reader wrote it, so the widget
# shows the badge).
CARRIED_FLAGS = (*MARKS, "verified")


class Premoderation(StrEnum):
    """What waits for a moderator before readers see it (a site's policy, or a thread's)."""

    NONE = "none"  # publish unless a checker objects
    FIRST_TIME = "first_time"  # hold authors until they have N approved comments
    ANONYMOUS = "anonymous"  # hold every comment from readers who are not signed in
    ALL = "all"  # hold everything


# A thread's own policy may also close it: no new comments, the rest stays.
THREAD_CLOSED = "closed"
# Or keep it open past the age at which the site closes threads, under the
# site's pre-moderation (a running story).
THREAD_OPEN = "open"
# What one thread's own policy may be: a pre-moderation level, closed or open.
THREAD_POLICIES = (*(str(level) for level in Premoderation), THREAD_CLOSED, THREAD_OPEN)


def thread_premoderation(thread_policy: str | None, site_level: str) -> Premoderation:
    """What waits for review on a thread: its own level where it has one, else the site's."""
    if thread_policy is None or thread_policy in (THREAD_CLOSED, THREAD_OPEN):
        return Premoderation(site_level)
    return Premoderation(thread_policy)


def is_closed(
    thread_policy: str | None, opened_at: datetime | None, close_after_days: int, now: datetime
) -> bool:
    """Whether a thread takes no new comments or replies.

    Closed by its moderators, or older than the site keeps threads open
    (`close_after_days`, 0 for never), counted from when the thread opened:
    its first comment, or the day Rostra first knew of it.
    """
    if thread_policy == THREAD_CLOSED:
        return True
    if thread_policy == THREAD_OPEN or close_after_days <= 0 or opened_at is None:
        return False
    return now - opened_at >= timedelta(days=close_after_days)


# A parent may take replies while readers can see it: published, or a
# tombstone that still holds replies.
REPLYABLE = frozenset({Status.PUBLISHED, Status.DELETED})


@dataclass(frozen=True)
class SiteRules:
    edit_window_seconds: int = 900
    max_body_chars: int = 10_000

    @classmethod
    def from_settings(cls, settings: dict) -> "SiteRules":
        known = {k: int(v) for k, v in settings.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def within_edit_window(created_at: datetime, now: datetime, rules: SiteRules) -> bool:
    return now - created_at <= timedelta(seconds=rules.edit_window_seconds)


def can_take_replies(status: str, visible: bool) -> bool:
    return visible and status in REPLYABLE


def deletion_leaves_tombstone(visible_replies: int) -> bool:
    """A deleted comment with replies stays as a tombstone so the replies keep their place."""
    return visible_replies > 0
