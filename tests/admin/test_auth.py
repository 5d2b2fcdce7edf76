"""Accounts, logging in, sessions, CSRF and lockout, as a moderator meets them."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from admin_support import PASSWORD, Session, hold, log_in
from sqlalchemy import select

from rostra.admin.accounts import create_user
from rostra.errors import Conflict, InvalidInput
from rostra.store.schema import admin_sessions, login_failures, users


def test_a_password_is_stored_only_as_an_argon2id_hash(db, admin):
    with db.read() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_login_sets_a_strict_http_only_session_cookie_and_opens_the_queue(api, admin):
    answer = log_in(api, "chief")
    assert answer.status_code == 303 and answer.headers["location"] == "/admin"
    cookie = next(
        v for k, v in answer.headers.multi_items() if k == "set-cookie" and "rostra_session" in v
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # plain http here; https requests get Secure
    page = api.get("/admin/queue/held")
    assert page.status_code == 200 and "chief" in page.text


def test_over_https_the_cookie_is_secure(settings, db, admin):
    from fastapi.testclient import TestClient

    from rostra.api.app import create_app

    with TestClient(create_app(settings), base_url="https://testserver") as client:
        answer = log_in(client, "chief")
    cookie = next(
        v for k, v in answer.headers.multi_items() if k == "set-cookie" and "rostra_session" in v
    )
    assert "Secure" in cookie


def test_the_session_token_is_stored_hashed(api, db, admin):
    log_in(api, "chief")
    token = api.cookies.get("rostra_session")
    with db.read() as conn:
        stored = conn.execute(select(admin_sessions.c.token_hash)).scalar_one()
    assert token and token != stored and len(stored) == 64


def test_pages_send_anonymous_visitors_to_the_login_form(api):
    answer = api.get("/admin/queue/held?site=news", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/login?next=/admin/queue/held%3Fsite%3Dnews"
    fetch = api.post("/admin/undo", headers={"Accept": "application/json"})
    assert fetch.status_code == 401 and fetch.json()["error"] == "login_required"


def test_login_returns_to_the_page_asked_for_but_never_off_site(api, admin):
    assert log_in(api, "chief", next_url="/admin/metrics").headers["location"] == "/admin/metrics"
    api.cookies.clear()
    assert log_in(api, "chief", next_url="https://evil.example/").headers["location"] == "/admin"
    api.cookies.clear()
    assert log_in(api, "chief", next_url="//evil.example/").headers["location"] == "/admin"


def test_wrong_password_and_unknown_user_get_the_same_answer(api, admin):
    wrong = log_in(api, "chief", "not the password")
    unknown = log_in(api, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert (
        "Wrong username or password." in wrong.text
        and "Wrong username or password." in unknown.text
    )


def test_five_failures_lock_the_account_for_fifteen_minutes(api, db, admin):
    for _ in range(4):
        assert log_in(api, "chief", "guess").status_code == 401
    locked = log_in(api, "chief", "guess")
    assert locked.status_code == 429
    assert "locked for 15 more minutes" in locked.text
    # Even the right password is refused while locked.
    again = log_in(api, "chief")
    assert again.status_code == 429 and "locked" in again.text


def test_a_name_that_is_no_account_locks_alike_so_lockouts_reveal_no_accounts(api, db, admin):
    answers = {}
    for name in ("chief", "nobody-here"):
        answers[name] = [log_in(api, name, "guess") for _ in range(6)]
    codes = {name: [a.status_code for a in seen] for name, seen in answers.items()}
    assert codes["chief"] == codes["nobody-here"] == [401, 401, 401, 401, 429, 429]
    said = {
        name: re.findall(r"Too many failed attempts[^<]*", seen[-1].text)
        for name, seen in answers.items()
    }
    assert said["chief"] == said["nobody-here"] and "locked for 15 more minutes" in said["chief"][0]
    # Other names are not held up by it.
    assert log_in(api, "someone-else", "guess").status_code == 401
    # The name itself is not kept, only a keyed digest of it.
    with db.read() as conn:
        keys = [row.name_key for row in conn.execute(select(login_failures))]
    assert len(keys) == 2 and not any("nobody" in key or "someone" in key for key in keys)


def test_a_login_form_from_another_site_is_refused(api, admin):
    answer = api.post(
        "/admin/login",
        data={"username": "chief", "password": PASSWORD, "login_token": "forged"},
        follow_redirects=False,
    )
    assert answer.status_code == 403 and "expired" in answer.text


@pytest.mark.parametrize("token", [None, "wrong"])
def test_every_post_needs_the_session_csrf_token(as_admin, token):
    data = {} if token is None else {"csrf": token}
    answer = as_admin.client.post("/admin/undo", data=data, follow_redirects=False)
    assert answer.status_code == 403 and "did not come from Rostra" in answer.text
    fetch = as_admin.client.post(
        "/admin/undo", headers={"Accept": "application/json", "X-CSRF-Token": token or ""}
    )
    assert fetch.status_code == 403 and fetch.json()["error"] == "csrf_failed"


def test_logging_out_ends_the_session(as_admin):
    assert as_admin.post("/admin/logout").status_code == 303
    assert as_admin.get("/admin/queue/held", follow_redirects=False).status_code == 303


def test_pages_refuse_frames_and_caching(as_admin):
    page = as_admin.get("/admin/queue/held")
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_moderators_see_only_their_sites_and_no_admin_pages(api, db, site, moderator, ctx):

    from rostra.service.sites import create_site

    create_site(db, "other", ["https://other.example"])
    mine = hold(ctx, "On my site", reasons=[("words", "suspect", "Suspect")])
    log_in(api, "mod")
    session = Session(
        api, re.search(r'csrf-token" content="([^"]+)', api.get("/admin/queue/held").text).group(1)
    )
    queue = session.get("/admin/queue/held")
    assert "On my site" in queue.text and ">other<" not in queue.text
    assert session.get("/admin/queue/held?site=other").status_code == 404
    for path in ("/admin/audit", "/admin/sites", "/admin/sites/news/settings"):
        assert session.get(path).status_code == 403, path
    assert session.post(f"/admin/comments/{mine}/approve", as_json=True).status_code == 200


def test_create_user_checks_its_input(db, site):
    with pytest.raises(InvalidInput, match="at least 10"):
        create_user(db, "short", "abc", "admin")
    with pytest.raises(InvalidInput, match="role"):
        create_user(db, "someone", PASSWORD, "owner")
    with pytest.raises(InvalidInput, match="at least one site"):
        create_user(db, "someone", PASSWORD, "moderator")
    create_user(db, "someone", PASSWORD, "admin")
    with pytest.raises(Conflict):
        create_user(db, "someone", PASSWORD, "admin")


def _rostra(*args, stdin: str = "", database_url: str):
    script = Path(sys.executable).with_name("rostra")
    return subprocess.run(
        [str(script), *args, "--database", database_url],
        input=stdin, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_cli_creates_an_admin_who_can_log_in(api, database_url, site):
    done = _rostra("user", "create", "editor", "--role", "admin", "--password-stdin",
                   stdin=PASSWORD + "\n", database_url=database_url)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Created admin editor for every site." in done.stdout
    assert log_in(api, "editor").status_code == 303
    listed = _rostra("user", "list", database_url=database_url)
    assert "editor\tadmin\tall sites" in listed.stdout


def test_cli_prompts_twice_for_the_password_and_refuses_bad_input(database_url, site):
    mismatch = _rostra("user", "create", "a", "--role", "admin",
                       stdin="first password 1\nsecond password 2\n", database_url=database_url)  # fmt: skip
    assert mismatch.returncode != 0
    weak = _rostra("user", "create", "b", "--role", "admin", "--password-stdin",
                   stdin="short\n", database_url=database_url)  # fmt: skip
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr
    no_site = _rostra("user", "create", "c", "--role", "moderator", "--site", "missing",
                      "--password-stdin", stdin=PASSWORD + "\n", database_url=database_url)  # fmt: skip
    assert no_site.returncode == 1 and "no site named 'missing'" in no_site.stderr
