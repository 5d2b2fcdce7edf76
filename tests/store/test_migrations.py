"""The migrations build exactly the schema the code expects, on both backends."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from rostra.store.database import open_migration_engine
from rostra.store.migrate import current_revision, head_revision
from rostra.store.schema import metadata


def test_migrated_database_matches_the_schema(database_url, db):
    engine = open_migration_engine(database_url)
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == head_revision()
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        engine.dispose()
