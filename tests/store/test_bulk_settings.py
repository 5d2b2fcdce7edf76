"""An import's transaction gets more memory on PostgreSQL, for itself alone."""

import pytest

from rostra.store.database import open_database
from rostra.store.dialect import configure_bulk_transaction


@pytest.fixture
def postgres(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's memory settings")
    db = open_database(database_url)
    yield db
    db.engine.dispose()


def _show(conn, name: str) -> str:
    return conn.exec_driver_sql(f"SHOW {name}").scalar_one()


def test_import_transaction_raises_memory_and_leaves_the_session_as_it_was(postgres):
    with postgres.engine.connect() as conn:
        conn.exec_driver_sql("SET work_mem = '4MB'")
        conn.exec_driver_sql("SET maintenance_work_mem = '64MB'")
        conn.commit()
        with conn.begin():
            configure_bulk_transaction(conn)
            assert _show(conn, "work_mem") == "64MB"
            assert _show(conn, "maintenance_work_mem") == "256MB"
            assert _show(conn, "statement_timeout") == "0"
        assert _show(conn, "work_mem") == "4MB"
        assert _show(conn, "maintenance_work_mem") == "64MB"


def test_a_server_tuned_for_more_memory_keeps_its_setting(postgres):
    with postgres.engine.connect() as conn:
        conn.exec_driver_sql("SET work_mem = '512MB'")
        conn.exec_driver_sql("SET maintenance_work_mem = '1GB'")
        conn.commit()
        with conn.begin():
            configure_bulk_transaction(conn)
            assert _show(conn, "work_mem") == "512MB"
            assert _show(conn, "maintenance_work_mem") == "1GB"
