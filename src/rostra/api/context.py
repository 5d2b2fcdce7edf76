"""What every handler needs, built once per process and kept on the app."""

from dataclasses import dataclass

from fastapi import Request

from rostra.config import Settings
from rostra.live.service import LiveUpdates
from rostra.moderation.pipeline import Pipeline
from rostra.service.comments import Client
from rostra.service.identity import Hasher
from rostra.service.pages import PageCache
from rostra.store.database import Database


@dataclass
class AppContext:
    settings: Settings
    db: Database
    hasher: Hasher
    pages: PageCache
    pipeline: Pipeline
    live: LiveUpdates


async def context(request: Request) -> AppContext:
    # Async so FastAPI calls it inline instead of hopping to the thread pool.
    return request.app.state.rostra


def client(request: Request) -> Client:
    return Client(
        ip=request.client.host if request.client else "unknown",
        user_agent=request.headers.get("user-agent", ""),
        origin=request.headers.get("origin"),
    )
