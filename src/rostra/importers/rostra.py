"""Rostra's own export (docs/EXPORT_FORMAT.md): JSON lines, threads before their comments."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import orjson

from rostra.domain import text
from rostra.domain.policy import CARRIED_FLAGS, Status
from rostra.importers.jsonlines import iter_lines
from rostra.importers.records import (
    BodyFormat,
    ImportFailure,
    Problem,
    RecordError,
    SanctionRecord,
    SourceRecord,
    ThreadInfo,
    json_text,
    mended,
    parse_timestamp,
)
from rostra.store.reports import OUTCOMES as REPORT_OUTCOMES
from rostra.store.reports import REASONS as REPORT_REASONS
from rostra.store.sanctions import KINDS as SANCTION_KINDS

SOURCE = "rostra"
FORMAT_NAME = "rostra-export"
FORMAT_VERSION = 1


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _marks(ref: str, data: dict, author: dict) -> tuple[tuple[str, bool], ...]:
    """The marks and badge the export states; older exports state none."""
    marks = []
    for name in CARRIED_FLAGS:
        value = author.get(name) if name == "verified" else data.get(name)
        if value is not None and not isinstance(value, bool):
            raise RecordError(f"comment {ref} has a {name} value that is neither true nor false")
        if value is not None:
            marks.append((name, value))
    return tuple(marks)


_VERDICTS = ("publish", "hold", "reject")
_REASON_TEXTS = ("checker", "code", "message")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _reason(value: object) -> dict | None:
    if not isinstance(value, dict) or value.get("verdict") not in _VERDICTS:
        return None
    if not all(isinstance(value.get(name), str) for name in _REASON_TEXTS):
        return None
    return {name: mended(value[name]) for name in _REASON_TEXTS} | {"verdict": value["verdict"]}


def _span(value: object) -> list | None:
    if isinstance(value, list) and len(value) == 3 and all(map(_number, value)):
        start, end, weight = value
        if int(start) == start and int(end) == end and 0 <= start < end:
            return [int(start), int(end), weight]
    return None


def _moderation(ref: str, value: object) -> tuple[tuple[str, object], ...]:
    """The moderation verdict and toxicity stored with the comment, as staged columns.

    The verdict and score must be what Rostra writes, or the comment would sit
    in the queue under a decision nobody made; reasons and spans that are not
    are left out, as if the checker had given none.
    """
    if value is None:
        return ()
    if not isinstance(value, dict) or value.get("verdict") not in _VERDICTS:
        raise RecordError(
            f"comment {ref} has a moderation verdict that is not publish, hold or reject"
        )
    toxicity = value.get("toxicity")
    if toxicity is not None and not (_number(toxicity) and 0 <= toxicity <= 1):
        raise RecordError(f"comment {ref} has a toxicity that is not a number from 0 to 1")
    stored: dict = {"verdict": value["verdict"], "toxicity": toxicity}
    reasons = value.get("reasons")
    stored["reasons"] = list(
        filter(None, map(_reason, reasons if isinstance(reasons, list) else ()))
    )
    spans = value.get("spans")
    stored["spans"] = list(filter(None, map(_span, spans if isinstance(spans, list) else ())))
    marked = value.get("marked")
    if isinstance(marked, list) and all(isinstance(word, str) for word in marked):
        stored["marked"] = [mended(word) for word in marked]
    if isinstance(value.get("queued_at"), str):
        stored["queued_at"] = value["queued_at"]
    return ("moderation", orjson.dumps(stored).decode()), ("toxicity", toxicity)


def _kept(ref: str, data: dict, author: dict) -> tuple[tuple[str, object], ...]:
    avatar = author.get("avatar")
    try:
        avatar = text.clean_website(avatar) if isinstance(avatar, str) else None
    except text.InvalidText:
        avatar = None  # an address that could run script is dropped, as websites are
    kept = _moderation(ref, data.get("moderation"))
    return (*kept, ("author_avatar", avatar)) if avatar else kept


def _history(ref: str, value: object) -> tuple[tuple[str, datetime], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RecordError(f"comment {ref} has a history that is not a list")
    history = []
    for entry in value:
        body = entry.get("body") if isinstance(entry, dict) else None
        if not isinstance(body, str):
            raise RecordError(f"comment {ref} has an earlier version without a body")
        when = parse_timestamp(json_text(entry.get("replaced_at")), "replaced_at")
        history.append((mended(body), when))
    return tuple(history)


def _report(ref: str, entry: object) -> tuple:
    """One reader's report, as `store.reports` columns; wrong shapes stop the import."""
    data = entry if isinstance(entry, dict) else {}
    reporter = json_text(data.get("reporter"))
    if reporter is None or len(reporter) > 64:
        raise RecordError(f"comment {ref} has a report without a reporter key of 64 characters")
    if data.get("reason") not in REPORT_REASONS:
        raise RecordError(f"comment {ref} has a report with an unknown reason")
    weight = data.get("weight", 1.0)
    if not (_number(weight) and weight >= 0):
        raise RecordError(f"comment {ref} has a report whose weight is not a number from 0")
    outcome = data.get("outcome")
    if outcome is not None and outcome not in REPORT_OUTCOMES:
        raise RecordError(f"comment {ref} has a report with an unknown outcome {outcome!r}")
    note = data.get("note")
    return (
        reporter,
        data["reason"],
        mended(note) if isinstance(note, str) else None,
        float(weight),
        parse_timestamp(json_text(data.get("created_at")), "created_at"),
        outcome,
        _optional_time(data, "resolved_at"),
    )


