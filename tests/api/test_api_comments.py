"""The public HTTP API as a page's script uses it."""

import json
from xml.etree import ElementTree

import pytest

from rostra.importers import ImportOptions, run_import
from rostra.store.schema import comments, threads

ORIGIN = {"Origin": "https://news.example"}


def comment_body(body="Hello *world*", **extra):
    payload = {
        "site": "news",
        "thread": {
            "key": "rail-2026",
            "title": "Rail line reopens",
            "url": "https://news.example/rail",
        },
        "author": {"name": "Ana", "email": "ana@example.org", "website": "https://ana.example"},
        "body": body,
    }
    payload.update(extra)
    return payload


def create(api, **extra):
    response = api.post("/api/v1/comments", json=comment_body(**extra), headers=ORIGIN)
    assert response.status_code == 201, response.text
    return response.json()


def thread(api, **params):
    params = {"site": "news", "key": "rail-2026", **params}
    return api.get("/api/v1/threads", params=params, headers=ORIGIN)


def test_post_then_read_the_thread(api):
    created = create(api)
    assert created["edit_token"] and created["source"] == "Hello *world*"
    assert created["status"] == "published" and created["thread"] == "rail-2026"
    shown = thread(api).json()
    assert shown["thread"]["count"] == 1
    comment = shown["comments"][0]
    assert comment["html"] == "<p>Hello <em>world</em></p>"
    assert comment["author"] == {"name": "Ana", "website": "https://ana.example"}


def test_email_and_ip_never_leave_the_server(api):
    create(api)
    for response in (
        thread(api),
        api.get("/api/v1/feeds/news.atom"),
        api.get("/api/v1/feeds/news/thread.atom", params={"key": "rail-2026"}),
    ):
        assert "ana@example.org" not in response.text
        assert "testclient" not in response.text


def test_edit_and_delete_with_the_token_header(api):
    created = create(api)
    comment_id, token = created["comment"]["id"], created["edit_token"]
    edited = api.patch(
        f"/api/v1/comments/{comment_id}",
        json={"body": "Edited"},
        headers={**ORIGIN, "X-Edit-Token": token},
    )
    assert edited.status_code == 200 and edited.json()["comment"]["html"] == "<p>Edited</p>"
    assert edited.json()["comment"]["edited"] is not None
    refused = api.delete(
        f"/api/v1/comments/{comment_id}", headers={**ORIGIN, "X-Edit-Token": "nope"}
    )
    assert refused.status_code == 403 and refused.json()["error"] == "bad_token"
    deleted = api.delete(
        f"/api/v1/comments/{comment_id}", headers={**ORIGIN, "X-Edit-Token": token}
    )
    assert deleted.json() == {"id": comment_id, "deleted": True, "tombstone": False}
    assert thread(api).json()["comments"] == []


def test_vote_updates_counts(api):
    comment_id = create(api)["comment"]["id"]
    own = api.post(f"/api/v1/comments/{comment_id}/vote", json={"value": 1}, headers=ORIGIN)
    assert own.status_code == 403 and own.json()["error"] == "own_comment"
    other_reader = {**ORIGIN, "User-Agent": "another browser"}
    voted = api.post(f"/api/v1/comments/{comment_id}/vote", json={"value": 1}, headers=other_reader)
    assert voted.json() == {
        "id": comment_id,
        "upvotes": 1,
        "downvotes": 0,
        "score": 1,
        "your_vote": 1,
    }
    assert thread(api).json()["comments"][0]["score"] == 1


def test_reply_and_more_replies(api):
    root = create(api)["comment"]["id"]
    replies = [create(api, parent=root, body=f"reply {n}")["comment"]["id"] for n in range(5)]
    node = thread(api).json()["comments"][0]
    assert [r["id"] for r in node["replies"]] == replies[:3]
    more = api.get(
        f"/api/v1/comments/{root}/replies",
        params={"cursor": node["replies_cursor"]},
        headers=ORIGIN,
    )
    assert [r["id"] for r in more.json()["replies"]] == replies[3:]


def test_deep_link_context_opens_a_page_at_the_comment(api):
    roots = [create(api, body=f"root {n}")["comment"]["id"] for n in range(30)]
    target_root = roots[3]
    replies = [create(api, parent=target_root, body=f"r{n}")["comment"]["id"] for n in range(6)]
    target = create(api, parent=replies[5], body="deep target")["comment"]["id"]
    context = api.get(f"/api/v1/comments/{target}/context", params={"sort": "newest"}).json()
    assert [step["id"] for step in context["path"]] == [target_root, replies[5], target]
    opened = thread(api, sort="newest", cursor=context["cursor"]).json()
    assert opened["comments"][0]["id"] == target_root
    hop = api.get(
        f"/api/v1/comments/{target_root}/replies",
        params={"cursor": context["path"][0]["replies_cursor"]},
    ).json()
    assert hop["replies"][0]["id"] == replies[5]
    assert hop["replies"][0]["replies"][0]["id"] == target


