"""What each kind of transaction sees while other connections commit."""

from sqlalchemy import func, select

from rostra.service.sites import create_site
from rostra.store.schema import sites


def _site_count(conn) -> int:
    return conn.execute(select(func.count()).select_from(sites)).scalar_one()


def test_a_snapshot_keeps_seeing_the_database_as_it_first_read_it(db):
    """An export or copy of a live site is one consistent picture."""
    create_site(db, "first", ["https://first.example"])
    with db.snapshot() as conn:
        assert _site_count(conn) == 1
        create_site(db, "second", ["https://second.example"])
        assert _site_count(conn) == 1
    with db.read() as conn:
        assert _site_count(conn) == 2


def test_a_snapshot_streams_rows_through_a_server_side_cursor(db):
    for n in range(5):
        create_site(db, f"site-{n}", [f"https://s{n}.example"])
    with db.snapshot() as conn:
        streamed = conn.execution_options(stream_results=True, yield_per=2).execute(
            select(sites.c.name).order_by(sites.c.id)
        )
        assert [row.name for row in streamed] == [f"site-{n}" for n in range(5)]
