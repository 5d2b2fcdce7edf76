"""The sanction ladder, site settings and the dashboard, as moderators use them."""

from datetime import UTC, datetime, timedelta

import pytest
from admin_support import hold
from sqlalchemy import select, update

from helpers import post, reader
from rostra.moderation.pipeline import Pipeline
from rostra.moderation.settings import ModerationSettings
from rostra.service.comments import NewComment, create_comment
from rostra.store import sanctions as sanction_store
from rostra.store.schema import audit_log, comments, sanctions, sites


def sanction(as_admin, comment_id, **fields):
    data = {"kind": "premoderate", "hours": "0", "match": ["author_key"], "reason": "trolling"}
    return as_admin.post(f"/admin/comments/{comment_id}/sanction", {**data, **fields}, as_json=True)


def test_each_rung_of_the_ladder_is_recorded_with_reason_and_expiry(ctx, db, as_admin, site):
    created = post(ctx.db, ctx.hasher, "Borderline", email="a@example.com")
    assert sanction(as_admin, created.comment.id, kind="warn").status_code == 200
    assert sanction(as_admin, created.comment.id, kind="rate_limit", hours="24").status_code == 200
    assert sanction(as_admin, created.comment.id, kind="suspend", hours="72",
                    match=["email", "ip_hash"]).status_code == 200  # fmt: skip
    assert sanction(as_admin, created.comment.id, kind="shadow_ban").status_code == 200
    with db.read() as conn:
        rows = {row.kind: row for row in conn.execute(select(sanctions))}
        active = sanction_store.active_for(conn, site.id, datetime.now(UTC), email="a@example.com")
    assert set(rows) == {"warn", "rate_limit", "suspend", "shadow_ban"}
    assert rows["warn"].expires_at is None and rows["warn"].reason == "trolling"
    suspend = rows["suspend"]
    assert suspend.email == "a@example.com" and suspend.ip_hash and suspend.author_key is None
    assert timedelta(hours=71) < suspend.expires_at - suspend.created_at <= timedelta(hours=72)
    assert [row.kind for row in active] == ["suspend"]


def test_sanctions_need_a_reason_and_a_sensible_expiry(ctx, as_admin):
    created = post(ctx.db, ctx.hasher, "Borderline")
    cases = [
        ({"reason": ""}, "reason_required"),
        ({"kind": "suspend", "hours": "0"}, "expiry_required"),
        ({"kind": "warn", "hours": "24"}, "no_expiry"),
        ({"kind": "exile"}, "invalid_kind"),
        ({"hours": "5"}, "invalid_duration"),
        ({"match": ["phone"]}, "invalid_match"),
        ({"match": ["email"]}, "no_target"),  # the comment has no email
    ]
    for fields, code in cases:
        answer = sanction(as_admin, created.comment.id, **fields)
        assert answer.status_code == 400 and answer.json()["error"] == code, fields


def test_lifting_ends_a_sanction_and_undo_restores_it(ctx, db, as_admin, site):
    created = post(ctx.db, ctx.hasher, "Borderline")
    sanction(as_admin, created.comment.id, kind="ban")
    with db.read() as conn:
        sanction_id = conn.execute(select(sanctions.c.id)).scalar_one()
    assert as_admin.post(f"/admin/sanctions/{sanction_id}/lift").status_code == 303
    assert "Lifted the ban." in as_admin.get("/admin/sanctions").text
    now = datetime.now(UTC)
    key = created.comment.author_key
    with db.read() as conn:
        assert sanction_store.active_for(conn, site.id, now, author_key=key) == []
    as_admin.post("/admin/undo", as_json=True)
    with db.read() as conn:
        assert [s.kind for s in sanction_store.active_for(conn, site.id, now, author_key=key)] == [
            "ban"
        ]


def test_a_sanction_can_be_typed_in_by_email(db, as_admin, site):
    answer = as_admin.post(
        "/admin/sanctions",
        {
            "site": "news",
            "kind": "ban",
            "hours": "0",
            "email": " Troll@Example.com ",
            "reason": "complaint",
        },
    )
    assert answer.status_code == 303
    page = as_admin.get("/admin/sanctions").text
    assert "troll@example.com" in page and "complaint" in page
    missing = as_admin.post(
        "/admin/sanctions", {"site": "news", "kind": "ban", "reason": "x"}, as_json=True
    )
    assert missing.status_code == 400 and missing.json()["error"] == "no_target"


def test_a_ban_by_email_catches_the_address_in_any_case(ctx, db, as_admin, site):
    first = post(ctx.db, ctx.hasher, "Signed", email="Sam.Case@Example.com", client=reader(1))
    sanction(as_admin, first.comment.id, kind="ban", match=["email"])
    typed = {"site": "news", "kind": "ban", "hours": "0", "reason": "complaint"}
    as_admin.post("/admin/sanctions", {**typed, "email": "Lee.Other@Example.com"})
    pipeline = Pipeline.load(b"secret", with_model=False)

    def status_of_post_by(email: str, number: int) -> str:
        new = NewComment(site="news", body="Back again", name="Sam", thread_key="t", email=email)
        return create_comment(db, ctx.hasher, new, reader(number), pipeline).comment.status

    assert status_of_post_by("sam.case@example.com", 2) == "pending"
    assert status_of_post_by("LEE.OTHER@example.com", 3) == "pending"
    assert status_of_post_by("sam@example.com", 4) == "published"


