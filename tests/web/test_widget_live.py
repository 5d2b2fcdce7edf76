"""Live updates in the widget: server-sent events while the thread is on screen."""

import os
import re
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from playwright.sync_api import expect
from web_helpers import comment, comments, post

from rostra_server import Server, relax_moderation, rostra_serve

POSTGRES_ADMIN = os.environ.get("ROSTRA_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")
EVENTS = re.compile(r"/api/v1/threads/\d+/events")


def news(page):
    return page.locator("rostra-comments .news button")


def stream_open(page) -> None:
    """Wait until the widget's event stream is open (answered, so subscribed)."""
    page.wait_for_function(
        "() => document.querySelector('rostra-comments').stream?.readyState === EventSource.OPEN"
    )


def test_new_comments_wait_behind_a_button(page, host_page, server, artifacts):
    thread = server.new_thread("live")
    first = server.post(thread, "Already here when the page opened")
    host_page(thread)
    mine = post(page, "My own comment")
    mine_id = int(mine.get_attribute("data-id"))
    stream_open(page)

    # The reader's own comment came back as an event too: it is not news.
    anchor = comment(page, "Already here").locator(":scope > .text")
    top = anchor.bounding_box()["y"]
    server.post(thread, "Someone else chimes in", name="Other Reader", agent="other")
    button = news(page)
    expect(button).to_have_text("1 new comment")
    expect(page.locator("rostra-comments .sr")).to_have_text("1 new comment")
    # Nothing moved under the reader, and nothing was added yet.
    assert anchor.bounding_box()["y"] == top
    expect(comment(page, "Someone else chimes in")).to_have_count(0)

    server.post(thread, "Replying to you", name="Answerer", parent=mine_id, agent="answerer")
    expect(button).to_have_text("2 new comments")
    assert anchor.bounding_box()["y"] == top
    page.screenshot(path=artifacts / "live-new-comments.png")

    button.click()
    expect(button).to_be_hidden()
    newcomer = comment(page, "Someone else chimes in")
    expect(newcomer).to_be_focused()
    expect(page.locator("rostra-comments .feed > article").first).to_contain_text(
        "Someone else chimes in"
    )
    answer = comment(page, "Replying to you")
    expect(mine.locator(":scope > .replies")).to_contain_text("Replying to you")
    expect(answer.locator(":scope > .head .badge")).to_have_text("Reply to you")
    expect(newcomer.locator(".badge")).to_have_count(0)
    expect(page.locator("rostra-comments h2")).to_have_text("4 comments")

    # Edits, votes and removals change what is on screen, in place.
    server.edit(first["id"], "Already here, and edited since")
    edited = comment(page, "Already here, and edited since")
    expect(edited.locator(":scope > .head .edited")).to_have_text("edited")
    server.vote(first["id"], 1, agent="voter")
    expect(edited.locator(":scope > .acts .score")).to_have_text("1")
    server.delete(first["id"])
    expect(comment(page, "Already here")).to_have_count(0)
    expect(page.locator("rostra-comments h2")).to_have_text("3 comments")
    expect(button).to_be_hidden()


def test_subscribes_only_while_on_screen(page, host_page, server, watch):
    thread = server.new_thread("offscreen")
    server.post(thread, "Down the page")
    # A long article: the comments start below the first screen.
    host_page(thread, body='<div id="article" style="height: 2400px">Article text</div>')
    expect(comments(page)).to_have_count(1)
    assert not [url for url in watch.requests if EVENTS.search(url)]

    page.locator("rostra-comments").scroll_into_view_if_needed()
    stream_open(page)
    server.post(thread, "Seen while reading", agent="first")
    expect(news(page)).to_have_text("1 new comment")

    # Scrolled away: the stream closes; back again, it resumes where it left off.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_function("() => document.querySelector('rostra-comments').stream === null")
    server.post(thread, "Written while away", agent="second")
    page.locator("rostra-comments").scroll_into_view_if_needed()
    expect(news(page)).to_have_text("2 new comments")
    resumed = [url for url in watch.requests if EVENTS.search(url)][-1]
    assert re.search(r"last_event_id=\d+", resumed)
    news(page).click()
    expect(comment(page, "Written while away")).to_be_visible()
    expect(comment(page, "Seen while reading")).to_be_visible()


def test_no_live_updates_stops_at_204(page, host_page, server):
    thread = server.new_thread("quiet")
    server.post(thread, "An old thread")
    asked = []

    def no_live_updates(route):
        asked.append(route.request.url)
        route.fulfill(status=204)

    page.route(EVENTS, no_live_updates)
    host_page(thread)
    widget = "document.querySelector('rostra-comments')"
    page.wait_for_function(f"() => {widget}.liveOff === true")
    # Off screen and back: it does not ask again.
    page.set_viewport_size({"width": 1280, "height": 40})
    page.wait_for_function(f"() => {widget}.onScreen === false")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function(f"() => {widget}.onScreen === true")
    expect(comments(page)).to_have_count(1)
    assert len(asked) == 1


# Two Rostra instances over one PostgreSQL database ---------------------------


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    name = f"rostra_web_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL is not reachable ({error})")
    try:
        yield POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def two_servers(postgres_url) -> Iterator[tuple[Server, Server]]:
    # One after the other: the first creates the schema and the demo site,
    # the second only adds its own origin.
    with (
        rostra_serve(postgres_url, ROSTRA_TOXICITY_MODEL="false") as (base1, client1),
        rostra_serve(postgres_url, ROSTRA_TOXICITY_MODEL="false") as (base2, client2),
    ):
        relax_moderation(postgres_url)
        yield Server(base1, client1, postgres_url), Server(base2, client2, postgres_url)


def test_comment_in_one_instance_appears_in_the_other(
    page, context, host_page, two_servers, artifacts
):
    one, two = two_servers
    thread = f"scale-out-{uuid.uuid4().hex[:6]}"
    seeded = one.post(thread, "Seeded before either page opened", name="Early Bird")
    page_a = host_page(thread, base=one.base)
    page_b = host_page(thread, base=two.base, on=context.new_page())
    expect(comment(page_b, "Seeded before")).to_be_visible()
    stream_open(page_b)
    stream_open(page_a)

    with page_a.expect_response(re.compile(r"/api/v1/comments$")):
        post(page_a, "Written on instance one", name="Reader A")
    started = time.monotonic()
    button = news(page_b)
    expect(button).to_have_text("1 new comment", timeout=2000)
    assert time.monotonic() - started < 2.0
    # Page A wrote it: A shows it as posted, never as news.
    expect(comment(page_a, "Written on instance one")).to_be_visible()
    expect(news(page_a)).to_be_hidden()

    button.click()
    arrived = comment(page_b, "Written on instance one")
    expect(arrived).to_be_visible()
    expect(arrived.locator(":scope > .head .who")).to_have_text("Reader A")
    expect(page_b.locator("rostra-comments h2")).to_have_text("2 comments")

    # A vote on instance one updates the count on instance two, in place.
    target_b = comment(page_b, "Seeded before")
    target_b.evaluate("el => { el.dataset.probe = 'same element' }")
    score_b = target_b.locator(":scope > .acts .score")
    expect(score_b).to_have_text("0")
    comment(page_a, "Seeded before").locator(":scope > .acts .up").click()
    expect(score_b).to_have_text("1", timeout=2000)
    expect(target_b).to_have_attribute("data-probe", "same element")
    assert [c["score"] for c in two.page(thread)["comments"] if c["id"] == seeded["id"]] == [1]
    page_b.screenshot(path=artifacts / "live-two-instances.png", full_page=True)
