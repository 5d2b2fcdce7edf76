"""The moderation pipeline: every checker runs, the strictest verdict wins.

It runs at write time, before a comment is visible, on reads only, in two
steps: `review_history` in the caller's read transaction, then `judge`
outside it; the caller stores the decision and its reasons with the comment.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Connection

from rostra.moderation.checkers import bots, links, policy, repeats, sanctions, toxicity, words
from rostra.moderation.classifier import ToxicityClassifier
from rostra.moderation.decision import Decision, Reason, strictest
from rostra.moderation.submission import Submission


@lru_cache(maxsize=1)
def shipped_classifier() -> ToxicityClassifier:
    """The model is immutable, so one copy serves every app in the process."""
    return ToxicityClassifier.load()


@dataclass(frozen=True)
class History:
    """What the database says about a submission's author, address and thread."""

    reasons: tuple[Reason, ...]
    shadowed: bool


@dataclass
class Pipeline:
    secret: bytes
    classifier: ToxicityClassifier | None = field(default=None, repr=False)

    @classmethod
    def load(cls, secret: bytes, *, with_model: bool = True) -> "Pipeline":
        return cls(secret, shipped_classifier() if with_model else None)

    def review_history(self, conn: Connection, sub: Submission) -> History:
        """The checkers that read the database: sanctions, flood, policy, repeats.

        Raises Refusal (429, 403) before the costlier content checks run.
        """
        sanction_reasons, shadowed, rate_limited = sanctions.check(conn, sub)
        per_minute = (
            sanctions.RATE_LIMITED_PER_MINUTE if rate_limited else sub.settings.posts_per_minute
        )
        repeats.check_flood(conn, sub, per_minute)
        reasons = (*sanction_reasons, *policy.check(conn, sub), *repeats.check(conn, sub))
        return History(reasons, shadowed)

    def judge(self, sub: Submission, history: History) -> Decision:
        """The checkers of the text itself, the toxicity model included: no
        database, so they run outside any transaction (the model takes
        milliseconds, and an open read transaction would hold SQLite's WAL).

        Raises Refusal for the think-again nudge.
        """
        earlier = [*history.reasons, *bots.check(sub, self.secret)]
        return judge_text(sub, self.classifier, earlier, shadowed=history.shadowed)


def judge_text(
    sub: Submission,
    classifier: ToxicityClassifier | None,
    earlier: list[Reason] | None = None,
    *,
    shadowed: bool = False,
) -> Decision:
    """The word lists, link rules and toxicity model on `sub`'s text, after the
    `earlier` reasons; the decision the strictest of them all gives.

    Also what a sweep asks of a comment already published (service/sweep.py).
    """
    reasons = [*(earlier or ()), *words.check(sub), *links.check(sub)]
    score, spans = None, ()
    if classifier is not None and sub.settings.toxicity_model:
        toxic_reasons, result = toxicity.check(sub, classifier)
        reasons += toxic_reasons
        score, spans = result.score, tuple(result.spans[:8])
    return Decision(strictest(reasons), tuple(reasons), score, spans, shadowed)
