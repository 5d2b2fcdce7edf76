"""Readers reporting comments: one report each, weighted, holding the comment at the threshold."""

import pytest
from sqlalchemy import select, update

from helpers import post
from rostra.admin import actions
from rostra.admin.accounts import Moderator, Role, create_user
from rostra.admin.queue import queue_page
from rostra.service.reports import reporter_weight
from rostra.store.schema import comments, reports, sites

ORIGIN = {"Origin": "https://news.example"}


@pytest.fixture
def chief(db, site) -> Moderator:
    user = create_user(db, "chief", "a long admin password", "admin")
    return Moderator(user.id, user.username, Role.ADMIN, frozenset())


def report(api, comment_id, reason="abuse", agent="reader-1", note=None, origin=ORIGIN):
    body = {"reason": reason} if note is None else {"reason": reason, "note": note}
    return api.post(
        f"/api/v1/comments/{comment_id}/report",
        json=body,
        headers={**origin, "User-Agent": agent},
    )


def status_of(db, comment_id):
    with db.read() as conn:
        return conn.execute(
            select(comments.c.status).where(comments.c.id == comment_id)
        ).scalar_one()


def set_threshold(db, threshold: float):
    with db.write() as conn:
        settings = conn.execute(select(sites.c.settings)).scalar_one()
        moderation = {**settings.get("moderation", {}), "report_threshold": threshold}
        conn.execute(update(sites).values(settings={**settings, "moderation": moderation}))


def test_a_report_is_taken_once_per_reader(api, ctx):
    created = post(ctx.db, ctx.hasher, "Rude words")
    answer = report(api, created.comment.id, note="Calls people names")
    assert answer.status_code == 201 and answer.json() == {
        "id": created.comment.id,
        "reported": True,
    }
    assert answer.headers["access-control-allow-origin"] == "https://news.example"
    again = report(api, created.comment.id, reason="spam")
    assert again.status_code == 409 and again.json()["error"] == "already_reported"
    assert report(api, created.comment.id, agent="reader-2").status_code == 201


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"reason": "boring"}, "invalid_request"),
        ({}, "invalid_request"),
        ({"reason": "other", "note": "x" * 501}, "invalid_request"),
        ({"reason": "spam", "extra": 1}, "invalid_request"),
    ],
)
def test_bad_reports_are_refused_clearly(api, ctx, body, code):
    created = post(ctx.db, ctx.hasher, "Text")
    answer = api.post(f"/api/v1/comments/{created.comment.id}/report", json=body, headers=ORIGIN)
    assert answer.status_code == 400 and answer.json()["error"] == code


def test_reports_on_missing_hidden_or_foreign_comments_are_refused(api, ctx, db):
    assert report(api, 99999).status_code == 404
    created = post(ctx.db, ctx.hasher, "Text")
    foreign = report(api, created.comment.id, origin={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and foreign.json()["error"] == "origin_not_allowed"
    with db.write() as conn:
        conn.execute(update(comments).values(status="pending", visible=False))
    assert report(api, created.comment.id).status_code == 404


def test_enough_reports_hold_the_comment_with_a_reason(api, ctx, db, chief):
    set_threshold(db, 2.0)
    created = post(ctx.db, ctx.hasher, "Offensive joke")
    report(api, created.comment.id, agent="one")
    assert status_of(db, created.comment.id) == "published"
    report(api, created.comment.id, reason="off_topic", agent="two")
    assert status_of(db, created.comment.id) == "pending"
    with db.read() as conn:
        moderation = conn.execute(select(comments.c.moderation)).scalar_one()
    assert moderation["reasons"][-1]["checker"] == "reports"
    assert "Held after 2 reader reports" in moderation["reasons"][-1]["message"]
    thread = api.get("/api/v1/threads", params={"site": "news", "key": "article-1"}).json()
    assert thread["comments"] == []
    [held] = queue_page(db, chief, "held", None, 1).items
    assert "Held after 2 reader reports" in held.reasons[-1]["message"]
    [reported] = queue_page(db, chief, "reported", None, 1).items
    assert reported.reports.count == 2 and reported.reports.reasons == {"abuse": 1, "off_topic": 1}


def test_approving_dismisses_reports_and_rejecting_upholds_them(api, ctx, db, chief):
    kept = post(ctx.db, ctx.hasher, "Fair criticism").comment.id
    removed = post(ctx.db, ctx.hasher, "Real abuse").comment.id
    report(api, kept, agent="a")
    report(api, removed, agent="a")
    actions.approve(db, chief, [kept])
    actions.reject(db, chief, [removed])
    with db.read() as conn:
        outcomes = dict(conn.execute(select(reports.c.comment_id, reports.c.outcome)).all())
    assert outcomes == {kept: "dismissed", removed: "upheld"}
    assert status_of(db, kept) == "published"
    assert queue_page(db, chief, "reported", None, 1).items == []


def test_reporters_whose_reports_were_upheld_weigh_more(api, ctx, db, chief):
    for number in range(3):
        target = post(ctx.db, ctx.hasher, f"Abuse {number}").comment.id
        report(api, target, agent="trusted")
        actions.reject(db, chief, [target])
        target = post(ctx.db, ctx.hasher, f"Fine {number}").comment.id
        report(api, target, agent="noisy")
        actions.approve(db, chief, [target])
    fresh = post(ctx.db, ctx.hasher, "New one").comment.id
    for agent in ("trusted", "noisy", "newcomer"):
        report(api, fresh, agent=agent)
    with db.read() as conn:
        weights = (
            conn.execute(
                select(reports.c.weight).where(reports.c.comment_id == fresh).order_by(reports.c.id)
            )
            .scalars()
            .all()
        )
    assert weights == pytest.approx([1.6, 0.4, 1.0])


def test_the_weight_formula():
    assert reporter_weight(0, 0) == 1.0
    assert reporter_weight(8, 0) == pytest.approx(1.8)
    assert reporter_weight(0, 8) == pytest.approx(0.2)
    assert 0 < reporter_weight(0, 1000) < reporter_weight(1000, 0) < 2