def test_counts_for_many_pages_in_one_request(api):
    create(api)
    create(api, body="On the other page", thread={"url": "https://news.example/other?utm_source=x"})
    create(api, body="A second one there", thread={"url": "https://news.example/other"})
    response = api.get(
        "/api/v1/counts",
        params=[
            ("site", "news"),
            ("key", "rail-2026"),
            ("key", "never-commented"),
            ("url", "https://news.example/other/#comments"),
        ],
        headers=ORIGIN,
    )
    assert response.json() == {
        "counts": {"rail-2026": 1, "never-commented": 0, "https://news.example/other/#comments": 2}
    }


def test_etag_and_304(api):
    create(api)
    first = thread(api)
    etag = first.headers["etag"]
    again = api.get(
        "/api/v1/threads",
        params={"site": "news", "key": "rail-2026"},
        headers={"If-None-Match": etag},
    )
    assert again.status_code == 304 and again.content == b""
    create(api, body="news!")
    changed = api.get(
        "/api/v1/threads",
        params={"site": "news", "key": "rail-2026"},
        headers={"If-None-Match": etag},
    )
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["thread"]["count"] == 2


def test_atom_feeds(api):
    create(api, body="first **feed** entry")
    feed = api.get("/api/v1/feeds/news.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert "first &lt;strong&gt;feed&lt;/strong&gt; entry" in feed.text
    assert "https://news.example/rail#comment-" in feed.text
    thread_feed = api.get(
        "/api/v1/feeds/news/thread.atom", params={"url": "https://news.example/rail"}
    )
    assert thread_feed.status_code == 404  # the thread is keyed by its id, not this URL
    assert api.get("/api/v1/feeds/news/thread.atom", params={"key": "rail-2026"}).status_code == 200
    unnamed = api.get("/api/v1/feeds/news/thread.atom")  # not the site's feed under another name
    assert unnamed.status_code == 400 and unnamed.json()["error"] == "invalid_thread"


def test_a_feed_stays_xml_when_stored_text_holds_characters_xml_cannot_carry(api, db, tmp_path):
    # An older import may have stored a control character or U+FFFE in a body or title.
    lines = [
        {"type": "header", "format": "rostra-export", "version": 1, "site": "news"},
        {"type": "thread", "key": "story", "url": "https://news.example/story", "title": "Rail"},
        {"type": "comment", "ref": "rostra:1", "thread": "story", "status": "published",
         "body": "Hello", "created_at": "2024-03-01T08:00:00Z"},
    ]  # fmt: skip
    export = tmp_path / "export.jsonl"
    export.write_text("".join(json.dumps(line) + "\n" for line in lines))
    run_import(db, "rostra", export, "news", ImportOptions(workers=1))
    with db.write() as conn:  # imports now drop such characters; older ones kept them
        conn.execute(comments.update().values(body_html="<p>He\x01llo</p>"))
        conn.execute(threads.update().values(title="Rail\ufffe"))
    feed = api.get("/api/v1/feeds/news/thread.atom", params={"key": "story"})
    root = ElementTree.fromstring(feed.content)  # a feed reader can parse it
    atom = "{http://www.w3.org/2005/Atom}"
    assert root.find(f"{atom}title").text == "Comments on Rail\ufffd"
    assert root.find(f"{atom}entry/{atom}content").text == "<p>He\ufffdllo</p>"


def test_feeds_leave_out_comments_only_their_shadow_banned_author_sees(api, db):
    create(api, body="Seen by all")
    hidden = create(api, body="Seen by its author alone")["comment"]["id"]
    with db.write() as conn:
        conn.execute(
            comments.update().where(comments.c.id == hidden).values(shadowed=True, visible=False)
        )
    for address, params in (
        ("/api/v1/feeds/news.atom", {}),
        ("/api/v1/feeds/news/thread.atom", {"key": "rail-2026"}),
    ):
        feed = api.get(address, params=params)
        assert "Seen by all" in feed.text and "Seen by its author alone" not in feed.text


def test_hostile_name_and_website(api):
    created = create(api, author={"name": "<img src=x onerror=alert(1)>\u202e", "website": None})
    assert created["comment"]["author"]["name"] == "<img src=x onerror=alert(1)>"
    # The name is plain text in JSON; the widget inserts it as text, never as HTML.
    bad_site = api.post(
        "/api/v1/comments",
        json=comment_body(author={"name": "Eve", "website": "javascript:alert(1)"}),
        headers=ORIGIN,
    )
    assert bad_site.status_code == 400 and bad_site.json()["error"] == "invalid_website"


def test_openapi_description_and_docs_page(api):
    spec = api.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/threads",
        "/api/v1/comments",
        "/api/v1/comments/{comment_id}/vote",
        "/api/v1/counts",
    ):
        assert path in spec["paths"]
    assert api.get("/api/v1/docs").status_code == 200


def test_openapi_documents_the_errors_the_server_sends(api):
    spec = api.get("/api/v1/openapi.json").json()
    error_body = {"$ref": "#/components/schemas/ErrorOut"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" not in responses, (method, path)  # bad input answers 400
            if operation.get("parameters") or "requestBody" in operation:
                schema = responses["400"]["content"]["application/json"]["schema"]
                assert schema == error_body, (method, path)
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert "429" in spec["paths"]["/api/v1/comments"]["post"]["responses"]


@pytest.mark.parametrize("sort", ["best", "newest", "oldest"])
def test_sort_parameter(api, sort):
    create(api)
    assert thread(api, sort=sort).json()["sort"] == sort
