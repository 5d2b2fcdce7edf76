"""Shared fixtures: every storage and API test runs on SQLite and on PostgreSQL."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from chromium import launched_chromium
from pgtools import create_postgres_database, drop_postgres_database
from rostra.api.app import build_context, create_app
from rostra.config import load_settings
from rostra.moderation.settings import ModerationSettings
from rostra.service.sites import create_site
from rostra.store.database import Database, open_database
from rostra.store.migrate import upgrade_database
from rostra.store.schema import metadata

SITE_ORIGIN = "https://news.example"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("db") / "rostra.db")
        upgrade_database(url)
        yield url
        return
    name, url = create_postgres_database()
    try:
        upgrade_database(url)
        yield url
    finally:
        drop_postgres_database(name)


def _empty_tables(db: Database) -> None:
    keep = {"server_secrets"}
    with db.write() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name not in keep:
                conn.execute(table.delete())


@pytest.fixture
def settings(database_url):
    return load_settings(database_url=database_url)


@pytest.fixture
def db(database_url) -> Iterator[Database]:
    database = open_database(database_url)
    _empty_tables(database)
    yield database
    database.dispose()


@pytest.fixture
def ctx(settings, db):
    context = build_context(settings)
    yield context
    context.db.dispose()


# Tests of other features post quickly from one address, without the widget's
# form token and on neutral placeholder text; the moderation tests set their
# own rules.
RELAXED = ModerationSettings(
    min_seconds_to_post=0, posts_per_minute=1000, raid_authors=1000, toxicity_model=False
)


@pytest.fixture
def site(db):
    return create_site(db, "news", [SITE_ORIGIN], moderation=RELAXED)


@pytest.fixture
def api(settings, db, site) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="session")
def browser():
    """One Chromium for every browser test of the run (Playwright allows one at a time)."""
    with launched_chromium() as chromium:
        yield chromium
