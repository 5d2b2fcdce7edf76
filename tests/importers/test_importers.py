"""Importers and exporters on SQLite and PostgreSQL: fidelity, idempotence, all-or-nothing."""

import gc
import json
import sqlite3
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from helpers import close_threads_after, post, reader
from rostra.admin import actions
from rostra.admin.accounts import Moderator, Role, create_user
from rostra.admin.queue import detail as comment_detail
from rostra.cli import main as cli
from rostra.errors import Forbidden
from rostra.identity.privacy import Person, erase
from rostra.importers import ImportFailure, ImportOptions, run_import
from rostra.moderation.pipeline import Pipeline
from rostra.moderation.settings import ModerationSettings
from rostra.service import comments as svc
from rostra.service.comments import Client
from rostra.service.reports import report_comment
from rostra.service.sites import create_site
from rostra.store import reports as report_store
from rostra.store import sanctions as sanction_store
from rostra.store import sites as site_store
from rostra.store import threads as thread_store
from rostra.store.schema import comment_revisions, comments, reports, sanctions, threads
from rostra.store.tree import rebuild_thread

FIXTURES = Path(__file__).parent / "fixtures"
_DERIVED = ("parent_id", "root_id", "depth", "sibling_pos", "chain_pos", "child_seq", "reply_count", "visible")  # fmt: skip
_COUNTERS = ("comment_count", "root_count", "root_seq", "last_comment_at", "created_at")


def imported(db, name, path=None, **options):
    """Import a fixture by file name ("disqus.xml"), or any file given a format name."""
    if path is None:
        name, path = name.split(".")[0], FIXTURES / name
    return run_import(db, name, path, "news", ImportOptions(**options))


def rows(db, key=None):
    with db.read() as conn:
        query = select(comments, threads.c.key).join(threads).order_by(comments.c.id)
        if key is not None:
            query = query.where(threads.c.key == key)
        return {row.source_ref: row for row in conn.execute(query)}


def thread_rows(db):
    with db.read() as conn:
        return {row.key: row for row in conn.execute(select(threads))}


def snapshot(db):
    """Threads and comments without ids: each comment named by its path of sibling positions."""
    with db.read() as conn:
        all_threads = {row.id: row for row in conn.execute(select(threads))}
        found = {row.id: row for row in conn.execute(select(comments))}
        earlier: dict[int, list] = {}
        for revision in conn.execute(select(comment_revisions).order_by(comment_revisions.c.id)):
            earlier.setdefault(revision.comment_id, []).append(revision.body_source)

    def path(row):
        return (
            (*path(found[row.parent_id]), row.sibling_pos) if row.parent_id else (row.sibling_pos,)
        )

    shown_threads = {
        t.key: (t.title, t.url, t.comment_count, t.root_count, t.root_seq, t.last_comment_at)
        for t in all_threads.values()
    }
    shown_comments = {
        (all_threads[row.thread_id].key, path(row)): (
            row.depth,
            row.chain_pos,
            row.child_seq,
            row.reply_count,
            row.status,
            row.visible,
            row.author_name,
            row.author_email,
            row.author_website,
            row.body_source,
            row.body_html,
            row.created_at.replace(microsecond=0),
            (row.upvotes, row.downvotes, bool(row.featured), bool(row.shadowed)),
            (row.toxicity, row.moderation, bool(row.verified), row.author_avatar),
            earlier.get(row.id, []),
        )  # fmt: skip
        for row in found.values()
    }
    return shown_threads, shown_comments


def empty_site(db):
    with db.write() as conn:
        conn.execute(comments.delete())
        conn.execute(threads.delete())


# --- the tree rebuild --------------------------------------------------------------------------


def test_rebuild_reproduces_the_tree_the_api_built(ctx, site):
    db, hasher = ctx.db, ctx.hasher
    root = post(db, hasher, "root").comment.id
    a = post(db, hasher, "a", parent=root).comment.id
    b = post(db, hasher, "b", parent=root).comment.id
    a1 = post(db, hasher, "a1", parent=a).comment.id
    post(db, hasher, "a1x", parent=a1)
    c = post(db, hasher, "c", parent=root).comment.id
    second = post(db, hasher, "second root").comment.id
    post(db, hasher, "under second", parent=second)
    doomed = post(db, hasher, "to delete").comment
    keeper = post(db, hasher, "tombstone with a reply", parent=second).comment
    post(db, hasher, "reply to the tombstone", parent=keeper.id)
    leaf = post(db, hasher, "deleted leaf", parent=b).comment
    for victim in (doomed, keeper, leaf):
        with db.write() as conn:
            svc.remove_comment(conn, svc.comment_store.comment_by_id(conn, victim.id))
    del c
    with db.read() as conn:
        thread_id = conn.execute(select(threads.c.id)).scalar_one()
        before = conn.execute(select(*(comments.c[n] for n in ("id", *_DERIVED)))).all()
        counters = conn.execute(select(*(threads.c[n] for n in (*_COUNTERS, "version")))).one()
    with db.write() as conn:
        conn.execute(
            comments.update().values(
                root_id=None,
                depth=0,
                sibling_pos=0,
                chain_pos=0,
                child_seq=0,
                reply_count=0,
                visible=False,
            )  # fmt: skip
        )
        conn.execute(threads.update().values(comment_count=0, root_count=0, root_seq=0))
        result = rebuild_thread(conn, thread_id)
    assert result.detached == 0
    with db.read() as conn:
        after = conn.execute(select(*(comments.c[n] for n in ("id", *_DERIVED)))).all()
        rebuilt = conn.execute(select(*(threads.c[n] for n in (*_COUNTERS, "version")))).one()
    assert sorted(after) == sorted(before)
    assert rebuilt[:-1] == counters[:-1]
    assert rebuilt.version == counters.version + 1


def test_rebuild_cuts_cycles_and_attaches_them_at_top_level(ctx, site):
    first = post(ctx.db, ctx.hasher, "one").comment.id
    second = post(ctx.db, ctx.hasher, "two", parent=first).comment.id
    with ctx.db.write() as conn:
        conn.execute(comments.update().where(comments.c.id == first).values(parent_id=second))
        thread_id = conn.execute(select(threads.c.id)).scalar_one()
        assert rebuild_thread(conn, thread_id).detached == 1
        depths = dict(conn.execute(select(comments.c.id, comments.c.depth)).all())
    assert depths == {first: 0, second: 1}


# --- Disqus ------------------------------------------------------------------------------------


def test_disqus_export_is_imported_faithfully(db, site):
    report = imported(db, "disqus.xml")
    assert report.comments_seen == 10
    assert report.imported == 9
    assert report.skipped == {"duplicate id in file": 1}
    assert report.orphans == 1
    assert report.outcome == {
        "published": 6, "deleted (tombstone)": 1, "deleted (hidden)": 1, "rejected": 1
    }  # fmt: skip
    found = rows(db)
    first, early = found["disqus:1001"], found["disqus:1002"]
    # A reply that came before its parent in the file still hangs under it.
    assert early.parent_id == first.id and early.depth == 1
    assert first.created_at == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)  # +01:00 read as such
    assert found["disqus:1004"].created_at == datetime(2024, 3, 1, 10, 30, tzinfo=UTC)  # no zone
    assert first.body_source.startswith("First! **Finally** the trains are back & on time.")
    assert "<script>" not in first.body_html and "alert" not in first.body_html
    assert (
        '<a href="https://rail.example/timetable?x=1" rel="nofollow ugc noopener">'
        in first.body_html
    )
    assert first.ip_hash and "192.0.2.10" not in str(first) and first.edit_token_hash is None
    # The deleted parent with a live reply is a tombstone; the deleted leaf is hidden.
    tombstone, reply = found["disqus:1003"], found["disqus:1004"]
    assert (tombstone.status, tombstone.visible, tombstone.reply_count) == ("deleted", True, 1)
    assert reply.parent_id == tombstone.id
    assert "Ελληνικά" in reply.body_source and "🚆👩🏽‍🔧🇪🇺" in reply.body_html
    assert reply.author_name == "Zoë Ωmega" and reply.author_email is None
    assert (found["disqus:1005"].status, found["disqus:1005"].visible) == ("deleted", False)
    assert (found["disqus:1006"].status, found["disqus:1006"].visible) == ("rejected", False)
    assert "javascript" not in found["disqus:1006"].body_html
    orphan = found["disqus:1007"]
    assert (orphan.parent_id, orphan.depth, orphan.source_parent_ref) == (None, 0, "disqus:999999")
    shown = thread_rows(db)
    assert set(shown) == {"article-1", "https://news.example/2024/budget"}
    article = shown["article-1"]
    assert (article.title, article.url) == (
        "Rail line reopens",
        "https://news.example/2024/rail-line",
    )
    # published: 1001, 1002, 1004, 1007; top level visible: 1001, 1003 (tombstone), 1007
    assert (article.comment_count, article.root_count, article.root_seq) == (4, 3, 5)
    budget = shown["https://news.example/2024/budget"]
    assert budget.title == "Budget: the vote"  # the untitled copy took the other one's title
    assert budget.comment_count == 2
    escaped = found["disqus:2001"]
    assert escaped.body_html == (
        "<p>Escaped HTML rather than CDATA: *not emphasis* &amp; 1. not a list</p>"
    )
    assert found["disqus:2002"].parent_id == escaped.id


