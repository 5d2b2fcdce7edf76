"""What moderators decide for a whole thread: how much of it waits for review.

A sensitive story can be put under full pre-moderation while the rest of
the site follows its own policy, or closed (no new comments or replies;
what was written stays), and a thread a raid switched to full
pre-moderation is handed back to the site's policy here once it is calm.
"""

from datetime import UTC, datetime

from rostra.admin.accounts import Moderator
from rostra.admin.actions import Outcome, clean_reason
from rostra.domain.policy import THREAD_CLOSED
from rostra.errors import Forbidden, InvalidInput, NotFound
from rostra.moderation.settings import Premoderation
from rostra.store import audit
from rostra.store import moderation as moderation_store
from rostra.store import threads as thread_store
from rostra.store.database import Database

SITE_DEFAULT = ""  # the form's value for "no override: the site's policy applies"
POLICY_LABELS = {
    SITE_DEFAULT: "the site's policy",
    Premoderation.NONE: "hold nothing",
    Premoderation.FIRST_TIME: "hold first-time commenters",
    Premoderation.ANONYMOUS: "hold anonymous comments",
    Premoderation.ALL: "hold every comment",
    THREAD_CLOSED: "closed: no new comments",
}


def parse_policy(value: str | None) -> str | None:
    """The override a form asks for: None for the site's own policy."""
    value = (value or "").strip()
    if value == SITE_DEFAULT:
        return None
    if value not in POLICY_LABELS:
        choices = ", ".join(repr(str(choice)) for choice in POLICY_LABELS if choice)
        raise InvalidInput(
            "invalid_policy", f"A thread's policy is one of {choices}, or empty for the site's."
        )
    return str(value)


def set_policy(
    db: Database, actor: Moderator, thread_id: int, policy: str | None, reason: str | None
) -> Outcome:
    """Give a thread its own pre-moderation policy, or hand it back to the site's."""
    wanted = parse_policy(policy)
    reason = clean_reason(reason)
    with db.write() as conn:
        found = moderation_store.thread_site_and_policy(conn, thread_id, for_update=True)
        if found is None:
            raise NotFound("unknown_thread", f"Thread {thread_id} does not exist.")
        site_id, current = found
        if not actor.may_moderate(site_id):
            raise Forbidden("not_your_site", "You do not moderate the site of this thread.")
        label = POLICY_LABELS[wanted or SITE_DEFAULT]
        if current == wanted:
            return Outcome(
                "thread_policy", [], [thread_id], f"This thread already follows {label}."
            )
        moderation_store.set_thread_policy(conn, thread_id, wanted)
        if THREAD_CLOSED in (current, wanted):
            thread_store.record_change(conn, thread_id)  # readers' pages show the form or not
        audit.record(
            conn, site_id=site_id, actor_id=actor.id, action="thread_policy",
            target_type="thread", target_id=thread_id, now=datetime.now(UTC), reason=reason,
            details={"policy": wanted, "was": current},
        )  # fmt: skip
    if wanted == THREAD_CLOSED:
        return Outcome("thread_policy", [thread_id], [], "Comments on this thread are closed.")
    return Outcome("thread_policy", [thread_id], [], f"This thread now follows {label}.")
