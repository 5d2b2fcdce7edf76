"""Sign-in by a one-time link sent by email, for sites without their own accounts."""

from urllib.parse import parse_qs, urlsplit

from identity_support import ORIGIN, bearer, comment, hs256_site, sign_in, token
from sqlalchemy import select

from rostra.service.sites import configure_identity
from rostra.store.schema import outbox

ARTICLE = "https://news.example/2026/11/bridge"


def mailed_links(db, kind: str, recipient: str) -> list[str]:
    """The links in the mails waiting in the outbox for `recipient`."""
    with db.read() as conn:
        rows = conn.execute(
            select(outbox.c.payload).where(outbox.c.kind == kind, outbox.c.recipient == recipient)
        ).all()
    return [message["link"] for (payload,) in rows for message in payload["messages"]]


def ask_for_link(api, email="reader@mail.example", name="Chidi Okafor", **extra):
    payload = {"site": "news", "email": email, "name": name, "return_url": ARTICLE, **extra}
    return api.post("/api/v1/auth/email", json=payload, headers=ORIGIN)


def token_of(link: str) -> str:
    return link.split("#rostra-signin=", 1)[1]


def redeem(api, value: str):
    return api.post("/api/v1/auth/email/redeem", json={"token": value}, headers=ORIGIN)


def test_an_emailed_link_signs_the_reader_in_once(api, db):
    configure_identity(db, "news", {"email_signin": True})
    assert ask_for_link(api).status_code == 202
    [link] = mailed_links(db, "signin", "reader@mail.example")
    assert link.startswith(ARTICLE + "#rostra-signin=")
    signed = redeem(api, token_of(link))
    assert signed.status_code == 200, signed.text
    reader = signed.json()["reader"]
    assert (reader["name"], reader["provider"]) == ("Chidi Okafor", "email")
    posted = comment(api, "Signed in by mail.", bearer(signed.json()["session"]))
    assert posted.json()["comment"]["author"]["verified"] is True
    again = redeem(api, token_of(link))
    assert again.status_code == 401
    assert again.json()["error"] == "link_used"


def test_sign_in_links_are_refused_when_the_site_does_not_offer_them(api, db):
    answer = ask_for_link(api)
    assert answer.status_code == 403
    assert answer.json()["error"] == "email_signin_off"
    assert mailed_links(db, "signin", "reader@mail.example") == []


def test_links_lead_only_back_to_the_site(api, db):
    configure_identity(db, "news", {"email_signin": True})
    answer = ask_for_link(api, return_url="https://phish.example/login")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_return_url"


def test_unknown_and_made_up_links_are_refused(api, db):
    answer = redeem(api, "made-up-token")
    assert answer.status_code == 401
    assert answer.json()["error"] == "link_invalid"


def test_an_expired_link_is_refused(api, db):
    from datetime import UTC, datetime, timedelta

    from rostra.store.schema import email_links

    configure_identity(db, "news", {"email_signin": True})
    ask_for_link(api)
    [link] = mailed_links(db, "signin", "reader@mail.example")
    with db.write() as conn:
        conn.execute(email_links.update().values(expires_at=datetime.now(UTC) - timedelta(1)))
    answer = redeem(api, token_of(link))
    assert answer.json()["error"] == "link_expired"


def test_many_link_requests_are_throttled(api, db):
    configure_identity(db, "news", {"email_signin": True})
    for _ in range(5):
        assert ask_for_link(api).status_code == 202
    refused = ask_for_link(api)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3600"
    assert len(mailed_links(db, "signin", "reader@mail.example")) == 5


def test_an_email_reader_cannot_take_a_verified_name(api, db):
    hs256_site(db, email_signin=True)
    sign_in(api, token())  # Anna Berg signs in through the site
    answer = ask_for_link(api, name="Anna Bérg")
    assert answer.status_code == 409
    assert answer.json()["error"] == "name_reserved"


def test_privacy_links_go_to_rostras_own_page(api, db):
    payload = {"site": "news", "email": "dana@mail.example"}
    assert api.post("/api/v1/privacy/request", json=payload, headers=ORIGIN).status_code == 202
    [link] = mailed_links(db, "privacy", "dana@mail.example")
    parts = urlsplit(link)
    assert parts.path == "/privacy"
    assert parse_qs(parts.query)["token"]
