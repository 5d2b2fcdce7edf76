"""What moderators decide for a whole thread: how much of it waits for review.

A sensitive story can be put under full pre-moderation while the rest of
the site follows its own policy, or closed (no new comments or replies;
what was written stays), and a thread a raid switched to full
pre-moderation is handed back to the site's policy here once it is calm.
"""

from datetime import UTC, datetime

from sqlalchemy import Connection

from rostra.admin.accounts import Moderator
from rostra.admin.actions import Outcome, clean_reason
from rostra.domain.policy import THREAD_CLOSED, THREAD_OPEN, THREAD_POLICIES
from rostra.errors import Forbidden, InvalidInput, NotFound
from rostra.moderation.settings import Premoderation
from rostra.service.threads import canonical_url, named_thread, names_a_page, thread_key
from rostra.store import audit
from rostra.store import moderation as moderation_store
from rostra.store import sites as site_store
from rostra.store import threads as thread_store
from rostra.store.database import Database
from rostra.store.threads import ThreadRow

SITE_DEFAULT = ""  # the form's value for "no override: the site's policy applies"
POLICY_LABELS = {
    SITE_DEFAULT: "the site's policy",
    Premoderation.NONE: "hold nothing",
    Premoderation.FIRST_TIME: "hold first-time commenters",
    Premoderation.ANONYMOUS: "hold anonymous comments",
    Premoderation.ALL: "hold every comment",
    THREAD_CLOSED: "closed: no new comments",
    THREAD_OPEN: "open however old, under the site's pre-moderation",
}


def parse_policy(value: str | None) -> str | None:
    """The override a form asks for: None for the site's own policy."""
    value = (value or "").strip()
    if value == SITE_DEFAULT:
        return None
    if value not in THREAD_POLICIES:
        choices = ", ".join(repr(choice) for choice in THREAD_POLICIES)
        raise InvalidInput(
            "invalid_policy", f"A thread's policy is one of {choices}, or empty for the site's."
        )
    return str(value)


def set_policy(
    db: Database, actor: Moderator, thread_id: int, policy: str | None, reason: str | None
) -> Outcome:
    """Give a thread its own pre-moderation policy, close it, or hand it back to the site's."""
    wanted = parse_policy(policy)
    reason = clean_reason(reason)
    with db.write() as conn:
        found = thread_store.thread_by_id(conn, thread_id, for_update=True)
        if found is None:
            raise NotFound("unknown_thread", f"Thread {thread_id} does not exist.")
        if not actor.may_moderate(found.site_id):
            raise Forbidden("not_your_site", "You do not moderate the site of this thread.")
        changed = _apply(conn, found.site_id, thread_id, found.policy, wanted, actor.id, reason)
    return Outcome(
        "thread_policy",
        [thread_id] if changed else [],
        [] if changed else [thread_id],
        _said(wanted, changed),
    )


def set_policy_of_page(
    db: Database, site_name: str, thread: str, policy: str | None, reason: str | None
) -> str:
    """The same from the command line, for a thread named by its key or page URL.

    A story can be closed or put under pre-moderation before its first
    comment: the thread is created when it does not exist yet.
    """
    wanted = parse_policy(policy)
    reason = clean_reason(reason)
    with db.write() as conn:
        site = site_store.require_site(conn, site_name)
        found = _named_thread(conn, site.id, thread)
        changed = _apply(conn, site.id, found.id, found.policy, wanted, None, reason)
    return _said(wanted, changed)


def _named_thread(conn: Connection, site_id: int, thread: str) -> ThreadRow:
    """The thread with this key, or shown on this page; created when there is none."""
    found = named_thread(conn, site_id, thread)
    if found is not None:
        return found
    url = canonical_url(thread) if names_a_page(thread) else None
    key = url or thread_key(thread, None)
    return thread_store.ensure_thread(conn, site_id, key, None, url, datetime.now(UTC))


def _apply(
    conn: Connection, site_id: int, thread_id: int, current: str | None, wanted: str | None,
    actor_id: int | None, reason: str | None,
) -> bool:  # fmt: skip
    if current == wanted:
        return False
    moderation_store.set_thread_policy(conn, thread_id, wanted)
    if {current, wanted} & {THREAD_CLOSED, THREAD_OPEN}:
        thread_store.record_change(conn, thread_id)  # readers' pages show the form or not
    audit.record(
        conn, site_id=site_id, actor_id=actor_id, action="thread_policy", target_type="thread",
        target_id=thread_id, now=datetime.now(UTC), reason=reason,
        details={"policy": wanted, "was": current},
    )  # fmt: skip
    return True


def _said(wanted: str | None, changed: bool) -> str:
    label = POLICY_LABELS[wanted or SITE_DEFAULT]
    if not changed:
        return f"This thread already follows {label}."
    if wanted == THREAD_CLOSED:
        return "Comments on this thread are closed."
    return f"This thread now follows {label}."
