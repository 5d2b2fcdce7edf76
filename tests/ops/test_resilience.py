"""Faults and abuse under load: killed workers, slow clients, many streams."""

import os
import signal
import socket
import subprocess
import threading
import time

import httpx
import pytest
from sqlalchemy import select

from rostra.moderation.settings import ModerationSettings
from rostra.service.sites import create_site
from rostra.store.schema import comments
from serving import start_server, stop_server

ORIGIN = "https://load.example"


@pytest.fixture
def server(database_url, db):
    relaxed = ModerationSettings(min_seconds_to_post=0, posts_per_minute=1000, raid_authors=1000)
    create_site(db, "load", [ORIGIN], moderation=relaxed)
    env = {"ROSTRA_DATABASE_URL": database_url, "ROSTRA_TOXICITY_MODEL": "false"}
    process, base = start_server("--workers", "2", env=env)
    yield base, process
    stop_server(process)


def _workers(parent: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def test_every_acknowledged_post_survives_a_killed_worker(server, db):
    base, process = server
    acknowledged: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + 6

    def poster(number: int) -> None:
        with httpx.Client(timeout=5) as client:
            sent = 0
            while time.monotonic() < stop:
                sent += 1
                body = f"Burst {number}-{sent}: the {sent}th thought of writer {number}"
                payload = {"site": "load", "thread": {"key": f"burst-{number % 3}"},
                           "author": {"name": f"W{number}"}, "body": body}  # fmt: skip
                try:
                    answer = client.post(base + "/api/v1/comments", json=payload,
                                         headers={"Origin": ORIGIN, "User-Agent": f"w{number}"})  # fmt: skip
                except httpx.TransportError:
                    continue  # the killed worker's connections: not acknowledged
                if answer.status_code == 201:
                    with lock:
                        acknowledged.append(answer.json()["comment"]["id"])

    threads = [threading.Thread(target=poster, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    victim = _workers(process.pid)[0]
    os.kill(victim, signal.SIGKILL)
    for thread in threads:
        thread.join()
    assert len(acknowledged) > 20
    with db.read() as conn:
        stored = [row.id for row in conn.execute(select(comments.c.id))]
    assert set(acknowledged) <= set(stored)
    assert len(stored) == len(set(stored))
    # The supervisor replaced the worker and the site still answers.
    assert httpx.get(base + "/healthz").status_code == 200


def test_slow_uploads_and_many_streams_do_not_starve_readers(server, db):
    base, _ = server
    port = int(base.rsplit(":", 1)[1])
    httpx.post(
        base + "/api/v1/comments",
        json={"site": "load", "thread": {"key": "busy"}, "author": {"name": "A"}, "body": "hi"},
        headers={"Origin": ORIGIN},
    )
    thread_id = httpx.get(base + "/api/v1/threads", params={"site": "load", "key": "busy"}).json()[
        "thread"
    ]["id"]
    # A client that trickles a request body, and hundreds of open event streams.
    slow = socket.create_connection(("127.0.0.1", port))
    slow.sendall(
        b"POST /api/v1/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
    )
    streams = []
    for _ in range(150):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(f"GET /api/v1/threads/{thread_id}/events HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        streams.append(sock)
    try:
        timings = []
        for _ in range(20):
            slow.sendall(b" ")
            started = time.monotonic()
            answer = httpx.get(
                base + "/api/v1/threads", params={"site": "load", "key": "busy"}, timeout=5
            )
            timings.append(time.monotonic() - started)
            assert answer.status_code == 200
        assert sorted(timings)[len(timings) // 2] < 0.5
    finally:
        for sock in [slow, *streams]:
            sock.close()


def test_graceful_shutdown_ends_open_streams_promptly(server):
    base, process = server
    httpx.post(
        base + "/api/v1/comments",
        json={"site": "load", "thread": {"key": "bye"}, "author": {"name": "A"}, "body": "hi"},
        headers={"Origin": ORIGIN},
    )
    page = httpx.get(base + "/api/v1/threads", params={"site": "load", "key": "bye"}).json()
    ended = threading.Event()

    def listen() -> None:
        with httpx.stream(
            "GET", f"{base}/api/v1/threads/{page['thread']['id']}/events", timeout=30
        ) as response:
            for _ in response.iter_lines():
                pass
        ended.set()

    threading.Thread(target=listen, daemon=True).start()
    time.sleep(1)
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)
    assert ended.wait(5)
    # Without closing streams, shutdown would wait for its 10 s timeout.
    assert time.monotonic() - started < 8
