"""Live updates stay within bounds."""

import httpx
import pytest
from fastapi.testclient import TestClient

from helpers import idle_broker
from rostra.api.app import create_app
from rostra.config import load_settings
from rostra.live.broker import QUEUE_LIMIT
from rostra.store.events import EventRow


def test_a_slow_reader_is_dropped_not_buffered(db):
    broker = idle_broker(db)
    stream = broker.subscribe(7)
    for n in range(QUEUE_LIMIT + 5):
        broker._dispatch(EventRow(n + 1, 7, "vote", "{}"))
    assert stream.dropped
    assert stream.queue.qsize() == QUEUE_LIMIT
    assert broker.open_streams == 0


def test_streams_beyond_the_cap_are_refused(db):
    broker = idle_broker(db, max_streams=2)
    assert broker.subscribe(1) and broker.subscribe(2)
    assert broker.subscribe(3) is None


@pytest.fixture
def client(database_url, db, site):
    settings = load_settings(database_url=database_url, live_max_age_days=0)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_bad_requests_for_streams(client):
    assert client.get("/api/v1/threads/999999/events").json()["error"] == "unknown_thread"
    bad = client.get("/api/v1/threads/1/events", headers={"Last-Event-ID": "abc"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_last_event_id"


def test_old_threads_get_no_stream(client):
    created = client.post(
        "/api/v1/comments",
        json={"site": "news", "thread": {"key": "old"}, "author": {"name": "A"}, "body": "hi"},
    ).json()
    page = client.get("/api/v1/threads", params={"site": "news", "key": "old"}).json()
    assert created["comment"]["id"]
    # live_max_age_days=0: every thread counts as too old for a stream.
    response = client.get(f"/api/v1/threads/{page['thread']['id']}/events")
    assert response.status_code == 204
    assert isinstance(httpx.codes(response.status_code), httpx.codes)