def test_importing_the_same_file_again_changes_nothing(db, site):
    imported(db, "disqus.xml")
    before, versions = rows(db), {k: t.version for k, t in thread_rows(db).items()}
    again = imported(db, "disqus.xml")
    assert (again.imported, again.updated) == (0, 0)
    assert again.skipped["unchanged since last import"] == 9
    assert rows(db) == before
    assert {k: t.version for k, t in thread_rows(db).items()} == versions


def test_a_newer_export_adds_only_what_is_new(db, site, tmp_path):
    full = (FIXTURES / "disqus.xml").read_text()
    start = full.index("  <!-- A deleted comment whose reply is live")
    end = full.index("  <!-- Two Disqus threads")
    older = tmp_path / "older.xml"
    older.write_text(full[:start] + full[end:])
    first = imported(db, "disqus", older)
    assert first.imported == 4
    newer = imported(db, "disqus", FIXTURES / "disqus.xml")
    assert (newer.imported, newer.updated) == (5, 0)
    assert newer.threads_touched == 1  # the budget thread is untouched: its version stays
    assert "  threads: 2 seen, 0 new, 1 with new or changed comments" in newer.lines()
    assert thread_rows(db)["article-1"].comment_count == 4


def test_a_changed_source_record_updates_the_comment(db, site, tmp_path):
    imported(db, "disqus.xml")
    changed = tmp_path / "changed.xml"
    changed.write_text(
        (FIXTURES / "disqus.xml").read_text().replace("Same article, other link", "Edited")
    )
    report = imported(db, "disqus", changed)
    assert (report.imported, report.updated) == (0, 1)
    assert rows(db)["disqus:2002"].body_source == "Edited"


def test_a_comment_its_author_erased_stays_erased_whatever_is_imported_again(db, site, tmp_path):
    imported(db, "disqus.xml")
    with db.read() as conn:
        site_id = conn.execute(select(comments.c.site_id)).scalars().first()
    assert erase(db, Person(site_id, email="ana@example.org")) == 1
    # An export taken before the erasure, where Ana had also edited her comment.
    older = tmp_path / "older.xml"
    older.write_text((FIXTURES / "disqus.xml").read_text().replace("First!", "First! Edited:"))
    for path in (older, FIXTURES / "disqus.xml"):
        report = imported(db, "disqus", path)
        assert (report.imported, report.updated) == (0, 0)
        assert report.skipped["erased by its author"] == 1
        ana = rows(db)["disqus:1001"]
        assert (ana.status, ana.author_name, ana.author_email, ana.body_source) == (
            "deleted",
            None,
            None,
            "",
        )


def test_a_malformed_file_stops_with_its_line_and_writes_nothing(db, site):
    with pytest.raises(ImportFailure) as failure:
        imported(db, "disqus", FIXTURES / "disqus_malformed.xml")
    assert failure.value.position.startswith("line 5, column")
    assert "tag mismatch" in failure.value.message
    assert rows(db) == {} and thread_rows(db) == {}


@pytest.mark.parametrize(
    ("format_name", "fixture", "expected"),
    [
        ("disqus", "wordpress.xml", "not a Disqus export: the document element is <rss>"),
        (
            "wordpress",
            "disqus.xml",
            "not a WordPress (WXR) export: the document element is <disqus>",
        ),
        ("commento", "remark42.jsonl", "after the end of the JSON document"),
        ("rostra", "disqus.xml", "not a Rostra export: its first line is invalid JSON"),
    ],
)
def test_a_file_of_another_format_stops_instead_of_importing_nothing(
    db, site, format_name, fixture, expected
):
    with pytest.raises(ImportFailure) as failure:
        imported(db, format_name, FIXTURES / fixture)
    assert expected in failure.value.message
    assert rows(db) == {} and thread_rows(db) == {}


def test_a_json_object_that_is_no_commento_export_stops(db, site, tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"threads": [{"id": 1}], "posts": [{"id": 2, "text": "Hi"}]}')
    with pytest.raises(ImportFailure) as failure:
        imported(db, "commento", other)
    assert failure.value.message.startswith("not a Commento export")
    assert rows(db) == {} and thread_rows(db) == {}


def test_an_empty_export_of_the_right_format_imports_nothing_without_complaint(db, site, tmp_path):
    empty_disqus = tmp_path / "empty.xml"
    empty_disqus.write_text('<?xml version="1.0"?>\n<disqus xmlns="http://disqus.com"/>\n')
    empty_commento = tmp_path / "empty.json"
    empty_commento.write_text('{"version": 1, "comments": [], "commenters": []}')
    assert imported(db, "disqus", empty_disqus).comments_seen == 0
    assert imported(db, "commento", empty_commento).comments_seen == 0


def test_a_bad_record_stops_the_import_unless_told_to_go_on(db, site):
    with pytest.raises(ImportFailure) as failure:
        imported(db, "disqus", FIXTURES / "disqus_bad_record.xml")
    assert failure.value.position == "line 5"
    assert "'yesterday' is not an ISO 8601 time" in failure.value.message
    assert rows(db) == {}
    report = imported(db, "disqus", FIXTURES / "disqus_bad_record.xml", continue_on_error=True)
    assert report.imported == 2 and report.skipped == {"invalid record": 1}
    assert report.problems[0].position == "line 5"
    assert set(rows(db)) == {"disqus:10", "disqus:12"}


def test_dry_run_reports_everything_and_writes_nothing(db, site):
    report = imported(db, "disqus.xml", dry_run=True)
    assert report.imported == 9 and report.orphans == 1 and report.dry_run
    assert rows(db) == {} and thread_rows(db) == {}


def test_map_url_rewrites_prefixes_before_normalising(db, site):
    imported(db, "disqus.xml", url_map=(("https://NEWS.example/", "https://new.example/"),))
    assert "https://new.example/2024/budget" in thread_rows(db)


def test_parallel_body_rendering_gives_the_same_rows(db, site):
    imported(db, "disqus.xml", workers=2, batch_size=3)
    parallel = snapshot(db)
    empty_site(db)
    imported(db, "disqus.xml")
    assert snapshot(db) == parallel


# --- other formats ------------------------------------------------------------------------------


def test_wordpress_statuses_threads_and_autop_bodies(db, site):
    report = imported(db, "wordpress.xml")
    found = rows(db)
    ana = found["wordpress:5"]
    assert ana.body_html == (
        "<p>Great news.</p>\n<p>Second paragraph<br>\nwith a line break and "
        "<strong>bold</strong> text.</p>"
    )
    assert ana.created_at == datetime(2024, 3, 1, 9, tzinfo=UTC)
    assert (ana.author_website, ana.author_email) == ("https://ana.example", "ana@example.org")
    pending = found["wordpress:6"]
    assert (pending.status, pending.parent_id, pending.visible) == ("pending", ana.id, False)
    assert pending.created_at == datetime(2024, 3, 1, 11, tzinfo=UTC)  # no GMT date: local as UTC
    assert found["wordpress:7"].status == "rejected" and found["wordpress:7"].author_website is None
    assert found["wordpress:8"].status == "rejected"
    # A parent on another post is not a parent: the reply is an orphan at top level.
    assert found["wordpress:10"].parent_id is None and report.orphans == 1
    shown = thread_rows(db)
    assert shown["https://news.example/2024/03/harbour-plan"].title == "Harbour plan approved"
    assert shown["https://news.example/2024/03/untitled"].title is None


