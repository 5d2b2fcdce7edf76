"""Cross-origin access per site: a page may call Rostra only from its site's origins.

Handlers that know the site add the header for allowed origins. Preflight
requests and errors (where the site may be unknown) are answered here for any
origin some site allows; the handler still refuses writes from origins its
own site does not allow.
"""

from fastapi import Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from rostra.store import sites as site_store
from rostra.store.database import Database

ALLOWED_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, X-Edit-Token, If-None-Match"
EXPOSED_HEADERS = "ETag"


def allow_origin(request: Request, response: Response, origins: list[str]) -> None:
    origin = request.headers.get("origin")
    response.headers["Vary"] = "Origin"
    if origin is not None and origin in origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS


class SiteCors:
    def __init__(self, app: ASGIApp, db: Database) -> None:
        self.app = app
        self.db = db

    def _known(self, origin: str) -> bool:
        with self.db.read() as conn:
            return origin in site_store.all_origins(conn)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        origin = headers.get(b"origin", b"").decode("latin-1") or None
        if scope["method"] == "OPTIONS" and origin and b"access-control-request-method" in headers:
            await self._preflight(origin, send)
            return

        async def send_with_cors(message) -> None:
            if message["type"] == "http.response.start" and origin and message["status"] >= 400:
                names = {name.lower() for name, _ in message["headers"]}
                if b"access-control-allow-origin" not in names and self._known(origin):
                    message["headers"] = [
                        *message["headers"],
                        (b"access-control-allow-origin", origin.encode("latin-1")),
                        (b"vary", b"Origin"),
                    ]
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, origin: str, send: Send) -> None:
        headers = [(b"vary", b"Origin"), (b"content-length", b"0")]
        status = 403
        if self._known(origin):
            status = 204
            headers += [
                (b"access-control-allow-origin", origin.encode("latin-1")),
                (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
                (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
                (b"access-control-max-age", b"600"),
            ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
