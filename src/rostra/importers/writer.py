"""The one writer every importer feeds: batched, idempotent, all-or-nothing.

Rows go into the comments table in large batches with their parent's source
reference only. When the file is read, one statement links parents (so a
reply may come before its parent), and each touched thread's tree columns
and counters are rebuilt from the links (`store.tree.rebuild_thread`).
Memory is bounded by a batch and by the largest thread, never by the file.
"""

import hashlib
import re
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field

from sqlalchemy import Connection

from rostra.domain import text
from rostra.domain.markdown import render_markdown
from rostra.domain.ranking import wilson_lower_bound
from rostra.domain.urls import InvalidURL, normalize_page_url
from rostra.importers.fastbody import fast_pair
from rostra.importers.html_markdown import html_to_markdown
from rostra.importers.progress import Progress
from rostra.importers.records import BodyFormat, Problem, RecordError, SourceRecord, ThreadInfo
from rostra.importers.report import ImportReport
from rostra.service.identity import Hasher
from rostra.service.threads import KEY_MAX_CHARS
from rostra.store import imports as store
from rostra.store.tree import rebuild_thread

ANONYMOUS = "Anonymous"


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    continue_on_error: bool = False
    url_map: tuple[tuple[str, str], ...] = ()
    batch_size: int = 2000
    workers: int = 1  # processes converting and rendering bodies beside the reader


def map_url(url: str, url_map: tuple[tuple[str, str], ...]) -> str:
    """Rewrite the longest matching OLD prefix to NEW (sites move between domains)."""
    for old, new in sorted(url_map, key=lambda pair: -len(pair[0])):
        if url.startswith(old):
            return new + url[len(old) :]
    return url


def thread_identity(
    info: ThreadInfo, url_map: tuple[tuple[str, str], ...]
) -> tuple[str, str | None, str | None]:
    """(key, canonical url, title): the source's identifier if it has one, else its URL."""
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
    return key, canonical, text.clean_title(info.title)


def body_pair(body: str, body_format: BodyFormat) -> tuple[str, str]:
    """The (Markdown source, safe HTML) pair Rostra would have stored."""
    body = body.replace("\r\n", "\n").replace("\x00", "")
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
    """The pair when the one-pass converter can give it, else None (render it elsewhere)."""
    if body_format == BodyFormat.MARKDOWN:
        return None
    return fast_pair(
        body.replace("\r\n", "\n").replace("\x00", ""), autop=body_format == BodyFormat.AUTOP
    )


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


def source_digest(record: SourceRecord, thread_id: int, parent_ref: str | None) -> str:
    """What the source says about a comment, taken before any conversion.

    Computed from the record as read, so an unchanged comment is recognised
    without converting or rendering its body.
    """
    parts = (
        record.status.value, record.author_name, record.author_email, record.author_website,
        record.body_format.value, record.body, record.created_at, record.edited_at,
        record.upvotes, record.downvotes, parent_ref, thread_id, record.ip_hash, record.author_key,
    )  # fmt: skip
    text = "\x1f".join(map(str, parts))
    return hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=16, person=b"rostra-src-1"
    ).hexdigest()


