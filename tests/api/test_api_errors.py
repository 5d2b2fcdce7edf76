"""Every kind of bad input gets a clear 4xx JSON error and changes nothing."""

import pytest

ORIGIN = {"Origin": "https://news.example"}


def valid(**changes):
    payload = {"site": "news", "thread": {"key": "k"}, "author": {"name": "Ana"}, "body": "hi"}
    payload.update(changes)
    return payload


def thread_of(api) -> int:
    return api.get("/api/v1/threads", params={"site": "news", "key": "k"}).json()["thread"]["id"]


def count(api) -> int:
    return api.get("/api/v1/threads", params={"site": "news", "key": "k"}).json()["thread"]["count"]


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code and body["message"]


@pytest.mark.parametrize(
    "payload, status, code",
    [
        (valid(site="unknown"), 404, "unknown_site"),
        (valid(parent=424242), 404, "unknown_parent"),
        (valid(body=""), 400, "body_empty"),
        (valid(body=" \n\t"), 400, "body_empty"),
        (valid(body="x" * 10_001), 413, "body_too_long"),
        (valid(author={"name": ""}), 400, "invalid_name"),
        (valid(author={"name": "x" * 65}), 400, "invalid_name"),
        (valid(author={"name": "A", "email": "nope"}), 400, "invalid_email"),
        (valid(author={"name": "A", "website": "data:text/html,x"}), 400, "invalid_website"),
        (valid(thread={}), 400, "invalid_thread"),
        (valid(thread={"url": "javascript:alert(1)"}), 400, "invalid_url"),
        (valid(body=42), 400, "invalid_request"),
        (valid(unexpected="field"), 400, "invalid_request"),
        ({"site": "news"}, 400, "invalid_request"),
        ([1, 2, 3], 400, "invalid_request"),
    ],
)
def test_bad_comments_are_refused_and_change_nothing(api, payload, status, code):
    assert_error(api.post("/api/v1/comments", json=payload, headers=ORIGIN), status, code)
    assert count(api) == 0


