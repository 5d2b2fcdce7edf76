"""Per site: anonymous comments allowed, held for review, or not allowed."""

from identity_support import ORIGIN, bearer, comment, hs256_site, sign_in, token


def test_anonymous_comments_can_be_switched_off(api, db):
    hs256_site(db, anonymous="forbidden")
    refused = comment(api, "Drive-by comment", ORIGIN, name="Passer By")
    assert refused.status_code == 403
    assert refused.json()["error"] == "sign_in_required"
    session = sign_in(api, token()).json()["session"]
    assert comment(api, "Signed in, so fine", bearer(session)).status_code == 201
    page = api.get("/api/v1/threads", params={"site": "news", "key": "story-1"}).json()
    assert page["thread"]["count"] == 1


def test_anonymous_comments_can_be_held_for_review(api, db):
    hs256_site(db, anonymous="premoderated")
    held = comment(api, "Anonymous thought", ORIGIN, name="Passer By")
    assert held.status_code == 201
    assert held.json()["status"] == "pending"
    session = sign_in(api, token()).json()["session"]
    published = comment(api, "Signed-in thought", bearer(session))
    assert published.json()["status"] == "published"
    page = api.get("/api/v1/threads", params={"site": "news", "key": "story-1"}).json()
    assert [c["author"]["name"] for c in page["comments"]] == ["Anna Berg"]


def test_anonymous_comments_need_a_name(api, db):
    answer = api.post(
        "/api/v1/comments",
        json={"site": "news", "thread": {"key": "story-1"}, "body": "No name given"},
        headers=ORIGIN,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_name"


def test_bad_identity_settings_are_refused(db, site):
    import pytest

    from rostra.errors import InvalidInput
    from rostra.service.sites import configure_identity

    with pytest.raises(InvalidInput, match="secret of at least 32"):
        configure_identity(db, "news", {"sso": {"algorithm": "HS256", "secret": "short"}})
    with pytest.raises(InvalidInput, match="PEM"):
        configure_identity(db, "news", {"sso": {"algorithm": "RS256", "public_key": "nope"}})
    with pytest.raises(InvalidInput, match="anonymous"):
        configure_identity(db, "news", {"anonymous": "sometimes"})
