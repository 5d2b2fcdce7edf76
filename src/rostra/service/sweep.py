"""Checking comments that readers already see but no checker ever read.

Imported comments (from Disqus, WordPress, ...) and comments posted while a
site had the pipeline off were published unchecked. A sweep runs the checkers
of the text itself (word lists, links, the toxicity model) over them, stores
each score and decision as if the comment had been posted now, and holds for
a moderator those the pipeline would hold or reject. Nothing is rejected: a
comment readers have seen is taken down only by a person. Comments imported
as awaiting review get their score and reasons too, so the Held queue can put
the riskiest first and say why; their status stays.

Comments are read in batches by id, scored outside any transaction, and
stored in a short write transaction per batch that first re-reads each one:
a comment edited, removed or decided meanwhile is left as it is.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from sqlalchemy import Connection, String, cast, func, select

from rostra.domain.policy import Status
from rostra.errors import NotFound
from rostra.moderation.classifier import ToxicityClassifier
from rostra.moderation.decision import Decision, Reason, Verdict
from rostra.moderation.parallel import in_order
from rostra.moderation.pipeline import judge_text, shipped_classifier
from rostra.moderation.settings import ModerationSettings
from rostra.moderation.submission import Submission
from rostra.service.threads import named_thread
from rostra.service.visibility import change_status
from rostra.store import audit as audit_store
from rostra.store import comments as comment_store
from rostra.store import sites as site_store
from rostra.store.database import Database
from rostra.store.schema import comments, sites, threads

BATCH = 500
RISKIEST_SHOWN = 10

SWEPT = Reason(
    "sweep",
    "published_unchecked",
    "Readers saw this comment before any checker read it (imported, or posted with "
    "moderation off); a sweep held it for review.",
    Verdict.HOLD,
)


@dataclass(frozen=True)
class Flagged:
    comment_id: int
    thread_key: str
    score: float | None
    verdict: str
    excerpt: str
    reasons: tuple[str, ...]


@dataclass
class SweepReport:
    site: str
    dry_run: bool
    checked: int = 0
    awaiting: int = 0  # of those checked, already awaiting review
    would_hold: int = 0
    would_reject: int = 0
    held: int = 0
    changed_meanwhile: int = 0
    seconds: float = 0.0
    riskiest: list[Flagged] = field(default_factory=list)

    def lines(self) -> list[str]:
        done = "would be held" if self.dry_run else "held for review"
        lines = [
            f"Checked {self.checked} comments of site {self.site!r} in {self.seconds:.1f} s: "
            f"{self.checked - self.awaiting} published, {self.awaiting} awaiting review.",
            f"  of the published, the pipeline would hold {self.would_hold} "
            f"and reject {self.would_reject}",
            f"  {self.held if not self.dry_run else self.would_hold + self.would_reject} {done}"
            + (" (dry run: nothing was written)" if self.dry_run else ""),
        ]
        if self.changed_meanwhile:
            lines.append(f"  {self.changed_meanwhile} changed while the sweep ran and were left")
        if self.riskiest:
            lines.append("Riskiest:")
            lines += [_flagged_line(item) for item in self.riskiest]
        return lines


def _flagged_line(item: Flagged) -> str:
    score = "  -  " if item.score is None else f"{item.score:.3f}"
    return (
        f"  #{item.comment_id} {score} {item.verdict:6} {item.thread_key}: {item.excerpt!r}"
        f" ({'; '.join(item.reasons)})"
    )


@dataclass(frozen=True)
class _Unchecked:
    id: int
    thread_key: str
    status: str
    body: str
    author_name: str
    website: str | None


def sweep(
    db: Database,
    site_name: str,
    classifier: ToxicityClassifier | None,
    *,
    thread: str | None = None,
    recheck: bool = False,
    dry_run: bool = False,
    workers: int = 1,
) -> SweepReport:
    """Check the site's shown and awaiting comments no checker has read (all with `recheck`)."""
    started = time.monotonic()
    report = SweepReport(site_name, dry_run)
    with db.read() as conn:
        site_id, thread_id, settings = _scope(conn, site_name, thread)
    if not settings.toxicity_model:
        classifier = None
    batches = _batches(db, site_id, thread_id, recheck)
    judge = partial(_decide_batch, site_id=site_id, settings=settings)
    for batch, decisions in _judged(batches, judge, classifier, workers):
        decided = list(zip(batch, decisions, strict=True))
        report.checked += len(decided)
        _count(report, decided)
        if not dry_run:
            with db.write() as conn:
                _store(conn, decided, report)
    if not dry_run:
        with db.write() as conn:
            _audit(conn, site_id, thread, report)
    report.seconds = time.monotonic() - started
    return report


def _scope(conn: Connection, site_name: str, thread: str | None):
    site = site_store.require_site(conn, site_name)
    thread_id = None
    if thread is not None:
        found = named_thread(conn, site.id, thread)
        if found is None:
            raise NotFound("unknown_thread", f"Site {site_name!r} has no thread {thread!r}.")
        thread_id = found.id
    return site.id, thread_id, ModerationSettings.of_site(site.settings)


