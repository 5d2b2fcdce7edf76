"""`rostra check`, `rostra backup` and `rostra migrate-db` as an operator runs them."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from helpers import post, reader
from pgtools import create_postgres_database, drop_postgres_database
from rostra.cli import main
from rostra.moderation.classifier import LINEAR_HOLD_THRESHOLD
from rostra.service import comments as svc
from rostra.service.sites import create_site
from rostra.store.database import open_database
from rostra.store.migrate import upgrade_database


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_reports_settings_database_and_contents(database_url, db, site):
    result = run("check", "--database", database_url)
    assert result.exit_code == 0, result.output
    assert "database: reachable" in result.output and "(newest)" in result.output
    assert "1 sites" in result.output
    assert "no checker has read" not in result.output


def test_check_points_to_the_sweep_for_comments_no_checker_read(database_url, ctx, site):
    post(ctx.db, ctx.hasher, "Published with the pipeline off", client=reader(1))
    result = run("check", "--database", database_url)
    assert result.exit_code == 0, result.output
    assert (
        "site news: 1 published comment no checker has read (imported?): "
        "`rostra moderation sweep --site news` checks them"
    ) in result.output


def test_check_fails_clearly_on_an_unreachable_database():
    result = run("check", "--database", "postgresql://127.0.0.1:1/nothing")
    assert result.exit_code != 0 and "database" in result.output


def test_backup_makes_a_consistent_copy(tmp_path, ctx, site):
    sqlite_url = str(tmp_path / "live.db")
    upgrade_database(sqlite_url)
    db = open_database(sqlite_url)
    create_site(db, "news", ["https://news.example"])
    post(db, ctx.hasher, "Kept safe")
    db.dispose()
    target = tmp_path / "backup.db"
    result = run("backup", str(target), "--database", sqlite_url)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT body_source FROM comments").fetchall() == [("Kept safe",)]
    again = run("backup", str(target), "--database", sqlite_url)
    assert again.exit_code != 0 and "exists already" in again.output


def test_backup_refuses_postgresql(tmp_path):
    result = run("backup", str(tmp_path / "x.db"), "--database", "postgresql://127.0.0.1/test")
    assert result.exit_code != 0 and "pg_dump" in result.output


def test_backup_into_a_missing_folder_is_refused_clearly(tmp_path):
    sqlite_url = str(tmp_path / "live.db")
    upgrade_database(sqlite_url)
    target = tmp_path / "no-such-folder" / "backup.db"
    result = run("backup", str(target), "--database", sqlite_url)
    assert result.exit_code == 1 and "is not a folder" in result.output
    assert not target.parent.exists()


def _sqlite_site(path: Path):
    """A SQLite database file holding the site "news": (its URL, the open database)."""
    url = str(path)
    upgrade_database(url)
    database = open_database(url)
    create_site(database, "news", ["https://news.example"])
    return url, database


def test_migrate_db_from_a_missing_sqlite_file_copies_nothing_and_says_so(tmp_path):
    missing, target = tmp_path / "typo.db", tmp_path / "target.db"
    result = run("migrate-db", "--from", str(missing), "--to", str(target))
    assert result.exit_code == 1 and f"no SQLite database at {missing}" in result.output
    assert not missing.exists() and not target.exists()


def test_migrate_db_from_sqlite_to_postgresql_keeps_everything(tmp_path, ctx):
    source_url, source = _sqlite_site(tmp_path / "small.db")
    root = post(source, ctx.hasher, "Root comment")
    reply = post(source, ctx.hasher, "A reply", parent=root.comment.id)
    svc.vote(source, ctx.hasher, reply.comment.id, 1, reader(1))
    svc.delete_comment(
        source, root.comment.id, root.edit_token, reader(0).__class__("192.0.2.10", "pytest-author")
    )
    source.dispose()
    name, target_url = create_postgres_database()
    try:
        result = run("migrate-db", "--from", source_url, "--to", target_url)
        assert result.exit_code == 0, result.output
        assert "comments" in result.output and "2 rows" in result.output
        target = open_database(target_url)
        # The planner knows the copied rows at once (a table never analysed has -1).
        with target.read() as conn:
            counted = conn.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE relname = 'comments'"
            ).scalar_one()
        assert counted == 2
        # The copy is a working database: new comments get fresh ids.
        newer = post(target, ctx.hasher, "Posted after the move")
        assert newer.comment.id == 3
        target.dispose()
        again = run("migrate-db", "--from", source_url, "--to", target_url)
        assert again.exit_code != 0 and "empty database" in again.output
    finally:
        drop_postgres_database(name)


def test_migrate_db_copies_replies_stored_under_lower_ids_than_their_parents(tmp_path):
    from rostra.importers import ImportOptions, run_import

    source_url, source = _sqlite_site(tmp_path / "imported.db")
    # The export lists a reply before its parent, so the reply gets the lower id.
    disqus = Path(__file__).parents[1] / "importers" / "fixtures" / "disqus.xml"
    run_import(source, "disqus", disqus, "news", ImportOptions(workers=1))
    with source.read() as conn:
        replies_first = conn.exec_driver_sql(
            "SELECT count(*) FROM comments c JOIN comments p ON p.id = c.parent_id WHERE c.id < p.id"
        ).scalar_one()
    assert replies_first >= 1
    source.dispose()
    name, target_url = create_postgres_database()
    try:
        result = run("migrate-db", "--from", source_url, "--to", target_url)
        assert result.exit_code == 0, result.output
        assert "9 rows" in result.output  # the comments, checksums equal on both sides
    finally:
        drop_postgres_database(name)


def test_migrate_db_says_which_table_the_target_refused_and_copies_nothing(tmp_path, ctx):
    source_url, source = _sqlite_site(tmp_path / "damaged.db")
    post(source, ctx.hasher, "A reply whose parent was lost")
    source.dispose()
    with sqlite3.connect(source_url) as conn:  # foreign keys are off in a plain connection
        conn.execute("UPDATE comments SET parent_id = 999")
    name, target_url = create_postgres_database()
    try:
        result = run("migrate-db", "--from", source_url, "--to", target_url)
        assert result.exit_code == 1
        assert "comments: the target refused a row" in result.output
        assert "nothing was copied" in result.output and "Traceback" not in result.output
        target = open_database(target_url)
        with target.read() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM sites").scalar_one() == 0
        target.dispose()
    finally:
        drop_postgres_database(name)


def test_check_loads_the_toxicity_model_and_says_which_one_scores(database_url, db, site):
    result = run("check", "--database", database_url)
    assert result.exit_code == 0, result.output
    assert "toxicity model: linear model blended with the all-MiniLM-L6-v2 encoder" in result.output
    assert "loaded and scored a test sentence" in result.output


def test_check_says_when_the_encoder_is_switched_off(database_url, db, site):
    # The switch is read when the model module loads: a fresh process, as an operator runs it.
    rostra = str(Path(sys.executable).with_name("rostra"))
    env = {**os.environ, "ROSTRA_TOXICITY_ENCODER": "0"}
    result = subprocess.run(
        [rostra, "check", "--database", database_url], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    # the linear model's own threshold, not the blend's (this process has the encoder on)
    expected = (
        f"linear model only (ROSTRA_TOXICITY_ENCODER is off); hold at {LINEAR_HOLD_THRESHOLD}"
    )
    assert expected in result.stdout
