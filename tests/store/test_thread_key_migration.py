"""Migration 0006: threads keyed by a URL in another spelling find their page again.

Before it, a thread imported with a Unicode link (`https://bücher.example/новости`)
and the browser's view of the same page (`https://xn--bcher-kva.example/%D0%BD...`)
were two threads: the widget never showed the imported comments.
"""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import NamedTuple

import orjson
import pytest
from sqlalchemy import select, text, update

from helpers import post
from pgtools import create_postgres_database, drop_postgres_database
from rostra.domain.policy import SiteRules
from rostra.moderation.settings import ModerationSettings
from rostra.service.identity import Hasher
from rostra.service.pages import PageCache, PageRequest, thread_page
from rostra.store.database import Database, open_database
from rostra.store.migrate import upgrade_database
from rostra.store.schema import comments, threads
from rostra.store.secrets import read_secret

UNICODE_LINK = "https://Bücher.example/новости/статья"
BROWSER_LINK = (
    "https://xn--bcher-kva.example/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"
    "/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request, tmp_path) -> Iterator[str]:
    """A database at revision 0005, before thread keys were respelled."""
    if request.param == "sqlite":
        url = str(tmp_path / "old.db")
        upgrade_database(url, "0005")
        yield url
        return
    name, url = create_postgres_database()
    try:
        upgrade_database(url, "0005")
        yield url
    finally:
        drop_postgres_database(name)


class OldSite(NamedTuple):
    url: str
    db: Database
    hasher: Hasher


@pytest.fixture
def old_site(old_database) -> Iterator[OldSite]:
    """The site "news" in a database at revision 0005."""
    db = open_database(old_database)
    try:
        _insert_old_site(db)
        with db.read() as conn:
            hasher = Hasher(bytes.fromhex(read_secret(conn, "hash_salt")))
        yield OldSite(old_database, db, hasher)
    finally:
        db.dispose()


def _insert_old_site(db) -> None:
    """The site as revision 0005 stores it: the code's schema has columns added since."""
    settings = {**vars(SiteRules()), "moderation": ModerationSettings().model_dump(mode="json")}
    values = {
        "name": "news",
        "origins": json.dumps(["https://news.example"]),
        "settings": json.dumps(settings),
        "at": datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" "),
    }
    with db.write() as conn:
        conn.execute(
            text(
                "INSERT INTO sites (name, origins, settings, created_at) "
                "VALUES (:name, :origins, :settings, :at)"
            ),
            values,
        )


def _respell(db, thread_id: int, old_key: str) -> None:
    """Give a thread the key the old normalisation stored for its link."""
    with db.write() as conn:
        conn.execute(
            update(threads).where(threads.c.id == thread_id).values(key=old_key, url=old_key)
        )


def _page(db, url: str) -> dict:
    request = PageRequest(site="news", url=url, sort="oldest")
    return orjson.loads(thread_page(db, PageCache(0), request, None).body)


def test_an_imported_unicode_link_and_the_browsers_link_become_one_thread(old_site):
    db, hasher = old_site.db, old_site.hasher
    # An import stored the Unicode spelling, with a reply under its comment ...
    imported = post(db, hasher, "Imported first", key=None, thread_url=UNICODE_LINK).comment
    reply = post(db, hasher, "Imported reply", key=None, thread_url=UNICODE_LINK,
                 parent=imported.id).comment  # fmt: skip
    old_key = "https://bücher.example/новости/статья"
    _respell(db, imported.thread_id, old_key)
    # ... and the widget, finding nothing under the browser's spelling, opened another.
    with db.write() as conn:
        conn.execute(
            threads.insert().values(
                site_id=imported.site_id, key=BROWSER_LINK, url=BROWSER_LINK,
                created_at=imported.created_at, version=1,
            )
        )  # fmt: skip
    widget = post(db, hasher, "Posted from the page", key=None, thread_url=BROWSER_LINK).comment
    # An explicit id that happens to hold a Unicode URL is an id, not a link.
    named = post(db, hasher, "Named thread", key="https://bücher.example/named").comment

    upgrade_database(old_site.url)

    shown = _page(db, BROWSER_LINK)
    assert [c["id"] for c in shown["comments"]] == [imported.id, widget.id]
    assert [r["id"] for r in shown["comments"][0]["replies"]] == [reply.id]
    assert shown["thread"]["count"] == 3 and shown["thread"]["top_level"] == 2
    assert _page(db, UNICODE_LINK) == shown
    with db.read() as conn:
        rows = conn.execute(select(threads.c.id, threads.c.key)).all()
        moved = conn.execute(
            select(comments.c.thread_id).where(comments.c.id.in_([imported.id, reply.id]))
        ).scalars()
        assert set(moved) == {widget.thread_id}
    assert sorted(key for _, key in rows) == sorted([BROWSER_LINK, "https://bücher.example/named"])
    assert (named.thread_id, "https://bücher.example/named") in rows
    # New comments land in the merged thread, after the ones already there.
    later = post(db, hasher, "After the merge", key=None, thread_url=UNICODE_LINK).comment
    assert later.thread_id == widget.thread_id
    assert [c["id"] for c in _page(db, BROWSER_LINK)["comments"]][-1] == later.id


def test_a_link_alone_under_its_old_spelling_is_respelled(old_site):
    db, hasher = old_site.db, old_site.hasher
    browser = "https://news.example/%D0%B0"
    first = post(db, hasher, "Under the old spelling", key=None, thread_url=browser).comment
    _respell(db, first.thread_id, "https://news.example./%d0%b0")

    upgrade_database(old_site.url)

    shown = _page(db, "https://news.example./а")
    assert [c["id"] for c in shown["comments"]] == [first.id]
    with db.read() as conn:
        key = conn.execute(select(threads.c.key).where(threads.c.id == first.thread_id)).scalar()
    assert key == browser