def _reports(ref: str, value: object) -> tuple[tuple, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RecordError(f"comment {ref} has reports that are not a list")
    return tuple(_report(ref, entry) for entry in value)


def _comment(line: int, data: dict, threads: dict[str, ThreadInfo]) -> SourceRecord:
    ref = json_text(data.get("ref"))
    if ref is None:
        raise RecordError("the comment has no ref")
    key = json_text(data.get("thread"))
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
    author = data.get("author") if isinstance(data.get("author"), dict) else {}
    return SourceRecord(
        source=SOURCE,
        source_id=ref,
        thread=thread,
        parent_id=None,
        author_name=json_text(author.get("name")),
        author_email=json_text(author.get("email")),
        author_website=json_text(author.get("website")),
        body=body,
        body_format=BodyFormat.MARKDOWN,
        created_at=parse_timestamp(json_text(data.get("created_at")), "created_at"),
        status=status,
        ip=None,
        position=f"line {line} (comment {ref})",
        edited_at=_optional_time(data, "edited_at"),
        upvotes=_int(data.get("upvotes")),
        downvotes=_int(data.get("downvotes")),
        ip_hash=json_text(author.get("ip_hash")),
        author_key=json_text(author.get("key")),
        source_ref=ref,
        parent_ref=json_text(data.get("parent")),
        marks=_marks(ref, data, author),
        kept=_kept(ref, data, author),
        history=_history(ref, data.get("history")),
        reports=_reports(ref, data.get("reports")),
    )


def _optional_time(data: dict, name: str) -> datetime | None:
    value = json_text(data.get(name))
    return parse_timestamp(value, name) if value else None


def _sanction(line: int, data: dict) -> SanctionRecord:
    kind = data.get("kind")
    if kind not in SANCTION_KINDS:
        raise RecordError(f"the sanction has an unknown kind {kind!r}")
    author = data.get("author") if isinstance(data.get("author"), dict) else {}
    named = {name: json_text(author.get(name)) for name in ("key", "email", "ip_hash")}
    if not any(named.values()):
        raise RecordError("the sanction names no author by key, email or IP hash")
    if any(len(named[name] or "") > 64 for name in ("key", "ip_hash")):
        raise RecordError("the sanction's author key or IP hash is longer than 64 characters")
    email = named["email"]
    if email is not None:
        try:
            email = text.clean_email(email)
        except text.InvalidText:
            raise RecordError(f"the sanction's email {email!r} is not an address") from None
    reason = data.get("reason")
    return SanctionRecord(
        kind=kind,
        author_key=named["key"],
        email=email.lower() if email else None,
        ip_hash=named["ip_hash"],
        reason=mended(reason) if isinstance(reason, str) else "",
        created_at=parse_timestamp(json_text(data.get("created_at")), "created_at"),
        expires_at=_optional_time(data, "expires_at"),
        lifted_at=_optional_time(data, "lifted_at"),
        position=f"line {line} (sanction)",
    )


def read(path: Path) -> Iterator[SourceRecord | SanctionRecord | Problem]:
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
                key = json_text(data.get("key"))
                if key is None:
                    raise RecordError("the thread has no key")
                threads[key] = ThreadInfo(
                    key,
                    json_text(data.get("url")),
                    json_text(data.get("title")),
                    json_text(data.get("policy")),
                )
            elif kind == "comment":
                yield _comment(line, data, threads)
            elif kind == "sanction":
                yield _sanction(line, data)
            else:
                raise RecordError(f"unknown line type {kind!r}")
        except RecordError as exc:
            record = kind if kind in ("thread", "sanction") else "comment"
            yield Problem(f"line {line}", str(exc), record)
    if not header_seen:
        raise ImportFailure("line 1", "the file is empty")
