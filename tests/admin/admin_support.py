"""Helpers for the moderators' side tests: logged-in clients and held comments.

A module of its own (not conftest) so tests import it by a name no other
test folder uses.
"""

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient

from helpers import post
from rostra.service.visibility import change_status
from rostra.store.comments import comment_by_id

PASSWORD = "correct horse battery"


@dataclass
class Session:
    """A browser-like client logged in to /admin, with its CSRF token."""

    client: TestClient
    csrf: str

    def post(self, path: str, data: dict | None = None, *, as_json: bool = False, **kw):
        fields = dict(data or {})
        headers = {"Accept": "application/json"} if as_json else {}
        if as_json:
            headers["X-CSRF-Token"] = self.csrf
        else:
            fields["csrf"] = self.csrf
        return self.client.post(path, data=fields, headers=headers, follow_redirects=False, **kw)

    def get(self, path: str, **kw):
        return self.client.get(path, **kw)


def login_token(client: TestClient) -> str:
    page = client.get("/admin/login")
    return re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD, next_url: str = "/admin"):
    token = login_token(client)
    return client.post(
        "/admin/login",
        data={"username": username, "password": password, "login_token": token, "next": next_url},
        follow_redirects=False,
    )


def csrf_of(client: TestClient) -> str:
    page = client.get("/admin/queue/held")
    return re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)


def hold(
    ctx,
    body="Held text",
    *,
    reasons=(),
    toxicity=None,
    spans=(),
    marked=None,
    verdict="hold",
    **post_args,
) -> int:
    """Post a comment and hold it as the pipeline would, with its reasons."""
    created = post(ctx.db, ctx.hasher, body, **post_args)
    moderation = {
        "verdict": verdict,
        "reasons": [
            {"checker": checker, "code": code, "message": message, "verdict": "hold"}
            for checker, code, message in reasons
        ],
        "toxicity": toxicity,
        "spans": [list(span) for span in spans],
    }
    if marked is not None:
        moderation["marked"] = list(marked)
    with ctx.db.write() as conn:
        record = comment_by_id(conn, created.comment.id)
        change_status(conn, record, "pending", toxicity=toxicity, moderation=moderation)
    return created.comment.id
