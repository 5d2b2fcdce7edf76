"""Live updates across two server instances sharing one database."""

import json
import subprocess
import threading
import time

import httpx
import pytest

from rostra.moderation.settings import ModerationSettings
from rostra.service.sites import create_site
from rostra.store.database import open_database
from rostra.store.schema import metadata
from serving import start_server, stop_server

ORIGIN = "https://live.example"


def _start(database_url: str) -> tuple[subprocess.Popen, str]:
    return start_server(env={"ROSTRA_DATABASE_URL": database_url, "ROSTRA_TOXICITY_MODEL": "false"})


@pytest.fixture(scope="module")
def two_instances(database_url):
    """Two servers over one database, started once per backend; each test
    uses threads of its own."""
    db = open_database(database_url)
    with db.write() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name != "server_secrets":
                conn.execute(table.delete())
    relaxed = ModerationSettings(min_seconds_to_post=0, posts_per_minute=1000)
    create_site(db, "live", [ORIGIN], moderation=relaxed)
    db.dispose()
    first, second = _start(database_url), _start(database_url)
    yield first[1], second[1]
    for process, _ in (first, second):
        stop_server(process)


def _post(base: str, body: str, key: str, parent: int | None = None) -> dict:
    payload = {"site": "live", "thread": {"key": key}, "author": {"name": "Ana"}, "body": body}
    if parent:
        payload["parent"] = parent
    response = httpx.post(base + "/api/v1/comments", json=payload, headers={"Origin": ORIGIN})
    assert response.status_code == 201, response.text
    return response.json()


class Listener:
    """Reads a stream in the background and records events with their arrival time."""

    def __init__(self, url: str, last_event_id: int | None = None) -> None:
        self.events: list[tuple[float, int, str, dict]] = []
        self.ready = threading.Event()
        headers = {"Last-Event-ID": str(last_event_id)} if last_event_id else {}
        self._thread = threading.Thread(target=self._run, args=(url, headers), daemon=True)
        self._thread.start()
        assert self.ready.wait(10)

    def _run(self, url: str, headers: dict) -> None:
        with httpx.stream("GET", url, headers=headers, timeout=30) as response:
            self.status = response.status_code
            event: dict = {}
            for line in response.iter_lines():
                self.ready.set()
                if line.startswith("id: "):
                    event["id"] = int(line[4:])
                elif line.startswith("event: "):
                    event["kind"] = line[7:]
                elif line.startswith("data: "):
                    event["data"] = json.loads(line[6:])
                elif not line and "data" in event:
                    self.events.append(
                        (time.monotonic(), event["id"], event["kind"], event["data"])
                    )
                    event = {}

    def wait_for(self, count: int, seconds: float = 5.0) -> list:
        deadline = time.monotonic() + seconds
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.events


def test_a_comment_posted_on_one_instance_reaches_readers_of_the_other(two_instances):
    first, second = two_instances
    _post(first, "Opening the thread", "across")
    thread_id = _thread_id(first, "across")
    listener = Listener(f"{second}/api/v1/threads/{thread_id}/events")
    posted_at = time.monotonic()
    created = _post(first, "Breaking: the line reopens", "across")
    # "Opening the thread" may still arrive if that instance had not read it yet.
    events = [e for e in _wait_beyond_opening(listener) if e[3]["id"] == created["comment"]["id"]]
    assert events, "no event arrived"
    arrived, _, kind, data = events[0]
    assert kind == "comment"
    assert data["html"] == "<p>Breaking: the line reopens</p>"
    assert arrived - posted_at < 2.0


def test_votes_edits_and_removals_are_streamed(two_instances):
    first, second = two_instances
    created = _post(first, "To be edited", "changes")
    thread_id = _thread_id(first, "changes")
    listener = Listener(f"{second}/api/v1/threads/{thread_id}/events")
    comment_id, token = created["comment"]["id"], created["edit_token"]
    headers = {"Origin": ORIGIN, "X-Edit-Token": token}
    httpx.patch(f"{first}/api/v1/comments/{comment_id}", json={"body": "Edited"}, headers=headers)
    httpx.post(
        f"{first}/api/v1/comments/{comment_id}/vote",
        json={"value": 1},
        headers={"Origin": ORIGIN, "User-Agent": "another reader"},
    )
    httpx.delete(f"{first}/api/v1/comments/{comment_id}", headers=headers)
    kinds = [kind for _, _, kind, _ in _wait_beyond_opening(listener, 3)]
    assert kinds == ["edit", "vote", "remove"]


def test_a_reader_who_reconnects_misses_nothing(two_instances):
    first, second = two_instances
    _post(first, "First", "resume")
    thread_id = _thread_id(first, "resume")
    listener = Listener(f"{second}/api/v1/threads/{thread_id}/events")
    _post(first, "Second", "resume")
    # The other instance may still deliver "First" if it had not read it
    # before the reader connected, so the reader's place is Second's event.
    seen = _event_id_of(listener, "<p>Second</p>")
    # The reader is away while two more comments arrive, then resumes.
    _post(first, "Third", "resume")
    _post(first, "Fourth", "resume")
    resumed = Listener(f"{first}/api/v1/threads/{thread_id}/events", last_event_id=seen)
    bodies = [data["html"] for _, _, _, data in resumed.wait_for(2)]
    assert bodies == ["<p>Third</p>", "<p>Fourth</p>"]


def _wait_beyond_opening(listener: Listener, count: int = 1) -> list:
    """The events after the thread's first comment, which the reader's page
    already showed and which may or may not be streamed again."""
    events = listener.wait_for(count)
    if events and events[0][2] == "comment" and events[0][3]["html"] in _OPENINGS:
        events = listener.wait_for(count + 1)[1:]
    return events


_OPENINGS = {"<p>Opening the thread</p>", "<p>To be edited</p>"}


def _event_id_of(listener: Listener, html: str) -> int:
    for count in (1, 2):
        for _, event_id, _, data in listener.wait_for(count):
            if data.get("html") == html:
                return event_id
    raise AssertionError(f"no event for {html}")


def _thread_id(base: str, key: str) -> int:
    page = httpx.get(base + "/api/v1/threads", params={"site": "live", "key": key}).json()
    return page["thread"]["id"]