def test_wordpress_imports_readers_comments_only(db, site):
    report = imported(db, "wordpress.xml")
    # The newsroom's editorial note and a shop's order note are not readers' words:
    # neither may be published.
    assert report.skipped == {"pingback": 1, "editorial note": 1, "comment type 'order_note'": 1}
    found = rows(db)
    assert not {"wordpress:9", "wordpress:11", "wordpress:12"} & set(found)
    # A comment of a post in the trash was shown nowhere: kept, hidden, restorable.
    trashed = found["wordpress:13"]
    assert (trashed.status, trashed.visible) == ("rejected", False)
    assert trashed.body_source == "The 7:40 sailing is missing from this table."


def test_isso_database(db, site, tmp_path):
    isso = tmp_path / "comments.db"
    with sqlite3.connect(isso) as conn:
        conn.executescript((FIXTURES / "isso.sql").read_text())
    imported(db, "isso", isso, url_map=(("/", "https://news.example/"),))
    found = rows(db)
    first = found["isso:1"]
    assert first.body_source == "Hello *world*, see https://news.example"
    assert (first.upvotes, first.downvotes) == (3, 1)
    assert first.created_at == datetime(2024, 3, 1, 9, 0, 0, 500000, tzinfo=UTC)
    assert (found["isso:2"].status, found["isso:2"].visible) == ("deleted", True)
    assert found["isso:3"].edited_at is not None and found["isso:3"].depth == 1
    assert found["isso:4"].status == "pending"
    assert found["isso:5"].body_html == "<p>&lt;b&gt;raw html&lt;/b&gt; stays text</p>"
    assert set(thread_rows(db)) == {
        "https://news.example/2024/03/harbour-plan",
        "https://news.example/2024/03/no-title",
    }


def test_isso_text_that_is_not_utf8_or_holds_a_nul_is_kept_mended(db, site, tmp_path):
    isso = tmp_path / "comments.db"
    with sqlite3.connect(isso) as conn:
        conn.executescript((FIXTURES / "isso.sql").read_text())
        conn.execute("UPDATE comments SET text = CAST(x'48e96c6c6f' AS TEXT) WHERE id = 1")
        conn.execute("UPDATE comments SET author = 'Bo' || char(0) || 'b' WHERE id = 3")
        conn.execute("UPDATE comments SET likes = 'many' WHERE id = 4")
    report = imported(db, "isso", isso, continue_on_error=True)
    found = rows(db)
    assert found["isso:1"].body_source == "H\ufffdllo"
    assert found["isso:3"].author_name == "Bob"
    assert "isso:4" not in found and report.problems[0].message.startswith("the likes count")


def test_isso_columns_holding_other_types_are_read_or_refused_at_their_comment(db, site, tmp_path):
    # SQLite keeps whatever type was written into a column; other tools write into Isso's file.
    isso = tmp_path / "comments.db"
    with sqlite3.connect(isso) as conn:
        conn.executescript((FIXTURES / "isso.sql").read_text())
        conn.execute("UPDATE comments SET author = x'416e61', email = 42 WHERE id = 1")
        conn.execute("UPDATE comments SET likes = ? WHERE id = 3", (2**62,))
        conn.execute("UPDATE comments SET created = 1e300 WHERE id = 5")
    with pytest.raises(ImportFailure) as failed:
        imported(db, "isso", isso)
    assert failed.value.position == "comment 5" and "not a Unix timestamp" in failed.value.message
    assert rows(db) == {}
    report = imported(db, "isso", isso, continue_on_error=True)
    found = rows(db)
    assert found["isso:1"].author_name == "Ana" and found["isso:1"].author_email is None
    assert found["isso:3"].upvotes == 2**31 - 1  # what the column holds, not a failed import
    assert "isso:5" not in found and report.skipped["invalid record"] == 1


def test_an_isso_import_that_stops_lets_its_file_go_at_once(db, site, tmp_path, monkeypatch):
    # The server imports in a worker thread; the reader's SQLite handle must be
    # closed there, not later by the garbage collector in whatever thread runs it.
    isso = tmp_path / "comments.db"
    with sqlite3.connect(isso) as conn:
        conn.executescript((FIXTURES / "isso.sql").read_text())
        conn.execute("UPDATE comments SET created = 1e300 WHERE id = 5")
    conn.close()
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with ThreadPoolExecutor(1) as pool, pytest.raises(ImportFailure):
        pool.submit(imported, db, "isso", isso).result()
    gc.collect()
    assert unraisable == []


def test_isso_rejects_a_file_that_is_not_its_database(db, site, tmp_path):
    with pytest.raises(ImportFailure, match="not an Isso database"):
        imported(db, "isso", FIXTURES / "commento.json")


def test_remark42_backup(db, site):
    report = imported(db, "remark42.jsonl")
    found = rows(db)
    assert found["remark42:b7f6a1c2-0001"].body_source == "Hello **world**"
    assert found["remark42:b7f6a1c2-0001"].created_at == datetime(2024, 3, 1, 9, 0, 0, 123456, tzinfo=UTC)  # fmt: skip
    removed = found["remark42:b7f6a1c2-0002"]
    assert (removed.status, removed.visible) == ("deleted", True)
    assert found["remark42:b7f6a1c2-0003"].parent_id == removed.id
    assert found["remark42:b7f6a1c2-0004"].body_source == "Imported *from elsewhere*"
    assert report.threads_seen == 2  # the utm_campaign link is the same thread


