"""The hottest request, answered before routing: a thread page that is
current in the cache (200) or in the reader's cache (304).

Everything else, cache misses and every kind of error included, continues to
the ordinary route, which gives the same answers the slower way.

Deciding that a page is current takes one primary-key probe. On SQLite even
that is skipped while nothing has been committed since the same query was last
probed (`CommitCounter`), so a reader revalidating an unchanged thread costs no
query at all, and no worker can answer from before another worker's commit.
"""

import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from rostra.api.context import AppContext
from rostra.errors import RostraError
from rostra.service import pages
from rostra.store.commits import CommitCounter

PATH = "/api/v1/threads"
REMEMBERED_QUERIES = 4096
# A backstop for changes made behind the database's back (a file restored
# over it): a remembered answer is probed again after this long regardless.
REMEMBER_SECONDS = 5.0


class _Route:
    """Stands in for the matched route, so metrics label these requests too."""

    path = PATH


@dataclass(frozen=True)
class _Probed:
    """What one probe found for one query string, and when."""

    commits: int
    at: float
    etag: str
    key: str
    origins: list[str]


class _ProbeMemo:
    """Probe results per query string, valid while the commit counter stands still."""

    def __init__(self, counter: CommitCounter | None) -> None:
        self._counter = counter
        self._entries: OrderedDict[bytes, _Probed] = OrderedDict()

    def stamp(self) -> int | None:
        # Read before probing: a commit that lands during the probe then
        # makes the remembered result stale at once rather than never.
        return None if self._counter is None else self._counter.current()

    def recall(self, query: bytes, commits: int | None) -> _Probed | None:
        probed = self._entries.get(query)
        if probed is None or commits is None or probed.commits != commits:
            return None
        if time.monotonic() - probed.at > REMEMBER_SECONDS:
            return None
        return probed

    def remember(self, query: bytes, commits: int | None, result) -> None:
        if commits is None:
            return
        self._entries[query] = _Probed(
            commits, time.monotonic(), result.etag, result.key, result.origins
        )
        self._entries.move_to_end(query)
        if len(self._entries) > REMEMBERED_QUERIES:
            self._entries.popitem(last=False)


class ThreadPageFastPath:
    def __init__(self, app: ASGIApp, ctx: AppContext) -> None:
        self.app = app
        self.ctx = ctx
        self.memo = _ProbeMemo(ctx.commits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == PATH:
            headers = dict(scope["headers"])
            result = await self._try(scope, headers)
            if result is not None:
                scope["route"] = _Route
                await self._answer(headers, result, send)
                return
        await self.app(scope, receive, send)

    async def _try(
        self, scope: Scope, headers: dict[bytes, bytes]
    ) -> pages.NotModified | pages.RenderedPage | None:
        if_none_match = headers.get(b"if-none-match")
        query = scope["query_string"]
        try:
            commits = self.memo.stamp()
            recalled = self._recall(query, commits, if_none_match)
            if recalled is not None:
                return recalled
            wanted = pages.PageRequest.from_query(QueryParams(query))
            args = (
                self.ctx.db,
                self.ctx.pages,
                wanted,
                if_none_match and if_none_match.decode("latin-1"),
            )
            if self.ctx.db.dialect == "sqlite":
                result = pages.check_current(*args)
            else:
                result = await run_in_threadpool(pages.check_current, *args)
        except (RostraError, UnicodeDecodeError):
            return None
        except Exception:  # e.g. the database is away: the route answers 503
            return None
        if isinstance(result, pages.PageMiss):
            return None
        self.memo.remember(query, commits, result)
        return result

    def _recall(
        self, query: bytes, commits: int | None, if_none_match: bytes | None
    ) -> pages.NotModified | pages.RenderedPage | None:
        probed = self.memo.recall(query, commits)
        if probed is None:
            return None
        if if_none_match is not None and probed.etag in if_none_match.decode("latin-1"):
            return pages.NotModified(probed.etag, probed.origins, probed.key)
        body = self.ctx.pages.get((probed.etag, probed.key))
        if body is None:
            return None
        return pages.RenderedPage(probed.etag, body, probed.origins, probed.key)

    async def _answer(self, request_headers: dict[bytes, bytes], result, send: Send) -> None:
        origin = request_headers.get(b"origin")
        headers = [(b"etag", result.etag.encode()), (b"vary", b"Origin")]
        if origin is not None and origin.decode("latin-1") in result.origins:
            headers += [
                (b"access-control-allow-origin", origin),
                (b"access-control-expose-headers", b"ETag"),
            ]
        if isinstance(result, pages.NotModified):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [
            (b"content-type", b"application/json"),
            (b"cache-control", b"no-cache"),
            (b"content-length", str(len(result.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": result.body})
