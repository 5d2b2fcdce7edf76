"""Queries on sanctions against authors."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, or_, select

from rostra.store.schema import sanctions

# The ladder, mildest first.
KINDS = ("warn", "rate_limit", "premoderate", "suspend", "ban", "shadow_ban")


@dataclass(frozen=True)
class SanctionRow:
    id: int
    site_id: int
    kind: str
    author_key: str | None
    email: str | None
    ip_hash: str | None
    user_id: int | None
    reason: str
    created_by: int | None
    created_at: datetime
    expires_at: datetime | None
    lifted_at: datetime | None
    lifted_by: int | None


_COLUMNS = [getattr(sanctions.c, name) for name in SanctionRow.__dataclass_fields__]


def insert_sanction(conn: Connection, **values) -> int:
    if values.get("email"):
        values["email"] = values["email"].lower()
    return conn.execute(sanctions.insert().values(**values)).inserted_primary_key[0]


def lift_sanction(conn: Connection, sanction_id: int, by: int | None, now: datetime) -> None:
    conn.execute(
        sanctions.update()
        .where(sanctions.c.id == sanction_id, sanctions.c.lifted_at.is_(None))
        .values(lifted_at=now, lifted_by=by)
    )


# Built once: it runs for every comment posted. An identifier not given is
# bound as NULL, which matches nothing.
_ACTIVE_FOR = select(*_COLUMNS).where(
    sanctions.c.site_id == bindparam("site_id"),
    sanctions.c.lifted_at.is_(None),
    or_(sanctions.c.expires_at.is_(None), sanctions.c.expires_at > bindparam("now")),
    or_(
        sanctions.c.author_key == bindparam("author_key"),
        sanctions.c.ip_hash == bindparam("ip_hash"),
        # Mail servers treat the local part's case as the reader typed it, but
        # readers do not: Sam.Case@ and sam.case@ are one person.
        func.lower(sanctions.c.email) == bindparam("email"),
        sanctions.c.user_id == bindparam("user_id"),
    ),
)


def active_for(
    conn: Connection,
    site_id: int,
    now: datetime,
    *,
    author_key: str | None = None,
    ip_hash: str | None = None,
    email: str | None = None,
    user_id: int | None = None,
) -> list[SanctionRow]:
    """Sanctions in force against any of the author's identifiers."""
    if author_key is None and ip_hash is None and email is None and user_id is None:
        return []
    params = dict(
        site_id=site_id, now=now, author_key=author_key, ip_hash=ip_hash,
        email=email.lower() if email else None, user_id=user_id,
    )  # fmt: skip
    return [SanctionRow(*row) for row in conn.execute(_ACTIVE_FOR, params)]


def list_sanctions(
    conn: Connection, site_id: int, *, active_only: bool, now: datetime
) -> list[SanctionRow]:
    query = select(*_COLUMNS).where(sanctions.c.site_id == site_id)
    if active_only:
        query = query.where(
            sanctions.c.lifted_at.is_(None),
            or_(sanctions.c.expires_at.is_(None), sanctions.c.expires_at > now),
        )
    return [
        SanctionRow(*row) for row in conn.execute(query.order_by(sanctions.c.created_at.desc()))
    ]


def sanction_by_id(conn: Connection, sanction_id: int) -> SanctionRow | None:
    row = conn.execute(select(*_COLUMNS).where(sanctions.c.id == sanction_id)).first()
    return SanctionRow(*row) if row else None


def unlift_sanction(conn: Connection, sanction_id: int) -> None:
    """Put a lifted sanction back in force (undoing a lift)."""
    conn.execute(
        sanctions.update()
        .where(sanctions.c.id == sanction_id)
        .values(lifted_at=None, lifted_by=None)
    )


def sanctions_in(
    conn: Connection, site_ids: list[int] | None, *, active_only: bool, now: datetime, limit: int
) -> list[SanctionRow]:
    """Sanctions across the sites a moderator sees, newest first."""
    query = select(*_COLUMNS)
    if site_ids is not None:
        query = query.where(sanctions.c.site_id.in_(site_ids))
    if active_only:
        query = query.where(
            sanctions.c.lifted_at.is_(None),
            or_(sanctions.c.expires_at.is_(None), sanctions.c.expires_at > now),
        )
    query = query.order_by(sanctions.c.created_at.desc(), sanctions.c.id.desc()).limit(limit)
    return [SanctionRow(*row) for row in conn.execute(query)]