def test_remark42_text_that_is_not_a_string_imports_as_an_empty_body(db, site, tmp_path):
    lines = (FIXTURES / "remark42.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    deleted = next(r for r in records if r.get("id") == "b7f6a1c2-0002")
    deleted["text"] = -1
    backup = tmp_path / "backup.jsonl"
    backup.write_text("".join(json.dumps(r) + "\n" for r in records))
    imported(db, "remark42", backup)
    assert rows(db)["remark42:b7f6a1c2-0002"].body_source == ""


def test_imported_text_loses_the_control_characters_posting_drops(db, site, tmp_path):
    # A backup may hold a bell or a vertical tab pasted from another program:
    # stored, they would show as garbage and break every XML file the site writes.
    lines = (FIXTURES / "remark42.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    by_id = {r.get("id"): r for r in records}
    by_id["b7f6a1c2-0001"]["orig"] = "Hello\x07 **world**\tand\x0b tab\ufffe"
    by_id["b7f6a1c2-0001"]["user"]["name"] = "An\uffffa\x07"
    for record in records[1:]:
        record["title"] = "Harbour\ufffe plan\x0b approved\uffff"
    del by_id["b7f6a1c2-0003"]["orig"]
    by_id["b7f6a1c2-0003"]["text"] = "<p>reply\x1b to a\x00 removed\x7f comment</p>"
    backup = tmp_path / "backup.jsonl"
    backup.write_text("".join(json.dumps(r) + "\n" for r in records))
    imported(db, "remark42", backup)
    found = rows(db)
    markdown = found["remark42:b7f6a1c2-0001"]
    assert (markdown.body_source, markdown.body_html) == (
        "Hello **world**\tand tab",
        "<p>Hello <strong>world</strong>\tand tab</p>",
    )
    assert markdown.author_name == "Ana"
    html = found["remark42:b7f6a1c2-0003"]
    assert (html.body_source, html.body_html) == (
        "reply to a removed comment",
        "<p>reply to a removed comment</p>",
    )
    titles = {row.title for row in thread_rows(db).values()}
    assert titles == {"Harbour plan approved"}


def test_remark42_votes_come_along(db, site):
    imported(db, "remark42.jsonl")
    found = rows(db)
    votes = lambda ref: (found[ref].upvotes, found[ref].downvotes)  # noqa: E731
    assert votes("remark42:b7f6a1c2-0003") == (2, 1)  # counted from the per-user votes
    assert votes("remark42:b7f6a1c2-0001") == (2, 0)  # only the score was kept
    assert votes("remark42:b7f6a1c2-0004") == (0, 2)


def test_a_pinned_remark42_comment_comes_in_featured(db, site):
    imported(db, "remark42.jsonl")
    found = rows(db)
    assert found["remark42:b7f6a1c2-0001"].featured
    assert not found["remark42:b7f6a1c2-0003"].featured


def test_commento_export(db, site):
    imported(db, "commento.json")
    found = rows(db)
    assert found["commento:c1"].author_website == "https://ana.example"
    assert found["commento:c1"].upvotes == 2
    assert found["commento:c2"].status == "pending" and found["commento:c2"].downvotes == 1
    assert found["commento:c2"].author_website is None  # "undefined" is no website
    assert found["commento:c3"].parent_id == found["commento:c2"].id
    assert found["commento:c3"].author_name == "Anonymous"
    assert found["commento:c4"].status == "rejected"
    # Commento keeps the host in `domain` and the page's path in `url`; the newsletter
    # link with a tracking parameter and a trailing slash is the same page.
    assert set(thread_rows(db)) == {"https://news.example/2024/03/harbour-plan"}


def test_json_escapes_no_column_can_hold_are_mended_not_fatal(db, site, tmp_path):
    # JSON may escape a NUL (PostgreSQL refuses it in text) or half a surrogate pair.
    source = (FIXTURES / "commento.json").read_text()
    broken = tmp_path / "escapes.json"
    broken.write_text(
        source.replace('"commentHex": "c1"', '"commentHex": "c\\u00001"')
        .replace("Hello **world**", "Hello \\u0000**world** \\ud800")
        .replace('"/2024/03/harbour-plan', '"/2024/03/harbour\\udfff-plan')
        .replace('"name": "Ana"', '"name": "A\\u0000na \\ud83d"')
    )
    report = imported(db, "commento", broken)
    assert report.imported == 4
    found = rows(db)
    assert found["commento:c1"].body_source == "Hello **world** \ufffd"
    assert found["commento:c1"].author_name == "Ana \ufffd"
    assert set(thread_rows(db)) == {"https://news.example/2024/03/harbour%EF%BF%BD-plan"}
    assert imported(db, "commento", broken).imported == 0  # and a second run finds it unchanged


def test_a_json_export_that_is_not_utf8_stops_with_its_position(db, site, tmp_path):
    broken = tmp_path / "latin1.json"
    broken.write_bytes((FIXTURES / "commento.json").read_bytes().replace(b"Nested", b"N\xe9sted"))
    with pytest.raises(ImportFailure) as failure:
        imported(db, "commento", broken)
    assert "not UTF-8" in failure.value.message and "0xe9" in failure.value.message
    assert failure.value.position.startswith("after character")
    assert rows(db) == {}


# --- round trips --------------------------------------------------------------------------------


def _export(database_url, fmt, out):
    result = CliRunner().invoke(
        cli,
        [
            "export",
            "--site",
            "news",
            "--format",
            fmt,
            "--output",
            str(out),
            "--database",
            database_url,
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output


def test_an_export_that_cannot_be_written_says_why_and_keeps_the_older_file(
    db, site, database_url, tmp_path
):
    imported(db, "disqus.xml")
    args = ["export", "--site", "news", "--database", database_url, "--output"]
    missing = CliRunner().invoke(cli, [*args, str(tmp_path / "no" / "such" / "dir.jsonl")])
    assert missing.exit_code == 1
    assert "cannot write" in missing.output and "No such file or directory" in missing.output
    older = tmp_path / "backup.jsonl"
    older.write_text("yesterday's export\n")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / ".backup.jsonl.partial").mkdir()  # the file beside it cannot be created
    moved = locked / "backup.jsonl"
    moved.write_text("yesterday's export\n")
    refused = CliRunner().invoke(cli, [*args, str(moved)])
    assert refused.exit_code == 1 and "cannot write" in refused.output
    assert moved.read_text() == "yesterday's export\n"
    done = CliRunner().invoke(cli, [*args, str(older)])
    assert done.exit_code == 0 and older.read_text().count('"type":"comment"') == 9
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_rostra_export_round_trip_gives_identical_threads(ctx, site, database_url, tmp_path):
    imported(ctx.db, "disqus.xml")
    root = post(ctx.db, ctx.hasher, "native comment", key="article-1").comment.id
    post(ctx.db, ctx.hasher, "native reply", parent=root, key="article-1")
    svc.vote(ctx.db, ctx.hasher, root, 1, Client("203.0.113.1", "voter"))
    _feature(ctx.db, "disqus:1001", True)
    before = snapshot(ctx.db)
    out = tmp_path / "export.jsonl"
    _export(database_url, "rostra", out)
    empty_site(ctx.db)
    report = imported(ctx.db, "rostra", out)
    assert report.orphans == 1  # the reply to a comment missing from the Disqus file, as before
    assert snapshot(ctx.db) == before
    assert rows(ctx.db)["disqus:1001"].featured  # the moderators' pick survives the move
    again = imported(ctx.db, "rostra", out)
    assert again.imported == 0


def test_a_shadow_banned_authors_comment_stays_hidden_after_a_move(
    ctx, site, database_url, tmp_path
):
    imported(ctx.db, "disqus.xml")
    hidden = post(ctx.db, ctx.hasher, "seen by its author only", key="article-1").comment
    with ctx.db.write() as conn:
        conn.execute(comments.update().where(comments.c.id == hidden.id).values(shadowed=True))
        rebuild_thread(conn, hidden.thread_id)
    before, counts_before = snapshot(ctx.db), thread_rows(ctx.db)["article-1"].comment_count
    out = tmp_path / "export.jsonl"
    _export(database_url, "rostra", out)
    empty_site(ctx.db)
    report = imported(ctx.db, "rostra", out)
    assert report.outcome["shadowed"] == 1
    moved = rows(ctx.db)[f"rostra:{hidden.id}"]
    assert moved.shadowed and not moved.visible  # nobody but its author sees it
    assert thread_rows(ctx.db)["article-1"].comment_count == counts_before
    assert snapshot(ctx.db) == before


def _feature(db, ref, on):
    with db.write() as conn:
        conn.execute(comments.update().where(comments.c.source_ref == ref).values(featured=on))


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _write_lines(path, lines):
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_a_newer_export_carries_featuring_and_an_older_one_leaves_it(
    db, site, database_url, tmp_path
):
    imported(db, "disqus.xml")
    out = tmp_path / "export.jsonl"
    _export(database_url, "rostra", out)
    empty_site(db)
    lines = _lines(out)
    first = next(line for line in lines if line.get("ref") == "disqus:1001")
    first["featured"] = True
    _write_lines(out, lines)
    imported(db, "rostra", out)
    assert rows(db)["disqus:1001"].featured
    # Unfeatured at the source: the newer export says so, and the import follows it.
    first["featured"] = False
    _write_lines(out, lines)
    report = imported(db, "rostra", out)
    assert report.updated == 1 and not rows(db)["disqus:1001"].featured
    # An export made before the field existed says nothing: a pick made here stays.
    _feature(db, "disqus:1001", True)
    for line in lines:
        line.pop("featured", None)
    _write_lines(out, lines)
    assert imported(db, "rostra", out).updated == 0
    assert rows(db)["disqus:1001"].featured
    # Nor does a re-import of the original file unfeature it.
    imported(db, "disqus.xml")
    assert rows(db)["disqus:1001"].featured


def test_a_move_keeps_verdicts_badges_and_a_moderators_edits(ctx, database_url, tmp_path):
    listing = ModerationSettings(
        min_seconds_to_post=0, toxicity_model=False, suspect_words=["skyscanner"]
    )
    create_site(ctx.db, "news", ["https://news.example"], moderation=listing)
    held = post(
        ctx.db, ctx.hasher, "Cheap flights with skyscanner today", pipeline=ctx.pipeline
    ).comment
    signed = post(
        ctx.db, ctx.hasher, "Written while signed in", name="Zoë", pipeline=ctx.pipeline
    ).comment
    with ctx.db.write() as conn:
        badge = {"verified": True, "author_avatar": "https://news.example/zoe.png"}
        conn.execute(comments.update().where(comments.c.id == signed.id).values(**badge))
    user = create_user(ctx.db, "chief", "a long admin password", "admin")
    chief = Moderator(user.id, user.username, Role.ADMIN, frozenset())
    edited = post(ctx.db, ctx.hasher, "Teh council voted", name="Ana").comment
    actions.edit(ctx.db, chief, edited.id, "The council voted")
    actions.edit(ctx.db, chief, edited.id, "The council voted 7 to 2")
    before = snapshot(ctx.db)
    out = tmp_path / "export.jsonl"
    _export(database_url, "rostra", out)
    empty_site(ctx.db)

    report = imported(ctx.db, "rostra", out)

    assert report.imported == 3 and snapshot(ctx.db) == before
    assert report.unchecked == 1  # the one posted without the pipeline; the others were read
    moved = rows(ctx.db)
    # Still held, for the reason the checker gave, and not read again as unchecked.
    assert moved[f"rostra:{held.id}"].status == "pending"
    assert [r["code"] for r in moved[f"rostra:{held.id}"].moderation["reasons"]] == ["suspect_word"]
    detail = comment_detail(ctx.db, chief, moved[f"rostra:{edited.id}"].id)
    assert [r.body_source for r in detail.revisions] == ["The council voted", "Teh council voted"]
    # Importing the file again adds no second history.
    imported(ctx.db, "rostra", out)
    assert snapshot(ctx.db) == before


def test_the_rostra_export_puts_every_comment_history_and_report_under_its_thread(
    ctx, site, database_url, tmp_path
):
    user = create_user(ctx.db, "chief", "a long admin password", "admin")
    chief = Moderator(user.id, user.username, Role.ADMIN, frozenset())
    first = post(ctx.db, ctx.hasher, "Teh first story", key="a-first").comment
    actions.edit(ctx.db, chief, first.id, "The first story")
    with ctx.db.write() as conn:  # a thread whose page was embedded but got no comment
        thread_store.ensure_thread(conn, site.id, "b-quiet", None, None, datetime.now(UTC))
    post(ctx.db, ctx.hasher, "Unreported", key="c-third")
    reported = post(ctx.db, ctx.hasher, "Buy now", key="c-third").comment
    report_comment(ctx.db, ctx.hasher, reported.id, "spam", None, reader(1))
    out = tmp_path / "export.jsonl"
    _export(database_url, "rostra", out)
    shape = [
        (line["type"], line.get("key") or line.get("body"),
         [r["body"] for r in line.get("history", [])],
         [r["reason"] for r in line.get("reports", [])])
        for line in _lines(out)[1:]
    ]  # fmt: skip
    assert shape == [
        ("thread", "a-first", [], []),
        ("comment", "The first story", ["Teh first story"], []),
        ("thread", "b-quiet", [], []),
        ("thread", "c-third", [], []),
        ("comment", "Unreported", [], []),
        ("comment", "Buy now", [], ["spam"]),
    ]


def _report_rows(db):
    with db.read() as conn:
        query = select(reports).order_by(reports.c.created_at)
        return [
            (r.reporter_key, r.reason, r.note, r.weight, r.outcome, r.resolved_at is None)
            for r in conn.execute(query)
        ]


def test_a_move_keeps_readers_reports_and_the_comment_stays_in_the_reported_queue(
    ctx, site, database_url, tmp_path
):
    reported = post(ctx.db, ctx.hasher, "Buy cheap watches here").comment.id
    report_comment(ctx.db, ctx.hasher, reported, "spam", "an advert", reader(1))
    report_comment(ctx.db, ctx.hasher, reported, "abuse", None, reader(2))
    with ctx.db.write() as conn:
        first = reports.update().where(reports.c.reason == "abuse")
        conn.execute(first.values(outcome="dismissed", resolved_at=datetime.now(UTC)))
    before = _report_rows(ctx.db)
    out = tmp_path / "export.jsonl"
    _export(database_url, "rostra", out)
    with ctx.db.write() as conn:
        conn.execute(reports.delete())
    empty_site(ctx.db)

    imported(ctx.db, "rostra", out)
    assert _report_rows(ctx.db) == before
    (moved,) = rows(ctx.db).values()
    with ctx.db.read() as conn:
        waiting = report_store.summaries(conn, [moved.id])[moved.id]
    assert (waiting.count, waiting.reasons) == (1, {"spam": 1})  # the dismissed one is closed
    imported(ctx.db, "rostra", out)
    assert len(_report_rows(ctx.db)) == 2


def test_a_report_with_an_unknown_reason_stops_the_import_at_its_line(db, site, tmp_path):
    header = {"type": "header", "format": "rostra-export", "version": 1, "site": "news"}
    thread = {"type": "thread", "key": "article-1"}
    comment = {"type": "comment", "ref": "rostra:1", "thread": "article-1", "status": "published",
               "body": "Hello", "created_at": "2024-03-01T08:00:00Z",
               "reports": [{"reporter": "a:x", "reason": "boring",
                            "created_at": "2024-03-01T09:00:00Z"}]}  # fmt: skip
    export = tmp_path / "bad.jsonl"
    export.write_text("".join(json.dumps(line) + "\n" for line in (header, thread, comment)))
    with pytest.raises(ImportFailure) as failed:
        imported(db, "rostra", export)
    assert failed.value.position == "line 3"
    assert "unknown reason" in failed.value.message
    assert rows(db) == {}


def _sanction_rows(db):
    with db.read() as conn:
        query = select(sanctions).order_by(sanctions.c.created_at)
        return [(r.kind, r.email, r.author_key, r.reason, r.lifted_at) for r in conn.execute(query)]


def test_a_move_keeps_the_sites_sanctions_and_a_ban_by_email_still_holds(
    ctx, site, database_url, tmp_path
):
    imported(ctx.db, "disqus.xml")
    now = datetime.now(UTC)
    with ctx.db.write() as conn:
        site_id = site_store.require_site(conn, "news").id
        common = {"site_id": site_id, "created_by": None}
        sanction_store.insert_sanction(
            conn, kind="ban", email="Troll@Example.com", reason="slurs", created_at=now, **common
        )
        lifted = sanction_store.insert_sanction(
            conn, kind="suspend", author_key="a:old", reason="flooding",
            created_at=now - timedelta(days=3), expires_at=now + timedelta(days=4), **common,
        )  # fmt: skip
        sanction_store.insert_sanction(
            conn, kind="warn", user_id=7, reason="an account of this server", created_at=now,
            **common,
        )  # fmt: skip
    out = tmp_path / "export.jsonl"
    _export(database_url, "rostra", out)
    with ctx.db.write() as conn:
        sanction_store.lift_sanction(conn, lifted, None, now)
    newer = tmp_path / "newer.jsonl"
    _export(database_url, "rostra", newer)
    empty_site(ctx.db)
    with ctx.db.write() as conn:
        conn.execute(sanctions.delete())

    report = imported(ctx.db, "rostra", out)
    assert (report.sanctions_seen, report.sanctions_added) == (2, 2)
    assert _sanction_rows(ctx.db) == [
        ("suspend", None, "a:old", "flooding", None),
        ("ban", "troll@example.com", None, "slurs", None),
    ]  # the account-only warning stayed behind
    pipeline = Pipeline.load(b"secret", with_model=False)
    held = post(ctx.db, ctx.hasher, "Back again", email="troll@example.com", pipeline=pipeline)
    assert held.comment.status == "pending"
    with ctx.db.read() as conn:
        query = select(comments.c.moderation).where(comments.c.id == held.comment.id)
        decision = conn.execute(query).scalar_one()
    assert "author_banned" in {reason["code"] for reason in decision["reasons"]}

    again = imported(ctx.db, "rostra", out)
    assert (again.sanctions_added, again.sanctions_lifted) == (0, 0)
    later = imported(ctx.db, "rostra", newer)
    assert (later.sanctions_added, later.sanctions_lifted) == (0, 1)
    assert _sanction_rows(ctx.db)[0][-1] is not None  # lifted here too
    assert len(_sanction_rows(ctx.db)) == 2


def test_a_sanction_the_file_repeats_lifted_is_added_once_and_lifted(db, site, tmp_path):
    export = tmp_path / "twice.jsonl"
    header = {"type": "header", "format": "rostra-export", "version": 1, "site": "news"}
    ban = {"type": "sanction", "kind": "ban", "author": {"email": "A@example.com"},
           "reason": "spam", "created_at": "2024-03-01T08:00:00Z"}  # fmt: skip
    lifted = {**ban, "lifted_at": "2024-03-05T08:00:00Z"}
    export.write_text("".join(json.dumps(line) + "\n" for line in (header, ban, lifted)))
    report = imported(db, "rostra", export)
    assert (report.sanctions_seen, report.sanctions_added, report.sanctions_lifted) == (2, 1, 1)
    (row,) = _sanction_rows(db)
    assert row[:2] == ("ban", "a@example.com") and row[-1] is not None


def test_a_sanction_line_that_names_nobody_stops_the_import_at_its_line(db, site, tmp_path):
    export = tmp_path / "bad.jsonl"
    header = {"type": "header", "format": "rostra-export", "version": 1, "site": "news"}
    good = {"type": "sanction", "kind": "ban", "author": {"email": "a@example.com"},
            "reason": "spam", "created_at": "2024-03-01T08:00:00Z"}  # fmt: skip
    bad = {**good, "author": {"email": None, "key": None}}
    lines = [header, good, bad]
    export.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with pytest.raises(ImportFailure) as failed:
        imported(db, "rostra", export)
    assert failed.value.position == "line 3"
    assert "names no author" in failed.value.message
    assert _sanction_rows(db) == []


def test_skipped_bad_thread_and_sanction_lines_are_not_counted_as_comments(db, site, tmp_path):
    header = {"type": "header", "format": "rostra-export", "version": 1, "site": "news"}
    thread = {"type": "thread", "key": "article-1"}
    comment = {"type": "comment", "ref": "rostra:1", "thread": "article-1", "status": "published",
               "body": "Hello", "created_at": "2024-03-01T08:00:00Z"}  # fmt: skip
    bad_sanction = {"type": "sanction", "kind": "exile", "author": {"email": "a@example.com"},
                    "reason": "spam", "created_at": "2024-03-01T08:00:00Z"}  # fmt: skip
    lines = [header, thread, {"type": "thread"}, comment, bad_sanction, {**comment, "ref": None}]
    export = tmp_path / "mixed.jsonl"
    export.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = imported(db, "rostra", export, continue_on_error=True)
    assert (report.comments_seen, report.imported, report.skipped["invalid record"]) == (2, 1, 1)
    assert (report.sanctions_seen, report.sanctions_skipped, report.threads_skipped) == (1, 1, 1)
    assert [p.position for p in report.problems] == ["line 3", "line 5", "line 6"]
    printed = "\n".join(report.lines())
    assert "comments: 2 seen, 1 imported, 0 updated, 1 skipped" in printed
    assert "sanctions: 1 seen, 0 added, 0 lifted, 1 skipped as invalid" in printed
    assert "thread records skipped as invalid: 1" in printed


def test_an_older_export_leaves_a_badge_and_a_bad_verdict_stops_the_import(
    db, site, database_url, tmp_path
):
    imported(db, "disqus.xml")
    out = tmp_path / "export.jsonl"
    _export(database_url, "rostra", out)
    lines = _lines(out)
    first = next(line for line in lines if line.get("ref") == "disqus:1001")
    first["author"]["verified"] = True
    _write_lines(out, lines)
    assert imported(db, "rostra", out).updated == 1
    assert rows(db)["disqus:1001"].verified
    for line in lines:
        line.get("author", {}).pop("verified", None)
    _write_lines(out, lines)
    assert imported(db, "rostra", out).updated == 0 and rows(db)["disqus:1001"].verified

    empty_site(db)
    first["moderation"] = {"verdict": "publish-it", "reasons": []}
    _write_lines(out, lines)
    with pytest.raises(ImportFailure) as failure:
        imported(db, "rostra", out)
    assert "moderation verdict that is not publish, hold or reject" in failure.value.message
    assert failure.value.position == f"line {lines.index(first) + 1}"
    assert rows(db) == {}


def test_a_featured_value_that_is_not_a_boolean_is_refused(db, site, tmp_path):
    out = tmp_path / "bad.jsonl"
    _write_lines(
        out,
        [
            {"type": "header", "format": "rostra-export", "version": 1, "site": "other"},
            {"type": "thread", "key": "article-1", "title": None, "url": None},
            {
                "type": "comment",
                "ref": "rostra:1",
                "thread": "article-1",
                "parent": None,
                "status": "published",
                "author": {"name": "A"},
                "body": "text",
                "created_at": "2020-01-01T00:00:00Z",
                "featured": "yes",
            },
        ],  # fmt: skip
    )
    with pytest.raises(ImportFailure) as failure:
        imported(db, "rostra", out)
    assert failure.value.position == "line 3"
    assert "featured value that is neither true nor false" in failure.value.message
    assert rows(db) == {}


def test_reimporting_a_sites_own_export_into_it_reports_and_changes_nothing(
    ctx, site, database_url, tmp_path
):
    imported(ctx.db, "disqus.xml")
    post(ctx.db, ctx.hasher, "native comment", key="article-1")
    before, threads_before = snapshot(ctx.db), thread_rows(ctx.db)
    out = tmp_path / "export.jsonl"
    _export(database_url, "rostra", out)
    report = imported(ctx.db, "rostra", out)
    assert (report.imported, report.updated) == (0, 0)
    assert report.skipped["already in this site"] == 1  # the comment written here
    assert report.skipped["unchanged since last import"] == report.comments_seen - 1
    assert snapshot(ctx.db) == before and thread_rows(ctx.db) == threads_before
    # The original file, read again afterwards, still finds nothing new.
    again = imported(ctx.db, "disqus.xml")
    assert (again.imported, again.updated) == (0, 0)


def test_another_servers_export_whose_ids_match_local_comments_is_imported(ctx, site, tmp_path):
    local = post(ctx.db, ctx.hasher, "written here", key="article-1").comment.id
    out = tmp_path / "elsewhere.jsonl"
    lines = [
        {"type": "header", "format": "rostra-export", "version": 1, "site": "other"},
        {"type": "thread", "key": "article-1", "title": None, "url": None},
        {
            "type": "comment", "ref": f"rostra:{local}", "thread": "article-1", "parent": None,
            "status": "published", "author": {"name": "Elsewhere"}, "body": "written there",
            "created_at": "2020-01-01T00:00:00Z",
        },
    ]  # fmt: skip
    out.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = imported(ctx.db, "rostra", out)
    assert report.imported == 1
    bodies = {row.body_source for row in rows(ctx.db, "article-1").values()}
    assert {"written here", "written there"} <= bodies


def test_an_exported_orphan_is_adopted_when_its_parent_is_imported_later(
    db, site, database_url, tmp_path
):
    threads_ = [(1, "a")]
    imported(db, "disqus", _disqus(tmp_path / "1.xml", threads_, [(11, 1, 10)]))
    out = tmp_path / "export.jsonl"
    _export(database_url, "rostra", out)
    empty_site(db)
    assert imported(db, "rostra", out).orphans == 1
    later = _disqus(tmp_path / "2.xml", threads_, [(10, 1, None), (11, 1, 10)])
    imported(db, "disqus", later)
    found = rows(db)
    assert found["disqus:11"].parent_id == found["disqus:10"].id


def test_disqus_export_reimports_with_nothing_lost(db, site, database_url, tmp_path):
    imported(db, "disqus.xml")
    before = snapshot(db)
    out = tmp_path / "export.xml"
    _export(database_url, "disqus", out)
    empty_site(db)
    report = imported(db, "disqus", out)
    assert report.imported == 9
    assert report.orphans == 0  # the orphan was exported as the top-level comment it had become
    assert snapshot(db) == before


def test_characters_xml_cannot_carry_leave_the_disqus_export_readable(
    ctx, site, database_url, tmp_path
):
    # An older import may have stored a control character or U+FFFE; XML cannot write them.
    post(ctx.db, ctx.hasher, "Tab", key="story")
    with ctx.db.write() as conn:
        conn.execute(comments.update().values(body_html="<p>Tab\tand bell\x07 and \ufffe end</p>"))
    out = tmp_path / "export.xml"
    _export(database_url, "disqus", out)
    (message,) = [m.text for m in ElementTree.parse(out).iter("{http://disqus.com}message")]
    assert message == "<p>Tab\tand bell\ufffd and \ufffd end</p>"
    empty_site(ctx.db)
    assert imported(ctx.db, "disqus", out).imported == 1


def test_a_shadowed_comment_leaves_in_the_disqus_export_unapproved(
    ctx, site, database_url, tmp_path
):
    post(ctx.db, ctx.hasher, "Seen by all", key="story")
    hidden = post(ctx.db, ctx.hasher, "Seen by its author alone", key="story").comment
    with ctx.db.write() as conn:
        conn.execute(comments.update().where(comments.c.id == hidden.id).values(shadowed=True))
    out = tmp_path / "export.xml"
    _export(database_url, "disqus", out)
    ns = "{http://disqus.com}"
    approved = {
        post_.find(f"{ns}message").text: post_.find(f"{ns}isApproved").text
        for post_ in ElementTree.parse(out).iter(f"{ns}post")
    }
    assert approved == {"<p>Seen by all</p>": "true", "<p>Seen by its author alone</p>": "false"}
    empty_site(ctx.db)
    imported(ctx.db, "disqus", out)
    statuses = {row.body_source: row.status for row in rows(ctx.db).values()}
    assert statuses == {"Seen by all": "published", "Seen by its author alone": "pending"}


def test_the_disqus_export_has_every_element_a_strict_reader_looks_up(
    ctx, site, database_url, tmp_path
):
    # Readers such as Isso's importer call .text on these without checking they exist.
    imported(ctx.db, "disqus.xml")
    post(ctx.db, ctx.hasher, "on a page that gave no title", key="untitled-story")
    out = tmp_path / "export.xml"
    _export(database_url, "disqus", out)
    ns = "{http://disqus.com}"
    tree = ElementTree.parse(out)
    posts = tree.findall(f"{ns}post")
    assert len(posts) == 10
    lookups = ("message", "createdAt", "isDeleted", "ipAddress", "author/name", "author/email")
    for element in posts:
        for path in lookups:
            assert element.find("/".join(ns + part for part in path.split("/"))) is not None, path
        time.strptime(element.find(f"{ns}createdAt").text, "%Y-%m-%dT%H:%M:%SZ")
    titles = {
        t.find(f"{ns}id").text: t.find(f"{ns}title").text for t in tree.findall(f"{ns}thread")
    }
    assert all(titles.values())
    assert titles["untitled-story"] == "untitled-story"  # titled with its key for such readers
    empty_site(ctx.db)
    imported(ctx.db, "disqus", out)
    shown = {key: row.title for key, row in thread_rows(ctx.db).items()}
    # Read back as untitled; the titled threads keep their titles.
    assert shown["untitled-story"] is None and shown["article-1"] == "Rail line reopens"


# --- command line -------------------------------------------------------------------------------


def test_import_command_reports_and_names_the_bad_line(site, database_url):
    runner = CliRunner()
    ok = runner.invoke(
        cli,
        [
            "import",
            "disqus",
            str(FIXTURES / "disqus.xml"),
            "--site",
            "news",
            "--dry-run",
            "--database",
            database_url,
        ],  # fmt: skip
    )
    assert ok.exit_code == 0, ok.output
    assert "Dry run (nothing written)" in ok.output and "9 imported" in ok.output
    bad = runner.invoke(
        cli,
        [
            "import",
            "disqus",
            str(FIXTURES / "disqus_malformed.xml"),
            "--site",
            "news",
            "--database",
            database_url,
        ],  # fmt: skip
    )
    assert bad.exit_code == 1
    assert "nothing was written: line 5, column" in bad.output


@pytest.mark.parametrize(
    ("mapping", "says"),
    [("=https://news.example/", "is not OLD=NEW"), ("/=htps://news.example/", "NEW must be")],
)
def test_import_command_refuses_a_url_map_that_is_no_address(site, database_url, mapping, says):
    args = ["import", "isso", str(FIXTURES / "disqus.xml"), "--site", "news"]
    refused = CliRunner().invoke(cli, [*args, "--map-url", mapping, "--database", database_url])
    assert refused.exit_code == 2 and says in refused.output


def test_digests_from_before_raw_digests_count_as_unchanged_and_are_refreshed(db, site):
    from rostra.importers.writer import _legacy_digest

    imported(db, "disqus.xml")
    before, versions = rows(db), {k: t.version for k, t in thread_rows(db).items()}
    with db.write() as conn:
        for row in before.values():
            legacy = _legacy_digest(row._mapping)
            conn.execute(
                comments.update().where(comments.c.id == row.id).values(source_digest=legacy)
            )
    again = imported(db, "disqus.xml")
    assert (again.imported, again.updated) == (0, 0)
    assert again.skipped["unchanged since last import"] == 9
    assert rows(db) == before  # the raw-record digests are back
    assert {k: t.version for k, t in thread_rows(db).items()} == versions


# --- the staged write path ----------------------------------------------------------------------


def _disqus(path, threads, posts):
    """A small Disqus export: threads as (dsq:id, key), posts as (id, thread, parent or None)."""
    parts = ['<?xml version="1.0"?><disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">']  # fmt: skip
    for number, key in threads:
        parts.append(
            f'<thread dsq:id="{number}"><id>{key}</id><link>https://news.example/{key}</link>'
            "<createdAt>2024-03-01T08:00:00Z</createdAt></thread>"
        )
    for minute, (post_id, thread, parent) in enumerate(posts):
        parent_xml = f'<parent dsq:id="{parent}"/>' if parent else ""
        parts.append(
            f'<post dsq:id="{post_id}"><message><![CDATA[<p>post {post_id}</p>]]></message>'
            f"<createdAt>2024-03-01T09:{minute:02d}:00Z</createdAt><isDeleted>false</isDeleted>"
            f'<isSpam>false</isSpam><author><name>A</name></author><thread dsq:id="{thread}"/>'
            f"{parent_xml}</post>"
        )
    path.write_text("".join(parts) + "</disqus>")
    return path


def test_duplicates_in_other_batches_are_skipped_like_those_in_the_same_batch(db, site):
    one_batch = imported(db, "disqus.xml")
    together = snapshot(db)
    empty_site(db)
    batch_by_batch = imported(db, "disqus.xml", batch_size=1)
    assert snapshot(db) == together
    assert (batch_by_batch.imported, batch_by_batch.skipped) == (9, {"duplicate id in file": 1})
    assert batch_by_batch.outcome == one_batch.outcome
    assert batch_by_batch.threads_touched == one_batch.threads_touched == 2


@pytest.mark.parametrize("workers", [1, 2])
def test_a_parent_brought_by_a_later_import_adopts_the_stored_orphan(db, site, tmp_path, workers):
    threads_ = [(1, "a")]
    first = imported(
        db, "disqus", _disqus(tmp_path / "1.xml", threads_, [(11, 1, 10), (12, 1, 11)])
    )
    assert first.orphans == 1
    later = _disqus(tmp_path / "2.xml", threads_, [(10, 1, None), (11, 1, 10), (12, 1, 11)])
    second = imported(db, "disqus", later, workers=workers, batch_size=1)
    assert (second.imported, second.orphans) == (1, 0)
    found = rows(db)
    assert found["disqus:11"].parent_id == found["disqus:10"].id
    assert [found[f"disqus:{n}"].depth for n in (10, 11, 12)] == [0, 1, 2]
    adopted = snapshot(db)
    empty_site(db)
    imported(db, "disqus", later)
    assert snapshot(db) == adopted  # as if the whole thread had come at once


@pytest.mark.parametrize("workers", [1, 2])
def test_a_file_that_breaks_late_leaves_nothing_and_the_connection_clean(
    db, site, tmp_path, workers
):
    posts = [(100 + n, 1 + n % 3, None) for n in range(40)]
    good = _disqus(tmp_path / "good.xml", [(1, "a"), (2, "b"), (3, "c")], posts)
    broken = tmp_path / "broken.xml"
    broken.write_text(good.read_text().replace("</disqus>", "<post><unclosed></disqus>"))
    with pytest.raises(ImportFailure) as failure:
        imported(db, "disqus", broken, workers=workers, batch_size=4)
    assert "not well-formed" in failure.value.message
    assert rows(db) == {} and thread_rows(db) == {}
    # The same pooled connection imports again: nothing of the failed import is left on it.
    report = imported(db, "disqus", good, workers=workers, batch_size=4)
    assert report.imported == 40 and len(rows(db)) == 40


def test_a_dry_run_leaves_the_connection_clean_for_the_next_import(db, site):
    imported(db, "disqus.xml", dry_run=True)
    report = imported(db, "disqus.xml")
    assert report.imported == 9 and len(rows(db)) == 9


def _comment_indexes(db):
    with db.read() as conn:
        if conn.dialect.name != "sqlite":
            found = conn.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'comments' "
                "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'comments'::regclass"
            )
        else:
            found = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'comments'"
            )
        return sorted(found.all())


def test_an_import_that_rebuilds_the_indexes_stores_what_an_indexed_insert_stores(
    db, site, monkeypatch
):
    from rostra.store import bulk_indexes

    indexes = _comment_indexes(db)
    imported(db, "disqus.xml")
    inserted = snapshot(db)
    empty_site(db)
    # Every import large enough to rebuild the comment indexes rather than insert into them.
    monkeypatch.setattr(bulk_indexes, "REBUILD_FROM", 1)
    report = imported(db, "disqus.xml")
    assert report.imported == 9
    assert snapshot(db) == inserted
    assert _comment_indexes(db) == indexes
    again = imported(db, "disqus.xml")
    assert (again.imported, again.skipped["unchanged since last import"]) == (0, 9)
    with db.write() as conn, pytest.raises(IntegrityError):
        conn.exec_driver_sql(
            "INSERT INTO comments (site_id, thread_id, status, author_name, body_source, "
            "body_html, created_at, source_ref) SELECT site_id, thread_id, status, author_name, "
            "body_source, body_html, created_at, source_ref FROM comments LIMIT 1"
        )


# SQLite writers queue on one lock: nothing holds the table beside an import there.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_import_into_postgresql_does_not_wait_for_a_request_holding_the_table(
    db, site, monkeypatch
):
    from rostra.store import bulk_indexes

    monkeypatch.setattr(bulk_indexes, "REBUILD_FROM", 1)
    indexes = _comment_indexes(db)
    with db.engine.connect() as other, other.begin():
        # A request in flight: it holds the lock every write to the table takes.
        other.exec_driver_sql("LOCK TABLE comments IN ROW EXCLUSIVE MODE")
        started = time.monotonic()
        report = imported(db, "disqus.xml")
        waited = time.monotonic() - started
    assert report.imported == 9 and len(rows(db)) == 9
    assert waited < 10  # the lock timeout (2 s), then the indexed insert; not the request's end
    assert _comment_indexes(db) == indexes


