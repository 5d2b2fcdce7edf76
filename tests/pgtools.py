"""Scratch PostgreSQL databases for tests: one per session or per test that needs it."""

import os
import uuid

import psycopg

POSTGRES_ADMIN = os.environ.get("ROSTRA_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")


def create_postgres_database() -> tuple[str, str]:
    name = f"rostra_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
