"""A thread page is never answered from before a commit made elsewhere.

Workers, imports and admin commands write through their own connections; the
page a reader gets (or is told is unchanged) must reflect them at once.
"""

import subprocess
import sys

from test_api_comments import ORIGIN, create, thread

UPVOTE_FROM_ANOTHER_PROCESS = """
import sys
from rostra.service.comments import Client, vote
from rostra.service.identity import Hasher
from rostra.store.database import open_database

db = open_database(sys.argv[1])
vote(db, Hasher(bytes(16)), int(sys.argv[2]), 1, Client("203.0.113.9", "another worker"))
db.dispose()
"""


def upvote_elsewhere(database_url: str, comment_id: int) -> None:
    subprocess.run(
        [sys.executable, "-c", UPVOTE_FROM_ANOTHER_PROCESS, database_url, str(comment_id)],
        check=True,
    )


def revalidate(api, etag: str):
    return api.get(
        "/api/v1/threads",
        params={"site": "news", "key": "rail-2026"},
        headers={**ORIGIN, "If-None-Match": etag},
    )


def test_unchanged_page_stays_304_until_another_process_commits(api, database_url):
    created = create(api)
    etag = thread(api).headers["etag"]
    for _ in range(3):
        unchanged = revalidate(api, etag)
        assert unchanged.status_code == 304
        assert unchanged.headers["access-control-allow-origin"] == ORIGIN["Origin"]

    upvote_elsewhere(database_url, created["comment"]["id"])

    changed = revalidate(api, etag)
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["comments"][0]["upvotes"] == 1
    assert revalidate(api, changed.headers["etag"]).status_code == 304


def test_full_page_reflects_another_process_commit(api, database_url):
    created = create(api)
    for _ in range(3):
        assert thread(api).json()["comments"][0]["upvotes"] == 0

    upvote_elsewhere(database_url, created["comment"]["id"])

    assert thread(api).json()["comments"][0]["upvotes"] == 1
