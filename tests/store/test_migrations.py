"""The migrations build exactly the schema the code expects, on both backends."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, select, update

from rostra.importers import run_import
from rostra.store.database import open_migration_engine
from rostra.store.migrate import (
    HEAD,
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)
from rostra.store.schema import comments, metadata, server_secrets


def test_migrated_database_matches_the_schema(database_url, db):
    engine = open_migration_engine(database_url)
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == head_revision()
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        engine.dispose()


def test_comments_erased_before_revision_0008_stay_erased_on_reimport(database_url, db, site):
    export = Path(__file__).parents[1] / "importers" / "fixtures" / "disqus.xml"
    run_import(db, "disqus", export, "news")
    assert downgrade_database(database_url, "0007") == "0007"
    with db.write() as conn:
        # What an erasure left before this revision: the source digest untouched.
        conn.execute(
            update(comments)
            .where(comments.c.source_ref == "disqus:1001")
            .values(status="deleted", author_name=None, author_email=None, body_source="",
                    body_html="", author_key=None, fingerprint=None, moderation=None)
        )  # fmt: skip
    upgrade_database(database_url)
    with db.read() as conn:
        digests = dict(conn.execute(select(comments.c.source_ref, comments.c.source_digest)).all())
    assert digests["disqus:1001"] == "erased"
    assert sum(digest == "erased" for digest in digests.values()) == 1
    assert run_import(db, "disqus", export, "news").skipped["erased by its author"] == 1


def test_the_known_newest_revision_is_alembics_head():
    # A new migration must move HEAD too, or databases would stay behind it.
    assert head_revision() == HEAD


def _secrets(db) -> dict[str, str]:
    with db.read() as conn:
        return dict(conn.execute(select(server_secrets.c.name, server_secrets.c.value)).all())


def test_upgrading_an_up_to_date_database_changes_nothing(database_url, db):
    before = _secrets(db)
    assert upgrade_database(database_url) == HEAD
    assert _secrets(db) == before


def test_upgrading_makes_a_missing_server_secret_and_keeps_the_others(database_url, db):
    before = _secrets(db)
    with db.write() as conn:
        conn.execute(delete(server_secrets).where(server_secrets.c.name == "link_key"))
    assert upgrade_database(database_url) == HEAD
    after = _secrets(db)
    assert after["hash_salt"] == before["hash_salt"]
    assert len(after["link_key"]) == 64


def test_a_database_behind_head_is_brought_up_to_it(database_url, db):
    assert downgrade_database(database_url, "0007") == "0007"
    assert upgrade_database(database_url) == HEAD
    engine = open_migration_engine(database_url)
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == HEAD
    finally:
        engine.dispose()
