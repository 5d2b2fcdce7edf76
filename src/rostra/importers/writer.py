"""The one writer every importer feeds: batched, idempotent, all-or-nothing.

Records arrive as `Ready` values (read and checked by a `Preparer`, in a
second process when there is a core for it); the writer converts the bodies
of the records it will store. Per batch it skips duplicates and records
unchanged since the last import, then stages new comments in a temporary
table under reserved ids, with their parent's source reference only
(`store.staging`). When the file is read,
parents are linked (so a reply may come before its parent), each touched
thread's tree columns and counters are derived, and one statement moves the
staged comments into `comments`. Memory is bounded by a batch and by the
largest thread, never by the file.
"""

import hashlib
import re
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection

from rostra.domain import text
from rostra.domain.markdown import plain_html, render_markdown
from rostra.domain.policy import THREAD_POLICIES
from rostra.domain.ranking import wilson_lower_bound
from rostra.domain.urls import InvalidURL, normalize_page_url
from rostra.importers.fastbody import fast_pair
from rostra.importers.html_markdown import html_to_markdown
from rostra.importers.progress import Progress
from rostra.importers.records import (
    BodyFormat,
    ImportFailure,
    Problem,
    RecordError,
    SanctionRecord,
    SourceRecord,
    ThreadInfo,
    mend,
)
from rostra.importers.report import ImportReport
from rostra.service.identity import Hasher
from rostra.service.threads import KEY_MAX_CHARS
from rostra.store import imports as store
from rostra.store.dialect import refresh_statistics
from rostra.store.schema import comments
from rostra.store.staging import REST_DEFAULTS, STAGED, WRITTEN, ImportStage

ANONYMOUS = "Anonymous"


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    continue_on_error: bool = False
    url_map: tuple[tuple[str, str], ...] = ()
    batch_size: int = 2000
    # Above 1: the file is read in a child process, and bodies the one-pass
    # converter declines are rendered in this many worker processes.
    workers: int = 1


def map_url(url: str, url_map: tuple[tuple[str, str], ...]) -> str:
    """Rewrite the longest matching OLD prefix to NEW (sites move between domains)."""
    for old, new in sorted(url_map, key=lambda pair: -len(pair[0])):
        if url.startswith(old):
            return new + url[len(old) :]
    return url


def thread_identity(
    info: ThreadInfo, url_map: tuple[tuple[str, str], ...]
) -> tuple[str, str | None, str | None, str | None]:
    """(key, canonical url, title, policy): the key is the source's identifier if it has
    one, else its URL."""
    url = map_url(info.url.strip(), url_map) if info.url and info.url.strip() else None
    canonical = None
    if url:
        try:
            canonical = normalize_page_url(url)
        except InvalidURL:
            canonical = None
    if info.identifier and text.clean_line(info.identifier):
        key = text.clean_line(info.identifier)
    elif canonical:
        key = canonical
    elif url and text.clean_line(url):
        key = text.clean_line(url)  # a relative address such as an Isso path, kept as given
    else:
        raise RecordError("the thread has neither an identifier nor a URL")
    if len(key) > KEY_MAX_CHARS:
        raise RecordError(f"the thread key is longer than {KEY_MAX_CHARS} characters")
    if canonical and len(canonical) > 2048:
        canonical = None
    if info.policy is not None and info.policy not in THREAD_POLICIES:
        raise RecordError(f"the thread has an unknown policy {info.policy!r}")
    return key, canonical, text.clean_title(info.title), info.policy


def body_pair(body: str, body_format: BodyFormat) -> tuple[str, str]:
    """The (Markdown source, safe HTML) pair Rostra would have stored."""
    body = text.body_chars(body)  # what posting drops, so the pair is what posting stores
    if body_format == BodyFormat.MARKDOWN:
        source = body.strip()
    else:
        autop = body_format == BodyFormat.AUTOP
        fast = fast_pair(body, autop=autop)
        if fast is not None:
            return fast
        source = html_to_markdown(body, autop=autop)
    return source, render_markdown(source)


def quick_body_pair(body: str, body_format: BodyFormat) -> tuple[str, str] | None:
    """The pair when it needs no parser (plain Markdown paragraphs, or HTML the
    one-pass converter knows), else None (render it elsewhere)."""
    if body_format == BodyFormat.MARKDOWN:
        source = text.clean_body(body)
        html = plain_html(source)
        return None if html is None else (source, html)
    return fast_pair(text.body_chars(body), autop=body_format == BodyFormat.AUTOP)