def test_a_typed_in_email_that_is_no_address_is_refused(db, as_admin, site):
    typed = {"site": "news", "kind": "ban", "hours": "0", "reason": "complaint"}
    for text in ("troll", "troll@", "troll at example.com", "@example.com"):
        answer = as_admin.post("/admin/sanctions", {**typed, "email": text}, as_json=True)
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_email", text
    with db.read() as conn:
        assert conn.execute(select(sanctions)).first() is None


VALID_SETTINGS = {
    "premoderation": "first_time", "trusted_after": "2", "banned_words": "Spam\nscam\n\nspam",
    "suspect_words": "", "max_links": "1", "blocked_domains": "bad.example", "min_seconds_to_post": "3",
    "posts_per_minute": "5", "duplicate_window_minutes": "10", "raid_authors": "4",
    "hold_threshold": "0.4", "reject_threshold": "0.9", "think_again_threshold": "0.5",
    "report_threshold": "2.5", "toxicity_model": "on", "close_after_days": "14",
    "origins": "https://news.example\nhttps://WWW.News.example/",
}  # fmt: skip


def test_settings_are_saved_validated_and_audited(db, as_admin, site):
    form = as_admin.get("/admin/sites/news/settings")
    assert form.status_code == 200 and "https://news.example" in form.text
    values = dict(VALID_SETTINGS)
    saved = as_admin.post("/admin/sites/news/settings", values)
    assert saved.status_code == 200 and "Saved." in saved.text
    with db.read() as conn:
        row = conn.execute(select(sites.c.origins, sites.c.settings)).one()
        logged = conn.execute(select(audit_log.c.action, audit_log.c.details)).one()
    stored = ModerationSettings.of_site(row.settings)
    assert stored.banned_words == ("scam", "spam") and stored.report_threshold == 2.5
    assert stored.premoderation == "first_time" and stored.think_again is False
    assert stored.close_after_days == 14
    assert row.origins == ["https://news.example", "https://www.news.example"]
    assert row.settings["max_body_chars"] == 10_000  # other site rules are kept
    assert logged.action == "settings" and logged.details["changed"]["max_links"] == [3, 1]


def test_a_settings_page_from_before_a_new_field_saves_and_keeps_its_value(db, as_admin, site):
    as_admin.post("/admin/sites/news/settings", VALID_SETTINGS)
    # A tab left open since before an upgrade sends the form without the newer field.
    older = {key: value for key, value in VALID_SETTINGS.items() if key != "close_after_days"}
    saved = as_admin.post("/admin/sites/news/settings", {**older, "max_links": "4"})
    assert saved.status_code == 200 and "Saved." in saved.text
    with db.read() as conn:
        stored = ModerationSettings.of_site(conn.execute(select(sites.c.settings)).scalar_one())
    assert stored.max_links == 4 and stored.close_after_days == 14


def test_invalid_settings_are_shown_inline_and_nothing_is_saved(db, as_admin, site):
    with db.read() as conn:
        before = conn.execute(select(sites.c.settings)).scalar_one()
    answer = as_admin.post(
        "/admin/sites/news/settings",
        {"premoderation": "sometimes", "hold_threshold": "2", "max_links": "many",
         "origins": "news.example"},
    )  # fmt: skip
    assert answer.status_code == 400
    text = answer.text
    assert "Nothing was saved" in text and 'value="many"' in text
    assert text.count('class="field-error"') >= 4
    assert "is not an origin like https://news.example" in text
    with db.read() as conn:
        assert conn.execute(select(sites.c.settings)).scalar_one() == before
        assert conn.execute(select(audit_log)).first() is None


def test_metrics_count_decisions_false_holds_and_misses(ctx, db, as_admin):
    false_hold = hold(ctx, "Fine after all", reasons=[("words", "s", "x")], client=reader(1))
    true_hold = hold(ctx, "Really bad", reasons=[("words", "s", "x")], client=reader(2))
    missed = post(ctx.db, ctx.hasher, "Slipped through", client=reader(3)).comment.id
    for n in range(4, 8):
        post(ctx.db, ctx.hasher, f"Fine {n}", client=reader(n))
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    with db.write() as conn:
        conn.execute(update(comments).values(created_at=hour_ago))
    as_admin.post(f"/admin/comments/{false_hold}/approve", as_json=True)
    as_admin.post(f"/admin/comments/{true_hold}/reject", as_json=True)
    as_admin.post(f"/admin/comments/{missed}/reject", as_json=True)

    from rostra.admin import metrics
    from rostra.admin.auth import session_moderator

    moderator = session_moderator(db, as_admin.client.cookies.get("rostra_session"))
    week = metrics.dashboard(db, moderator).windows[0]
    assert (week.decisions, week.approved, week.rejected) == (3, 1, 2)
    assert (week.false_holds, week.held_decided, week.false_hold_rate) == (1, 2, 0.5)
    assert (week.misses, week.auto_published) == (1, 5)
    assert 3500 < week.median_seconds < 3700
    page = as_admin.get("/admin/metrics").text
    assert "50.0%" in page and "20.0%" in page and "1.0 h" in page


