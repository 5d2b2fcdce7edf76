"""Queries on sites."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from rostra.errors import NotFound
from rostra.store.schema import sites


@dataclass(frozen=True)
class SiteRow:
    id: int
    name: str
    origins: list[str]
    settings: dict
    created_at: datetime


def _site(row) -> SiteRow:
    return SiteRow(row.id, row.name, list(row.origins), dict(row.settings), row.created_at)


def insert_site(
    conn: Connection, name: str, origins: list[str], settings: dict, now: datetime
) -> SiteRow:
    site_id = conn.execute(
        sites.insert().values(name=name, origins=origins, settings=settings, created_at=now)
    ).inserted_primary_key[0]
    return SiteRow(site_id, name, origins, settings, now)


def site_by_name(conn: Connection, name: str) -> SiteRow | None:
    row = conn.execute(select(sites).where(sites.c.name == name)).first()
    return _site(row) if row else None


def require_site(conn: Connection, name: str) -> SiteRow:
    """The site by name, or the 404 every caller gives for a name that is not there."""
    site = site_by_name(conn, name)
    if site is None:
        raise NotFound("unknown_site", f"There is no site named {name!r}.")
    return site


def site_by_id(conn: Connection, site_id: int) -> SiteRow | None:
    row = conn.execute(select(sites).where(sites.c.id == site_id)).first()
    return _site(row) if row else None


def all_sites(conn: Connection) -> list[SiteRow]:
    return [_site(row) for row in conn.execute(select(sites).order_by(sites.c.name))]


def all_origins(conn: Connection) -> set[str]:
    return {origin for row in conn.execute(select(sites.c.origins)) for origin in row.origins}


def update_site(conn: Connection, site_id: int, *, origins: list[str], settings: dict) -> None:
    conn.execute(
        sites.update().where(sites.c.id == site_id).values(origins=origins, settings=settings)
    )
