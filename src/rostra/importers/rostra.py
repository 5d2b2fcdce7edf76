"""Rostra's own export (docs/EXPORT_FORMAT.md): JSON lines, threads before their comments."""

from collections.abc import Iterator
from pathlib import Path

from rostra.domain.policy import MARKS, Status
from rostra.importers.jsonlines import iter_lines
from rostra.importers.records import (
    BodyFormat,
    ImportFailure,
    Problem,
    RecordError,
    SourceRecord,
    ThreadInfo,
    blank_to_none,
    parse_timestamp,
)

SOURCE = "rostra"
FORMAT_NAME = "rostra-export"
FORMAT_VERSION = 1


def _str(value: object) -> str | None:
    return blank_to_none(value) if isinstance(value, str) else None


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _marks(ref: str, data: dict) -> tuple[tuple[str, bool], ...]:
    """The moderators' marks the export states; older exports state none."""
    marks = []
    for name in MARKS:
        value = data.get(name)
        if value is not None and not isinstance(value, bool):
            raise RecordError(f"comment {ref} has a {name} value that is neither true nor false")
        if value is not None:
            marks.append((name, value))
    return tuple(marks)


def _comment(line: int, data: dict, threads: dict[str, ThreadInfo]) -> SourceRecord:
    ref = _str(data.get("ref"))
    if ref is None:
        raise RecordError("the comment has no ref")
    key = _str(data.get("thread"))
    thread = threads.get(key or "")
    if thread is None:
        raise RecordError(f"comment {ref} names thread {key!r}, which comes nowhere before it")
    try:
        status = Status(data.get("status"))
    except ValueError:
        raise RecordError(f"comment {ref} has an unknown status {data.get('status')!r}") from None
    body = data.get("body")
    if not isinstance(body, str):
        raise RecordError(f"comment {ref} has no body")
    edited = _str(data.get("edited_at"))
    author = data.get("author") if isinstance(data.get("author"), dict) else {}
    return SourceRecord(
        source=SOURCE,
        source_id=ref,
        thread=thread,
        parent_id=None,
        author_name=_str(author.get("name")),
        author_email=_str(author.get("email")),
        author_website=_str(author.get("website")),
        body=body,
        body_format=BodyFormat.MARKDOWN,
        created_at=parse_timestamp(_str(data.get("created_at")), "created_at"),
        status=status,
        ip=None,
        position=f"line {line} (comment {ref})",
        edited_at=parse_timestamp(edited, "edited_at") if edited else None,
        upvotes=_int(data.get("upvotes")),
        downvotes=_int(data.get("downvotes")),
        ip_hash=_str(author.get("ip_hash")),
        author_key=_str(author.get("key")),
        source_ref=ref,
        parent_ref=_str(data.get("parent")),
        marks=_marks(ref, data),
    )


def read(path: Path) -> Iterator[SourceRecord | Problem]:
    threads: dict[str, ThreadInfo] = {}
    header_seen = False
    for line, data in iter_lines(path):
        if isinstance(data, Problem):
            if not header_seen:
                raise ImportFailure(
                    f"line {line}", f"not a Rostra export: its first line is {data.message}"
                )
            yield data
            continue
        kind = data.get("type") if isinstance(data, dict) else None
        if not header_seen:
            if kind != "header" or data.get("format") != FORMAT_NAME:
                raise ImportFailure(f"line {line}", "not a Rostra export: no header line")
            if data.get("version") != FORMAT_VERSION:
                raise ImportFailure(
                    f"line {line}", f"unsupported Rostra export version {data.get('version')!r}"
                )
            header_seen = True
            continue
        try:
            if kind == "thread":
                key = _str(data.get("key"))
                if key is None:
                    raise RecordError("the thread has no key")
                threads[key] = ThreadInfo(
                    key, _str(data.get("url")), _str(data.get("title")), _str(data.get("policy"))
                )
            elif kind == "comment":
                yield _comment(line, data, threads)
            else:
                raise RecordError(f"unknown line type {kind!r}")
        except RecordError as exc:
            yield Problem(f"line {line}", str(exc))
    if not header_seen:
        raise ImportFailure("line 1", "the file is empty")