def body_pairs(items: list[tuple[str, BodyFormat]]) -> list[tuple[str, str]]:
    """Bodies of a batch, converted in a worker process: rendering is the costly step."""
    return [body_pair(body, body_format) for body, body_format in items]


_SIMPLE_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")


def _email(value: str | None) -> str | None:
    # The plain ASCII form needs no full validation; it normalises to a lower-case domain.
    if value and _SIMPLE_EMAIL.match(value) and ".." not in value and not value.startswith("."):
        local_part, _, domain = value.rpartition("@")
        if not local_part.endswith(".") and not any(
            p.startswith("-") or p.endswith("-") for p in domain.split(".")
        ):
            return f"{local_part}@{domain.lower()}"
    return _optional(text.clean_email, value)


def _name(value: str | None) -> str:
    cleaned = text.clean_line(value or "")
    return cleaned[: text.NAME_MAX_CHARS].strip() or ANONYMOUS


# The vote columns are 32-bit integers on PostgreSQL.
MAX_VOTES = 2**31 - 1


def _votes(count: int) -> int:
    """A source's vote count, within what a column holds: a corrupt count saturates."""
    return min(max(0, count), MAX_VOTES)


def _optional(cleaner, value: str | None) -> str | None:
    # A malformed address from the source is dropped, never stored unchecked.
    try:
        return cleaner(value)
    except text.InvalidText:
        return None


def _legacy_digest(values: dict) -> str:
    """The digest imports stored before digests were taken from the raw record."""
    parts = [
        str(values[name])
        for name in (
            "status", "author_name", "author_email", "author_website", "body_source",
            "created_at", "edited_at", "upvotes", "downvotes", "source_parent_ref", "thread_id",
        )
    ]  # fmt: skip
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def source_says(record: SourceRecord, parent_ref: str | None) -> tuple:
    """What the source says about a comment, as read: the text of its source digest.

    Taken before any conversion, so that an unchanged comment is recognised
    without converting or rendering its body.
    """
    says = (
        record.status.value, record.author_name, record.author_email, record.author_website,
        record.body_format.value, record.body, record.created_at, record.edited_at,
        record.upvotes, record.downvotes, parent_ref,
    )  # fmt: skip
    # Marks that are on only, so that what sources without them say keeps its digest.
    return (*says, *(name for name, on in record.marks if on))


def source_digest(says: tuple, thread_id: int, given: tuple[str | None, str | None]) -> str:
    """The digest of `source_says`, the database's thread id, and the (author key, IP hash)
    the file gave (a Rostra export carries them).

    The thread id is known only to the writer, so the digest is taken there.
    """
    author_key, ip_hash = given
    text = "\x1f".join(map(str, (*says, thread_id, ip_hash, author_key)))
    return hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=16, person=b"rostra-src-1"
    ).hexdigest()


class Ready(NamedTuple):
    """A record read and checked, its fields cleaned: what the writer needs of it.

    Plain values only, cheap to send from the reading process to the writing one.
    """

    ref: str
    thread: int  # a number for the source thread, the same for every record of it
    identity: tuple[str, str | None, str | None, str | None] | str  # (key, url, title, policy),
    # or what is wrong with the thread
    too_long: bool  # the comment's or its parent's reference
    position: str
    says: tuple  # `source_says`: what its source digest is taken of
    ip: str | None  # hashed by the writer, and only for comments it stores
    raw: tuple[str, BodyFormat]  # the body as read, converted by the writer if it is stored
    person: tuple  # status, author name, email, website, and the author key and IP hash given
    rest: tuple  # created_at, edited_at (stored form), upvotes, downvotes, rank, ref, parent ref
    times: tuple[datetime, datetime | None]  # created_at, edited_at
    marks: tuple[tuple[str, bool], ...]  # moderators' marks the source states
    kept: tuple[tuple[str, object], ...]  # other columns, for a comment the import creates
    history: tuple[tuple[str, datetime], ...]  # earlier bodies, for one it creates
    reports: tuple[tuple, ...]  # readers' reports, for one it creates


