"""Sweeping imported comments: the ones the pipeline would stop go to the Held queue."""

from click.testing import CliRunner
from sqlalchemy import select

from rostra.admin.accounts import create_user
from rostra.cli import main
from rostra.importers import run_import
from rostra.moderation.pipeline import shipped_classifier
from rostra.moderation.settings import ModerationSettings
from rostra.service.comments import Client, NewComment, create_comment
from rostra.service.sites import create_site
from rostra.service.sweep import sweep
from rostra.store.schema import audit_log, comments, outbox, threads

CIVIL = "The timetable works well for me, though a later last train would help."
ABUSE = "You are a worthless idiot and everyone like you are subhuman vermin."
LISTED = "Cheap flights with skyscanner today, ask me how."

_POST = """  <post dsq:id="{id}">
    <message><![CDATA[<p>{text}</p>]]></message>
    <createdAt>2024-03-01T09:0{id}:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Reader {id}</name><isAnonymous>true</isAnonymous></author>
    <thread dsq:id="100"/>
  </post>
"""


def _export(tmp_path, *texts):
    path = tmp_path / "disqus.xml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '  <thread dsq:id="100"><id>rail</id><link>https://gazette.example/rail</link>'
        "<title>Rail line reopens</title></thread>\n"
        + "".join(_POST.format(id=i, text=text) for i, text in enumerate(texts, start=1))
        + "</disqus>\n"
    )
    return path


def _imported(db, tmp_path, *texts):
    moderation = ModerationSettings(suspect_words=("skyscanner",))
    create_site(db, "gazette", ["https://gazette.example"], moderation=moderation)
    run_import(db, "disqus", _export(tmp_path, *texts), "gazette")


def _by_text(db):
    with db.read() as conn:
        query = select(comments.c.body_source, comments.c.status, comments.c.visible,
                       comments.c.toxicity, comments.c.moderation)  # fmt: skip
        return {row.body_source: row for row in conn.execute(query)}


def _thread_count(db):
    with db.read() as conn:
        return conn.execute(select(threads.c.comment_count)).scalar_one()


def test_a_sweep_holds_imported_abuse_and_listed_words_and_keeps_the_rest(db, tmp_path):
    _imported(db, tmp_path, CIVIL, ABUSE, LISTED)
    assert _thread_count(db) == 3

    report = sweep(db, "gazette", shipped_classifier())

    assert (report.checked, report.held) == (3, 2)
    found = _by_text(db)
    assert (found[CIVIL].status, found[CIVIL].visible) == ("published", True)
    assert found[CIVIL].toxicity < 0.3
    for held in (ABUSE, LISTED):
        assert (found[held].status, found[held].visible) == ("pending", False)
        codes = [reason["code"] for reason in found[held].moderation["reasons"]]
        assert codes[-1] == "published_unchecked"
    assert found[ABUSE].toxicity >= 0.77
    assert "suspect_word" in [r["code"] for r in found[LISTED].moderation["reasons"]]
    assert _thread_count(db) == 1  # readers no longer see the held two
    assert [item.excerpt for item in report.riskiest][0] == ABUSE
    with db.read() as conn:
        [entry] = conn.execute(select(audit_log.c.action, audit_log.c.details)).all()
    assert entry.action == "comments_swept" and entry.details == {"checked": 3, "held": 2}


def test_a_second_sweep_checks_only_what_came_since(db, tmp_path):
    _imported(db, tmp_path, CIVIL, ABUSE)
    sweep(db, "gazette", shipped_classifier())
    assert sweep(db, "gazette", shipped_classifier()).checked == 0
    # --all reads the published ones again (after a word list changed, say).
    assert sweep(db, "gazette", shipped_classifier(), recheck=True).checked == 1
    # A thread can be named by its page as a reader's browser had it.
    page = "https://Gazette.example/rail?utm_source=newsletter"
    assert sweep(db, "gazette", shipped_classifier(), thread=page, recheck=True).checked == 1


def test_a_dry_run_reports_and_changes_nothing(db, tmp_path):
    _imported(db, tmp_path, CIVIL, ABUSE)
    before = _by_text(db)
    report = sweep(db, "gazette", shipped_classifier(), dry_run=True)
    assert (report.checked, report.would_reject, report.held) == (2, 1, 0)
    assert "  1 would be held (dry run: nothing was written)" in report.lines()
    assert _by_text(db) == before