@dataclass(slots=True)
class _Work:
    """A record that will be written: new, or changed at the source."""

    record: SourceRecord
    found: store.Existing | None
    digest: str
    thread_id: int
    parent_ref: str | None


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
    hasher: Hasher
    options: ImportOptions
    report: ImportReport
    progress: Progress
    pool: Executor | None = None
    start_id: int = 0
    batch: list[SourceRecord] = field(default_factory=list)
    pending: _Prepared | None = None
    threads: dict[ThreadInfo, int] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    touched: set[int] = field(default_factory=set)
    updated_ids: set[int] = field(default_factory=set)
    ip_cache: dict[str, tuple[str, str]] = field(default_factory=dict)
    written: int = 0
    analyze_at: int = 5000

    def __post_init__(self) -> None:
        self.start_id = store.last_comment_id(self.conn)
        self.inserter = store.CommentInserter(self.conn)

    def add(self, record: SourceRecord) -> None:
        self.report.comments_seen += 1
        self.batch.append(record)
        if len(self.batch) >= self.options.batch_size:
            self.flush()

    def problem(self, problem: Problem) -> None:
        from rostra.importers.records import ImportFailure

        if not self.options.continue_on_error:
            raise ImportFailure(problem.position, problem.message)
        self.report.add_problem(problem)

    def flush(self) -> None:
        """Sort the batch out, hand its slow bodies to the workers, and store the previous one."""
        batch, self.batch = self.batch, []
        prepared = self._prepare(batch) if batch else None
        if prepared is not None and prepared.slow:
            if self.pool is not None:
                items = [
                    (prepared.work[i].record.body, prepared.work[i].record.body_format)
                    for i in prepared.slow
                ]
                step = max(16, len(items) // 4)
                prepared.futures = [
                    self.pool.submit(body_pairs, items[i : i + step])
                    for i in range(0, len(items), step)
                ]
            else:
                for i in prepared.slow:
                    record = prepared.work[i].record
                    prepared.bodies[i] = body_pair(record.body, record.body_format)
                prepared.slow = []
        if self.pending is not None:
            previous, self.pending = self.pending, None
            self._store(previous)
        if prepared is not None:
            if prepared.futures:
                self.pending = prepared
            else:
                self._store(prepared)

    def _prepare(self, batch: list[SourceRecord]) -> _Prepared:
        """Skip duplicates and records unchanged since the last import, before any conversion."""
        existing = store.existing_by_ref(self.conn, self.site_id, list({r.ref for r in batch}))
        # Refs of the batch still with the workers are not in the database yet.
        waiting = self.pending.refs if self.pending is not None else set()
        in_batch: set[str] = set()
        work: list[_Work] = []
        report = self.report
        for record in batch:
            ref = record.ref
            if ref in in_batch or ref in waiting:
                report.skipped["duplicate id in file"] += 1
                continue
            in_batch.add(ref)
            try:
                thread_id = self._thread_id(record)
                parent_ref = record.parent_source_ref
                if parent_ref == ref:
                    parent_ref = f"{parent_ref}#self"  # a comment cannot answer itself: an orphan
                if len(ref) > 200 or (parent_ref and len(parent_ref) > 200):
                    raise RecordError("the comment id is longer than 200 characters")
            except RecordError as exc:
                self.problem(Problem(record.position, str(exc)))
                continue
            digest = source_digest(record, thread_id, parent_ref)
            found = existing.get(ref)
            if found is not None:
                if found.id > self.start_id or found.id in self.updated_ids:
                    report.skipped["duplicate id in file"] += 1
                    continue
                if found.digest == digest:
                    report.skipped["unchanged since last import"] += 1
                    continue
            work.append(_Work(record, found, digest, thread_id, parent_ref))
        bodies = [quick_body_pair(w.record.body, w.record.body_format) for w in work]
        slow = [i for i, body in enumerate(bodies) if body is None]
        self.progress.update(len(batch))
        return _Prepared(work, bodies, slow, [], in_batch)

    def _store(self, prepared: _Prepared) -> None:
        if prepared.futures:
            rendered = [pair for future in prepared.futures for pair in future.result()]
            for i, pair in zip(prepared.slow, rendered, strict=True):
                prepared.bodies[i] = pair
        inserts: list[dict] = []
        updates: list[dict] = []
        refreshed: list[tuple[str, int]] = []
        for item, body in zip(prepared.work, prepared.bodies, strict=True):
            values = self._values(item, body)
            found = item.found
            if found is None:
                inserts.append(values)
                self.touched.add(item.thread_id)
            elif found.digest is not None and found.digest == _legacy_digest(values):
                # Imported before digests were taken from the raw record, and unchanged.
                refreshed.append((item.digest, found.id))
                self.report.skipped["unchanged since last import"] += 1
            else:
                updates.append({"id": found.id, **values})
                self.updated_ids.add(found.id)
                self.touched.add(found.thread_id)
        self.inserter.insert(inserts)
        self.written += len(inserts)
        if self.written >= self.analyze_at:
            # The planner must see the table grow, or it scans it whole for each batch.
            store.refresh_statistics(self.conn)
            self.analyze_at = 2 * self.written
        store.update_from_source(self.conn, updates)
        store.refresh_digests(self.conn, refreshed)
        self.report.imported += len(inserts)
        self.report.updated += len(updates)

    def _thread_id(self, record: SourceRecord) -> int:
        thread_id = self.threads.get(record.thread)
        if thread_id is not None:
            return thread_id
        key, url, title = thread_identity(record.thread, self.options.url_map)
        # Asked again for each source thread with this key: a later one may bring the
        # title or URL an earlier one lacked.
        thread_id, created = store.find_or_create_thread(
            self.conn, self.site_id, key, title, url, record.created_at
        )
        if key not in self.keys:
            self.keys[key] = thread_id
            self.report.threads_seen += 1
            self.report.threads_created += int(created)
        self.threads[record.thread] = thread_id
        return thread_id

    def _hashes(self, ip: str) -> tuple[str, str]:
        """(author key, IP hash): readers post many comments from one address."""
        found = self.ip_cache.get(ip)
        if found is None:
            if len(self.ip_cache) >= 50_000:
                self.ip_cache.clear()
            found = self.ip_cache[ip] = (self.hasher.voter_key(ip, ""), self.hasher.ip_hash(ip))
        return found

    def _values(self, item: _Work, body: tuple[str, str]) -> dict:
        record = item.record
        source, html = body
        ip = (record.ip or "").strip() or None
        author_key, ip_hash = self._hashes(ip) if ip else (None, None)
        upvotes, downvotes = max(0, record.upvotes), max(0, record.downvotes)
        return dict(
            site_id=self.site_id,
            thread_id=item.thread_id,
            parent_id=None,
            root_id=None,
            depth=0,
            sibling_pos=0,
            chain_pos=0,
            child_seq=0,
            reply_count=0,
            status=record.status.value,
            visible=False,
            author_name=_name(record.author_name),
            author_email=_email(record.author_email),
            author_website=_optional(text.clean_website, record.author_website),
            author_key=record.author_key or author_key,
            ip_hash=record.ip_hash or ip_hash,
            body_source=source,
            body_html=html,
            created_at=record.created_at,
            edited_at=record.edited_at,
            upvotes=upvotes,
            downvotes=downvotes,
            rank=wilson_lower_bound(upvotes, downvotes),
            edit_token_hash=None,
            source_ref=record.ref,
            source_parent_ref=item.parent_ref,
            source_digest=item.digest,
        )

    def finish(self) -> None:
        self.flush()
        self.flush()  # the last batch is still with the workers
        store.refresh_statistics(self.conn)
        self.progress.phase("linking replies to parents")
        store.link_parents(self.conn, self.site_id)
        self.report.orphans = store.orphans_since(self.conn, self.site_id, self.start_id)
        self.progress.phase(f"rebuilding {len(self.touched)} threads")
        for thread_id in sorted(self.touched):
            self.report.orphans += rebuild_thread(self.conn, thread_id).detached
        self.report.threads_touched = len(self.touched)
        self.report.outcome = store.outcome_since(self.conn, self.site_id, self.start_id)