def test_a_thread_imported_by_its_unicode_link_is_the_one_the_browser_opens(ctx, site, tmp_path):
    db = ctx.db
    export = tmp_path / "unicode-link.xml"
    export.write_text(
        '<?xml version="1.0"?><disqus xmlns="http://disqus.com" '
        'xmlns:dsq="http://disqus.com/disqus-internals">'
        '<thread dsq:id="1"><link>https://Bücher.example/новости/статья?utm_source=x</link>'
        "<createdAt>2024-03-01T08:00:00Z</createdAt></thread>"
        '<post dsq:id="10"><message><![CDATA[<p>Imported</p>]]></message>'
        "<createdAt>2024-03-01T09:00:00Z</createdAt><isDeleted>false</isDeleted>"
        '<isSpam>false</isSpam><author><name>A</name></author><thread dsq:id="1"/></post>'
        "</disqus>",
        encoding="utf-8",
    )
    imported(db, "disqus", export)
    # What the widget sends: location.href, punycode host and UTF-8 escapes.
    browser = (
        "https://xn--bcher-kva.example/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"
        "/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F"
    )
    reply_to_import = post(db, ctx.hasher, "From the page", key=None, thread_url=browser)
    assert list(thread_rows(db)) == [browser]
    assert {row.thread_id for row in rows(db).values()} == {reply_to_import.comment.thread_id}


