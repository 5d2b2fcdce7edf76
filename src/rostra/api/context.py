"""What every handler needs, built once per process and kept on the app."""

from dataclasses import dataclass

from fastapi import Request

from rostra.config import Settings
from rostra.errors import Unauthorized
from rostra.identity.readers import reader_for_session
from rostra.live.service import LiveUpdates
from rostra.moderation.pipeline import Pipeline
from rostra.service.comments import Client
from rostra.service.identity import Hasher
from rostra.service.pages import PageCache
from rostra.store.commits import CommitCounter
from rostra.store.database import Database


@dataclass
class AppContext:
    settings: Settings
    db: Database
    hasher: Hasher
    pages: PageCache
    pipeline: Pipeline
    live: LiveUpdates
    # Set on SQLite only: lets current pages be confirmed without a query.
    commits: CommitCounter | None = None


async def context(request: Request) -> AppContext:
    # Async so FastAPI calls it inline instead of hopping to the thread pool.
    return request.app.state.rostra


def bearer_token(request: Request) -> str | None:
    """The reader's session token, sent by the widget as `Authorization: Bearer …`."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def client(request: Request, ctx: AppContext | None = None) -> Client:
    """Who is asking; with `ctx`, a signed-in reader is looked up from their session."""
    reader = None
    token = bearer_token(request)
    if token is not None and ctx is not None:
        reader = reader_for_session(ctx.db, token)
        if reader is None:
            raise Unauthorized(
                "signed_out", "Your sign-in has expired or ended; please sign in again."
            )
    return Client(
        ip=request.client.host if request.client else "unknown",
        user_agent=request.headers.get("user-agent", ""),
        origin=request.headers.get("origin"),
        reader=reader,
    )
