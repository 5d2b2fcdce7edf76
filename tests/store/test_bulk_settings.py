"""An import's transaction gets more memory on PostgreSQL, for itself alone."""

import pytest

from rostra.store.dialect import configure_bulk_transaction


@pytest.fixture
def postgres(db):
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL's memory settings")
    return db


def _show(conn, name: str) -> str:
    return conn.exec_driver_sql(f"SHOW {name}").scalar_one()


def _memory_in_bulk(db, work_mem: str, maintenance_work_mem: str) -> tuple[tuple, tuple]:
    """(work_mem, maintenance_work_mem) inside an import's transaction on a session
    configured with the values given, and after it."""
    with db.engine.connect() as conn:
        conn.exec_driver_sql(f"SET work_mem = '{work_mem}'")
        conn.exec_driver_sql(f"SET maintenance_work_mem = '{maintenance_work_mem}'")
        conn.commit()
        with conn.begin():
            configure_bulk_transaction(conn)
            inside = (_show(conn, "work_mem"), _show(conn, "maintenance_work_mem"))
            assert _show(conn, "statement_timeout") == "0"
        return inside, (_show(conn, "work_mem"), _show(conn, "maintenance_work_mem"))


def test_import_transaction_raises_memory_and_leaves_the_session_as_it_was(postgres):
    inside, after = _memory_in_bulk(postgres, "4MB", "64MB")
    assert inside == ("64MB", "256MB")
    assert after == ("4MB", "64MB")


def test_a_server_tuned_for_more_memory_keeps_its_setting(postgres):
    inside, _ = _memory_in_bulk(postgres, "512MB", "1GB")
    assert inside == ("512MB", "1GB")
