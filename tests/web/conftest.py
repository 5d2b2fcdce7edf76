"""Browser tests: a real `rostra serve --demo` driven through Debian's Chromium.

One server (SQLite) serves the whole session. Tests that change data work on
threads of their own, opened on host pages that Playwright serves at the
server's origin, so the seeded demo thread stays as it was seeded.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from rostra_server import Server, relax_moderation, rostra_serve

pytest.importorskip("playwright.sync_api")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
DEMO_THREAD = "valley-railway-reopens"


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    database = tmp_path_factory.mktemp("web") / "web.db"
    with rostra_serve(str(database)) as (base, client):
        relax_moderation(str(database))
        yield Server(base, client, database)


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
        site: str = "demo",
        base: str | None = None,
    ):
        """`base` is the Rostra server that serves both the page and the widget."""
        target = on or page
        base = base or server.base
        path = f"/test-host/{thread}"
        html = f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>Host page</title>{head}<script src="/embed.js" defer></script></head>
<body><h1>Host article</h1>{body}
<rostra-comments site="{site}" thread="{thread}" title="Test article" {attrs}></rostra-comments>
</body></html>"""
        target.route(
            f"{base}{path}",
            lambda route: route.fulfill(status=200, content_type="text/html", body=html),
        )
        target.goto(f"{base}{path}{fragment}")
        return target

    return open_page


@pytest.fixture(scope="session")
def strict_site(server) -> str:
    """A second site on the session server with the toxicity model, the
    think-again nudge and a banned word: its comments can be nudged and rejected.
    The model rejects nothing here (the banned word does), so a rude comment
    posted anyway is held whatever score above the nudge the model gives it."""
    from rostra.service.sites import create_site
    from rostra.store.database import open_database

    db = open_database(str(server.database))
    try:
        create_site(db, "strict", [server.base])
    finally:
        db.dispose()
    relax_moderation(
        str(server.database),
        "strict",
        toxicity_model=True,
        think_again=True,
        reject_threshold=1.0,
        banned_words=["zanzibarbaz"],
    )
    return "strict"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
