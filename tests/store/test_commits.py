"""The commit counter that lets current pages be confirmed without a query."""

from rostra.service.sites import create_site
from rostra.store.commits import commit_counter


def test_counter_moves_on_every_commit_and_only_then(db, database_url):
    counter = commit_counter(database_url)
    if db.dialect != "sqlite":
        assert counter is None  # no exact, local signal: pages are always probed
        return
    try:
        before = counter.current()
        with db.read() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM comments")
        assert counter.current() == before
        create_site(db, "other", ["https://other.example"])
        after = counter.current()
        assert after != before
        assert counter.current() == after
    finally:
        counter.close()
