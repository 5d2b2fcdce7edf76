"""Small builders shared by the tests."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from rostra.live.broker import Broker
from rostra.service.comments import Client, NewComment, create_comment
from rostra.store import sites as site_store

AUTHOR = Client(ip="192.0.2.10", user_agent="pytest-author")


def close_threads_after(db, days, site="news"):
    """Set the site's closing age as the settings page would."""
    with db.write() as conn:
        row = site_store.require_site(conn, site)
        moderation = {**row.settings.get("moderation", {}), "close_after_days": days}
        changed = {**row.settings, "moderation": moderation}
        site_store.update_site(conn, row.id, origins=row.origins, settings=changed)


def reader(number: int) -> Client:
    return Client(ip=f"198.51.100.{number}", user_agent="pytest-reader")


def post(
    db, hasher, body="Hello", *, parent=None, name="Ana", key="article-1", client=AUTHOR,
    pipeline=None, **extra,
):  # fmt: skip
    """Post as a reader; with a pipeline, as checked as the API would."""
    new = NewComment(site="news", body=body, name=name, thread_key=key, parent_id=parent, **extra)
    return create_comment(db, hasher, new, client, pipeline)


async def _no_changes():
    await asyncio.Event().wait()
    yield


def idle_broker(db, max_streams: int = 10) -> Broker:
    """A broker whose change feed never fires: tests drive its reads and dispatches."""
    return Broker(db, _no_changes(), max_streams=max_streams, retention=timedelta(hours=1))


def run_async(coroutine):
    """Run a coroutine to its end, in a thread of its own: the browser tests
    leave an event loop running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
