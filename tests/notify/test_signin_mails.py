"""Sign-in and privacy links travel by real mail, in the site's language."""

import re

from notify_support import text_of

from rostra.service.sites import configure_identity

ORIGIN = {"Origin": "https://news.example"}
ARTICLE = "https://news.example/2026/11/bridge"


def _link(message, pattern: str) -> str:
    found = re.search(pattern, text_of(message))
    assert found, text_of(message)
    return found.group(0)


def test_a_mailed_sign_in_link_signs_the_reader_in(api, db, sender, mailbox):
    configure_identity(db, "news", {"email_signin": True})
    asked = api.post(
        "/api/v1/auth/email",
        json={"site": "news", "email": "reader@mail.example", "name": "Chidi Okafor",
              "return_url": ARTICLE},
        headers=ORIGIN,
    )  # fmt: skip
    assert asked.status_code == 202
    sender.run_once()
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == "reader@mail.example"
    link = _link(mail, re.escape(ARTICLE) + r"#rostra-signin=[\w-]+")
    signed = api.post(
        "/api/v1/auth/email/redeem", json={"token": link.split("=", 1)[1]}, headers=ORIGIN
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["reader"]["name"] == "Chidi Okafor"


def test_a_mailed_privacy_link_in_german_opens_the_privacy_page(api, db, sender, mailbox):
    configure_identity(db, "news", {}, language="de")
    api.post(
        "/api/v1/comments",
        json={"site": "news", "thread": {"key": "t"}, "body": "Mit E-Mail geschrieben",
              "author": {"name": "Dana", "email": "dana@mail.example"}},
        headers=ORIGIN,
    )  # fmt: skip
    api.post(
        "/api/v1/privacy/request", json={"site": "news", "email": "dana@mail.example"},
        headers=ORIGIN,
    )  # fmt: skip
    sender.run_once()
    [mail] = mailbox.wait_for(1)
    link = _link(mail, r"https://comments\.news\.example/privacy\?token=[\w-]+")
    page = api.get(link.replace("https://comments.news.example", ""))
    assert page.status_code == 200
    assert "Ihre Kommentare" in page.text
    assert "dana@mail.example" in page.text
