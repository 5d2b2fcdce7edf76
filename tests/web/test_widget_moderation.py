"""Moderation in the widget: the think-again nudge, rejected comments, reader
reports, featured comments and replies to the reader's own comments."""

import json
import re

from playwright.sync_api import expect
from sqlalchemy import select, update
from web_helpers import comment, form, own_button, post

from rostra.store import threads as thread_store
from rostra.store.database import open_database
from rostra.store.schema import comments as comment_table
from rostra.store.schema import reports as report_table
from rostra.store.schema import threads as thread_table

# The shipped model scores this above the think-again threshold (about 0.8);
# the strict site rejects nothing by score, so posting it anyway holds it for
# a moderator. The emoji (two UTF-16 units, one code point) and the leading blank line check
# that the widget counts offsets as the server does.
RUDE = "\n🙄 Honestly, what a stupid take. The author is an idiot."


def test_think_again_nudge_then_post_anyway(page, host_page, server, strict_site, artifacts):
    thread = server.new_thread("nudge")
    host_page(thread, site=strict_site)
    top = form(page)
    top.get_by_label("Name").fill("Hasty Reader")
    box = top.get_by_label("Your comment", exact=True)
    box.fill(RUDE)
    top.get_by_role("button", name="Post comment").click()

    nudge = top.get_by_role("group", name=re.compile("may come across as hurtful"))
    expect(nudge).to_be_visible()
    expect(nudge.get_by_role("alert")).to_have_text(
        "Your comment may come across as hurtful. Would you like to rephrase it before it is posted?"
    )
    # The words that drove it, highlighted in the reader's own text.
    marks = nudge.locator("mark")
    expect(marks.first).to_have_text("stupid")
    assert {"stupid", "idiot"} <= set(marks.all_inner_texts())
    expect(nudge.locator(".quote")).to_have_text(RUDE.strip())
    expect(box).to_have_value(RUDE)
    expect(nudge.get_by_role("button", name="Edit")).to_be_focused()
    # The usual buttons step aside while the nudge asks.
    expect(top.get_by_role("button", name="Post comment")).to_be_hidden()
    page.screenshot(path=artifacts / "think-again.png")
    assert server.page(thread)["thread"]["count"] == 0

    # "Edit" goes back to the text, which is still there.
    nudge.get_by_role("button", name="Edit").click()
    expect(nudge).to_be_hidden()
    expect(box).to_be_focused()
    expect(box).to_have_value(RUDE)

    top.get_by_role("button", name="Post comment").click()
    expect(nudge).to_be_visible()
    with page.expect_request(re.compile(r"/api/v1/comments$")) as sent:
        nudge.get_by_role("button", name="Post anyway").click()
    assert json.loads(sent.value.post_data)["confirm"] is True
    # Held for a moderator: shown to its author only, marked as such.
    held = comment(page, "Honestly, what a stupid take")
    expect(held.locator(".badge")).to_have_text("Awaiting moderation")
    expect(nudge).to_be_hidden()
    expect(box).to_have_value("")


def test_german_nudge(page, host_page, server, strict_site):
    thread = server.new_thread("nudge-de")
    host_page(thread, site=strict_site, lang="de")
    top = form(page)
    top.get_by_label("Name").fill("Eilige Leserin")
    top.get_by_label("Ihr Kommentar").fill(RUDE)
    top.get_by_role("button", name="Kommentar senden").click()
    nudge = top.get_by_role("group", name=re.compile("verletzend"))
    expect(nudge.get_by_role("button", name="Trotzdem senden")).to_be_visible()
    expect(nudge.get_by_role("button", name="Bearbeiten")).to_be_focused()


def test_rejected_comment_is_not_shown_as_posted(page, host_page, server, strict_site):
    thread = server.new_thread("rejected")
    server.post(thread, "A civil remark")  # on the demo site: same thread key, other site
    host_page(thread, site=strict_site)
    expect(page.locator("rostra-comments .status")).to_have_text(
        "No comments yet. Start the conversation."
    )
    top = form(page)
    top.get_by_label("Name").fill("Rule Breaker")
    top.get_by_label("Your comment", exact=True).fill("Buy zanzibarbaz pills here")
    with page.expect_response(re.compile(r"/api/v1/comments$")) as answer:
        top.get_by_role("button", name="Post comment").click()
    assert answer.value.json()["status"] == "rejected"
    notice = top.get_by_role("alert")
    expect(notice).to_have_text(
        "Your comment was not published because it breaks this site’s rules. "
        "You are welcome to reword it and try again."
    )
    expect(notice).to_have_class(re.compile(r"\bsoft\b"))
    expect(top.get_by_label("Your comment", exact=True)).to_have_value("Buy zanzibarbaz pills here")
    expect(comment(page, "zanzibarbaz")).to_have_count(0)
    expect(page.locator("rostra-comments h2")).to_have_text("Comments")
    expect(page.locator("rostra-comments .sr")).not_to_have_text("Your comment was posted.")


def _reports(server, comment_id: int) -> list:
    db = open_database(str(server.database))
    try:
        with db.read() as conn:
            query = select(report_table.c.reason, report_table.c.note).where(
                report_table.c.comment_id == comment_id
            )
            return [tuple(row) for row in conn.execute(query)]
    finally:
        db.dispose()