@pytest.mark.parametrize("kind", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_declared_as_json(api, kind):
    response = api.post(
        "/api/v1/comments", content=b'{"site": "news"}', headers={**ORIGIN, "Content-Type": kind}
    )
    assert_error(response, 415, "unsupported_media_type")
    assert "application/json" in response.json()["message"]
    assert count(api) == 0


def test_malformed_json(api):
    response = api.post(
        "/api/v1/comments",
        content=b'{"site": "news", "body": ',
        headers={**ORIGIN, "Content-Type": "application/json"},
    )
    assert_error(response, 400, "malformed_json")


def test_oversized_request(api):
    response = api.post(
        "/api/v1/comments",
        content=b'{"body": "' + b"x" * 300_000 + b'"}',
        headers={**ORIGIN, "Content-Type": "application/json"},
    )
    assert_error(response, 413, "request_too_large")
    assert count(api) == 0


def test_oversized_request_sent_in_chunks(api):
    """Without a Content-Length the limit is found while reading, with the same answer."""

    def chunks():
        yield b'{"site": "news", "thread": {"key": "k"}, "author": {"name": "Ana"}, "body": "'
        for _ in range(30):
            yield b"x" * 10_000
        yield b'"}'

    response = api.post(
        "/api/v1/comments", content=chunks(), headers={**ORIGIN, "Content-Type": "application/json"}
    )
    assert_error(response, 413, "request_too_large")
    assert count(api) == 0

    small = api.post(
        "/api/v1/comments",
        content=iter(
            [
                b'{"site": "news", "thread": {"key": "k"}, ',
                b'"author": {"name": "Ana"}, "body": "hi"}',
            ]
        ),
        headers={**ORIGIN, "Content-Type": "application/json"},
    )
    assert small.status_code == 201, small.text
    assert count(api) == 1


def test_parent_in_another_thread(api):
    other = api.post("/api/v1/comments", json=valid(thread={"key": "other"}), headers=ORIGIN).json()
    response = api.post(
        "/api/v1/comments", json=valid(parent=other["comment"]["id"]), headers=ORIGIN
    )
    assert_error(response, 400, "parent_in_other_thread")
    assert count(api) == 0


def test_wrong_origin_cannot_write(api):
    response = api.post(
        "/api/v1/comments", json=valid(), headers={"Origin": "https://evil.example"}
    )
    assert_error(response, 403, "origin_not_allowed")
    assert "access-control-allow-origin" not in response.headers
    assert count(api) == 0


@pytest.mark.parametrize(
    "params, status, code",
    [
        ({"site": "news", "key": "k", "cursor": "not-a-cursor"}, 400, "invalid_cursor"),
        ({"site": "news", "key": "k", "sort": "random"}, 400, "invalid_sort"),
        ({"site": "news", "key": "k", "limit": "many"}, 400, "invalid_limit"),
        ({"key": "k"}, 400, "invalid_request"),
        ({"site": "news"}, 400, "invalid_thread"),
        ({"site": "nope", "key": "k"}, 404, "unknown_site"),
    ],
)
def test_bad_thread_reads(api, params, status, code):
    assert_error(api.get("/api/v1/threads", params=params), status, code)


def test_unknown_comment_and_route(api):
    assert_error(api.post("/api/v1/comments/999/vote", json={"value": 1}), 404, "unknown_comment")
    assert_error(api.post("/api/v1/comments/1/vote", json={"value": 7}), 400, "invalid_request")
    for not_a_vote in (True, 1.0, "1"):
        answer = api.post("/api/v1/comments/1/vote", json={"value": not_a_vote})
        assert_error(answer, 400, "invalid_request")
    assert_error(api.get("/api/v1/comments/abc/replies"), 400, "invalid_request")
    assert_error(api.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(api.put("/api/v1/comments"), 405, "method_not_allowed")


def test_bad_replies_cursor(api):
    created = api.post("/api/v1/comments", json=valid(), headers=ORIGIN).json()
    response = api.get(
        f"/api/v1/comments/{created['comment']['id']}/replies", params={"cursor": "zz"}
    )
    assert_error(response, 400, "invalid_cursor")


def test_expired_token(api, db):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from rostra.store.schema import comments

    created = api.post("/api/v1/comments", json=valid(), headers=ORIGIN).json()
    with db.write() as conn:
        conn.execute(update(comments).values(created_at=datetime.now(UTC) - timedelta(hours=1)))
    response = api.patch(
        f"/api/v1/comments/{created['comment']['id']}",
        json={"body": "late"},
        headers={**ORIGIN, "X-Edit-Token": created["edit_token"]},
    )
    assert_error(response, 403, "edit_window_closed")


BEYOND_INT64 = 2**63  # one more than SQLite and PostgreSQL can store


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/api/v1/comments/{id}/replies", None),
        ("get", "/api/v1/comments/{id}/context", None),
        ("patch", "/api/v1/comments/{id}", {"body": "changed"}),
        ("delete", "/api/v1/comments/{id}", None),
        ("post", "/api/v1/comments/{id}/vote", {"value": 1}),
        ("post", "/api/v1/comments/{id}/report", {"reason": "spam"}),
        ("get", "/api/v1/threads/{id}/events", None),
    ],
)
def test_ids_beyond_what_a_database_stores_are_refused(api, method, path, body):
    api.post("/api/v1/comments", json=valid(), headers=ORIGIN)
    for comment_id in (BEYOND_INT64, 10**30, 0):
        kwargs = {"json": body} if body is not None else {}
        response = api.request(method, path.format(id=comment_id), headers=ORIGIN, **kwargs)
        assert_error(response, 400, "invalid_request")
    assert count(api) == 1


def test_parent_beyond_what_a_database_stores_is_refused(api):
    assert_error(
        api.post("/api/v1/comments", json=valid(parent=BEYOND_INT64), headers=ORIGIN),
        400,
        "invalid_request",
    )
    assert count(api) == 0