class Preparer:
    """Turns records into `Ready` values; runs wherever the file is read.

    Converting bodies, hashing addresses and taking source digests are left
    to the writer: it converts and hashes only what it will store, and the
    reading process, the busier of the two, is spared about a third of its
    work (and never holds the server's salt). `stored_time` gives times the
    form the database driver stores without help (SQLite: text), off the
    writer's path.
    """

    def __init__(
        self,
        url_map: tuple[tuple[str, str], ...],
        stored_time: Callable[[datetime | None], object] | None = None,
    ):
        self.url_map = url_map
        self.stored_time = stored_time
        self.threads: dict[ThreadInfo, tuple[int, tuple | str]] = {}

    def __call__(self, record: SourceRecord) -> Ready:
        record = mend(record)
        ref = record.ref
        parent_ref = record.parent_source_ref
        if parent_ref == ref:
            parent_ref = f"{parent_ref}#self"  # a comment cannot answer itself: an orphan
        too_long = len(ref) > 200 or (parent_ref is not None and len(parent_ref) > 200)
        token, identity = self._thread(record.thread)
        person = (
            record.status.value,
            _name(record.author_name),
            _email(record.author_email),
            _optional(text.clean_website, record.author_website),
            record.author_key,
            record.ip_hash,
        )
        upvotes, downvotes = _votes(record.upvotes), _votes(record.downvotes)
        times = (record.created_at, record.edited_at)
        stored = times if self.stored_time is None else tuple(map(self.stored_time, times))
        rest = (
            *stored,
            upvotes,
            downvotes,
            wilson_lower_bound(upvotes, downvotes),
            ref,
            parent_ref,
        )
        says = source_says(record, parent_ref)
        ip = (record.ip or "").strip() or None
        raw = (record.body, record.body_format)
        return Ready(
            ref, token, identity, too_long, record.position, says, ip, raw, person, rest, times,
            record.marks, record.kept, record.history, record.reports,
        )  # fmt: skip

    def _thread(self, info: ThreadInfo) -> tuple[int, tuple | str]:
        found = self.threads.get(info)
        if found is None:
            try:
                identity = thread_identity(info, self.url_map)
            except RecordError as exc:
                identity = str(exc)
            found = self.threads[info] = (len(self.threads), identity)
        return found


class AddressHashes:
    """An address's (author key, IP hash), as the server would have made them."""

    def __init__(self, hasher: Hasher) -> None:
        self.hasher = hasher
        self.known: dict[str, tuple[str, str]] = {}  # readers post many comments from one

    def __call__(self, ip: str) -> tuple[str, str]:
        found = self.known.get(ip)
        if found is None:
            if len(self.known) >= 50_000:
                self.known.clear()
            found = self.known[ip] = (self.hasher.voter_key(ip, ""), self.hasher.ip_hash(ip))
        return found

    def forget(self) -> None:
        self.known.clear()

    def person(self, item: Ready) -> tuple:
        """The item's author columns, with hashes of its address where the file gave none."""
        person = item.person
        if item.ip is None or (person[4] and person[5]):
            return person
        author_key, ip_hash = self(item.ip)
        return (*person[:4], person[4] or author_key, person[5] or ip_hash)


@dataclass(slots=True)
class _Work:
    """A record that will be written: new, or changed at the source."""

    item: Ready
    found: store.Existing | None
    digest: str
    thread_id: int


@dataclass
class _Prepared:
    work: list[_Work]
    bodies: list[tuple[str, str] | None]
    slow: list[int]  # indexes of bodies still to render
    futures: list[Future]
    refs: set[str]


