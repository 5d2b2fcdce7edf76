"""What every importer yields: normalised records, fed to the one writer."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from operator import attrgetter

from rostra.domain.policy import Status
from rostra.domain.text import is_storable


class BodyFormat(StrEnum):
    HTML = "html"  # HTML whose whitespace is insignificant (Disqus, Remark42 text)
    AUTOP = "autop"  # WordPress: HTML where blank lines are paragraphs, newlines breaks
    MARKDOWN = "markdown"  # Markdown the author typed (Isso, Commento, Remark42 orig, Rostra)


@dataclass(frozen=True, slots=True)
class SanctionRecord:
    """A sanction against an author, from Rostra's own export: who, what, until when.

    The author is named by the identifiers the exporting server matched on;
    its key and IP hash are salted there, its email address is the same
    everywhere.
    """

    kind: str
    author_key: str | None
    email: str | None
    ip_hash: str | None
    reason: str
    created_at: datetime
    expires_at: datetime | None
    lifted_at: datetime | None
    position: str


@dataclass(frozen=True, slots=True)
class ThreadInfo:
    """A source thread: an explicit identifier wins over its URL as the key."""

    identifier: str | None
    url: str | None
    title: str | None
    # The thread's own policy where the source has one (closed, or a pre-moderation
    # level from a Rostra export); given to a thread this import creates.
    policy: str | None = None


@dataclass(slots=True)
class SourceRecord:
    source: str  # the format that names source_id, e.g. "disqus"
    source_id: str
    thread: ThreadInfo
    parent_id: str | None
    author_name: str | None
    author_email: str | None
    author_website: str | None
    body: str
    body_format: BodyFormat
    created_at: datetime
    status: Status
    ip: str | None
    position: str  # where the record is in the file, for messages
    edited_at: datetime | None = None
    upvotes: int = 0
    downvotes: int = 0
    # Only the Rostra format carries these: hashes made by another server,
    # and references already in "source:id" form.
    ip_hash: str | None = None
    author_key: str | None = None
    source_ref: str | None = None
    parent_ref: str | None = None
    # What moderators marked it with, as (column, on) pairs: ("featured", True),
    # ("shadowed", False). Only marks the source knows of are named, so that an
    # import never undoes what moderators here decided.
    marks: tuple[tuple[str, bool], ...] = ()
    # What another Rostra server stored with the comment, as (column, value) pairs
    # (its moderation verdict and toxicity, its author's avatar): given to a
    # comment this import creates, never to one that exists, whose moderators and
    # checkers have had their say here.
    kept: tuple[tuple[str, object], ...] = ()
    # Earlier bodies a moderator replaced, oldest first, as (Markdown, replaced at);
    # kept as the history of a comment this import creates.
    history: tuple[tuple[str, datetime], ...] = ()
    # Readers' reports of it, as `store.reports` columns (reporter key, reason,
    # note, weight, created at, outcome, resolved at): given to a comment this
    # import creates, so the reported queue and reporters' standing move with it.
    reports: tuple[tuple, ...] = ()

    @property
    def ref(self) -> str:
        return self.source_ref or f"{self.source}:{self.source_id}"

    @property
    def parent_source_ref(self) -> str | None:
        if self.parent_ref is not None:
            return self.parent_ref
        return None if self.parent_id is None else f"{self.source}:{self.parent_id}"


_TEXT_FIELDS = (
    "source_id", "parent_id", "author_name", "author_email", "author_website", "body", "ip",
    "ip_hash", "author_key", "source_ref", "parent_ref",
)  # fmt: skip


_texts_of = attrgetter(*_TEXT_FIELDS)


def _needs_mending(value: str | None) -> bool:
    return value is not None and ("\x00" in value or not (value.isascii() or is_storable(value)))


def _mended(value: str) -> str:
    value = value.replace("\x00", "")
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)


def mended(value: str) -> str:
    """Text any database column can hold: see `mend`."""
    return _mended(value) if _needs_mending(value) else value


def mend(record: SourceRecord) -> SourceRecord:
    """The record with text no database column can hold mended, in place.

    JSON exports may escape a NUL (which PostgreSQL refuses in text) or half
    of a surrogate pair (which no encoding has); an Isso database may hold a
    NUL. NULs are dropped and unpaired surrogates become U+FFFD, so the
    comment is kept with a visible mark rather than refused.
    """
    thread = record.thread
    texts = (*_texts_of(record), thread.identifier, thread.url, thread.title)
    if not _needs_mending("".join(filter(None, texts))):  # nearly every record: one check
        return record
    for name in _TEXT_FIELDS:
        value = getattr(record, name)
        if _needs_mending(value):
            setattr(record, name, _mended(value))
    if any(_needs_mending(v) for v in (thread.identifier, thread.url, thread.title)):
        record.thread = ThreadInfo(
            *(
                None if v is None else _mended(v)
                for v in (thread.identifier, thread.url, thread.title)
            )
        )
    return record


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that cannot be imported; the rest of the file can."""

    position: str
    message: str
    # What the bad record was, so a bad thread or sanction line is not counted as a comment.
    record: str = "comment"


class ImportFailure(Exception):
    """The import stops: the file is malformed or a record is bad without --continue-on-error."""

    def __init__(self, position: str, message: str) -> None:
        super().__init__(f"{position}: {message}")
        self.position = position
        self.message = message


class RecordError(ValueError):
    """Raised while reading one record; the importer turns it into a Problem."""


_FRACTION = re.compile(r"(\.\d{6})\d+")
_SPACE_T = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d)")


def parse_timestamp(text: str | None, what: str = "date") -> datetime:
    """ISO 8601 with or without a zone; a time without one is taken as UTC."""
    if text is None or not text.strip():
        raise RecordError(f"the {what} is missing")
    value = text.strip()
    if "." in value or value[10:11] == " ":
        value = _FRACTION.sub(r"\1", value)
        value = _SPACE_T.sub(r"\1T\2", value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"the {what} {text.strip()!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_bool(text: str | None) -> bool:
    return (text or "").strip().lower() in ("true", "1", "yes")


def blank_to_none(text: str | None) -> str | None:
    if text is None:
        return None
    stripped = text.strip()
    return stripped or None


def json_text(value: object) -> str | None:
    """A JSON field that should hold text: stripped, or None if blank or not a string."""
    return blank_to_none(value) if isinstance(value, str) else None


def json_body(value: object) -> str:
    """A JSON field holding a comment's body: as written, or empty if not a string."""
    return value if isinstance(value, str) else ""
