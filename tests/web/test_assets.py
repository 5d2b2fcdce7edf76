"""The widget's files as the server hands them out, and the demo pages' switch."""

import gzip
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rostra.api.app import create_app
from rostra.config import Settings
from rostra.store.migrate import upgrade_database
from rostra.web import build

STATIC = Path(__file__).resolve().parents[2] / "src" / "rostra" / "web" / "static"

# The budget: what a reader downloads for the widget and the counter.
EMBED_BUDGET = 15_000
COUNTER_BUDGET = 1_500


def gzipped(*names: str) -> int:
    return sum(len(gzip.compress((STATIC / name).read_bytes(), 9)) for name in names)


def test_embed_fits_its_size_budget():
    # What readers download: the built copies, not the commented sources.
    assert gzipped("embed.min.js", "embed.min.css") <= EMBED_BUDGET


def test_built_files_match_their_sources():
    """The committed embed.min.* are what `python -m rostra.web.build` makes now."""
    fresh = build.built()
    assert set(fresh) == {"embed.min.js", "embed.min.css", "extras.min.js"}
    for name, text in fresh.items():
        assert (STATIC / name).read_text(encoding="utf-8") == text, (
            f"{name} is out of date: run python -m rostra.web.build"
        )
    assert build.main(["--check"]) == 0


def test_build_minifies_and_check_notices_a_stale_file(tmp_path, capsys):
    for source in build.BUILDS.values():
        (tmp_path / source).write_bytes((STATIC / source).read_bytes())
    assert sorted(build.stale(tmp_path)) == ["embed.min.css", "embed.min.js", "extras.min.js"]
    built = build.built(tmp_path)
    js = built["embed.min.js"]
    assert js.startswith("/* Rostra (AGPL-3.0-or-later), built from embed.js */\n")
    # Comments and indentation go; the strings readers see stay as they are.
    assert "// The string catalogue" not in js
    assert "\n    " not in js
    assert "'Awaiting moderation'" in js
    assert len(js) < 0.8 * len((STATIC / "embed.js").read_text(encoding="utf-8"))
    assert "/* Header, sort switch" not in built["embed.min.css"]
    for name, text in built.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert build.stale(tmp_path) == []
    (tmp_path / "embed.css").write_text(".changed{color:red}", encoding="utf-8")
    assert build.stale(tmp_path) == ["embed.min.css"]


def test_counter_fits_its_size_budget():
    assert gzipped("count.js") < COUNTER_BUDGET


def _client(tmp_path: Path, demo: bool) -> TestClient:
    url = str(tmp_path / "assets.db")
    upgrade_database(url)
    return TestClient(create_app(Settings(database_url=url, demo=demo)))


@pytest.mark.parametrize("demo", [False, True])
def test_widget_files_are_always_served(tmp_path, demo):
    with _client(tmp_path, demo) as client:
        for name, file, kind in [
            ("embed.js", "embed.min.js", "text/javascript"),
            ("embed.css", "embed.min.css", "text/css"),
            ("count.js", "count.js", "text/javascript"),
        ]:
            response = client.get(f"/{name}")
            assert response.status_code == 200
            assert response.headers["content-type"].startswith(kind)
            assert "max-age" in response.headers["cache-control"]
            assert response.content == (STATIC / file).read_bytes()


def test_demo_pages_need_the_demo_flag(tmp_path):
    with _client(tmp_path, demo=False) as client:
        for path in ("/", "/articles", "/articles/river-path-repairs", "/demo/railway.svg"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert response.json()["error"] == "not_found"


def test_demo_pages_with_the_demo_flag(tmp_path):
    with _client(tmp_path, demo=True) as client:
        front = client.get("/")
        assert front.status_code == 200
        assert "<rostra-comments" in front.text
        assert 'thread="valley-railway-reopens"' in front.text
        assert '<script src="/embed.js" defer>' in front.text
        listing = client.get("/articles")
        assert '<script src="/count.js" data-site="demo" defer>' in listing.text
        assert listing.text.count("data-rostra-count=") == 5
        other = client.get("/articles/library-late-opening")
        assert 'thread="library-late-opening"' in other.text
        assert client.get("/articles/no-such-article").status_code == 404
        # The page names its icon, which is served: no 404 for /favicon.ico.
        assert '<link rel="icon" href="/favicon.svg"' in front.text
        icon = client.get("/favicon.svg")
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
        assert icon.content.startswith(b"<svg")
        photo = client.get("/demo/railway.svg")
        assert photo.headers["content-type"] == "image/svg+xml"
        assert client.get("/demo/..%2Fembed.js").status_code == 404
