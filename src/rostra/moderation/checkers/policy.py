"""Pre-moderation by site policy, with per-thread overrides."""

from sqlalchemy import Connection

from rostra.domain.policy import Premoderation, thread_premoderation
from rostra.moderation.decision import Reason, Verdict
from rostra.moderation.submission import Submission
from rostra.store import moderation as queries

NAME = "policy"


def check(conn: Connection, sub: Submission) -> list[Reason]:
    policy = thread_premoderation(sub.thread_policy, sub.settings.premoderation)
    if policy == Premoderation.ALL:
        where = "this thread" if sub.thread_policy == Premoderation.ALL else "this site"
        return [
            Reason(
                NAME,
                "premoderate_all",
                f"Every comment on {where} is reviewed first.",
                Verdict.HOLD,
            )
        ]
    anonymous_held = policy == Premoderation.ANONYMOUS or sub.premoderate_anonymous
    if anonymous_held and not sub.signed_in:
        return [
            Reason(
                NAME,
                "premoderate_anonymous",
                "Comments from readers not signed in are reviewed first.",
                Verdict.HOLD,
            )
        ]
    if policy == Premoderation.FIRST_TIME:
        approved = queries.approved_count(conn, sub.site_id, sub.author_key, sub.email)
        if approved < sub.settings.trusted_after:
            return [
                Reason(
                    NAME,
                    "first_time",
                    f"The author has {approved} approved comments; new authors are reviewed first.",
                    Verdict.HOLD,
                )
            ]
    return []
