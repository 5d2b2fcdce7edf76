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


# What a SiteRow holds; `close_after_days` is read only where pages are served.
_SITE_COLUMNS = (sites.c.id, sites.c.name, sites.c.origins, sites.c.settings, sites.c.created_at)


def _site(row) -> SiteRow:
    return SiteRow(row.id, row.name, list(row.origins), dict(row.settings), row.created_at)


def _closing_age(settings: dict) -> int:
    """The column copy of the closing age; the settings were validated before saving."""
    return int((settings.get("moderation") or {}).get("close_after_days") or 0)


def insert_site(
    conn: Connection, name: str, origins: list[str], settings: dict, now: datetime
) -> SiteRow:
    values = dict(name=name, origins=origins, settings=settings, created_at=now)
    site_id = conn.execute(
        sites.insert().values(**values, close_after_days=_closing_age(settings))
    ).inserted_primary_key[0]
    return SiteRow(site_id, name, origins, settings, now)


def site_by_name(conn: Connection, name: str) -> SiteRow | None:
    row = conn.execute(select(*_SITE_COLUMNS).where(sites.c.name == name)).first()
    return _site(row) if row else None


def require_site(conn: Connection, name: str) -> SiteRow:
    """The site by name, or the 404 every caller gives for a name that is not there."""
    site = site_by_name(conn, name)
    if site is None:
        raise NotFound("unknown_site", f"There is no site named {name!r}.")
    return site


def site_by_id(conn: Connection, site_id: int) -> SiteRow | None:
    row = conn.execute(select(*_SITE_COLUMNS).where(sites.c.id == site_id)).first()
    return _site(row) if row else None


def all_sites(conn: Connection) -> list[SiteRow]:
    return [_site(row) for row in conn.execute(select(*_SITE_COLUMNS).order_by(sites.c.name))]


def all_origins(conn: Connection) -> set[str]:
    return {origin for row in conn.execute(select(sites.c.origins)) for origin in row.origins}


def update_site(conn: Connection, site_id: int, *, origins: list[str], settings: dict) -> None:
    conn.execute(
        sites.update()
        .where(sites.c.id == site_id)
        .values(origins=origins, settings=settings, close_after_days=_closing_age(settings))
    )
