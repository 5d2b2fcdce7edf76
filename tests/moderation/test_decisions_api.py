"""The pipeline's decisions as a reader and a moderator meet them, through the API."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from rostra.api.app import create_app
from rostra.moderation.settings import ModerationSettings
from rostra.service.sites import create_site
from rostra.store import sanctions as sanction_store
from rostra.store.schema import audit_log, comments, sites, threads

ORIGIN = "https://paper.example"
STRICT = dict(min_seconds_to_post=0, toxicity_model=False)


def make_site(db, **rules):
    create_site(db, "paper", [ORIGIN], moderation=ModerationSettings(**{**STRICT, **rules}))


@pytest.fixture
def client(settings, db):
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def post(client, body, *, key="story", agent="reader-a", ip_agent=None, **extra):
    payload = {"site": "paper", "thread": {"key": key}, "author": {"name": "Reader"}, "body": body}
    payload.update(extra)
    return client.post(
        "/api/v1/comments",
        json=payload,
        headers={"Origin": ORIGIN, "User-Agent": ip_agent or agent},
    )


def public_count(client, key="story") -> int:
    page = client.get("/api/v1/threads", params={"site": "paper", "key": key}).json()
    return page["thread"]["count"]


def stored(db, comment_id):
    with db.read() as conn:
        return conn.execute(select(comments).where(comments.c.id == comment_id)).one()


def test_suspect_words_hold_and_banned_words_reject(client, db):
    make_site(db, suspect_words=["traitor"], banned_words=["vermin"])
    held = post(client, "What a tr4it0r move by the council")
    assert held.status_code == 201 and held.json()["status"] == "pending"
    rejected = post(client, "They are all v e r m i n", agent="reader-b")
    assert rejected.json()["status"] == "rejected"
    assert public_count(client) == 0
    row = stored(db, held.json()["comment"]["id"])
    assert row.moderation["verdict"] == "hold"
    assert row.moderation["reasons"][0]["code"] == "suspect_word"
    # Held and rejected comments are kept, with their text.
    assert stored(db, rejected.json()["comment"]["id"]).body_source == "They are all v e r m i n"


def test_held_comment_is_hidden_from_everyone_else(client, db):
    make_site(db, premoderation="all")
    held = post(client, "Please check this first")
    assert held.json()["status"] == "pending"
    page = client.get("/api/v1/threads", params={"site": "paper", "key": "story"}).json()
    assert page["comments"] == [] and page["thread"]["count"] == 0


def test_first_time_authors_are_held_until_approved(client, db):
    make_site(db, premoderation="first_time", trusted_after=1)
    assert post(client, "My first comment here").json()["status"] == "pending"
    with db.write() as conn:
        conn.execute(comments.update().values(status="published"))
    assert post(client, "And my second one").json()["status"] == "published"


def test_thread_override_premoderates_one_story(client, db):
    make_site(db)
    assert post(client, "Open thread", key="open").json()["status"] == "published"
    post(client, "Sensitive story opener", key="sensitive", agent="reader-z")
    with db.write() as conn:
        conn.execute(threads.update().where(threads.c.key == "sensitive").values(policy="all"))
    assert post(client, "About the sensitive story", key="sensitive").json()["status"] == "pending"
    assert post(client, "Elsewhere again", key="open").json()["status"] == "published"


def test_links_over_the_limit_or_to_blocked_domains_are_held(client, db):
    make_site(db, max_links=2, blocked_domains=["spam.example"])
    many = "see https://a.example https://b.example https://c.example"
    assert post(client, many).json()["status"] == "pending"
    blocked = post(client, "cheap stuff at www.shop.spam.example/deal", agent="reader-b")
    assert blocked.json()["status"] == "pending"
    assert (
        post(client, "one link https://ok.example", agent="reader-c").json()["status"]
        == "published"
    )


def test_a_blocked_domain_matches_links_in_any_script_and_old_junk_entries_do_no_harm(client, db):
    make_site(db, blocked_domains=["https://bücher.example/shop"])
    with db.write() as conn:  # a list saved before entries were checked
        site = conn.execute(sites.select()).one()
        moderation = {**site.settings["moderation"], "blocked_domains": ["not a domain"]}
        moderation["blocked_domains"].append("xn--bcher-kva.example")
        settings = {**site.settings, "moderation": moderation}
        conn.execute(sites.update().values(settings=settings))
    linked = post(client, "Cheap books at https://BÜCHER.example/deal")
    assert linked.status_code == 201 and linked.json()["status"] == "pending"


def test_flood_gets_429_with_retry_after_and_stores_nothing(client, db):
    make_site(db, posts_per_minute=3)
    for text in ("The trains are late again", "Buses are fine though", "Bikes beat both"):
        assert post(client, text).status_code == 201
    flooded = post(client, "One more thing about the timetable")
    assert flooded.status_code == 429
    assert flooded.json()["error"] == "too_many_comments"
    assert 1 <= int(flooded.headers["retry-after"]) <= 61
    assert public_count(client) == 3


def test_the_same_text_again_is_held(client, db):
    make_site(db)
    assert post(client, "Vote for the new park!", key="one").json()["status"] == "published"
    again = post(client, "vote for the NEW park!!", key="two")
    assert again.json()["status"] == "pending"
    reason = stored(db, again.json()["comment"]["id"]).moderation["reasons"][0]
    assert reason["code"] == "duplicate"


def test_a_raid_holds_and_switches_the_thread_to_premoderation(client, db):
    make_site(db, raid_authors=3)
    text = "This paper is lying to you, wake up people"
    statuses = [post(client, text, agent=f"raider-{n}").json()["status"] for n in range(3)]
    assert statuses == ["published", "published", "pending"]
    # Anyone's next comment in that thread now waits for a moderator...
    assert post(client, "A normal reply", agent="bystander").json()["status"] == "pending"
    with db.read() as conn:
        entry = conn.execute(select(audit_log).where(audit_log.c.action == "raid_detected")).one()
    assert entry.target_type == "thread" and "3 authors" in entry.reason


def test_honeypot_rejects_and_too_fast_holds(client, db):
    make_site(db, min_seconds_to_post=3)
    assert post(client, "I am a bot", homepage="http://buy.example").json()["status"] == "rejected"
    token = client.get("/api/v1/form-token", params={"site": "paper"}).json()
    assert token["min_seconds"] == 3
    fast = post(client, "Typed very fast", agent="reader-b", form_token=token["token"])
    assert fast.json()["status"] == "pending"
    forged = post(client, "Forged token", agent="reader-c", form_token="1.deadbeef")
    assert forged.json()["status"] == "pending"


def test_form_token_older_than_the_minimum_publishes(client, db, ctx):
    from rostra.moderation import formtoken

    make_site(db, min_seconds_to_post=3)
    with db.read() as conn:
        site_id = _site_id(conn)
    token = formtoken.issue(ctx.pipeline.secret, site_id, datetime.now(UTC) - timedelta(seconds=20))
    assert post(client, "Took my time", form_token=token).json()["status"] == "published"


def _site_id(conn):
    from rostra.store.schema import sites

    return conn.execute(select(sites.c.id).where(sites.c.name == "paper")).scalar_one()


def _sanction(db, kind, agent="reader-a", minutes=None):
    from rostra.service.identity import Hasher
    from rostra.store.secrets import read_secret

    with db.write() as conn:
        hasher = Hasher(bytes.fromhex(read_secret(conn, "hash_salt")))
        expires = datetime.now(UTC) + timedelta(minutes=minutes) if minutes else None
        sanction_store.insert_sanction(
            conn,
            site_id=_site_id(conn),
            kind=kind,
            author_key=hasher.voter_key("testclient", agent),
            reason=f"test {kind}",
            created_at=datetime.now(UTC),
            expires_at=expires,
        )


def test_banned_author_is_held_and_suspended_author_refused(client, db):
    make_site(db)
    _sanction(db, "ban")
    held = post(client, "Hello again")
    assert held.json()["status"] == "pending"
    assert (
        stored(db, held.json()["comment"]["id"]).moderation["reasons"][0]["code"] == "author_banned"
    )
    _sanction(db, "suspend", agent="reader-b", minutes=60)
    refused = post(client, "Let me in", agent="reader-b")
    assert refused.status_code == 403 and refused.json()["error"] == "author_suspended"


def test_shadow_banned_author_sees_published_but_nobody_else_does(client, db):
    make_site(db)
    _sanction(db, "shadow_ban")
    answer = post(client, "Nobody will see this")
    assert answer.status_code == 201 and answer.json()["status"] == "published"
    assert public_count(client) == 0


def test_expired_sanctions_no_longer_apply(client, db):
    make_site(db)
    _sanction(db, "ban", minutes=-1)
    assert post(client, "Back in good standing").json()["status"] == "published"


@pytest.fixture
def toxic_client(settings, db):
    make_site(db, toxicity_model=True, think_again=False)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_toxic_comment_is_held_or_rejected_with_the_words_that_drove_it(toxic_client, db):
    answer = post(toxic_client, "You are a pathetic idiot and a disgusting moron")
    assert answer.json()["status"] in ("pending", "rejected")
    decision = stored(db, answer.json()["comment"]["id"]).moderation
    assert decision["toxicity"] >= 0.6
    assert decision["reasons"][0]["checker"] == "toxicity"
    body = "You are a pathetic idiot and a disgusting moron"
    flagged = {body[start:end].lower() for start, end, _ in decision["spans"]}
    assert flagged & {"idiot", "moron", "pathetic", "disgusting"}
    # The words are kept too, so the queue can find them again after an edit.
    assert decision["marked"] == [body[start:end] for start, end, _ in decision["spans"]]


def test_civil_comment_is_published_with_its_score(toxic_client, db):
    answer = post(toxic_client, "Thanks for the clear reporting on the new bus timetable.")
    assert answer.json()["status"] == "published"
    assert stored(db, answer.json()["comment"]["id"]).toxicity < 0.5


def test_think_again_nudge_stores_nothing_until_confirmed(settings, db):
    make_site(db, toxicity_model=True, think_again=True)
    with TestClient(create_app(settings)) as client:
        rude = "You are a pathetic idiot and a disgusting moron"
        nudged = post(client, rude)
        assert nudged.status_code == 422 and nudged.json()["error"] == "think_again"
        assert nudged.json()["score"] >= 0.5
        with db.read() as conn:
            assert conn.execute(select(comments.c.id)).first() is None
        confirmed = post(client, rude, confirm=True)
        assert confirmed.status_code == 201 and confirmed.json()["status"] in (
            "pending",
            "rejected",
        )
