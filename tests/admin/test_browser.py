"""The moderation UI in Chromium, against a real `rostra serve --demo`.

A moderator logs in, sets the site to hold everything, sees a held comment
with its reason, approves it with the keyboard and finds it in the public
widget; then bans an author with one key and sees that author's next
comment held.
"""

import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from rostra_server import rostra_serve
from serving import ROSTRA

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "admin"
PASSWORD = "a long admin password"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = str(tmp_path_factory.mktemp("admin-web") / "admin.db")
    with rostra_serve(database) as (base, client):
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTRA_")}
        created = subprocess.run(
            [*ROSTRA, "user", "create", "editor", "--role", "admin", "--password-stdin",
             "--database", database],
            input=PASSWORD + "\n", capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        yield base, client


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], "uncaught errors in the page"


def _post(client: httpx.Client, thread: str, body: str, agent: str) -> dict:
    response = client.post(
        "/api/v1/comments",
        json={
            "site": "demo",
            "thread": {"key": thread, "title": f"Story {thread}"},
            "author": {"name": f"Reader {agent}"},
            "body": body,
        },
        headers={"User-Agent": agent},
    )
    assert response.status_code == 201, response.text
    return response.json()


def _log_in(page, base: str) -> None:
    page.goto(f"{base}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Held")


def _set_policy(page, base: str, premoderation: str) -> None:
    page.goto(f"{base}/admin/sites/demo/settings")
    page.get_by_label("Pre-moderation").select_option(premoderation)
    # API posts in this test carry no form token; the timing check is off.
    page.get_by_label("Fewest seconds between opening the form and posting").fill("0")
    # Every API post here comes from 127.0.0.1: the flood limit would count them as one reader.
    page.get_by_label("Comments per minute per author").fill("1000")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")


