"""Server-wide secrets, created by the migration step and shared by all workers."""

from sqlalchemy import Connection, select

from rostra.store.schema import server_secrets


def read_secret(conn: Connection, name: str) -> str:
    value = conn.execute(
        select(server_secrets.c.value).where(server_secrets.c.name == name)
    ).scalar_one_or_none()
    if value is None:
        raise LookupError(f"server secret {name!r} is missing: run `rostra db upgrade`")
    return value
