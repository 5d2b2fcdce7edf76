"""Atom feeds of the latest comments, per site and per thread."""

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from rostra.domain.text import xml_chars
from rostra.errors import NotFound
from rostra.service.pages import iso
from rostra.service.threads import thread_key
from rostra.store import comments as comment_store
from rostra.store import sites as site_store
from rostra.store import threads as thread_store
from rostra.store.database import Database

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = xml_chars(text)
    return element


def site_feed(db: Database, site: str, base_url: str) -> bytes:
    return _feed(db, site, None, base_url)


def thread_feed(db: Database, site: str, key: str | None, url: str | None, base_url: str) -> bytes:
    """A request naming no thread is refused, as /threads does: the site feed has its own address."""
    return _feed(db, site, thread_key(key, url), base_url)


def _feed(db: Database, site_name: str, wanted_key: str | None, base_url: str) -> bytes:
    with db.read() as conn:
        site = site_store.require_site(conn, site_name)
        thread = None
        if wanted_key is not None:
            thread = thread_store.thread_by_key(conn, site.id, wanted_key)
            if thread is None:
                raise NotFound("unknown_thread", "That thread has no comments yet.")
        latest = comment_store.latest_published(
            conn, site_id=site.id, thread_id=thread.id if thread else None, limit=FEED_SIZE
        )
        titles = {
            t.id: t
            for t in (thread_store.thread_by_id(conn, tid) for tid in {c.thread_id for c in latest})
        }
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    scope = f"thread {thread.key}" if thread else "site"
    _sub(feed, "id", f"{base_url}/api/v1/feeds/{site.name}/{scope.replace(' ', ':')}")
    _sub(
        feed,
        "title",
        f"Comments on {thread.title or thread.key}" if thread else f"Comments on {site.name}",
    )
    _sub(feed, "updated", iso(latest[0].created_at if latest else datetime.now(UTC)))
    _sub(feed, "generator", "Rostra")
    for comment in latest:
        page = titles[comment.thread_id]
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{base_url}/api/v1/comments/{comment.id}")
        _sub(entry, "title", f"{comment.author_name} on {page.title or page.key}")
        author = _sub(entry, "author")
        _sub(author, "name", comment.author_name)
        _sub(entry, "published", iso(comment.created_at))
        _sub(entry, "updated", iso(comment.edited_at or comment.created_at))
        if page.url:
            _sub(entry, "link", href=xml_chars(f"{page.url}#comment-{comment.id}"))
        _sub(entry, "content", comment.body_html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