def _cursor(payload: list) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_cursors_with_numbers_beyond_what_a_database_stores_are_refused(api):
    created = api.post("/api/v1/comments", json=valid(), headers=ORIGIN).json()
    thread_id = thread_of(api)
    replies = f"/api/v1/comments/{created['comment']['id']}/replies"
    for payload in (["r", created["comment"]["id"], BEYOND_INT64, 0], ["r", BEYOND_INT64, 0, 0]):
        assert_error(api.get(replies, params={"cursor": _cursor(payload)}), 400, "invalid_cursor")
    for payload in (
        ["t", thread_id, "newest", BEYOND_INT64, 1, 1],
        ["t", thread_id, "oldest", 1, BEYOND_INT64, 1],
        ["t", thread_id, "best", 0.5, 1, BEYOND_INT64],
    ):
        params = {"site": "news", "key": "k", "cursor": _cursor(payload)}
        assert_error(api.get("/api/v1/threads", params=params), 400, "invalid_cursor")


@pytest.mark.parametrize(
    "payload, field",
    [
        (valid(body="half a pair \ud800 here"), "body"),
        (valid(author={"name": "Ana \udfff"}), "author.name"),
        (valid(thread={"key": "k\ud83d"}), "thread.key"),
    ],
)
def test_unpaired_surrogates_are_refused(api, payload, field):
    import json

    escaped = json.dumps(payload).encode()  # "\\ud800": valid JSON, not valid text
    headers = {**ORIGIN, "Content-Type": "application/json"}
    response = api.post("/api/v1/comments", content=escaped, headers=headers)
    assert_error(response, 400, "invalid_request")
    assert response.json()["message"].startswith(f"{field}:")
    assert count(api) == 0


def test_secrets_and_numbers_in_any_script_are_refused_not_crashed_on(api):
    created = api.post("/api/v1/comments", json=valid(), headers=ORIGIN).json()
    comment = f"/api/v1/comments/{created['comment']['id']}"
    forged = api.post("/api/v1/comments", json=valid(form_token="1.é€"), headers=ORIGIN)
    assert forged.status_code == 201 and forged.json()["status"] == "pending", forged.text
    events = f"/api/v1/threads/{thread_of(api)}/events"
    for last_seen in ("²".encode(), "١".encode(), b"+1", b"1_0"):
        answer = api.get(events, headers={"Last-Event-ID": last_seen})
        assert_error(answer, 400, "invalid_last_event_id")
    edit = api.patch(comment, json={"body": "x"}, headers={**ORIGIN, "X-Edit-Token": "é".encode()})
    assert_error(edit, 403, "bad_token")
    page = api.get("/api/v1/threads", params={"site": "news", "key": "k"}).json()
    assert [c["html"] for c in page["comments"]] == ["<p>hi</p>"]


def test_invisible_control_characters_are_dropped_from_a_body(api):
    pasted = "Line one\x0b\x0cstill one\x07\ufffe\nand\ttwo"
    posted = api.post("/api/v1/comments", json=valid(body=pasted), headers=ORIGIN)
    assert posted.status_code == 201, posted.text
    page = api.get("/api/v1/threads", params={"site": "news", "key": "k"}).json()
    assert [c["html"] for c in page["comments"]] == ["<p>Line onestill one<br>\nand\ttwo</p>"]


def test_nul_characters_are_refused_wherever_they_come(api):
    # PostgreSQL cannot hold a NUL in text; SQLite could, so both refuse it alike.
    for params in ({"site": "news\x00", "key": "k"}, {"site": "news", "key": "k\x00"}):
        assert_error(api.get("/api/v1/threads", params=params), 400, "invalid_request")
    assert_error(api.get("/api/v1/feeds/news%00.atom"), 400, "invalid_request")
    posted = api.post("/api/v1/comments", json=valid(body="before\x00after"), headers=ORIGIN)
    assert_error(posted, 400, "invalid_request")
    assert "NUL" in posted.json()["message"]
    assert count(api) == 0
