"""The `rostra` command, run as a user would run it."""

import sqlite3
import sys
import time

import httpx
import pytest
from click.testing import CliRunner

from rostra.cli import main
from serving import start_server, stop_server

ROSTRA = [sys.executable, "-m", "rostra.cli"]


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_site_add_and_list_honour_database_flag_and_env(database_url, db):
    added = run(
        "site", "add", "gazette", "--origin", "https://Gazette.example/", "--database", database_url
    )
    assert added.exit_code == 0, added.output
    assert "https://gazette.example" in added.output
    listed = run("site", "list", env={"ROSTRA_DATABASE_URL": database_url})
    assert "gazette\thttps://gazette.example" in listed.output


def test_site_add_refuses_duplicates_and_bad_origins(database_url, db):
    run("site", "add", "gazette", "--origin", "https://gazette.example", "--database", database_url)
    again = run(
        "site", "add", "gazette", "--origin", "https://g.example", "--database", database_url
    )
    assert again.exit_code != 0 and "already exists" in again.output
    bad = run(
        "site", "add", "other", "--origin", "gazette.example/path", "--database", database_url
    )
    assert bad.exit_code != 0 and "is not an origin" in bad.output


def test_db_upgrade_creates_a_wal_sqlite_database(tmp_path):
    path = tmp_path / "fresh.db"
    result = run("db", "upgrade", "--database", str(path))
    assert result.exit_code == 0 and "revision" in result.output
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert {"sites", "threads", "comments", "votes"} <= tables


@pytest.mark.parametrize(
    "env, message",
    [
        ({"ROSTRA_PORT": "eighty"}, "invalid setting port"),
        ({"ROSTRA_WORKERS": "0"}, "invalid setting workers"),
        ({"ROSTRA_LOG_LEVEL": "chatty"}, "invalid setting log_level"),
    ],
)
def test_bad_settings_stop_with_a_clear_message(env, message, tmp_path):
    result = run("serve", "--database", str(tmp_path / "x.db"), env=env)
    assert result.exit_code != 0 and message in result.output


def test_config_file_from_environment(tmp_path):
    config = tmp_path / "rostra.toml"
    config.write_text("port = 70000\n")
    result = run("serve", env={"ROSTRA_CONFIG": str(config)})
    assert result.exit_code != 0 and "invalid setting port" in result.output
    assert str(config) in result.output


def test_bad_config_file_names_the_line(tmp_path):
    config = tmp_path / "rostra.toml"
    config.write_text('port = 8080\nhost = "unterminated\n')
    result = run("serve", "--config", str(config))
    assert result.exit_code != 0 and "line 2" in result.output


def test_unreachable_database_is_reported(tmp_path):
    result = run("db", "upgrade", "--database", "postgresql://127.0.0.1:1/none")
    assert result.exit_code != 0 and "cannot open database" in result.output


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_demo_answers_with_the_seeded_thread(database_url, db, workers, tmp_path):
    process, base = start_server(
        "--demo", "--workers", str(workers), env={"ROSTRA_DATABASE_URL": database_url}, cwd=tmp_path
    )
    try:
        # A reader loads the form, reads for a while, then posts.
        form = httpx.get(base + "/api/v1/form-token", params={"site": "demo"}).json()
        shown_at = time.monotonic()
        page = httpx.get(
            base + "/api/v1/threads", params={"site": "demo", "key": "valley-railway-reopens"}
        ).json()
        assert page["thread"]["count"] >= 40
        assert any(comment["removed"] for comment in page["comments"])
        origin = {"Origin": base}
        time.sleep(max(0.0, form["min_seconds"] + 0.5 - (time.monotonic() - shown_at)))
        posted = httpx.post(
            base + "/api/v1/comments",
            json={
                "site": "demo",
                "thread": {"key": "valley-railway-reopens"},
                "author": {"name": "Visitor"},
                "body": "Hello from the test",
                "form_token": form["token"],
            },
            headers=origin,
        )
        assert posted.status_code == 201 and posted.json()["status"] == "published"
        # Whichever worker answers, the new comment is on the page at once.
        for _ in range(4):
            again = httpx.get(
                base + "/api/v1/threads",
                params={"site": "demo", "key": "valley-railway-reopens"},
            ).json()
            assert again["thread"]["count"] == page["thread"]["count"] + 1
    finally:
        stop_server(process)
    # The database came from ROSTRA_DATABASE_URL, so no default file appeared.
    assert not (tmp_path / "rostra.db").exists()
