"""The comment widget and the demo pages in a real browser, as a reader uses them."""

import http.server
import json
import re
import threading

import pytest
from playwright.sync_api import expect
from web_helpers import comment, comments, form, own_button, post

from rostra.service.sites import add_origins
from rostra.store.database import open_database

DEMO_THREAD = "valley-railway-reopens"
RED = "rgb(255, 0, 0)"


def test_demo_article_renders_the_seeded_thread(page, server, artifacts):
    page.goto(server.base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "After 41 years, the valley railway carries passengers again"
    )
    expect(page.locator("figure img")).to_have_attribute("src", "/demo/railway.svg")
    expect(page.locator("rostra-comments h2")).to_have_text("40 comments")
    expect(page.get_by_role("feed")).to_have_attribute("aria-busy", "false")

    # Nesting: the fourth-level reply sits inside its parents and, past the
    # indent cap, says whom it answers instead of moving further right.
    deepest = comment(page, "Then I am buying them coffee")
    expect(deepest).to_have_attribute("data-depth", "4")
    expect(deepest.locator(".to")).to_have_text("replying to Ingrid Solberg 🚆")
    parent = comment(page, "They will, the crew told me")
    expect(parent.locator(".replies").first).to_contain_text("Then I am buying them coffee")
    assert deepest.bounding_box()["x"] == parent.bounding_box()["x"]
    top = comment(page, "Took the first train this morning")
    assert parent.bounding_box()["x"] > top.bounding_box()["x"]
    expect(top.locator(":scope > .text strong")).to_have_text("Worth every penny.")

    # The tombstone is on the second page: its replies stay under it.
    page.get_by_role("button", name=re.compile(r"Load 4 more comments")).click()
    tombstone = comments(page).filter(has=page.locator(":scope > .text.gone"))
    expect(tombstone).to_have_count(1)
    expect(tombstone.locator(":scope > .head")).to_contain_text("Comment removed")
    expect(tombstone.locator(":scope > .replies")).to_contain_text(
        "the weekly ticket works out cheaper than the bus"
    )
    expect(tombstone.locator(":scope > .acts button")).to_have_count(0)
    expect(comments(page)).to_have_count(41)

    # Relative time, with the exact time on hover.
    time = top.locator(":scope > .head time")
    expect(time).to_have_text("5 hours ago")
    assert re.search(r"\d{4}", time.get_attribute("title"))

    page.screenshot(path=artifacts / "article-desktop.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 667})
    page.reload()
    expect(deepest.locator(".to")).to_be_visible()
    # On a phone the deepest reply still has most of the width to itself.
    assert deepest.locator(":scope > .text").bounding_box()["width"] > 0.75 * 375
    # However a long name wraps, each comment's collapse button stays on its first line.
    offsets = page.locator("rostra-comments article.c > .head > .fold:visible").evaluate_all(
        "folds => folds.map(f => f.getBoundingClientRect().top"
        " - f.parentElement.getBoundingClientRect().top)"
    )
    assert offsets and max(offsets) < 8, offsets
    page.screenshot(path=artifacts / "article-phone.png", full_page=True)


def test_collapse_and_read_more(page, server):
    page.goto(server.base + "/")
    long = comment(page, "I worked on the original closure study")
    body = long.locator(":scope > .text")
    read_more = long.locator(":scope > .readmore")
    expect(read_more).to_have_text("Read more")
    clamped = body.bounding_box()["height"]
    read_more.click()
    expect(read_more).to_have_text("Show less")
    assert body.bounding_box()["height"] > clamped + 20

    toggle = long.locator(":scope > .head > .fold")
    reply = comment(page, "The point about the 17:10 connection")
    expect(reply).to_be_visible()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(reply).to_be_hidden()
    expect(long.locator(":scope > .head > .folded")).to_have_text("5 comments hidden")
    toggle.press("Enter")
    expect(reply).to_be_visible()


def test_post_a_comment_without_reload(page, context, host_page, server):
    thread = server.new_thread("post")
    host_page(thread)
    expect(page.locator("rostra-comments .status")).to_have_text(
        "No comments yet. Start the conversation."
    )

    # An error from the API shows inline and the text stays in the box.
    top = form(page)
    top.get_by_label("Your comment").fill("My **first** comment")
    top.get_by_role("button", name="Post comment").click()
    expect(top.get_by_role("alert")).to_have_text("A name is required (1 to 64 characters).")
    expect(top.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    expect(top.get_by_label("Your comment")).to_have_value("My **first** comment")
    assert context.cookies() == []

    # Preview renders the Markdown as the server will.
    top.get_by_role("button", name="Preview").click()
    expect(top.locator(".preview strong")).to_have_text("first")
    top.get_by_role("button", name="Write").click()

    posted = post(page, "My **first** comment", shown="My first comment")
    expect(posted).to_have_count(1)
    expect(posted.locator(":scope > .head .who")).to_have_text("Browser Reader")
    expect(page.locator("rostra-comments h2")).to_have_text("1 comment")
    expect(top.get_by_label("Your comment")).to_have_value("")
    expect(page.locator("rostra-comments .sr")).to_have_text("Your comment was posted.")
    assert server.page(thread)["thread"]["count"] == 1
    # No cookies, ever: what is remembered stays in this browser's storage.
    assert context.cookies() == []

    page.reload()
    expect(comment(page, "My first comment")).to_have_count(1)
    expect(form(page).get_by_label("Name")).to_have_value("Browser Reader")


def test_reply_at_depth_three(page, host_page, server):
    thread = server.new_thread("reply")
    root = server.post(thread, "Root of the discussion", name="Ann")
    child = server.post(thread, "First answer", name="Ben", parent=root["id"])
    server.post(thread, "Second-level answer", name="Cleo", parent=child["id"])
    host_page(thread)

    target = comment(page, "Second-level answer")
    expect(target).to_have_attribute("data-depth", "2")
    reply_button = own_button(target, "Reply")
    reply_button.click()
    expect(reply_button).to_have_attribute("aria-expanded", "true")
    reply_form = target.locator(":scope > .slot form")
    reply_form.get_by_label("Name").fill("Dora")
    reply_form.get_by_label("Your reply to Cleo").fill("Third level, and still readable")
    reply_form.get_by_role("button", name="Post reply").click()

    reply = comment(page, "Third level, and still readable")
    expect(reply).to_have_attribute("data-depth", "3")
    expect(target.locator(":scope > .replies > article")).to_have_count(1)
    expect(reply_form).to_have_count(0)
    expect(page.locator("rostra-comments h2")).to_have_text("4 comments")
    page_after = server.page(thread)
    deepest = page_after["comments"][0]["replies"][0]["replies"][0]["replies"][0]
    assert deepest["author"]["name"] == "Dora"


def test_edit_and_delete_within_the_window(page, host_page, server):
    thread = server.new_thread("edit")
    host_page(thread)
    mine = post(page, "A comment with a tpyo")
    own_button(mine, "Edit").click()
    editor = mine.locator(":scope > .slot form")
    expect(editor.get_by_label("Your comment")).to_have_value("A comment with a tpyo")
    editor.get_by_label("Your comment").fill("A comment without a typo")
    editor.get_by_role("button", name="Save changes").click()
    fixed = comment(page, "A comment without a typo")
    expect(fixed.locator(":scope > .head .edited")).to_have_text("edited")
    assert "without a typo" in server.page(thread)["comments"][0]["html"]

    # The edit token survives a reload (it is kept in localStorage).
    page.reload()
    fixed = comment(page, "A comment without a typo")
    expect(own_button(fixed, "Delete")).to_be_visible()

    # Someone answers; deleting then leaves a tombstone that keeps the answer.
    mine_id = int(fixed.get_attribute("data-id"))
    server.post(thread, "An answer that must survive", parent=mine_id)
    page.reload()
    fixed = comment(page, "A comment without a typo")
    own_button(fixed, "Delete").click()
    fixed.get_by_role("button", name="Yes, delete").click()
    stone = page.locator(f"rostra-comments #comment-{mine_id}")
    expect(stone.locator(":scope > .text")).to_have_text("This comment was removed.")
    expect(stone.locator(":scope > .replies")).to_contain_text("An answer that must survive")
    expect(page.locator("rostra-comments h2")).to_have_text("1 comment")

    # A comment without replies goes away entirely.
    second = post(page, "Second thoughts")
    own_button(second, "Delete").click()
    second.get_by_role("button", name="Yes, delete").click()
    expect(comment(page, "Second thoughts")).to_have_count(0)
    assert server.page(thread)["thread"]["count"] == 1


def _post_in(widget, body: str):
    """Post through the main form of one widget of several on the page."""
    top = widget.locator("form").first
    top.get_by_label("Name").fill("Browser Reader")
    top.get_by_label("Your comment").fill(body)
    top.get_by_role("button", name="Post comment").click()
    return widget.locator("article.c").filter(
        has=widget.page.locator(":scope > .text", has_text=body)
    )


def test_two_widgets_of_one_site_keep_both_readers_comments(page, host_page, server):
    """Widgets of one site share what the browser keeps of the reader's comments:
    posting in one must not make the other forget its own (edit tokens included)."""
    story, sidebar = server.new_thread("two-story"), server.new_thread("two-sidebar")
    host_page(
        story,
        body=f'<aside id="side"><rostra-comments site="demo" thread="{sidebar}">'
        "</rostra-comments></aside>",
    )
    main, side = page.locator("body > rostra-comments"), page.locator("#side rostra-comments")
    expect(own_button(_post_in(main, "Posted under the story"), "Edit")).to_be_visible()
    expect(own_button(_post_in(side, "Posted in the sidebar"), "Edit")).to_be_visible()

    page.reload()
    story_comment = main.locator("article.c", has_text="Posted under the story")
    expect(own_button(story_comment, "Edit")).to_be_visible()
    expect(own_button(story_comment, "Report")).to_have_count(0)
    sidebar_comment = side.locator("article.c", has_text="Posted in the sidebar")
    expect(own_button(sidebar_comment, "Edit")).to_be_visible()

    # A second edit starts from the first edit's text, after a reload too.
    story_comment = main.locator(f"#comment-{story_comment.get_attribute('data-id')}")
    shown = "Posted under the story"
    for version in ("Edited once under the story", "Edited twice under the story"):
        own_button(story_comment, "Edit").click()
        editor = story_comment.locator(":scope > .slot form").get_by_label("Your comment")
        expect(editor).to_have_value(shown)
        editor.fill(version)
        story_comment.get_by_role("button", name="Save changes").click()
        expect(story_comment.locator(":scope > .text")).to_have_text(version)
        page.reload()
        shown = version


def test_vote_updates_the_count_at_once(page, host_page, server):
    thread = server.new_thread("vote")
    seeded = server.post(thread, "Vote on me")
    server.vote(seeded["id"], 1, agent="another reader")
    host_page(thread)
    item = comment(page, "Vote on me")
    score = item.locator(":scope > .acts .score")
    up = item.locator(":scope > .acts .up")
    down = item.locator(":scope > .acts .down")
    expect(score).to_have_text("1")

    up.click()
    expect(score).to_have_text("2")
    expect(up).to_have_attribute("aria-pressed", "true")
    # Changing one's mind at once: the second click does not wait for the
    # first answer, and the server must still end with the second vote.
    with page.expect_response(lambda r: r.url.endswith("/vote") and '"your_vote":-1' in r.text()):
        down.click()
    expect(score).to_have_text("0")
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    assert server.page(thread)["comments"][0]["score"] == 0

    page.reload()
    expect(score).to_have_text("0")
    expect(down).to_have_attribute("aria-pressed", "true")
    down.click()  # pressing again withdraws the vote
    expect(score).to_have_text("1")
    expect(down).to_have_attribute("aria-pressed", "false")

    # Readers cannot vote on their own comments: the buttons say so.
    mine = post(page, "My own words")
    expect(mine.locator(":scope > .acts .up")).to_be_disabled()


def test_a_vote_taken_back_at_once_is_taken_back_on_the_server(page, host_page, server):
    thread = server.new_thread("undo-vote")
    server.post(thread, "Vote and undo")
    host_page(thread)
    score = comment(page, "Vote and undo").locator(":scope > .acts .score")
    up = comment(page, "Vote and undo").locator(":scope > .acts .up")
    expect(score).to_have_text("0")
    # The first vote's request is held back until the reader has clicked again.
    held, holding = [], [True]
    page.route(
        re.compile(r"/vote$"), lambda route: held.append(route) if holding[0] else route.continue_()
    )
    up.click()
    up.click()  # pressing again withdraws, before the first answer came
    page.wait_for_timeout(200)
    holding[0] = False
    for route in held:
        route.continue_()
    expect(up).to_have_attribute("aria-pressed", "false")
    expect(score).to_have_text("0")
    page.wait_for_timeout(300)  # let a late answer arrive, if any
    assert server.page(thread)["comments"][0]["score"] == 0
    expect(score).to_have_text("0")


def test_switch_order(page, host_page, server):
    thread = server.new_thread("sort")
    for body in ("Written first", "Written second", "Written third"):
        server.post(thread, body)
    second = server.page(thread, sort="oldest")["comments"][1]["id"]
    for voter in range(3):
        server.vote(second, 1, agent=f"voter {voter}")
    host_page(thread)

    def order():
        return comments(page).locator(":scope > .text").all_inner_texts()

    expect(comments(page)).to_have_count(3)
    assert order()[0] == "Written second"
    sort = page.get_by_role("group", name="Sort comments")
    sort.get_by_role("button", name="Newest").click()
    expect(sort.get_by_role("button", name="Newest")).to_have_attribute("aria-pressed", "true")
    expect(comments(page).first).to_contain_text("Written third")
    assert order() == ["Written third", "Written second", "Written first"]
    sort.get_by_role("button", name="Oldest").click()
    expect(comments(page).first).to_contain_text("Written first")
    assert order() == ["Written first", "Written second", "Written third"]


def test_load_more_comments_and_replies(page, host_page, server):
    thread = server.new_thread("more")
    for number in range(23):
        server.post(thread, f"Top-level number {number:02d}", agent=f"reader {number}")
    busy = server.post(thread, "A busy comment")
    for number in range(8):
        server.post(
            thread, f"Answer number {number}", parent=busy["id"], agent=f"answerer {number}"
        )
    host_page(thread, attrs='sort="oldest"')

    top_level = page.locator("rostra-comments .feed > article")
    expect(top_level).to_have_count(10)
    more = page.get_by_role("button", name="Load 14 more comments")
    more.click()
    expect(top_level).to_have_count(20)
    expect(page.locator("rostra-comments .sr")).to_have_text("10 more comments loaded.")
    page.get_by_role("button", name="Load 4 more comments").click()
    expect(top_level).to_have_count(24)
    expect(page.locator("rostra-comments .more")).to_be_hidden()

    busy_item = comment(page, "A busy comment")
    answers = busy_item.locator(":scope > .replies > article")
    expect(answers).to_have_count(3)
    # Folded, the comment counts the replies not loaded yet among those it hides.
    fold = busy_item.locator(":scope > .head > .fold")
    fold.click()
    expect(busy_item.locator(":scope > .head > .folded")).to_have_text("9 comments hidden")
    fold.click()
    busy_item.get_by_role("button", name="5 more replies").click()
    expect(answers).to_have_count(8)
    expect(answers.last).to_contain_text("Answer number 7")
    expect(busy_item.locator(".more-r")).to_have_count(0)


def test_deep_link_to_a_comment_on_a_later_page(page, host_page, server):
    thread = server.new_thread("deep")
    roots = [
        server.post(thread, f"Opening remark {number:02d}", agent=f"reader {number}")
        for number in range(25)
    ]
    holder = roots[3]  # newest first, so this is on the third page
    answers = [
        server.post(
            thread, f"Answer {number} to remark 03", parent=holder["id"], agent=f"answerer {number}"
        )
        for number in range(6)
    ]
    target = server.post(thread, "The comment the link points at", parent=answers[5]["id"])
    host_page(thread, attrs='sort="newest"', fragment=f"#comment-{target['id']}")

    linked = page.locator(f"rostra-comments #comment-{target['id']}")
    expect(linked).to_be_in_viewport()
    expect(linked).to_have_class(re.compile(r"\btarget\b"))
    expect(linked).to_be_focused()
    expect(page.locator("rostra-comments .linked")).to_be_visible()
    # The replies skipped on the way down can still be opened.
    holder_item = comment(page, "Opening remark 03")
    holder_item.get_by_role("button", name="3 more replies").click()
    expect(holder_item.locator(":scope > .replies > article")).to_have_count(6)

    page.get_by_role("button", name="Show all comments").click()
    expect(page.locator("rostra-comments .feed > article").first).to_contain_text(
        "Opening remark 24"
    )
    expect(page.locator("rostra-comments .linked")).to_be_hidden()


def test_counter_script_fills_the_article_list(page, server, watch, artifacts):
    page.goto(server.base + "/articles")
    link = page.locator(f'[data-rostra-count="{DEMO_THREAD}"]')
    expect(link).to_have_text("40 comments")
    expect(page.locator('[data-rostra-count="library-late-opening"]')).to_have_text("3 comments")
    expect(page.locator('[data-rostra-count="river-path-repairs"]')).to_have_text("1 comment")
    expect(page.locator('[data-rostra-count="market-square-stalls"]')).to_have_text("5 comments")
    expect(page.locator('[data-rostra-count="school-choir-final"]')).to_have_attribute(
        "data-count", "0"
    )
    assert len([url for url in watch.requests if "/api/v1/counts" in url]) == 1
    page.screenshot(path=artifacts / "articles-desktop.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifacts / "articles-phone.png", full_page=True)


def test_keyboard_only_posting(page, host_page, server):
    thread = server.new_thread("keys")
    server.post(thread, "Somebody was here first")
    host_page(thread)
    expect(comments(page)).to_have_count(1)

    def focused() -> str:
        return page.evaluate(
            """() => {
                let el = document.activeElement;
                while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
                return el ? (el.getAttribute('name') || el.textContent.trim()) : '';
            }"""
        )

    def tab_to(wanted: str) -> None:
        for _ in range(30):
            page.keyboard.press("Tab")
            if focused() == wanted:
                return
        raise AssertionError(f"Tab never reached {wanted!r}")

    tab_to("name")
    page.keyboard.type("Keyboard Kim")
    tab_to("body")
    page.keyboard.type("Posted without touching the mouse")
    tab_to("Post comment")
    outline = page.evaluate(
        "() => getComputedStyle(document.querySelector('rostra-comments').shadowRoot"
        ".activeElement).outlineStyle"
    )
    assert outline != "none", "focus must be visible"
    page.keyboard.press("Enter")
    posted = comment(page, "Posted without touching the mouse")
    expect(posted).to_be_focused()
    # The reader can go on from the new comment to reply to it by keyboard.
    tab_to("Reply")
    page.keyboard.press("Enter")
    expect(posted.locator(":scope > .slot textarea")).to_be_focused()


def test_hostile_payload_stays_inert_text(page, host_page, server, watch):
    thread = server.new_thread("hostile")
    host_page(thread)
    name = '<img src=x onerror="window.pwned=1">'
    website = 'https://example.com/"><script>window.pwned=2</script>'
    body = (
        "<script>alert(1)</script> <img src=x onerror=alert(2)> "
        '<a href="javascript:alert(3)">click</a> [link](javascript:alert(4)) '
        "<svg onload=alert(5)>"
    )
    top = form(page)
    top.get_by_label("Name").fill(name)
    top.get_by_label("Website (optional)").fill(website)
    top.get_by_label("Your comment").fill(body)
    top.get_by_role("button", name="Post comment").click()
    posted = comment(page, "<script>alert(1)</script>")
    expect(posted).to_have_count(1)
    expect(posted.locator(":scope > .head .who")).to_have_text(name)
    expect(posted.locator(":scope > .head .who")).to_have_attribute("href", website)

    for view in ("posted", "reloaded"):
        if view == "reloaded":
            page.reload()
            expect(posted).to_have_count(1)
        inside = posted.locator(":scope > .text")
        assert inside.locator("script, img, svg, [onerror], [onload]").count() == 0, view
        hrefs = inside.locator("a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
        assert not any((href or "").startswith("javascript") for href in hrefs), view
    assert page.evaluate("() => window.pwned") is None
    assert watch.dialogs == []


def test_host_page_css_does_not_leak_in(page, host_page, server, artifacts):
    thread = server.new_thread("css")
    server.post(thread, "Styled by the widget alone")
    hostile = "<style>* { color: red !important; display: block } p { font-size: 40px; }</style>"
    host_page(thread, head=hostile, body='<p class="c text">A host paragraph</p>')
    item = comment(page, "Styled by the widget alone")
    expect(item).to_be_visible()
    paragraph = item.locator(":scope > .text p")
    assert paragraph.evaluate("el => getComputedStyle(el).color") != RED
    assert paragraph.evaluate("el => getComputedStyle(el).fontSize") == "16px"
    # Were the host's `display: block` to reach in, these would be blocks.
    avatar = item.locator(":scope > .head .avatar")
    assert avatar.evaluate("el => getComputedStyle(el).display") == "grid"
    hidden_fold = item.locator(":scope > .head .fold")
    assert hidden_fold.evaluate("el => getComputedStyle(el).display") == "none"
    # And the widget's own rules stay inside: the host's .c.text is untouched.
    host = page.locator("body > p.c")
    assert host.evaluate("el => getComputedStyle(el).paddingLeft") == "0px"
    page.screenshot(path=artifacts / "hostile-css.png", full_page=True)


def test_german_and_dark_theme(page, host_page, server, artifacts):
    thread = server.new_thread("de")
    for body in ("Erster Beitrag", "Zweiter Beitrag", "Dritter Beitrag"):
        server.post(thread, body)
    host_page(thread, lang="de", attrs='theme="dark"')
    expect(page.locator("rostra-comments h2")).to_have_text("3 Kommentare")
    expect(page.get_by_role("group", name="Kommentare sortieren")).to_be_visible()
    expect(own_button(comment(page, "Erster Beitrag"), "Antworten")).to_be_visible()
    expect(form(page).get_by_label("Ihr Kommentar")).to_be_visible()
    background = page.locator("rostra-comments section.root").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert background == "rgb(22, 24, 29)"
    page.screenshot(path=artifacts / "german-dark.png", full_page=True)


def test_a_widget_for_an_unknown_site_offers_no_form(page, host_page, server):
    host_page(server.new_thread("nowhere"), site="no-such-site")
    expect(page.locator("rostra-comments .status")).to_contain_text(
        "The comments could not be loaded."
    )
    expect(page.locator("rostra-comments form").first).to_be_hidden()


def test_held_comment_shows_to_its_author_only(page, host_page, server, browser):
    thread = server.new_thread("held")
    server.post(thread, "Already published")

    # Until moderation exists the server never holds a comment: stand in for it.
    def hold(route):
        sent = json.loads(route.request.post_data)
        body = {
            "comment": {
                "id": 990001,
                "parent": None,
                "depth": 0,
                "removed": False,
                "author": {"name": sent["author"]["name"], "website": None},
                "html": "<p>Held for review</p>",
                "created": "2030-01-01T00:00:00.000Z",
                "edited": None,
                "upvotes": 0,
                "downvotes": 0,
                "score": 0,
                "reply_count": 0,
                "replies": [],
                "more_replies": 0,
                "replies_cursor": None,
            },
            "source": sent["body"],
            "status": "pending",
            "thread": thread,
            "edit_token": "token",
            "editable_until": "2030-01-01T00:15:00.000Z",
        }
        route.fulfill(status=201, content_type="application/json", body=json.dumps(body))

    page.route("**/api/v1/comments", hold)
    host_page(thread)
    held = post(page, "Held for review")
    expect(held.locator(".badge")).to_have_text("Awaiting moderation")
    expect(page.locator("rostra-comments h2")).to_have_text("1 comment")
    page.reload()
    expect(comment(page, "Held for review").locator(".badge")).to_be_visible()

    other = browser.new_context()
    try:
        reader = host_page(thread, on=other.new_page())
        expect(comment(reader, "Already published")).to_be_visible()
        expect(comment(reader, "Held for review")).to_have_count(0)
    finally:
        other.close()


@pytest.fixture
def news_site(server):
    """A news site of its own on another port, allowed as an origin of the demo site."""
    port_holder = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            thread = self.path.strip("/")
            page = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f'<script src="{server.base}/embed.js" defer></script></head><body>'
                f'<rostra-comments site="demo" thread="{thread}"></rostra-comments></body></html>'
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_holder["base"] = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    db = open_database(str(server.database))
    add_origins(db, "demo", [port_holder["base"]])
    db.dispose()
    yield port_holder["base"]
    httpd.shutdown()
    httpd.server_close()


def test_embedded_from_another_origin(page, server, news_site, watch):
    """The usual set-up: the article on the news site's host, comments from Rostra's."""
    thread = server.new_thread("cross")
    server.post(thread, "Read across origins")
    page.goto(f"{news_site}/{thread}")
    print(
        server.page(thread)["thread"],
        page.evaluate(
            "async (u) => (await fetch(u)).text()", [r for r in watch.requests if "threads" in r][0]
        ),
    )
    expect(comment(page, "Read across origins")).to_be_visible()
    posted = post(page, "Written across origins")
    expect(posted).to_have_count(1)
    own_button(posted, "Edit").click()
    posted.locator("textarea").fill("Edited across origins")
    posted.get_by_role("button", name="Save changes").click()
    expect(comment(page, "Edited across origins")).to_have_count(1)
    assert server.page(thread)["thread"]["count"] == 2
    assert any(url.startswith(server.base + "/api/v1/") for url in watch.requests)
