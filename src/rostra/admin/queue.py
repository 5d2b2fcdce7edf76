"""What the queue pages show: comments with their reasons, context and authors' standing."""

from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import Markup
from sqlalchemy import Connection

from rostra.admin.accounts import Moderator
from rostra.admin.highlight import highlight
from rostra.domain.policy import is_closed
from rostra.errors import Forbidden, InvalidInput, NotFound
from rostra.moderation.settings import ModerationSettings
from rostra.store import audit
from rostra.store import comments as comment_store
from rostra.store import queues as queue_store
from rostra.store import reports as report_store
from rostra.store import revisions as revision_store
from rostra.store import sanctions as sanction_store
from rostra.store import sites as site_store
from rostra.store import threads as thread_store
from rostra.store import users as user_store
from rostra.store.audit import AuditRow
from rostra.store.database import Database
from rostra.store.queues import QUEUES, AuthorRecord, QueueRow
from rostra.store.reports import ReportRow, ReportSummary
from rostra.store.revisions import RevisionRow
from rostra.store.sanctions import SanctionRow
from rostra.store.sites import SiteRow

PAGE_SIZE = 25
MAX_PAGE = 400  # deeper than this, narrow the queue by site instead
MAX_SEARCH_CHARS = 200


@dataclass(frozen=True)
class Parent:
    id: int
    author_name: str | None
    body_html: str  # quoted as its text: the moderator reads the reply, not Markdown
    status: str


@dataclass(frozen=True)
class Item:
    row: QueueRow
    reasons: list[dict]
    body: Markup
    parent: Parent | None
    reports: ReportSummary | None
    author: AuthorRecord
    sanctions: list[SanctionRow]

    @property
    def verdict(self) -> str:
        return (self.row.moderation or {}).get("verdict") or "publish"


@dataclass(frozen=True)
class QueuePage:
    queue: str
    items: list[Item]
    page: int
    has_next: bool
    sizes: dict[str, int]
    sites: list[SiteRow]
    site: SiteRow | None
    search: str = ""


@dataclass(frozen=True)
class Detail:
    item: Item
    revisions: list[RevisionRow]
    reports: list[ReportRow]
    recent: list[QueueRow]
    history: list[tuple[AuditRow, str]]
    thread_policy: str  # the thread's own pre-moderation, "" where the site's applies
    site_policy: str
    closed: bool  # closed to new comments, by its policy or by its age
    close_after_days: int  # the site's closing age (0: never)


def visible_sites(conn: Connection, actor: Moderator) -> list[SiteRow]:
    return [site for site in site_store.all_sites(conn) if actor.may_moderate(site.id)]


def _chosen_site(sites: list[SiteRow], name: str | None) -> SiteRow | None:
    if not name:
        return None
    for site in sites:
        if site.name == name:
            return site
    raise NotFound("unknown_site", f"You moderate no site named {name!r}.")


def _item(conn: Connection, row: QueueRow, reports: ReportSummary | None, now: datetime) -> Item:
    moderation = row.moderation or {}
    reasons = [r for r in moderation.get("reasons", []) if isinstance(r, dict)]
    parent = None
    if row.parent_id is not None:
        found = comment_store.comment_by_id(conn, row.parent_id)
        if found is not None:
            parent = Parent(found.id, found.author_name, found.body_html, found.status)
    return Item(
        row=row,
        reasons=reasons,
        body=highlight(
            row.body_source,
            moderation.get("spans"),
            moderation.get("marked"),
            edited=row.edited_at is not None,
        ),  # fmt: skip
        parent=parent,
        reports=reports,
        author=queue_store.author_record(
            conn, row.site_id, row.author_key, row.ip_hash, row.author_email
        ),
        sanctions=sanction_store.active_for(
            conn,
            row.site_id,
            now,
            author_key=row.author_key,
            ip_hash=row.ip_hash,
            email=row.author_email,
        ),  # fmt: skip
    )


def queue_page(
    db: Database, actor: Moderator, queue: str, site_name: str | None, page: int,
    search: str = "",
) -> QueuePage:  # fmt: skip
    """One page of a queue; with `search`, of the comments in it whose text or author holds those words."""
    if queue not in QUEUES:
        raise NotFound("unknown_queue", f"There is no queue named {queue!r}.")
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput("invalid_page", f"Pages run from 1 to {MAX_PAGE}.")
    search = " ".join(search.replace("\x00", "").split())
    if len(search) > MAX_SEARCH_CHARS:
        raise InvalidInput("search_too_long", f"Search for at most {MAX_SEARCH_CHARS} characters.")
    now = datetime.now(UTC)
    with db.read() as conn:
        sites = visible_sites(conn, actor)
        site = _chosen_site(sites, site_name)
        site_ids = [site.id] if site else [s.id for s in sites]
        rows = queue_store.queue_page(
            conn, queue, site_ids, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE,
            search=search or None,
        )  # fmt: skip
        summaries = report_store.summaries(conn, [row.id for row in rows[:PAGE_SIZE]])
        items = [_item(conn, row, summaries.get(row.id), now) for row in rows[:PAGE_SIZE]]
        sizes = queue_store.queue_sizes(conn, site_ids)
    return QueuePage(queue, items, page, len(rows) > PAGE_SIZE, sizes, sites, site, search)


def detail(db: Database, actor: Moderator, comment_id: int) -> Detail:
    now = datetime.now(UTC)
    with db.read() as conn:
        row = queue_store.queue_row(conn, comment_id)
        if row is None:
            raise NotFound("unknown_comment", f"Comment {comment_id} does not exist.")
        if not actor.may_moderate(row.site_id):
            raise Forbidden("not_your_site", "You do not moderate the site of this comment.")
        summary = report_store.summaries(conn, [comment_id]).get(comment_id)
        item = _item(conn, row, summary, now)
        recent = queue_store.author_recent(
            conn, row.site_id, row.author_key, row.ip_hash, row.author_email, limit=10
        )
        history = audit.entries(
            conn, [row.site_id], limit=50, offset=0, target=("comment", comment_id)
        )
        names = user_store.usernames(conn, {entry.actor_id for entry in history if entry.actor_id})
        thread = thread_store.thread_by_id(conn, row.thread_id)
        site = site_store.site_by_id(conn, row.site_id)
        settings = ModerationSettings.of_site(site.settings)
        return Detail(
            item=item,
            revisions=revision_store.revisions_of(conn, comment_id),
            reports=report_store.reports_of(conn, comment_id),
            recent=[other for other in recent if other.id != comment_id],
            history=[(entry, names.get(entry.actor_id, "system")) for entry in history],
            thread_policy=thread.policy or "",
            site_policy=settings.premoderation,
            closed=is_closed(thread.policy, thread.created_at, settings.close_after_days, now),
            close_after_days=settings.close_after_days,
        )


def sizes_for(db: Database, actor: Moderator) -> dict[str, int]:
    with db.read() as conn:
        return queue_store.queue_sizes(conn, [site.id for site in visible_sites(conn, actor)])
