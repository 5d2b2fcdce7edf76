"""Schema migrations (Alembic), applied by `rostra db upgrade` and on server start."""

import secrets
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, select

from rostra.store.database import open_migration_engine
from rostra.store.schema import server_secrets

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_database(url: str, revision: str = "head") -> str:
    """Bring the schema to the newest revision (or the one given) and make sure
    server secrets exist."""
    engine = open_migration_engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), revision)
            _ensure_server_secret(connection, "hash_salt")
            # Signs the links in mails (confirm, unsubscribe): no login needed to use them.
            _ensure_server_secret(connection, "link_key")
            return current_revision(connection)
    finally:
        engine.dispose()


def downgrade_database(url: str, revision: str) -> str:
    """Take the schema back to an earlier revision (before running older code)."""
    engine = open_migration_engine(url)
    try:
        with engine.begin() as connection:
            command.downgrade(_alembic_config(connection), revision)
            return current_revision(connection)
    finally:
        engine.dispose()


def _ensure_server_secret(connection: Connection, name: str) -> None:
    # Kept in the database, not in a file, so that every worker and every
    # host behind a load balancer hashes IPs and voters the same way.
    found = connection.execute(
        select(server_secrets.c.value).where(server_secrets.c.name == name)
    ).first()
    if found is None:
        connection.execute(server_secrets.insert().values(name=name, value=secrets.token_hex(32)))