def test_an_existing_thread_gets_the_title_and_address_it_lacked_and_counts_as_seen(ctx, site):
    # A reader commented on the story before the import: its thread has no title or URL.
    before = post(ctx.db, ctx.hasher, "Here before the move", key="article-1")
    report = imported(ctx.db, "disqus.xml")
    assert (report.threads_seen, report.threads_created) == (2, 1)
    article = thread_rows(ctx.db)["article-1"]
    assert article.id == before.comment.thread_id
    assert (article.title, article.url) == (
        "Rail line reopens",
        "https://news.example/2024/rail-line",
    )
    assert article.comment_count == 5  # the reader's comment and the four published imports


def test_a_closed_thread_stays_closed_through_imports_and_exports(
    ctx, site, database_url, tmp_path
):
    source = (FIXTURES / "disqus.xml").read_text()
    closed_file = tmp_path / "closed.xml"
    closed_file.write_text(
        source.replace("<isClosed>false</isClosed>", "<isClosed>true</isClosed>", 1)
    )
    imported(ctx.db, "disqus", closed_file)
    assert thread_rows(ctx.db)["article-1"].policy == "closed"
    with pytest.raises(Forbidden) as refused:
        post(ctx.db, ctx.hasher, "A late thought", key="article-1")
    assert refused.value.code == "thread_closed"
    out = tmp_path / "export.jsonl"
    _export(database_url, "rostra", out)
    empty_site(ctx.db)
    imported(ctx.db, "rostra", out)
    assert thread_rows(ctx.db)["article-1"].policy == "closed"
    xml = tmp_path / "export.xml"
    _export(database_url, "disqus", xml)
    assert xml.read_text().count("<isClosed>true</isClosed>") == 1
    # Reopened here, it stays open when the source file is read again.
    with ctx.db.write() as conn:
        conn.execute(threads.update().values(policy=None))
    imported(ctx.db, "disqus", closed_file)
    assert thread_rows(ctx.db)["article-1"].policy is None


