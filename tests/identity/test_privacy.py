"""A reader's data: download all of it, erase it, and retention limits."""

from datetime import UTC, datetime, timedelta

from identity_support import ORIGIN, bearer, hs256_site, sign_in, token
from sqlalchemy import select
from test_email_signin import mailed_links

from rostra.config import load_settings
from rostra.identity import privacy
from rostra.ops.housekeeping import run_once
from rostra.store.schema import audit_log, comments, readers, subscriptions


def _post(api, body, headers, parent=None, **author):
    payload = {"site": "news", "thread": {"key": "story-1"}, "body": body, "parent": parent}
    if author:
        payload["author"] = author
    answer = api.post("/api/v1/comments", json=payload, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["comment"]["id"]


def _page(api):
    return api.get("/api/v1/threads", params={"site": "news", "key": "story-1"}).json()


def test_a_signed_in_reader_downloads_all_their_comments(api, db):
    hs256_site(db)
    session = sign_in(api, token({"email": "anna@mail.example"})).json()["session"]
    _post(api, "My first comment", bearer(session))
    _post(api, "My second comment", bearer(session))
    _post(api, "Someone else's", ORIGIN, name="Other Reader")
    answer = api.get("/api/v1/me/comments", headers=bearer(session))
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    data = answer.json()
    assert [c["body"] for c in data["comments"]] == ["My first comment", "My second comment"]
    assert data["reader"]["name"] == "Anna Berg"
    assert data["comments"][0]["thread"]["key"] == "story-1"


def test_erasing_leaves_tombstones_for_replies_and_removes_personal_data(api, db):
    hs256_site(db)
    session = sign_in(api, token({"email": "anna@mail.example"})).json()["session"]
    answered = _post(api, "A comment others replied to", bearer(session))
    _post(api, "A reply that stays", ORIGIN, parent=answered, name="Replier")
    _post(api, "A comment nobody answered", bearer(session))

    erased = api.delete("/api/v1/me", headers=bearer(session))
    assert erased.status_code == 200
    assert erased.json() == {"erased": 2}

    page = _page(api)
    assert page["thread"]["count"] == 1
    [tombstone] = page["comments"]
    assert tombstone["removed"] is True
    assert tombstone["author"] is None
    assert [r["html"] for r in tombstone["replies"]] == ["<p>A reply that stays</p>"]
    with db.read() as conn:
        left = conn.execute(
            select(comments.c.author_name, comments.c.author_email, comments.c.ip_hash,
                   comments.c.body_source).where(comments.c.id == answered)
        ).one()  # fmt: skip
        assert tuple(left) == (None, None, None, "")
        assert conn.execute(select(readers.c.id)).all() == []
    assert api.get("/api/v1/auth/me", headers=bearer(session)).status_code == 401


def test_an_emailed_link_lets_an_anonymous_commenter_export_and_erase(api, db):
    dana = {"name": "Dana", "email": "dana@mail.example"}
    mine = _post(api, "Written with my email", ORIGIN, **dana)
    _post(api, "A reply to Dana", ORIGIN, parent=mine, name="Eli")
    api.post(
        "/api/v1/privacy/request", json={"site": "news", "email": "dana@mail.example"},
        headers=ORIGIN,
    )  # fmt: skip
    [link] = mailed_links(db, "privacy", "dana@mail.example")
    value = link.split("token=", 1)[1]
    shown = api.get("/privacy", params={"token": value})
    assert shown.status_code == 200
    assert "dana@mail.example" in shown.text

    exported = api.post("/privacy/export", data={"token": value})
    assert exported.status_code == 200
    assert [c["body"] for c in exported.json()["comments"]] == ["Written with my email"]

    unconfirmed = api.post("/privacy/erase", data={"token": value})
    assert unconfirmed.status_code == 400
    assert _page(api)["thread"]["count"] == 2

    done = api.post("/privacy/erase", data={"token": value, "confirm": "yes"})
    assert done.status_code == 200
    assert "1 comments were erased" in done.text
    page = _page(api)
    assert page["comments"][0]["removed"] is True
    assert page["comments"][0]["replies"][0]["author"]["name"] == "Eli"
    # The link worked once.
    assert api.post("/privacy/erase", data={"token": value, "confirm": "yes"}).status_code == 401


def test_a_made_up_privacy_link_shows_an_error_page(api):
    answer = api.get("/privacy", params={"token": "nonsense"})
    assert answer.status_code == 401
    assert "not valid" in answer.text


def test_retention_removes_old_ip_hashes_and_unneeded_emails(api, db, database_url):
    old = _post(api, "An old comment", ORIGIN, name="Old", email="old@mail.example")
    new = _post(api, "A new comment", ORIGIN, name="New", email="new@mail.example")
    with db.write() as conn:
        conn.execute(
            comments.update()
            .where(comments.c.id == old)
            .values(created_at=datetime.now(UTC) - timedelta(days=120))
        )
    pruned = run_once(db, load_settings(database_url=database_url))
    assert (pruned.ip_hashes, pruned.emails) == (1, 1)
    with db.read() as conn:
        rows = dict(
            (row.id, (row.ip_hash, row.author_email))
            for row in conn.execute(select(comments.c.id, comments.c.ip_hash, comments.c.author_email))
        )  # fmt: skip
    assert rows[old] == (None, None)
    assert rows[new][0] is not None and rows[new][1] == "new@mail.example"


def test_the_case_of_an_address_does_not_hide_comments_from_erasure(api, db):
    _post(api, "Written with capitals", ORIGIN, name="Dana", email="Dana.Berg@Mail.example")
    from rostra.identity import privacy

    person = privacy.Person(site_id=_site_id(db), email="dana.berg@mail.example")
    assert [c["body"] for c in privacy.export(db, person)["comments"]] == ["Written with capitals"]
    assert privacy.erase(db, person) == 1
    assert _page(api)["thread"]["count"] == 0


def _site_id(db) -> int:
    from rostra.store.sites import site_by_name

    with db.read() as conn:
        return site_by_name(conn, "news").id


def test_retention_clears_a_large_backlog_a_batch_at_a_time_and_misses_nothing(api, db):
    # An import of years of comments puts them all past the limits at once.
    # Tiny batches here: one address (every comment comes from this client)
    # spans several, and one email is kept for the reader's subscription.
    emails = ["a@mail.example", "b@mail.example", "Sub@Mail.example", "a@mail.example", "c@mail.example"]  # fmt: skip
    old = [
        _post(api, f"Old comment {i}", ORIGIN, name="Old", email=e) for i, e in enumerate(emails)
    ]
    # Past the email limit (30 days) but not the IP hash's (90): only its email goes.
    middle = _post(api, "A comment from last month", ORIGIN, name="Mid", email="m@mail.example")
    new = _post(api, "A new comment", ORIGIN, name="New", email="new@mail.example")
    with db.write() as conn:
        site_id = conn.execute(select(comments.c.site_id).where(comments.c.id == new)).scalar_one()
        conn.execute(
            comments.update()
            .where(comments.c.id.in_(old))
            .values(created_at=datetime.now(UTC) - timedelta(days=400))
        )
        conn.execute(
            comments.update()
            .where(comments.c.id == middle)
            .values(created_at=datetime.now(UTC) - timedelta(days=60))
        )
        conn.execute(
            subscriptions.insert().values(
                site_id=site_id, email="sub@mail.example", created_at=datetime.now(UTC)
            )
        )
    assert privacy.prune(db, 90, 30, batch=2) == privacy.Pruned(ip_hashes=5, emails=5)
    with db.read() as conn:
        left = {
            row.id: (row.ip_hash, row.author_email)
            for row in conn.execute(select(comments.c.id, comments.c.ip_hash, comments.c.author_email))
        }  # fmt: skip
    assert [left[i] for i in old] == [(None, None)] * 2 + [(None, "Sub@mail.example")] + [(None, None)] * 2  # fmt: skip
    assert left[middle][0] == left[new][0] is not None and left[middle][1] is None
    assert left[new][1] == "new@mail.example"
    assert privacy.prune(db, 90, 30, batch=2) == privacy.Pruned(ip_hashes=0, emails=0)


def test_erasing_many_comments_goes_a_batch_at_a_time_and_leaves_nothing(api, db):
    # A reader with years of comments: tiny batches here, as 500 a
    # transaction are for a real one, so the erasure spans several.
    texts = ["The bridge plan is late", "Bus fares went up again", "Who pays for the new school?", "Lovely photo of the harbour", "The council should publish the report"]  # fmt: skip
    mine = [_post(api, text, ORIGIN, name="Ann", email="ann@mail.example") for text in texts]
    reply = _post(api, "A reply that stays", ORIGIN, parent=mine[1], name="Other")
    with db.read() as conn:
        site_id = conn.execute(
            select(comments.c.site_id).where(comments.c.id == reply)
        ).scalar_one()
    person = privacy.Person(site_id, email="ann@mail.example")
    assert privacy.erase(db, person, batch=2) == 5
    with db.read() as conn:
        left = {row.id: row for row in conn.execute(select(comments))}
        [audit] = conn.execute(select(audit_log).where(audit_log.c.action == "reader_erased")).all()
    assert all(left[i].author_email is None and left[i].body_source == "" for i in mine)
    assert left[reply].author_name == "Other" and left[reply].parent_id == mine[1]
    assert audit.details == {"comments": 5}
    page = _page(api)
    assert [c["removed"] for c in page["comments"]] == [True]  # the tombstone, for its reply
    assert privacy.erase(db, person, batch=2) == 0