def _batches(
    db: Database, site_id: int, thread_id: int | None, recheck: bool
) -> Iterator[list[_Unchecked]]:
    after = 0
    while True:
        query = (
            select(comments.c.id, threads.c.key, comments.c.status, comments.c.body_source,
                   comments.c.author_name, comments.c.author_website)
            .join(threads, threads.c.id == comments.c.thread_id)
            .where(comments.c.site_id == site_id, _unchecked(recheck), comments.c.id > after)
            .order_by(comments.c.id)
            .limit(BATCH)
        )  # fmt: skip
        if thread_id is not None:
            query = query.where(comments.c.thread_id == thread_id)
        with db.read() as conn:
            batch = [_Unchecked(*row) for row in conn.execute(query)]
        if not batch:
            return
        yield batch
        after = batch[-1].id


def _unchecked(recheck: bool):
    """Published comments no checker read (with `recheck`, every published one), and
    comments awaiting review that nothing explains: a held one's reasons stay."""
    # Posted with the pipeline off, a comment holds a JSON null; imported, no value.
    unread = comments.c.moderation.is_(None) | (cast(comments.c.moderation, String) == "null")
    published = comments.c.status == Status.PUBLISHED.value
    awaiting = (comments.c.status == Status.PENDING.value) & unread
    return (published if recheck else published & unread) | awaiting


def unchecked_counts(conn: Connection) -> dict[str, int]:
    """Per site, the published comments no checker has read (what a sweep would read)."""
    query = (
        select(sites.c.name, func.count())
        .join(comments, comments.c.site_id == sites.c.id)
        .where(_unchecked(recheck=False), comments.c.status == Status.PUBLISHED.value)
        .group_by(sites.c.name)
        .order_by(sites.c.name)
    )
    return {name: count for name, count in conn.execute(query)}


def _judged(
    batches: Iterator[list[_Unchecked]],
    judge: Callable[..., list[Decision]],
    classifier: ToxicityClassifier | None,
    workers: int,
) -> Iterator[tuple[list[_Unchecked], list[Decision]]]:
    """Each batch with its decisions, in order; with workers, scored in other processes."""
    if workers <= 1:
        work = partial(judge, classifier=classifier)
    else:
        work = partial(_judge_in_worker, judge, use_model=classifier is not None)
    return in_order(work, batches, workers)


def _judge_in_worker(
    judge: Callable[..., list[Decision]], batch: list[_Unchecked], *, use_model: bool
) -> list[Decision]:
    # A worker process scores with its own copy of the shipped model.
    return judge(batch, classifier=shipped_classifier() if use_model else None)


def _decide_batch(
    batch: list[_Unchecked],
    *,
    site_id: int,
    settings: ModerationSettings,
    classifier: ToxicityClassifier | None,
) -> list[Decision]:
    return [_decide(item, site_id, settings, classifier) for item in batch]


def _decide(
    item: _Unchecked,
    site_id: int,
    settings: ModerationSettings,
    classifier: ToxicityClassifier | None,
) -> Decision:
    sub = Submission(
        site_id=site_id, thread_id=None, thread_policy=None, settings=settings,
        body=item.body, author_name=item.author_name or "", email=None,
        website=item.website, author_key="", ip_hash="", fingerprint="",
        now=datetime.now(UTC), confirmed=True,
    )  # fmt: skip
    return judge_text(sub, classifier)


def _count(report: SweepReport, decided: list[tuple[_Unchecked, Decision]]) -> None:
    for item, decision in decided:
        if item.status != Status.PUBLISHED.value:
            report.awaiting += 1
            continue
        if decision.verdict == Verdict.PUBLISH:
            continue
        if decision.verdict == Verdict.REJECT:
            report.would_reject += 1
        else:
            report.would_hold += 1
        report.riskiest.append(_flagged(item, decision))
    report.riskiest.sort(key=lambda flagged: -(flagged.score or 0.0))
    del report.riskiest[RISKIEST_SHOWN:]


def _flagged(item: _Unchecked, decision: Decision) -> Flagged:
    excerpt = " ".join(item.body.split())
    if len(excerpt) > 70:
        excerpt = excerpt[:69] + "…"
    return Flagged(
        item.id, item.thread_key, decision.toxicity, decision.verdict.label, excerpt,
        tuple(reason.message for reason in decision.reasons),
    )  # fmt: skip


def _store(conn: Connection, decided: list[tuple[_Unchecked, Decision]], report: SweepReport):
    # A held comment's time to decision counts from here, not from a posting years ago.
    queued = {"queued_at": datetime.now(UTC).isoformat()}
    for item, decision in decided:
        record = comment_store.comment_by_id(conn, item.id, for_update=True)
        if record is None or record.status != item.status or record.body_source != item.body:
            report.changed_meanwhile += 1
            continue
        if decision.verdict == Verdict.PUBLISH or item.status != Status.PUBLISHED.value:
            comment_store.update_comment(
                conn, item.id, toxicity=decision.toxicity, moderation=decision.as_json(item.body)
            )
            continue
        held = Decision(
            decision.verdict, (*decision.reasons, SWEPT), decision.toxicity, decision.spans
        )
        change_status(
            conn, record, Status.PENDING.value,
            toxicity=decision.toxicity, moderation=held.as_json(item.body) | queued,
            mail_moderators=False,
        )  # fmt: skip
        report.held += 1


def _audit(conn: Connection, site_id: int, thread: str | None, report: SweepReport) -> None:
    audit_store.record(
        conn, site_id=site_id, actor_id=None, action="comments_swept",
        target_type="thread" if thread else "site", target_id=thread, now=datetime.now(UTC),
        details={"checked": report.checked, "held": report.held},
    )  # fmt: skip
