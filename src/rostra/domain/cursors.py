"""Opaque pagination cursors.

A cursor is the keyset position of the last item a reader has seen, so the
next page is an index range scan that costs the same on page 1 and page 500.
It is base64url-encoded JSON: opaque to clients, validated strictly here.
"""

import base64
import binascii
import math
from dataclasses import dataclass

import orjson

from rostra.domain.numbers import is_stored_count, is_stored_int

SORTS = ("best", "newest", "oldest")


class InvalidCursor(ValueError):
    """The cursor was not made by this server for this listing."""


@dataclass(frozen=True)
class TopLevelCursor:
    thread_id: int
    sort: str
    key: float | int  # rank for "best", creation time in microseconds otherwise
    comment_id: int
    seen: int  # top-level comments shown so far, to tell the reader how many remain


@dataclass(frozen=True)
class RepliesCursor:
    parent_id: int
    after_pos: int
    seen: int


def _encode(payload: list) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).rstrip(b"=").decode("ascii")


def _decode(cursor: str) -> list:
    if not cursor or len(cursor) > 512:
        raise InvalidCursor("The cursor is empty or too long.")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise InvalidCursor("The cursor is not one this server made.") from None
    if not isinstance(payload, list) or not payload:
        raise InvalidCursor("The cursor is not one this server made.")
    return payload


def encode_top_level(cursor: TopLevelCursor) -> str:
    return _encode(["t", cursor.thread_id, cursor.sort, cursor.key, cursor.comment_id, cursor.seen])


def decode_top_level(text: str) -> TopLevelCursor:
    payload = _decode(text)
    if len(payload) != 6 or payload[0] != "t":
        raise InvalidCursor("The cursor is not one for a list of comments.")
    _, thread_id, sort, key, comment_id, seen = payload
    if sort == "best":
        valid_key = (
            isinstance(key, float | int) and not isinstance(key, bool) and math.isfinite(key)
        )
    else:
        valid_key = is_stored_int(key)
    counts = (thread_id, comment_id, seen)
    if not (sort in SORTS and valid_key and all(is_stored_count(v) for v in counts)):
        raise InvalidCursor("The cursor is not one this server made.")
    return TopLevelCursor(thread_id, sort, float(key) if sort == "best" else key, comment_id, seen)


def encode_replies(cursor: RepliesCursor) -> str:
    return _encode(["r", cursor.parent_id, cursor.after_pos, cursor.seen])


def decode_replies(text: str) -> RepliesCursor:
    payload = _decode(text)
    if len(payload) != 4 or payload[0] != "r" or not all(is_stored_count(v) for v in payload[1:]):
        raise InvalidCursor("The cursor is not one for a list of replies.")
    return RepliesCursor(payload[1], payload[2], payload[3])
