"""Health, metrics, and clean failure while the database is away."""

import asyncio
import contextlib
import json
import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from helpers import run_async
from pgtools import create_postgres_database, drop_postgres_database
from rostra.api.app import create_app
from rostra.config import load_settings
from rostra.live.broker import Broker
from rostra.live.changes import change_feed
from rostra.service.sites import create_site
from rostra.store import events as event_store
from rostra.store import threads as thread_store
from rostra.store.database import open_database
from rostra.store.migrate import upgrade_database


def test_healthz_reports_the_database(api):
    assert api.get("/healthz").json() == {"status": "ok", "database": True}


def test_metrics_count_requests_per_route_and_comments_by_outcome(api):
    api.get("/api/v1/threads", params={"site": "news", "key": "m"})
    api.post(
        "/api/v1/comments",
        json={"site": "news", "thread": {"key": "m"}, "author": {"name": "A"}, "body": "hi"},
    )
    text = api.get("/metrics").text
    assert 'rostra_http_requests_total{method="GET",route="/api/v1/threads",status="200"}' in text
    assert 'rostra_comments_posted_total{outcome="published"}' in text
    assert "rostra_event_streams_open" in text and "rostra_db_pool_in_use" in text
    assert "rostra_http_request_duration_seconds_bucket" in text


class CuttableProxy:
    """A TCP relay to PostgreSQL that the test can cut and restore, so the
    database "goes away" for Rostra without disturbing anything else."""

    def __init__(self, target_port: int = 5432) -> None:
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.close()

    def cut(self) -> None:
        self.open = False
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.sockets.clear()

    def restore(self) -> None:
        self.open = True


@pytest.fixture
def proxied_postgres():
    name, url = create_postgres_database()
    upgrade_database(url)
    proxy = CuttableProxy()
    yield url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}"), proxy
    proxy.listener.close()
    drop_postgres_database(name)


def test_requests_fail_with_503_while_postgres_is_away_and_recover_by_themselves(proxied_postgres):
    url, proxy = proxied_postgres
    db = open_database(url)
    create_site(db, "news", ["https://news.example"])
    db.dispose()
    settings = load_settings(database_url=url, toxicity_model=False)
    with TestClient(create_app(settings)) as client:
        params = {"site": "news", "key": "k"}
        assert client.get("/api/v1/threads", params=params).status_code == 200
        proxy.cut()
        down = client.get("/api/v1/threads", params=params)
        assert down.status_code == 503 and down.json()["error"] == "database_unavailable"
        assert client.get("/healthz").status_code == 503
        proxy.restore()
        # No restart: the pool replaces dead connections on its own.
        assert client.get("/api/v1/threads", params=params).status_code == 200
        assert client.get("/healthz").json()["database"] is True


def test_live_updates_work_in_a_worker_started_while_postgres_was_away(proxied_postgres):
    url, proxy = proxied_postgres
    db = open_database(url)
    site = create_site(db, "news", ["https://news.example"])
    with db.write() as conn:
        thread_id = thread_store.ensure_thread(conn, site.id, "k", None, None, datetime.now(UTC)).id
    db.dispose()

    async def scenario() -> dict:
        live_db = open_database(url)
        broker = Broker(
            live_db, change_feed(url, None), max_streams=10, retention=timedelta(hours=1)
        )
        try:
            proxy.cut()
            broker.start()
            await asyncio.sleep(0.5)  # the worker is up; the database is not
            proxy.restore()
            stream = broker.subscribe(thread_id)
            await asyncio.sleep(1.5)  # the broker finds its starting point
            with live_db.write() as conn:
                event_store.append(conn, thread_id, "comment", None, {"n": 1}, datetime.now(UTC))
            row = await asyncio.wait_for(stream.queue.get(), 5)
            return json.loads(row.data)
        finally:
            await broker.stop()
            live_db.dispose()

    assert run_async(scenario()) == {"n": 1}
