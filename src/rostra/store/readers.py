"""Queries on readers, their sessions, and the one-time links mailed to them."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, func, select, update

from rostra.store.schema import email_links, reader_sessions, readers


@dataclass(frozen=True)
class ReaderRow:
    id: int
    site_id: int
    provider: str  # sso or email
    subject: str
    display_name: str
    name_key: str
    avatar_url: str | None
    email: str | None
    roles: list[str]
    created_at: datetime
    last_seen_at: datetime


_READER_COLUMNS = [getattr(readers.c, name) for name in ReaderRow.__dataclass_fields__]


def _reader(row) -> ReaderRow | None:
    return ReaderRow(*row) if row else None


def reader_by_subject(
    conn: Connection, site_id: int, provider: str, subject: str
) -> ReaderRow | None:
    query = select(*_READER_COLUMNS).where(
        readers.c.site_id == site_id, readers.c.provider == provider, readers.c.subject == subject
    )
    return _reader(conn.execute(query).first())


def reader_by_id(conn: Connection, reader_id: int) -> ReaderRow | None:
    return _reader(conn.execute(select(*_READER_COLUMNS).where(readers.c.id == reader_id)).first())


def insert_reader(conn: Connection, **values) -> int:
    return conn.execute(readers.insert().values(**values)).inserted_primary_key[0]


def update_reader(conn: Connection, reader_id: int, **values) -> None:
    conn.execute(update(readers).where(readers.c.id == reader_id).values(**values))


def delete_reader(conn: Connection, reader_id: int) -> None:
    conn.execute(delete(readers).where(readers.c.id == reader_id))


# Built once: every anonymous comment is checked against the reserved names.
_NAME_HOLDER = (
    select(readers.c.id)
    .where(
        readers.c.site_id == bindparam("site_id"),
        readers.c.name_key == bindparam("name_key"),
        readers.c.id != bindparam("except_id"),
    )
    .limit(1)
)


def name_holder(
    conn: Connection, site_id: int, name_key: str, except_id: int | None = None
) -> int | None:
    """Another reader whose name looks like `name_key` on this site, if any."""
    params = dict(site_id=site_id, name_key=name_key, except_id=except_id or 0)
    return conn.execute(_NAME_HOLDER, params).scalar()


def insert_session(
    conn: Connection, token_hash: str, reader_id: int, now: datetime, expires: datetime
) -> None:
    conn.execute(
        reader_sessions.insert().values(
            token_hash=token_hash, reader_id=reader_id, created_at=now, expires_at=expires
        )
    )


def reader_by_session(conn: Connection, token_hash: str, now: datetime) -> ReaderRow | None:
    query = (
        select(*_READER_COLUMNS)
        .join(reader_sessions, reader_sessions.c.reader_id == readers.c.id)
        .where(reader_sessions.c.token_hash == token_hash, reader_sessions.c.expires_at > now)
    )
    return _reader(conn.execute(query).first())


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(reader_sessions).where(reader_sessions.c.token_hash == token_hash))


def insert_email_link(conn: Connection, **values) -> None:
    conn.execute(email_links.insert().values(**values))


def links_sent_since(conn: Connection, site_id: int, email: str, since: datetime) -> int:
    query = select(func.count()).where(
        email_links.c.site_id == site_id,
        email_links.c.email == email,
        email_links.c.created_at >= since,
    )
    return conn.execute(query).scalar_one()


@dataclass(frozen=True)
class EmailLinkRow:
    token_hash: str
    site_id: int
    email: str
    purpose: str
    display_name: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


def email_link(conn: Connection, token_hash: str) -> EmailLinkRow | None:
    columns = [getattr(email_links.c, name) for name in EmailLinkRow.__dataclass_fields__]
    row = conn.execute(select(*columns).where(email_links.c.token_hash == token_hash)).first()
    return EmailLinkRow(*row) if row else None


def claim_email_link(conn: Connection, token_hash: str, now: datetime) -> bool:
    """Mark a link used; True only for the first caller, so a link works once."""
    claimed = conn.execute(
        update(email_links)
        .where(email_links.c.token_hash == token_hash, email_links.c.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    return claimed == 1
