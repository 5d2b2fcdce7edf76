"""The ASGI application: routes under /api/v1, errors as JSON, per-site CORS."""

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import ORJSONResponse

from rostra import __version__
from rostra.api.context import AppContext
from rostra.api.cors import SiteCors
from rostra.api.errors import install_error_handlers
from rostra.api.limits import RequestSizeLimit
from rostra.api.routes import comments, feeds, threads
from rostra.config import Settings, load_settings
from rostra.service.identity import Hasher
from rostra.service.pages import PageCache
from rostra.store.database import open_database
from rostra.store.secrets import read_secret

API_PREFIX = "/api/v1"


def build_context(settings: Settings) -> AppContext:
    db = open_database(
        settings.database_url,
        pool_size=settings.pool_size,
        statement_timeout_ms=settings.statement_timeout_ms,
    )
    with db.read() as conn:
        salt = bytes.fromhex(read_secret(conn, "hash_salt"))
    return AppContext(settings, db, Hasher(salt), PageCache(settings.page_cache_entries))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    ctx = build_context(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        ctx.db.dispose()

    app = FastAPI(
        title="Rostra",
        version=__version__,
        summary="Comments for news sites",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        default_response_class=ORJSONResponse,
        lifespan=lifespan,
    )
    app.state.rostra = ctx
    install_error_handlers(app)
    for module in (threads, comments, feeds):
        app.include_router(module.router, prefix=API_PREFIX)
    app.add_middleware(SiteCors, db=ctx.db)
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    return app
