"""Single sign-on: the host site's JWT becomes a Rostra session and verified comments."""

import base64
import hashlib
import hmac
import json

import pytest
from identity_support import (
    ORIGIN,
    SECRET,
    bearer,
    comment,
    ed25519_keys,
    hs256_site,
    rsa_keys,
    sign_in,
    token,
)

from rostra.service.sites import configure_identity


def test_a_valid_token_signs_in_and_comments_are_verified(api, db):
    hs256_site(db)
    answer = sign_in(api, token({"picture": "https://img.example/anna.png"}))
    assert answer.status_code == 200, answer.text
    signed = answer.json()
    assert signed["reader"]["name"] == "Anna Berg"
    assert signed["reader"]["verified"] is True

    posted = comment(api, "Signed in and commenting.", bearer(signed["session"]))
    assert posted.status_code == 201, posted.text
    page = api.get("/api/v1/threads", params={"site": "news", "key": "story-1"}).json()
    author = page["comments"][0]["author"]
    assert author == {
        "name": "Anna Berg", "website": None, "verified": True,
        "avatar": "https://img.example/anna.png",
    }  # fmt: skip


def test_signing_in_again_updates_the_name_and_keeps_one_reader(api, db):
    hs256_site(db)
    first = sign_in(api, token()).json()["reader"]
    second = sign_in(api, token({"name": "Anna Berg-Lind"})).json()["reader"]
    assert second["id"] == first["id"]
    assert second["name"] == "Anna Berg-Lind"


def _part(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unsigned(claims: dict) -> str:
    return f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(claims)}."


def _hmac_signed_with(public_pem: str) -> str:
    claims = {"sub": "u-1", "name": "Eve", "exp": 4_000_000_000}
    signing_input = f"{_part({'alg': 'HS256', 'typ': 'JWT'})}.{_part(claims)}"
    mac = hmac.new(public_pem.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_part(mac)}"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: token(ttl=-3600), "sso_token_expired"),
        (lambda: token(nbf=2_000_000_000 * 2), "sso_token_not_yet_valid"),
        (lambda: token(key="another-secret-that-is-also-long-enough!!"), "sso_bad_signature"),
        (lambda: _unsigned({"sub": "u-1", "name": "Eve", "exp": 4_000_000_000}), "sso_algorithm_refused"),
        (lambda: token(algorithm="HS384"), "sso_algorithm_refused"),
        (lambda: token({"exp": None}), "sso_missing_claim"),
        (lambda: token({"sub": None}), "sso_missing_claim"),
        (lambda: "not.a.token", "sso_malformed_token"),
        (lambda: "", "sso_malformed_token"),
    ],
)  # fmt: skip
def test_bad_tokens_are_refused_with_a_clear_error(api, db, make, code):
    hs256_site(db)
    answer = sign_in(api, make())
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"] == code
    assert answer.json()["message"]
    assert not api.get("/api/v1/auth/me", headers=ORIGIN).is_success


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "u\x00-1"},
        {"sub": "u-\ud800"},
        {"name": "An\udfffna"},
        {"email": "a\x00@news.example"},
    ],
)
def test_claims_no_column_can_hold_are_refused(api, db, claims):
    # A NUL fails in PostgreSQL and half a surrogate pair anywhere: the site's
    # token is refused with the claim named, not a server error.
    hs256_site(db)
    answer = sign_in(api, token(claims))
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "sso_invalid_claim"
    assert repr(next(iter(claims))) in answer.json()["message"]


def test_issuer_and_audience_are_checked_when_configured(api, db):
    configure_identity(
        db, "news",
        {"sso": {"algorithm": "HS256", "secret": SECRET, "issuer": "https://news.example",
                 "audience": "rostra"}},
    )  # fmt: skip
    good = token(iss="https://news.example", aud="rostra")
    assert sign_in(api, good).status_code == 200
    wrong_issuer = sign_in(api, token(iss="https://evil.example", aud="rostra"))
    assert wrong_issuer.json()["error"] == "sso_wrong_issuer"
    wrong_audience = sign_in(api, token(iss="https://news.example", aud="other"))
    assert wrong_audience.json()["error"] == "sso_wrong_audience"


def test_rs256_tokens_verify_with_the_published_key(api, db):
    private, public_pem = rsa_keys()
    configure_identity(db, "news", {"sso": {"algorithm": "RS256", "public_key": public_pem}})
    assert sign_in(api, token(key=private, algorithm="RS256")).status_code == 200
    # The classic key-confusion attack: HMAC "signed" with the public key.
    forged = sign_in(api, _hmac_signed_with(public_pem))
    assert forged.status_code == 401
    assert forged.json()["error"] == "sso_algorithm_refused"
    other_private, _ = rsa_keys()
    wrong_key = sign_in(api, token(key=other_private, algorithm="RS256"))
    assert wrong_key.json()["error"] == "sso_bad_signature"


def test_eddsa_tokens_verify_with_the_published_key(api, db):
    private, public_pem = ed25519_keys()
    configure_identity(db, "news", {"sso": {"algorithm": "EdDSA", "public_key": public_pem}})
    answer = sign_in(api, token(key=private, algorithm="EdDSA"))
    assert answer.status_code == 200, answer.text


def test_a_site_without_single_sign_on_says_so(api):
    answer = sign_in(api, token())
    assert answer.status_code == 400
    assert answer.json()["error"] == "sso_not_configured"


def test_signing_out_ends_the_session(api, db):
    hs256_site(db)
    session = sign_in(api, token()).json()["session"]
    assert api.get("/api/v1/auth/me", headers=bearer(session)).json()["name"] == "Anna Berg"
    assert api.delete("/api/v1/auth/session", headers=bearer(session)).status_code == 200
    me = api.get("/api/v1/auth/me", headers=bearer(session))
    assert me.status_code == 401
    assert me.json()["error"] == "signed_out"
    refused = comment(api, "After logout", bearer(session), name="Anna Berg")
    assert refused.status_code == 401
    assert (
        api.get("/api/v1/threads", params={"site": "news", "key": "story-1"}).json()["thread"][
            "count"
        ]
        == 0
    )


def test_a_signed_in_reader_edits_their_comment_without_the_edit_token(api, db):
    hs256_site(db)
    session = sign_in(api, token()).json()["session"]
    posted = comment(api, "First words", bearer(session)).json()
    edited = api.patch(
        f"/api/v1/comments/{posted['comment']['id']}", json={"body": "Better words"},
        headers=bearer(session),
    )  # fmt: skip
    assert edited.status_code == 200, edited.text
    assert "Better words" in edited.json()["comment"]["html"]
    other = sign_in(api, token({"sub": "u-2002", "name": "Ben Ode"})).json()["session"]
    refused = api.patch(
        f"/api/v1/comments/{posted['comment']['id']}", json={"body": "Hijacked"},
        headers=bearer(other),
    )  # fmt: skip
    assert refused.status_code == 403


def test_a_session_for_one_site_does_not_post_on_another(api, db):
    from rostra.service.sites import create_site

    create_site(db, "gazette", ["https://gazette.example"])
    hs256_site(db)
    session = sign_in(api, token()).json()["session"]
    payload = {"site": "gazette", "thread": {"key": "g-1"}, "body": "Hello"}
    answer = api.post(
        "/api/v1/comments", json=payload,
        headers={"Origin": "https://gazette.example", "Authorization": f"Bearer {session}"},
    )  # fmt: skip
    assert answer.status_code == 403
    assert answer.json()["error"] == "other_site_session"