def test_a_thread_closed_by_age_leaves_in_the_disqus_export_closed(
    ctx, site, database_url, tmp_path
):
    imported(ctx.db, "disqus.xml")
    now = datetime.now(UTC)
    with ctx.db.write() as conn:
        conn.execute(threads.update().values(created_at=now - timedelta(days=2)))
        old = threads.update().where(threads.c.key == "article-1")
        conn.execute(old.values(created_at=now - timedelta(days=40)))
    close_threads_after(ctx.db, 30)
    xml = tmp_path / "export.xml"
    _export(database_url, "disqus", xml)
    closed = {
        thread.findtext("{http://disqus.com}id"): thread.findtext("{http://disqus.com}isClosed")
        for thread in ElementTree.parse(xml).getroot().findall("{http://disqus.com}thread")
    }
    assert closed["article-1"] == "true"
    assert {value for key, value in closed.items() if key != "article-1"} == {"false"}
    # Read where threads never close by age, the story that had aged out stays closed.
    empty_site(ctx.db)
    close_threads_after(ctx.db, 0)
    imported(ctx.db, "disqus", xml)
    policies = {key: row.policy for key, row in thread_rows(ctx.db).items()}
    assert policies.pop("article-1") == "closed"
    assert set(policies.values()) == {None}


def test_a_read_only_remark42_page_comes_in_closed(db, site, tmp_path):
    source = (FIXTURES / "remark42.jsonl").read_text()
    backup = tmp_path / "backup.jsonl"
    backup.write_text(source.replace('"read_only":false', '"read_only":true', 1))
    imported(db, "remark42", backup)
    policies = {key: row.policy for key, row in thread_rows(db).items()}
    assert policies == {
        "https://news.example/2024/03/harbour-plan": "closed",
        "https://news.example/other": None,
    }


def test_a_thread_with_an_unknown_policy_is_refused_with_its_line(db, site, tmp_path):
    out = tmp_path / "bad.jsonl"
    _write_lines(
        out,
        [
            {"type": "header", "format": "rostra-export", "version": 1, "site": "other"},
            {"type": "thread", "key": "a", "title": None, "url": None, "policy": "frozen"},
            {
                "type": "comment",
                "ref": "rostra:1",
                "thread": "a",
                "parent": None,
                "status": "published",
                "author": {"name": "A"},
                "body": "text",
                "created_at": "2020-01-01T00:00:00Z",
            },
        ],  # fmt: skip
    )
    with pytest.raises(ImportFailure) as failure:
        imported(db, "rostra", out)
    assert "unknown policy 'frozen'" in failure.value.message
    assert rows(db) == {} and thread_rows(db) == {}