def _widget_shows(page, base: str, thread: str):
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script src="/embed.js" defer></script></head><body><h1>Story</h1>
<rostra-comments site="demo" thread="{thread}" title="Story {thread}"></rostra-comments></body></html>"""
    path = f"{base}/test-host/{thread}"
    page.route(path, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page.goto(path)
    return page.locator("rostra-comments article.c")


def test_approve_a_held_comment_with_the_keyboard_and_see_it_published(page, server):
    base, client = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _log_in(page, base)
    _set_policy(page, base, "all")
    page.screenshot(path=ARTIFACTS / "settings.png", full_page=True)
    posted = _post(client, "admin-approve", "The council vote was postponed again.", "reader-a")
    assert posted["status"] == "pending"

    page.goto(f"{base}/admin/queue/held")
    item = page.locator("li.item", has_text="The council vote was postponed again.")
    expect(item).to_be_visible()
    expect(item.locator(".reasons")).to_contain_text(
        "Every comment on this site is reviewed first."
    )
    expect(item.locator(".meta")).to_contain_text("Story admin-approve")
    page.screenshot(path=ARTIFACTS / "queue-held.png", full_page=True)

    # The first item has the keyboard focus; j moves it down, k back up.
    first = page.locator("li.item").first
    expect(first).to_have_class(re.compile(r"\bcurrent\b"))
    item.click(position={"x": 300, "y": 10})
    expect(item).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    expect(item).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator("#toast")).to_contain_text("Approved 1 comment.")

    comments = _widget_shows(page, base, "admin-approve")
    expect(comments.filter(has_text="The council vote was postponed again.")).to_have_count(1)
    page.screenshot(path=ARTIFACTS / "widget-after-approval.png")


def test_shortcuts_do_not_fire_while_typing(page, server):
    base, client = server
    _log_in(page, base)
    _set_policy(page, base, "all")
    _post(client, "admin-typing", "Held while the moderator types a reason.", "reader-t")
    page.goto(f"{base}/admin/queue/held")
    item = page.locator("li.item", has_text="Held while the moderator types")
    item.click(position={"x": 300, "y": 10})
    # With the site filter focused, "r" (no option starts with it) is typing, not rejecting.
    page.get_by_label("Site").focus()
    page.keyboard.press("r")
    page.reload()
    expect(item).to_be_visible()
    expect(item).not_to_have_class(re.compile(r"\bdone\b"))


def test_ban_an_author_with_one_key_and_their_next_comment_is_held(page, server):
    base, client = server
    _log_in(page, base)
    _set_policy(page, base, "none")
    first = _post(client, "admin-ban", "The bus timetable changed again this week.", "spammer")
    assert first["status"] == "published"

    page.goto(f"{base}/admin/queue/recent")
    item = page.locator("li.item", has_text="The bus timetable changed again this week.")
    item.click(position={"x": 300, "y": 10})
    page.keyboard.press("b")
    expect(page.locator("#toast")).to_contain_text("Banned the author")
    expect(item).to_have_class(re.compile(r"\bdone\b"))

    second = _post(client, "admin-ban", "The timetable is still wrong on Sundays.", "spammer")
    assert second["status"] == "pending"
    other = _post(client, "admin-ban", "An ordinary reader, unaffected.", "someone-else")
    assert other["status"] == "published"

    page.goto(f"{base}/admin/queue/held")
    held = page.locator("li.item", has_text="The timetable is still wrong on Sundays.")
    expect(held.locator(".reasons")).to_contain_text("The author is banned")
    expect(held.locator(".standing")).to_contain_text("1 rejected")
    expect(held.locator(".standing .sanction")).to_contain_text("ban")
    held.get_by_role("link", name="Details").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Comment")
    page.screenshot(path=ARTIFACTS / "comment-detail.png", full_page=True)

    page.goto(f"{base}/admin/sanctions")
    expect(page.locator("table.sanctions")).to_contain_text("Banned from the moderation queue.")
    page.screenshot(path=ARTIFACTS / "sanctions.png", full_page=True)
    page.goto(f"{base}/admin/metrics")
    page.screenshot(path=ARTIFACTS / "metrics.png", full_page=True)
    page.goto(f"{base}/admin/audit")
    expect(page.locator("table.audit")).to_contain_text("ban")
    page.screenshot(path=ARTIFACTS / "audit.png", full_page=True)


def test_shortcuts_work_after_ticking_a_box_and_e_opens_the_edit_box(page, server):
    base, client = server
    _log_in(page, base)
    _set_policy(page, base, "all")
    ticked = [
        _post(client, "admin-tick", f"Ticked comment number {n}.", f"reader-tick-{n}")["comment"][
            "id"
        ]
        for n in (1, 2)
    ]
    page.goto(f"{base}/admin/queue/held")
    for comment_id in ticked:
        page.locator(f'li.item[data-id="{comment_id}"] input[name="ids"]').check()
    # The last box clicked keeps the focus; "a" still approves what is ticked.
    page.keyboard.press("a")
    expect(page.locator("#toast")).to_contain_text("Approved 2 comments.")
    expect(page.locator("#toast")).to_contain_text("u to undo")
    for comment_id in ticked:
        expect(page.locator(f'li.item[data-id="{comment_id}"]')).to_have_class(
            re.compile(r"\bdone\b")
        )

    page.goto(f"{base}/admin/comments/{ticked[0]}")
    page.keyboard.press("e")
    expect(page.get_by_label("Comment text (Markdown)")).to_be_focused()

    # "/" goes to the search box; the queue then holds only what matches.
    page.goto(f"{base}/admin/queue/recent")
    page.keyboard.press("/")
    expect(page.get_by_label("Search")).to_be_focused()
    page.keyboard.type("number 2")
    page.keyboard.press("Enter")
    expect(page.locator("li.item")).to_have_count(1)
    expect(page.locator("li.item")).to_have_attribute("data-id", str(ticked[1]))


def test_featuring_a_held_comment_says_why_and_offers_no_undo(page, server):
    base, client = server
    _log_in(page, base)
    _set_policy(page, base, "all")
    held = _post(client, "admin-feature", "Held, so it cannot be featured yet.", "reader-f")
    held_id = held["comment"]["id"]
    page.goto(f"{base}/admin/queue/held")
    page.locator(f'li.item[data-id="{held_id}"]').click(position={"x": 300, "y": 10})
    page.keyboard.press("f")
    toast = page.locator("#toast")
    expect(toast).to_contain_text("only published comments can be featured")
    expect(toast).not_to_contain_text("undo")


@pytest.mark.parametrize(
    "path",
    ["/admin/queue/held", "/admin/queue/recent", "/admin/sites/demo/settings", "/admin/sanctions",
     "/admin/metrics", "/admin/audit", "/admin/account"],
)  # fmt: skip
def test_admin_pages_fit_a_phone_screen(browser, server, path):
    base, client = server
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-GB")
    page = context.new_page()
    try:
        _log_in(page, base)
        _set_policy(page, base, "all")
        _post(client, "admin-phone", "A long unbroken word: " + "x" * 80, f"reader-{path}")
        page.goto(f"{base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width}px wide on a 375px screen"
    finally:
        context.close()