def test_an_old_comment_a_sweep_held_waits_from_the_sweep_not_from_its_posting(ctx, db, as_admin):
    from rostra.admin import metrics
    from rostra.admin.auth import session_moderator
    from rostra.service.sweep import sweep

    old = post(ctx.db, ctx.hasher, "Buy cheap pills here", client=reader(1)).comment.id
    listed = ModerationSettings(suspect_words=("pills",), toxicity_model=False)
    with db.write() as conn:
        conn.execute(update(comments).values(created_at=datetime.now(UTC) - timedelta(days=800)))
        conn.execute(update(sites).values(settings={"moderation": listed.model_dump(mode="json")}))
    assert sweep(db, "news", None).held == 1
    as_admin.post(f"/admin/comments/{old}/reject", as_json=True)

    moderator = session_moderator(db, as_admin.client.cookies.get("rostra_session"))
    week = metrics.dashboard(db, moderator).windows[0]
    assert (week.decisions, week.held_decided) == (1, 1)
    assert week.median_seconds < 60


_IMPORTED = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="7"><id>vote</id><link>https://news.example/vote</link></thread>
  <post dsq:id="71"><message>Waiting since last year in the old system</message>
    <createdAt>{when}</createdAt><isApproved>false</isApproved>
    <author><name>Old</name></author><thread dsq:id="7"/></post>
  <post dsq:id="72"><message>Published by the old system</message>
    <createdAt>{when}</createdAt><author><name>Old</name></author><thread dsq:id="7"/></post>
</disqus>
"""


def test_imported_comments_are_not_counted_as_the_pipeline_s_decisions(db, as_admin, tmp_path):
    from rostra.admin import metrics
    from rostra.admin.auth import session_moderator
    from rostra.importers import run_import

    export = tmp_path / "disqus.xml"
    when = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    export.write_text(_IMPORTED.format(when=when))
    run_import(db, "disqus", export, "news")
    with db.read() as conn:
        ids = dict(conn.execute(select(comments.c.source_ref, comments.c.id)).all())
    as_admin.post(f"/admin/comments/{ids['disqus:71']}/approve", as_json=True)
    as_admin.post(f"/admin/comments/{ids['disqus:72']}/reject", as_json=True)

    moderator = session_moderator(db, as_admin.client.cookies.get("rostra_session"))
    week = metrics.dashboard(db, moderator).windows[0]
    assert (week.decisions, week.approved, week.rejected) == (2, 1, 1)
    # Two days in the old system's queue are not this site's moderators' wait.
    assert week.median_seconds is None
    assert (week.held_decided, week.false_holds) == (0, 0)
    assert (week.auto_published, week.misses) == (0, 0)


def test_undone_decisions_do_not_count(ctx, db, as_admin):
    held = hold(ctx, "Undone", reasons=[("words", "s", "x")])
    as_admin.post(f"/admin/comments/{held}/approve", as_json=True)
    as_admin.post("/admin/undo", as_json=True)
    from rostra.admin import metrics
    from rostra.admin.auth import session_moderator

    moderator = session_moderator(db, as_admin.client.cookies.get("rostra_session"))
    assert metrics.dashboard(db, moderator).windows[0].decisions == 0


def test_percentile_is_nearest_rank():
    from rostra.admin.metrics import percentile

    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5) == 5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9


@pytest.mark.parametrize(
    "typed",
    ["https://news.example:99999", "https://news.example:abc", "https://[::1", "news.example"],
)
def test_an_origin_no_browser_could_send_is_refused_inline(db, as_admin, site, typed):
    with db.read() as conn:
        before = conn.execute(select(sites.c.origins)).scalar_one()
    answer = as_admin.post("/admin/sites/news/settings", {"origins": typed})
    assert answer.status_code == 400
    assert "is not an origin like https://news.example" in answer.text
    with db.read() as conn:
        assert conn.execute(select(sites.c.origins)).scalar_one() == before


def test_blocked_domains_pasted_as_links_or_wildcards_still_match(db, as_admin, site):
    form = dict(VALID_SETTINGS)
    form["blocked_domains"] = "https://Evil.example/offer?x=1\n*.spam.example\nbücher.example"
    assert as_admin.post("/admin/sites/news/settings", form).status_code == 200
    with db.read() as conn:
        stored = ModerationSettings.of_site(conn.execute(select(sites.c.settings)).scalar_one())
    assert stored.blocked_domains == ("evil.example", "spam.example", "xn--bcher-kva.example")
    form["blocked_domains"] = "not a domain"
    refused = as_admin.post("/admin/sites/news/settings", form)
    assert refused.status_code == 400 and "is not a domain like spam.example" in refused.text
