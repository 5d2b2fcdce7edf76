"""A reader's data: all their comments as one JSON file, and erasure on request.

Erasing turns each comment into a tombstone (replies keep their place), and
removes the name, email, website, IP hash and text. What Rostra stores and for
how long is listed in docs/PRIVACY.md.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rostra.service.pages import iso
from rostra.service.visibility import change_status
from rostra.store import audit as audit_store
from rostra.store import comments as comment_store
from rostra.store import privacy as privacy_store
from rostra.store import readers as reader_store
from rostra.store import sites as site_store
from rostra.store.database import Database
from rostra.store.readers import ReaderRow


@dataclass(frozen=True)
class Person:
    """Whose data: a signed-in reader, or whoever proved they own an email."""

    site_id: int
    reader: ReaderRow | None = None
    email: str | None = None

    @classmethod
    def of_reader(cls, reader: ReaderRow) -> "Person":
        return cls(reader.site_id, reader, reader.email)

    @property
    def reader_id(self) -> int | None:
        return self.reader.id if self.reader else None


def _now() -> datetime:
    return datetime.now(UTC)


def _comment_json(record, key: str, url: str | None, title: str | None) -> dict:
    return {
        "id": record.id,
        "thread": {"key": key, "url": url, "title": title},
        "parent": record.parent_id,
        "status": record.status,
        "created": iso(record.created_at),
        "edited": iso(record.edited_at),
        "author": {
            "name": record.author_name,
            "email": record.author_email,
            "website": record.author_website,
        },
        "body": record.body_source,
        "html": record.body_html,
        "upvotes": record.upvotes,
        "downvotes": record.downvotes,
    }


def export(db: Database, person: Person) -> dict:
    with db.read() as conn:
        site = site_store.site_by_id(conn, person.site_id)
        rows = privacy_store.authored_comments(conn, person.site_id, person.reader_id, person.email)
    reader = person.reader
    return {
        "site": site.name,
        "exported": iso(_now()),
        "reader": None
        if reader is None
        else {
            "name": reader.display_name,
            "email": reader.email,
            "signed_in_with": reader.provider,
            "avatar": reader.avatar_url,
            "since": iso(reader.created_at),
        },
        "email": person.email,
        "comments": [_comment_json(*row) for row in rows],
    }


# Comments erased a transaction: a reader with years of comments must not hold
# SQLite's write lock (and every other reader's post) for the whole erasure.
ERASE_BATCH = 500


def erase(db: Database, person: Person, batch: int = ERASE_BATCH) -> int:
    """Erase a reader's data; returns how many comments were erased.

    A batch of comments a transaction. An erased comment no longer names its
    author, so each batch lists what is left, and the last one (fewer than
    `batch`, comments posted meanwhile included) also forgets the email and
    the account: an erasure cut short leaves the reader able to ask again.
    """
    now = _now()
    erased = 0
    while True:
        with db.write() as conn:
            rows = privacy_store.authored_comments(
                conn, person.site_id, person.reader_id, person.email, limit=batch
            )
            _erase_comments(conn, [listed.id for listed, *_ in rows])
            erased += len(rows)
            if len(rows) < batch:
                _forget_person(conn, person, erased, now)
                return erased


def _erase_comments(conn, comment_ids: list[int]) -> None:
    for comment_id in comment_ids:
        # Read again: erasing an earlier comment can change this one's replies.
        record = comment_store.comment_by_id(conn, comment_id, for_update=True)
        if record.status != "deleted":
            change_status(conn, record, "deleted")
    if comment_ids:
        privacy_store.scrub_comments(conn, comment_ids)


def _forget_person(conn, person: Person, erased: int, now: datetime) -> None:
    if person.email:
        privacy_store.forget_email(conn, person.site_id, person.email)
    if person.reader is not None:
        reader_store.delete_reader(conn, person.reader.id)
    audit_store.record(
        conn, site_id=person.site_id, actor_id=None, action="reader_erased",
        target_type="reader", target_id=None, now=now, details={"comments": erased},
    )  # fmt: skip


@dataclass(frozen=True)
class Pruned:
    ip_hashes: int
    emails: int

    def __add__(self, other: "Pruned") -> "Pruned":
        return Pruned(self.ip_hashes + other.ip_hashes, self.emails + other.emails)


# Rows cleared a transaction: a retention limit reached by a large import clears
# hundreds of thousands at once, and one statement for all of them held
# SQLite's write lock against posting, or ran past PostgreSQL's statement timeout
# (and so never finished, however often it was tried). Taken in id order, a
# batch rewrites neighbouring rows, as one statement would.
PRUNE_BATCH = 5000


def prune(db: Database, ip_hash_days: int, email_days: int, batch: int = PRUNE_BATCH) -> Pruned:
    """Apply the retention limits: old IP hashes and unneeded emails go, a batch a transaction."""
    now = _now()
    with db.read() as conn:
        site_ids = [site.id for site in site_store.all_sites(conn)]
    ip_before, email_before = now - timedelta(days=ip_hash_days), now - timedelta(days=email_days)
    pruned = Pruned(0, 0)
    for site_id in site_ids:
        limits = privacy_store.RetentionLimits(site_id, ip_before, email_before)
        pruned = pruned + _in_batches(db, limits, batch)
    with db.write() as conn:
        privacy_store.forget_expired_credentials(conn, now)
    return pruned


def _in_batches(db: Database, limits: privacy_store.RetentionLimits, batch: int) -> Pruned:
    with db.read() as conn:
        due = privacy_store.due_for_retention(conn, limits)
    pruned = Pruned(0, 0)
    for start in range(0, len(due), batch):
        with db.write() as conn:
            chunk = due[start : start + batch]
            pruned = pruned + Pruned(*privacy_store.clear_for_retention(conn, limits, chunk))
    return pruned