@dataclass
class ImportWriter:
    conn: Connection
    site_id: int
    options: ImportOptions
    report: ImportReport
    progress: Progress
    hashes: AddressHashes
    pool: Executor | None = None
    batch: list[Ready] = field(default_factory=list)
    pending: _Prepared | None = None
    threads: dict[int, int] = field(default_factory=dict)  # source thread number -> id
    keys: dict[str, int] = field(default_factory=dict)
    created: set[int] = field(default_factory=set)  # threads this import created
    updated_threads: set[int] = field(default_factory=set)
    updated_ids: set[int] = field(default_factory=set)
    # Earlier versions of new comments, (id, Markdown, HTML, replaced at): written
    # once the comments are, and rare (a moderator's edits), so held until then.
    revisions: list[tuple[int, str, str, datetime]] = field(default_factory=list)
    sanctions: list[SanctionRecord] = field(default_factory=list)  # a site has few
    reports: list[tuple] = field(default_factory=list)  # (comment id, *report), as revisions

    def __post_init__(self) -> None:
        self.stage = ImportStage(self.conn)
        self.queries = store.ImportQueries(self.conn)
        # The columns after the tree ones, the same for every imported comment but its marks.
        self.row_tail = REST_DEFAULTS
        self.marked_tails: dict[tuple, tuple] = {}

    def add(self, item: Ready) -> None:
        self.report.comments_seen += 1
        self.batch.append(item)
        if len(self.batch) >= self.options.batch_size:
            self.flush()

    def sanction(self, record: SanctionRecord) -> None:
        self.report.sanctions_seen += 1
        self.sanctions.append(record)

    def problem(self, problem: Problem) -> None:
        if not self.options.continue_on_error:
            raise ImportFailure(problem.position, problem.message)
        self.report.add_problem(problem)

    def flush(self) -> None:
        """Sort the batch out, hand its slow bodies to the workers, and stage the previous one."""
        batch, self.batch = self.batch, []
        prepared = self._prepare(batch) if batch else None
        if prepared is not None and prepared.slow:
            if self.pool is not None:
                items = [prepared.work[i].item.raw for i in prepared.slow]
                step = max(16, len(items) // 4)
                prepared.futures = [
                    self.pool.submit(body_pairs, items[i : i + step])
                    for i in range(0, len(items), step)
                ]
            else:
                for i in prepared.slow:
                    prepared.bodies[i] = body_pair(*prepared.work[i].item.raw)
                prepared.slow = []
        if self.pending is not None:
            previous, self.pending = self.pending, None
            self._store(previous)
        if prepared is not None:
            if prepared.futures:
                self.pending = prepared
            else:
                self._store(prepared)

    def _prepare(self, batch: list[Ready]) -> _Prepared:
        """Skip duplicates and records unchanged since the last import, before any conversion."""
        refs = list({item.ref for item in batch})
        existing = self.queries.existing_by_ref(self.site_id, refs)
        # Refs of the batch still with the workers; `finish` finds those of earlier ones.
        waiting = self.pending.refs if self.pending is not None else set()
        skipped = self.report.skipped
        fresh: list[Ready] = []
        in_batch: set[str] = set()
        for item in batch:
            if item.ref in in_batch or item.ref in waiting:
                skipped["duplicate id in file"] += 1
                continue
            in_batch.add(item.ref)
            fresh.append(item)
        self._learn_threads(fresh)
        work: list[_Work] = []
        for item in fresh:
            ref = item.ref
            thread_id = self.threads.get(item.thread)
            if thread_id is None:
                self.problem(Problem(item.position, item.identity))
                continue
            if item.too_long:
                self.problem(Problem(item.position, "the comment id is longer than 200 characters"))
                continue
            digest = source_digest(item.says, thread_id, item.person[4:])
            found = existing.get(ref)
            if found is not None and found.native:
                # The same comment, unless another server's export reuses its id.
                if self.queries.same_time(found.created_at, item.times[0]):
                    skipped["already in this site"] += 1
                    continue
                found = None
            if found is not None:
                if found.digest == store.ERASED_DIGEST:
                    skipped["erased by its author"] += 1
                    continue
                if found.id in self.updated_ids:
                    skipped["duplicate id in file"] += 1
                    continue
                if found.digest == digest:
                    skipped["unchanged since last import"] += 1
                    continue
            work.append(_Work(item, found, digest, thread_id))
        bodies: list[tuple[str, str] | None] = []
        slow: list[int] = []
        for index, entry in enumerate(work):
            body = quick_body_pair(*entry.item.raw)
            if body is None:
                slow.append(index)
            bodies.append(body)
        self.progress.update(len(batch))
        return _Prepared(work, bodies, slow, [], in_batch)

    def _store(self, prepared: _Prepared) -> None:
        if prepared.futures:
            rendered = [pair for future in prepared.futures for pair in future.result()]
            for i, pair in zip(prepared.slow, rendered, strict=True):
                prepared.bodies[i] = pair
        new: list[tuple] = []
        updates: list[dict] = []
        refreshed: list[tuple[str, int]] = []
        site_id, row_tail, person = self.site_id, self.row_tail, self.hashes.person
        ids = iter(self.stage.reserve_ids(sum(1 for w in prepared.work if w.found is None)))
        for entry, body in zip(prepared.work, prepared.bodies, strict=True):
            item, found = entry.item, entry.found
            if found is None:
                tail = self._tail(item.marks, item.kept) if item.marks or item.kept else row_tail
                comment_id = next(ids)
                new.append(
                    (comment_id, site_id, entry.thread_id, *person(item), *body, *item.rest)
                    + (entry.digest, *tail)
                )
                for earlier, replaced_at in item.history:
                    pair = body_pair(earlier, BodyFormat.MARKDOWN)
                    self.revisions.append((comment_id, *pair, replaced_at))
                self.reports.extend((comment_id, *report) for report in item.reports)
                continue
            values = dict(
                zip(
                    WRITTEN,
                    (found.id, site_id, entry.thread_id, *person(item), *body, *item.times)
                    + item.rest[2:],
                    strict=False,
                )
            )
            values["source_digest"] = entry.digest
            values.update(item.marks)
            legacy = found.digest is not None and not any(on for _, on in item.marks)
            if legacy and found.digest == _legacy_digest(values):
                # Imported before digests were taken from the raw record, and unchanged.
                refreshed.append((entry.digest, found.id))
                self.report.skipped["unchanged since last import"] += 1
            else:
                updates.append(values | {"_thread": found.thread_id})
        self._drop_unchanged(updates, refreshed)
        self.stage.add(new)
        store.update_from_source(self.conn, updates)
        store.refresh_digests(self.conn, refreshed)
        self.report.imported += len(new)
        self.report.updated += len(updates)

    def _tail(
        self, marks: tuple[tuple[str, bool], ...], kept: tuple[tuple[str, object], ...]
    ) -> tuple:
        """The columns after `WRITTEN`: defaults but for the marks and kept values given.

        Marks come in a few combinations and their tails are reused; kept values
        (a verdict, a score) are the comment's own.
        """
        tail = self.marked_tails.get(marks)
        if tail is None:
            tail = self.marked_tails[marks] = self._with(self.row_tail, marks)
        return self._with(tail, kept) if kept else tail

    @staticmethod
    def _with(tail: tuple, values: tuple[tuple[str, object], ...]) -> tuple:
        columns = list(tail)
        for name, value in values:
            columns[STAGED.index(name) - len(WRITTEN)] = value
        return tuple(columns)

    def _drop_unchanged(self, updates: list[dict], refreshed: list[tuple[str, int]]) -> None:
        """Count as unchanged the updates that would write what is stored; keep their digests."""
        same = store.same_as_stored(self.conn, updates) if updates else set()
        kept = []
        for values in updates:
            thread_id = values.pop("_thread")
            self.updated_ids.add(values["id"])
            if values["id"] in same:
                refreshed.append((values["source_digest"], values["id"]))
                self.report.skipped["unchanged since last import"] += 1
                continue
            kept.append(values)
            self.updated_threads.add(thread_id)
        updates[:] = kept

    def _learn_threads(self, fresh: list[Ready]) -> None:
        """Find or create, at once, the threads of source threads not met before.

        `fresh` is the batch without repeats. Each thread is asked for with
        its first comment there, as when threads were asked for one at a time:
        a thread's creation time is that comment's. A thread whose identity
        is wrong is left unknown; its comments are problems.
        """
        first: dict[int, Ready] = {}
        for item in fresh:
            token = item.thread
            known = token in self.threads or token in first
            if not known and not isinstance(item.identity, str):
                first[token] = item
        if not first:
            return
        asked = [(*item.identity, item.times[0]) for item in first.values()]
        found = self.queries.find_or_create_threads(self.site_id, asked)
        for (token, item), (thread_id, created) in zip(first.items(), found, strict=True):
            key = item.identity[0]
            if key not in self.keys:
                self.keys[key] = thread_id
                self.report.threads_seen += 1
                self.report.threads_created += int(created)
            if created:
                self.created.add(thread_id)
            self.threads[token] = thread_id

    def finish(self) -> None:
        self.flush()
        self.flush()  # the last batch is still with the workers
        self.hashes.forget()  # every stored comment is hashed: its memory goes to the trees
        repeated = self.stage.drop_later_duplicates()
        if repeated:
            self.report.imported -= repeated
            self.report.skipped["duplicate id in file"] += repeated
        self.progress.phase("linking replies and building threads")
        outcome = self.stage.build_trees(self.updated_threads, self.created)
        self.report.orphans = outcome.orphans
        self.report.outcome = outcome.outcome
        self.report.threads_touched = outcome.threads
        self.report.unchecked = self.stage.unchecked()
        self.progress.phase(f"writing {self.stage.staged:,} comments")
        written = self.stage.publish()
        store.insert_revisions(self.conn, self.revisions)
        store.insert_reports(self.conn, self.site_id, self.reports)
        added, lifted = store.import_sanctions(self.conn, self.site_id, self.sanctions)
        self.report.sanctions_added, self.report.sanctions_lifted = added, lifted
        if written >= 5000:
            # Let PostgreSQL's planner see the table grow before readers query it.
            refresh_statistics(self.conn, comments)
