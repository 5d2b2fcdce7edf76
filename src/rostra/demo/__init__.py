"""The demo site: one article thread with comments that show what Rostra does."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from rostra.service import comments as comment_service
from rostra.service import sites as site_service
from rostra.service.comments import Client, NewComment
from rostra.service.identity import Hasher
from rostra.store import sites as site_store
from rostra.store.comments import comment_by_id
from rostra.store.database import Database
from rostra.store.schema import comments

_DATA = json.loads((Path(__file__).parent / "thread.json").read_text(encoding="utf-8"))
DEMO_SITE: str = _DATA["site"]
DEMO_THREAD: str = _DATA["thread"]
DEMO_TITLE: str = _DATA["title"]
# The demo news site: the seeded article above plus a few shorter ones, so the
# article list has comment counts to show.
ARTICLES: dict = json.loads((Path(__file__).parent / "articles.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class DemoResult:
    created: bool
    comments: int


def seed_demo(db: Database, hasher: Hasher, origins: list[str], page_url: str) -> DemoResult:
    """Create the demo site and thread once; later starts only refresh the origins."""
    with db.read() as conn:
        existing = site_store.site_by_name(conn, DEMO_SITE)
    if existing is not None:
        site_service.add_origins(db, DEMO_SITE, origins)
        return DemoResult(False, 0)
    site_service.create_site(db, DEMO_SITE, origins)
    now = datetime.now(UTC)
    ids: dict[str, int] = {}
    for number, row in enumerate(_DATA["comments"]):
        author = Client(ip=f"203.0.113.{number + 1}", user_agent="demo")
        new = NewComment(
            site=DEMO_SITE,
            body=row["body"],
            name=row["name"],
            thread_key=DEMO_THREAD,
            thread_title=DEMO_TITLE,
            thread_url=page_url,
            parent_id=ids[row["parent"]] if row["parent"] else None,
        )
        created = comment_service.create_comment(db, hasher, new, author)
        ids[row["ref"]] = created.comment.id
        _backdate(db, created.comment.id, now - timedelta(minutes=row["minutes_ago"]))
        _cast_votes(db, hasher, created.comment.id, row["up"], row["down"])
    _remove(db, ids[_DATA["removed"]])
    _seed_other_articles(db, hasher, page_url.rstrip("/"), now)
    return DemoResult(True, len(_DATA["comments"]))


def _seed_other_articles(db: Database, hasher: Hasher, base_url: str, now: datetime) -> None:
    for article in ARTICLES["articles"]:
        if article["key"] == DEMO_THREAD:
            continue
        for number, row in enumerate(article.get("comments", [])):
            new = NewComment(
                site=DEMO_SITE,
                body=row["body"],
                name=row["name"],
                thread_key=article["key"],
                thread_title=article["title"],
                thread_url=base_url + article["path"],
            )
            author = Client(ip=f"192.0.2.{number + 1}", user_agent="demo")
            created = comment_service.create_comment(db, hasher, new, author)
            _backdate(db, created.comment.id, now - timedelta(hours=3 * number + 2))
            _cast_votes(db, hasher, created.comment.id, row["up"], row["down"])


def _backdate(db: Database, comment_id: int, when: datetime) -> None:
    with db.write() as conn:
        conn.execute(update(comments).where(comments.c.id == comment_id).values(created_at=when))


def _cast_votes(db: Database, hasher: Hasher, comment_id: int, up: int, down: int) -> None:
    for voter in range(up + down):
        reader = Client(ip=f"198.51.100.{voter + 1}", user_agent="demo-reader")
        comment_service.vote(db, hasher, comment_id, 1 if voter < up else -1, reader)


def _remove(db: Database, comment_id: int) -> None:
    with db.write() as conn:
        comment_service.remove_comment(conn, comment_by_id(conn, comment_id))
