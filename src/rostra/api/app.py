"""The ASGI application: routes under /api/v1, errors as JSON, per-site CORS."""

import asyncio
from contextlib import asynccontextmanager
from datetime import timedelta

from anyio import to_thread
from fastapi import FastAPI

from rostra import __version__
from rostra.admin.routes import router as admin_router
from rostra.api.context import AppContext
from rostra.api.cors import SiteCors
from rostra.api.errors import install_error_handlers
from rostra.api.fastpath import ThreadPageFastPath
from rostra.api.limits import RequestSizeLimit
from rostra.api.openapi import describe_as_served
from rostra.api.responses import CompactJSON
from rostra.api.routes import comments, feeds, live, readers, reports, threads
from rostra.api.routes import subscriptions as subscription_pages
from rostra.config import Settings, load_settings
from rostra.live.broker import Broker
from rostra.live.changes import change_feed
from rostra.live.service import LiveUpdates
from rostra.moderation.pipeline import Pipeline
from rostra.notify.worker import start_worker as start_outbox_worker
from rostra.ops import routes as ops_routes
from rostra.ops.housekeeping import keep_house
from rostra.ops.metrics import RequestMetrics
from rostra.service.identity import Hasher
from rostra.service.pages import PageCache
from rostra.store.commits import commit_counter
from rostra.store.database import open_database
from rostra.store.secrets import read_secret
from rostra.web import privacy as privacy_pages
from rostra.web import routes as web_routes

API_PREFIX = "/api/v1"


def build_context(settings: Settings) -> AppContext:
    db = open_database(
        settings.database_url,
        pool_size=settings.pool_size,
        statement_timeout_ms=settings.statement_timeout_ms,
    )
    with db.read() as conn:
        salt = bytes.fromhex(read_secret(conn, "hash_salt"))
    pipeline = Pipeline.load(salt, with_model=settings.toxicity_model)
    # One counter per process (SQLite): the change feed polls it, the page
    # fast path reads it.
    commits = commit_counter(settings.database_url)
    broker = Broker(
        db,
        change_feed(settings.database_url, commits),
        max_streams=settings.live_max_streams,
        retention=timedelta(hours=settings.events_retention_hours),
    )
    live = LiveUpdates(broker, timedelta(days=settings.live_max_age_days))
    pages = PageCache(settings.page_cache_entries)
    return AppContext(settings, db, Hasher(salt), pages, pipeline, live, commits)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    ctx = build_context(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # More threads than the machine can run only queue for the GIL, and
        # one holding a database lock then waits behind the others for it.
        to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        ctx.live.broker.start()
        ctx.live.broker.close_streams_on_exit()
        chores = asyncio.create_task(keep_house(ctx.db, ctx.settings))
        outbox = start_outbox_worker(ctx.db, ctx.settings)
        yield
        if outbox is not None:
            await asyncio.to_thread(outbox.stop)
        chores.cancel()
        await ctx.live.broker.stop()
        if ctx.commits is not None:
            ctx.commits.close()
        ctx.db.dispose()

    app = FastAPI(
        title="Rostra",
        version=__version__,
        summary="Comments for news sites",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        default_response_class=CompactJSON,
        lifespan=lifespan,
    )
    app.state.rostra = ctx
    install_error_handlers(app)
    describe_as_served(app)
    for module in (threads, comments, feeds, reports, live, readers):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(ops_routes.router)
    app.include_router(subscription_pages.router)
    app.include_router(web_routes.router)
    app.include_router(privacy_pages.router)
    app.include_router(admin_router)
    app.add_middleware(SiteCors, db=ctx.db)
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(ThreadPageFastPath, ctx=ctx)
    app.add_middleware(RequestMetrics)
    return app