def test_the_command_reports_and_names_an_unknown_site_or_thread(db, database_url, tmp_path):
    create_site(db, "gazette", ["https://gazette.example"])
    runner = CliRunner()
    export = str(_export(tmp_path, CIVIL, ABUSE))
    done = runner.invoke(
        main, ["import", "disqus", export, "--site", "gazette", "--database", database_url]
    )
    assert done.exit_code == 0, done.output
    assert "2 imported comments were published as the source had them, unchecked" in done.output
    assert "`rostra moderation sweep --site gazette` holds the risky ones" in done.output
    swept = runner.invoke(
        main, ["moderation", "sweep", "--site", "gazette", "--thread", "rail",
               "--database", database_url],
    )  # fmt: skip
    assert swept.exit_code == 0, swept.output
    assert "Checked 2 comments of site 'gazette'" in swept.output
    assert "1 held for review" in swept.output
    for args, message in (
        (["--site", "nowhere"], "There is no site named 'nowhere'."),
        (["--site", "gazette", "--thread", "nope"], "Site 'gazette' has no thread 'nope'."),
    ):
        failed = runner.invoke(main, ["moderation", "sweep", *args, "--database", database_url])
        assert failed.exit_code == 1
        assert message in failed.output
    assert _by_text(db)[CIVIL].status == "published"


def test_worker_processes_decide_exactly_as_one_process_does(db, tmp_path):
    _imported(db, tmp_path, CIVIL, ABUSE, LISTED, CIVIL + " Agreed.")
    alone = sweep(db, "gazette", shipped_classifier(), dry_run=True)
    shared = sweep(db, "gazette", shipped_classifier(), dry_run=True, workers=2)
    assert len(alone.riskiest) == 2
    assert shared.riskiest == alone.riskiest
    assert (shared.checked, shared.would_hold, shared.would_reject) == (4, 1, 1)


def test_a_sweep_mails_no_moderator_per_held_comment(db, tmp_path):
    _imported(db, tmp_path, ABUSE, LISTED, "Shut up, you pathetic moron.")
    create_user(db, "mira", "a long enough password", "admin", email="mira@gazette.example",
                notify_held="immediate")  # fmt: skip
    assert sweep(db, "gazette", shipped_classifier()).held == 3
    with db.read() as conn:
        assert conn.execute(select(outbox.c.kind).where(outbox.c.channel == "mail")).all() == []


def test_comments_posted_while_the_pipeline_was_off_are_swept_too(ctx, tmp_path):
    _imported(ctx.db, tmp_path, CIVIL)
    new = NewComment(site="gazette", body=ABUSE, name="Late Reader", thread_key="rail")
    posted = create_comment(ctx.db, ctx.hasher, new, Client("192.0.2.7", "ua"))  # no pipeline
    assert posted.comment.status == "published"
    report = sweep(ctx.db, "gazette", shipped_classifier())
    assert (report.checked, report.held) == (2, 1)
    assert _by_text(ctx.db)[ABUSE].status == "pending"


def test_imported_comments_awaiting_review_get_their_reasons_and_stay_held(db, tmp_path):
    create_site(db, "gazette", ["https://gazette.example"])
    export = _export(tmp_path, CIVIL, ABUSE)
    unapproved = export.read_text().replace(
        f"{ABUSE}</p>]]></message>", f"{ABUSE}</p>]]></message><isApproved>false</isApproved>"
    )
    export.write_text(unapproved)
    run_import(db, "disqus", export, "gazette")
    assert _by_text(db)[ABUSE].status == "pending"

    report = sweep(db, "gazette", shipped_classifier())

    assert (report.checked, report.awaiting, report.held) == (2, 1, 0)
    assert "Checked 2 comments of site 'gazette'" in report.lines()[0]
    waiting = _by_text(db)[ABUSE]
    assert waiting.status == "pending" and waiting.toxicity >= 0.77
    assert [r["code"] for r in waiting.moderation["reasons"]] == ["toxic"]
    # A held comment's reasons are its own: --all leaves them alone.
    assert sweep(db, "gazette", shipped_classifier(), recheck=True).checked == 1
