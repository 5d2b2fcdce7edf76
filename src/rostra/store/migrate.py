"""Schema migrations (Alembic), applied by `rostra db upgrade` and on server start."""

import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, inspect, select

from rostra.store.database import open_migration_engine
from rostra.store.schema import server_secrets

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic and what it brings (Mako, Pygments) take about a tenth of a second
# to import, paid by every command on a database that is already up to date.
# Knowing the newest revision spares that; a test keeps it equal to Alembic's head.
HEAD = "0009"
# Made on first upgrade: the salt of IP and voter hashes, and the key that signs
# the links in mails (confirm, unsubscribe: no login needed to use them).
SERVER_SECRETS = ("hash_salt", "link_key")
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _alembic_config(connection: Connection | None = None) -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade_database(url: str, revision: str = "head") -> str:
    """Bring the schema to the newest revision (or the one given) and make sure
    server secrets exist."""
    engine = open_migration_engine(url)
    try:
        with engine.begin() as connection:
            if revision == "head" and _up_to_date(connection):
                return HEAD
            from alembic import command

            command.upgrade(_alembic_config(connection), revision)
            for name in SERVER_SECRETS:
                _ensure_server_secret(connection, name)
            return current_revision(connection)
    finally:
        engine.dispose()


def _up_to_date(connection: Connection) -> bool:
    """At `HEAD`, with the server's secrets made: nothing for Alembic to do."""
    if not inspect(connection).has_table("alembic_version"):
        return False
    stored = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    if stored != [HEAD]:
        return False
    made = connection.execute(
        select(func.count()).where(server_secrets.c.name.in_(SERVER_SECRETS))
    ).scalar_one()
    return made == len(SERVER_SECRETS)


def downgrade_database(url: str, revision: str) -> str:
    """Take the schema back to an earlier revision (before running older code)."""
    engine = open_migration_engine(url)
    try:
        with engine.begin() as connection:
            from alembic import command

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
