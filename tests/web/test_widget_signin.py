"""Signing in through the widget: the host site's token, a verified name, signing out."""

import sys
from pathlib import Path

from playwright.sync_api import expect
from web_helpers import comment, form

from rostra.service.sites import configure_identity
from rostra.store.database import open_database

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "identity"))
from identity_support import SECRET, token  # noqa: E402


def _sso_on(server) -> None:
    db = open_database(str(server.database))
    try:
        configure_identity(db, "demo", {"sso": {"algorithm": "HS256", "secret": SECRET}})
    finally:
        db.dispose()


def test_sso_sign_in_posts_a_verified_comment_and_sign_out_clears_it(
    page, host_page, server, artifacts
):
    _sso_on(server)
    thread = server.new_thread("sso")
    signed = token(
        {"sub": "reader-77", "name": "Verity Widget-Tester", "picture": None},
        key=SECRET,
    )
    host_page(thread, attrs=f'sso-token="{signed}"')
    top = form(page)
    expect(top.locator(".signed")).to_contain_text("Commenting as Verity Widget-Tester")
    expect(top.get_by_label("Name")).to_have_count(0)

    top.get_by_label("Your comment").fill("Signed in through the newsroom account.")
    top.get_by_role("button", name="Post comment").click()
    posted = comment(page, "Signed in through the newsroom account.")
    expect(posted.locator(":scope > .head .who")).to_have_text("Verity Widget-Tester")
    expect(posted.locator(":scope > .head .verified")).to_be_visible()
    page.screenshot(path=artifacts / "signed-in.png", full_page=True)

    # Another reader sees the badge too, and cannot take the name.
    assert server.page(thread)["comments"][0]["author"]["verified"] is True
    refused = server.client.post(
        "/api/v1/comments",
        json={"site": "demo", "thread": {"key": thread}, "body": "Me too",
              "author": {"name": "verity widget tester"}},
    )  # fmt: skip
    assert refused.status_code == 409

    # The host page reloads with its reader logged out: the widget signs out too.
    host_page(thread, attrs='sso-token=""')
    expect(form(page).get_by_label("Name")).to_be_visible()
    expect(form(page).locator(".signed")).to_have_count(0)


def test_sign_out_button_ends_the_session(page, host_page, server):
    _sso_on(server)
    thread = server.new_thread("sso-out")
    signed = token({"sub": "reader-78", "name": "Otto Signout"}, key=SECRET)
    host_page(thread, attrs=f'sso-token="{signed}"')
    top = form(page)
    expect(top.locator(".signed")).to_contain_text("Otto Signout")
    session = page.evaluate("JSON.parse(localStorage.getItem('rostra:session:demo')).session")
    ended = lambda r: r.url.endswith("/auth/session") and r.request.method == "DELETE"  # noqa: E731
    with page.expect_response(ended):
        top.get_by_role("button", name="Sign out").click()
    expect(top.get_by_label("Name")).to_be_visible()
    me = server.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {session}"})
    assert me.status_code == 401
