"""The hottest request, answered before routing: a thread page that is
current in the cache (200) or in the reader's cache (304).

Everything else, cache misses and every kind of error included, continues to
the ordinary route, which gives the same answers the slower way.
"""

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from rostra.api.context import AppContext
from rostra.errors import RostraError
from rostra.service import pages

PATH = "/api/v1/threads"


class _Route:
    """Stands in for the matched route, so metrics label these requests too."""

    path = PATH


class ThreadPageFastPath:
    def __init__(self, app: ASGIApp, ctx: AppContext) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == PATH:
            result = await self._try(scope)
            if result is not None:
                scope["route"] = _Route
                await self._answer(scope, result, send)
                return
        await self.app(scope, receive, send)

    async def _try(self, scope: Scope) -> pages.NotModified | pages.RenderedPage | None:
        headers = dict(scope["headers"])
        if_none_match = headers.get(b"if-none-match")
        try:
            wanted = pages.PageRequest.from_query(QueryParams(scope["query_string"]))
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
        return None if isinstance(result, pages.PageMiss) else result

    async def _answer(self, scope: Scope, result, send: Send) -> None:
        origin = dict(scope["headers"]).get(b"origin")
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
