"""Damaged exports: whatever value a field holds, an import either takes the
record or stops (or skips it, with --continue-on-error) with an ImportFailure
naming its place; it never fails with any other error.

Every field of one record of each kind in each format is given, in turn, each
of a few values that damaged or hand-edited files hold: a sweep rather than
random cases, because a crash hides behind one field and one value.
"""

import copy
import json
import sqlite3
import traceback
from contextlib import closing
from pathlib import Path

import pytest
from lxml import etree

from rostra.importers import ImportFailure, ImportOptions, run_import

FIXTURES = Path(__file__).parent / "fixtures"

ODD_JSON = (
    None, "", -1, 2**40, 10**30, 1.5, True, [], {"x": 1}, "\u0000\ud800", "9999-99-99T99:99:99Z",
)  # fmt: skip
ODD_XML = ("", "-1", "1" * 40, "1e308", "true", "0000-00-00 00:00:00", "\u200b", "a" * 5000)
ODD_COLUMN = (None, "", -1, 2**62, 1e300, b"\xff\x00A", "x", "\u0000")

ROSTRA_EXPORT = [
    {"type": "header", "format": "rostra-export", "version": 1, "site": "news"},
    {"type": "thread", "key": "article-1", "url": "https://news.example/a", "title": "A",
     "policy": "closed"},
    {"type": "comment", "ref": "rostra:1", "thread": "article-1", "status": "published",
     "body": "Hello", "created_at": "2024-03-01T08:00:00Z", "edited_at": "2024-03-01T08:30:00Z",
     "upvotes": 2, "downvotes": 1, "featured": True,
     "author": {"name": "Ana", "email": "ana@example.org", "website": "https://ana.example",
                "key": "a:ana", "ip_hash": "abc", "verified": True},
     "reports": [{"reporter": "a:x", "reason": "spam", "note": "ads", "weight": 1.0,
                  "created_at": "2024-03-01T10:00:00Z", "outcome": "upheld",
                  "resolved_at": "2024-03-01T11:00:00Z"}]},
    {"type": "comment", "ref": "rostra:2", "thread": "article-1", "parent": "rostra:1",
     "status": "published", "body": "Hi", "created_at": "2024-03-01T09:00:00Z"},
    {"type": "sanction", "kind": "suspend", "author": {"email": "troll@example.org"},
     "reason": "slurs", "created_at": "2024-03-01T08:00:00Z",
     "expires_at": "2024-03-08T08:00:00Z", "lifted_at": "2024-03-02T08:00:00Z"},
]  # fmt: skip


def _paths(value, at=()):
    """Every path to a value inside a JSON value."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, inner in items:
        yield (*at, key)
        if isinstance(inner, dict | list) and inner:
            yield from _paths(inner, (*at, key))


def _with(document, path, value):
    document = copy.deepcopy(document)
    *parents, last = path
    target = document
    for key in parents:
        target = target[key]
    target[last] = value
    return document


def _crash(db, fmt: str, path: Path) -> str | None:
    """None if the import ends as imports may; otherwise where and how it crashed.

    With --continue-on-error, as that reads every record to its end; without,
    the same checks raise the ImportFailure at the first bad one.
    """
    try:
        run_import(db, fmt, path, "news", ImportOptions(continue_on_error=True, workers=1))
    except ImportFailure:
        return None
    except Exception as exc:  # noqa: BLE001 - any other error is the finding
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return f"{type(exc).__name__} at {Path(where.filename).name}:{where.lineno}: {exc}"
    return None


def _json_cases(fmt: str):
    """(file text, what was changed) for every field of one record of each kind."""
    if fmt == "rostra":
        lines, swept = ROSTRA_EXPORT, (1, 2, 4)  # a thread, a comment, a sanction
    elif fmt == "remark42":
        lines = [
            json.loads(line) for line in (FIXTURES / "remark42.jsonl").read_text().splitlines()
        ]
        deleted = next(at for at, line in enumerate(lines) if line.get("delete"))
        swept = (0, 1, deleted)  # the header, a comment, a deleted one
    else:
        document = json.loads((FIXTURES / "commento.json").read_text())
        lines, swept = None, None
    if lines is None:
        parts = [("comments", 0), ("commenters", 0)]
        for part in parts:
            for path in _paths(document[part[0]][part[1]], part):
                for value in ODD_JSON:
                    yield json.dumps(_with(document, path, value)), f"{path}={value!r}"
        return
    for index in swept:
        for path in _paths(lines[index], (index,)):
            for value in ODD_JSON:
                changed = _with(lines, path, value)
                text = "".join(json.dumps(line) + "\n" for line in changed)
                yield text, f"line {index + 1} {path[1:]}={value!r}"


@pytest.mark.parametrize("fmt", ["rostra", "remark42", "commento"])
def test_no_field_value_crashes_a_json_import(db, site, tmp_path, fmt):
    path = tmp_path / f"damaged.{fmt}"
    failures = []
    for text, change in _json_cases(fmt):
        path.write_text(text)
        crash = _crash(db, fmt, path)
        if crash:
            failures.append(f"{change}: {crash}")
    assert failures == []


def _own_leaves(record, records: tuple[str, ...]) -> list:
    """The record's fields: its leaf elements, not those of records inside it (a post's comments)."""

    def inside_another(leaf) -> bool:
        for ancestor in leaf.iterancestors():
            if ancestor is record:
                return False
            if etree.QName(ancestor).localname in records:
                return True
        return False

    return [leaf for leaf in record.iter() if len(leaf) == 0 and not inside_another(leaf)]


@pytest.mark.parametrize(
    ("fmt", "records"), [("disqus", ("thread", "post")), ("wordpress", ("item", "comment"))]
)
def test_no_element_text_crashes_an_xml_import(db, site, tmp_path, fmt, records):
    source = etree.parse(str(FIXTURES / f"{fmt}.xml"))
    elements = [e for e in source.iter() if isinstance(e.tag, str)]  # comments aside
    swept = [next(e for e in elements if etree.QName(e).localname == name) for name in records]
    leaves = {leaf for record in swept for leaf in _own_leaves(record, records)}
    places = [at for at, element in enumerate(elements) if element in leaves]
    path = tmp_path / f"damaged.{fmt}.xml"
    failures = []
    for place in places:
        for text in ODD_XML:
            tree = copy.deepcopy(source)
            leaf = [e for e in tree.iter() if isinstance(e.tag, str)][place]
            leaf.text = text
            tree.write(str(path), encoding="utf-8")
            crash = _crash(db, fmt, path)
            if crash:
                failures.append(f"<{etree.QName(leaf).localname}>={text[:20]!r}: {crash}")
    assert failures == []


ISSO_COLUMNS = (
    "tid", "parent", "created", "modified", "mode", "remote_addr", "text", "author", "email",
    "website", "likes", "dislikes",
)  # fmt: skip


def test_no_column_value_crashes_an_isso_import(db, site, tmp_path):
    path = tmp_path / "isso.db"
    failures = []
    for column in ISSO_COLUMNS:
        for value in ODD_COLUMN:
            path.unlink(missing_ok=True)
            with closing(sqlite3.connect(path)) as conn:
                conn.executescript((FIXTURES / "isso.sql").read_text())
                try:
                    conn.execute(f"UPDATE comments SET {column} = ? WHERE id = 3", (value,))
                except sqlite3.IntegrityError:  # a NOT NULL column: Isso's file cannot hold it
                    continue
                conn.commit()
            crash = _crash(db, "isso", path)
            if crash:
                failures.append(f"{column}={value!r}: {crash}")
    assert failures == []