def test_report_a_comment(page, host_page, server, artifacts):
    thread = server.new_thread("report")
    other = server.post(thread, "Cheap watches at example dot com", name="Spammer")
    server.post(thread, "A fair point, well made", name="Fair Reader")
    host_page(thread)
    mine = post(page, "My own remark")
    expect(mine).to_be_focused()  # posted (and focused) before going on
    # Readers report others' comments, not their own.
    expect(own_button(mine, "Report")).to_have_count(0)

    item = comment(page, "Cheap watches")
    report = own_button(item, "Report")
    report.click()
    expect(report).to_have_attribute("aria-expanded", "true")
    dialog = item.get_by_role("form", name="Report")
    reasons = dialog.get_by_role("group", name="Why should the moderators look at this comment?")
    expect(reasons.get_by_role("radio")).to_have_count(4)
    expect(reasons.get_by_role("radio").first).to_be_focused()

    # Escape closes it and gives the focus back.
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(report).to_be_focused()
    expect(report).to_have_attribute("aria-expanded", "false")

    report.click()
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.get_by_role("alert")).to_have_text("Please choose a reason.")
    reasons.get_by_role("radio", name="Spam or advertising").check()
    note = dialog.get_by_label("Note for the moderators (optional)")
    expect(note).to_have_attribute("maxlength", "500")
    note.fill("Same link in every thread")
    page.screenshot(path=artifacts / "report-form.png", full_page=True)
    with page.expect_request(re.compile(r"/report$")) as sent:
        dialog.get_by_role("button", name="Send report").click()
    assert json.loads(sent.value.post_data) == {
        "reason": "spam",
        "note": "Same link in every thread",
    }
    thanks = item.locator(":scope > .slot .note")
    expect(thanks).to_have_text("Thank you. The moderators will take a look.")
    expect(thanks).to_be_focused()
    expect(item.locator(":scope > .acts .done")).to_have_text("Reported")
    expect(own_button(item, "Report")).to_have_count(0)
    assert _reports(server, other["id"]) == [("spam", "Same link in every thread")]

    # Remembered in this browser: still "Reported" after a reload.
    page.reload()
    expect(comment(page, "Cheap watches").locator(":scope > .acts .done")).to_have_text("Reported")

    # An error from the API shows inline, and the form stays for another try.
    page.route(
        "**/report",
        lambda route: route.fulfill(
            status=409,
            content_type="application/json",
            body='{"error":"not_reportable","message":"This comment is no longer shown."}',
        ),
    )
    fair = comment(page, "A fair point")
    own_button(fair, "Report").click()
    fair.get_by_role("radio", name="Off-topic").check()
    fair.get_by_role("button", name="Send report").click()
    expect(fair.get_by_role("alert")).to_have_text("This comment is no longer shown.")
    expect(fair.get_by_role("button", name="Send report")).to_be_enabled()
    expect(own_button(fair, "Report")).to_be_visible()


def test_report_form_in_german(page, host_page, server):
    thread = server.new_thread("report-de")
    server.post(thread, "Ein Beitrag")
    host_page(thread, lang="de")
    item = comment(page, "Ein Beitrag")
    own_button(item, "Melden").click()
    expect(item.get_by_role("radio", name="Am Thema vorbei")).to_be_visible()
    expect(item.get_by_role("button", name="Meldung senden")).to_be_visible()


def _feature(server, comment_id: int) -> None:
    db = open_database(str(server.database))
    try:
        with db.write() as conn:
            conn.execute(
                update(comment_table).where(comment_table.c.id == comment_id).values(featured=True)
            )
            thread_id = conn.execute(
                select(comment_table.c.thread_id).where(comment_table.c.id == comment_id)
            ).scalar_one()
            thread_store.record_change(conn, thread_id)  # a new version: no stale page
    finally:
        db.dispose()


def test_featured_badge_and_replies_to_the_reader(page, host_page, server):
    thread = server.new_thread("featured")
    chosen = server.post(thread, "The editors picked this one")
    server.post(thread, "An ordinary comment")
    _feature(server, chosen["id"])
    host_page(thread)
    expect(comment(page, "The editors picked this one").locator(".badge")).to_have_text("Featured")
    expect(comment(page, "An ordinary comment").locator(".badge")).to_have_count(0)

    mine = post(page, "What do you all think?")
    mine_id = int(mine.get_attribute("data-id"))
    server.post(thread, "I think you are right", parent=mine_id, agent="answerer")
    page.reload()
    answer = comment(page, "I think you are right")
    expect(answer.locator(":scope > .head .badge")).to_have_text("Reply to you")
    expect(comment(page, "What do you all think?").locator(":scope > .head .badge")).to_have_count(
        0
    )


def _close(server, thread: str) -> None:
    db = open_database(str(server.database))
    try:
        with db.write() as conn:
            found = conn.execute(
                select(thread_table.c.id).where(thread_table.c.key == thread)
            ).scalar_one()
            conn.execute(
                update(thread_table).where(thread_table.c.id == found).values(policy="closed")
            )
            thread_store.record_change(conn, found)
    finally:
        db.dispose()


def test_a_closed_story_shows_its_comments_without_a_form(page, host_page, server):
    thread = server.new_thread("closed")
    server.post(thread, "Written before the trial began")
    _close(server, thread)
    host_page(thread)
    expect(comment(page, "Written before the trial began")).to_be_visible()
    expect(page.locator("rostra-comments .status")).to_have_text("Comments are closed.")
    expect(page.locator("rostra-comments form").first).to_be_hidden()
    expect(comment(page, "Written before the trial began").locator(".reply")).to_have_count(0)
    open_thread = server.new_thread("still-open")
    host_page(open_thread)
    expect(page.locator("rostra-comments form").first).to_be_visible()
    expect(page.locator("rostra-comments .status")).not_to_have_text("Comments are closed.")
