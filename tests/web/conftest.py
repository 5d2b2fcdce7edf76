"""Browser tests: a real `rostra serve --demo` driven through Debian's Chromium.

One server (SQLite) serves the whole session. Tests that change data work on
threads of their own, opened on host pages that Playwright serves at the
server's origin, so the seeded demo thread stays as it was seeded.
"""

import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach
# Google services, which on a closed network only produces failing connections.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
DEMO_THREAD = "valley-railway-reopens"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    base: str
    client: httpx.Client
    database: Path
    _threads: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def new_thread(self, prefix: str) -> str:
        return f"{prefix}-{next(self._threads)}"

    def post(
        self,
        thread: str,
        body: str,
        name: str = "Seeded Reader",
        parent: int | None = None,
        agent: str = "seeder",
    ) -> dict:
        """Write a comment through the API, as another reader than the browser."""
        response = self.client.post(
            "/api/v1/comments",
            json={
                "site": "demo",
                "thread": {"key": thread, "title": f"Test thread {thread}"},
                "parent": parent,
                "author": {"name": name},
                "body": body,
            },
            headers={"User-Agent": agent},
        )
        assert response.status_code == 201, response.text
        return response.json()["comment"]

    def vote(self, comment_id: int, value: int, agent: str) -> None:
        response = self.client.post(
            f"/api/v1/comments/{comment_id}/vote",
            json={"value": value},
            headers={"User-Agent": agent},
        )
        assert response.status_code == 200, response.text

    def page(self, thread: str, sort: str = "best", **params) -> dict:
        response = self.client.get(
            "/api/v1/threads", params={"site": "demo", "key": thread, "sort": sort, **params}
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    port = _free_port()
    database = tmp_path_factory.mktemp("web") / "web.db"
    base = f"http://127.0.0.1:{port}"
    rostra = Path(sys.executable).with_name("rostra")
    command = [str(rostra)] if rostra.exists() else [sys.executable, "-m", "rostra.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTRA_")}
    env["ROSTRA_LOG_LEVEL"] = "warning"
    process = subprocess.Popen(
        [*command, "serve", "--demo", "--database", str(database), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    client = httpx.Client(base_url=base, headers={"Origin": base}, timeout=10)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"rostra serve exited: {process.stderr.read().decode()}")
            try:
                if client.get("/api/v1/counts", params={"site": "demo", "key": "x"}).is_success:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("rostra serve did not start within 60 s")
            time.sleep(0.1)
        _relax_moderation(database)
        yield Server(base, client, database)
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _relax_moderation(database: Path) -> None:
    """These tests post fast and often from one address, as no reader would:
    let the demo site publish such comments at once. (Held comments have a
    test of their own.)"""
    from rostra.store import sites as site_store
    from rostra.store.database import open_database

    db = open_database(str(database))
    try:
        with db.write() as conn:
            site = site_store.site_by_name(conn, "demo")
            settings = {
                **site.settings,
                "moderation": {
                    **site.settings.get("moderation", {}),
                    "min_seconds_to_post": 0,
                    "posts_per_minute": 1000,
                    "toxicity_model": False,
                },
            }
            site_store.update_site(conn, site.id, origins=site.origins, settings=settings)
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (scripts/services installs it)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """What a page did that a reader would never want: dialogs, errors, foreign requests."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def context(browser, server, watch):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    own_hosts = {urlsplit(server.base).hostname}

    def guard(route):
        url = route.request.url
        watch.requests.append(url)
        if urlsplit(url).hostname not in own_hosts:
            watch.foreign.append(url)
            route.abort()
        else:
            route.fallback()

    context.route("**/*", guard)
    yield context
    context.close()
    assert watch.foreign == [], "requests to third-party hosts"


@pytest.fixture
def page(context, watch):
    page = context.new_page()

    def on_dialog(dialog):
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    yield page
    assert watch.errors == [], "uncaught errors in the page"
    assert watch.dialogs == [], "dialogs opened"


@pytest.fixture
def host_page(page, server):
    """Open a page of our own at the server's origin with the widget on `thread`."""

    def open_page(
        thread: str,
        *,
        lang: str = "en",
        head: str = "",
        attrs: str = "",
        fragment: str = "",
        body: str = "",
        on=None,
    ):
        target = on or page
        path = f"/test-host/{thread}"
        html = f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>Host page</title>{head}<script src="/embed.js" defer></script></head>
<body><h1>Host article</h1>{body}
<rostra-comments site="demo" thread="{thread}" title="Test article" {attrs}></rostra-comments>
</body></html>"""
        target.route(
            f"{server.base}{path}",
            lambda route: route.fulfill(status=200, content_type="text/html", body=html),
        )
        target.goto(f"{server.base}{path}{fragment}")
        return target

    return open_page


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
