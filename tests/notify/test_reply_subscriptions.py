"""Reply mails as a reader meets them: opting in when commenting, confirming
by a mailed link, getting replies, and unsubscribing in one click."""

from urllib.parse import urlsplit

from notify_support import html_of, link_in, premoderate_everything, text_of, unsubscribe_url
from sqlalchemy import select

from rostra.store import sites as site_store
from rostra.store.schema import comments, outbox

ANA = "ana@example.com"
ARTICLE = "https://news.example/2026/04/bridge-reopens"


def comment(api, body, *, email=None, name="Ana", parent=None, notify=False):
    author = {"name": name, **({"email": email} if email else {})}
    answer = api.post("/api/v1/comments", json={
        "site": "news", "thread": {"key": "bridge", "url": ARTICLE, "title": "The bridge reopens"},
        "author": author, "body": body, "parent": parent, "notify": notify,
    })  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()["comment"]["id"]


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def subscribe_and_confirm(api, sender, mailbox, email=ANA) -> int:
    comment_id = comment(api, "I walked across it this morning.", email=email, notify=True)
    sender.run_once()
    [confirm_mail] = mailbox.to(email)
    assert api.get(local(link_in(confirm_mail, "/subscriptions/confirm"))).status_code == 200
    return comment_id


def test_a_reader_confirms_then_gets_a_mail_for_a_reply(api, sender, mailbox):
    first = comment(api, "I walked across it this morning.", email=ANA, notify=True)
    sender.run_once()
    [confirm_mail] = mailbox.messages
    assert confirm_mail["To"] == ANA
    assert confirm_mail["Subject"] == (
        "Please confirm: mails about replies to your comments on news"
    )
    assert "List-Unsubscribe" not in confirm_mail
    link = link_in(confirm_mail, "/subscriptions/confirm?token=")
    assert link in html_of(confirm_mail)

    # Before confirming, replies send nothing.
    comment(api, "Was it crowded?", name="Ben", email="ben@example.com", parent=first)
    sender.run_once()
    assert len(mailbox.messages) == 1

    page = api.get(local(link))
    assert page.status_code == 200 and "Confirmed" in page.text
    reply = comment(api, "Only at eight.", name="Ben", email="ben@example.com", parent=first)
    sender.run_once()
    [reply_mail] = mailbox.messages[1:]
    assert reply_mail["To"] == ANA
    assert reply_mail["Subject"] == "Ben replied to your comment on “The bridge reopens”"
    body = text_of(reply_mail)
    assert "Only at eight." in body and "I walked across it this morning." in body
    assert f"{ARTICLE}#comment-{reply}" in body
    assert f'href="{ARTICLE}#comment-{reply}"' in html_of(reply_mail)
    assert "Was it crowded?" not in body  # posted before the subscription was confirmed


def test_reply_mails_carry_one_click_unsubscribe_and_a_stable_message_id(api, db, sender, mailbox):
    first = subscribe_and_confirm(api, sender, mailbox)
    comment(api, "Agreed.", name="Ben", parent=first)
    sender.run_once()
    reply_mail = mailbox.messages[-1]
    unsubscribe = unsubscribe_url(reply_mail)
    assert unsubscribe.startswith("https://comments.news.example/unsubscribe?token=")
    assert reply_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in text_of(reply_mail)
    with db.read() as conn:
        row_id = conn.execute(
            select(outbox.c.id).where(outbox.c.kind == "reply_digest")
        ).scalar_one()
    assert reply_mail["Message-ID"] == f"<rostra.outbox.{row_id}@comments.news.example>"

    # Opening the link (as mail scanners do) changes nothing; the button does.
    page = api.get(local(unsubscribe))
    assert page.status_code == 200 and "Stop these mails" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    comment(api, "Still subscribed?", name="Ben", parent=first)
    sender.run_once()
    assert mailbox.messages[-1]["Subject"].startswith("Ben replied")

    # What a mail provider sends for the reader (RFC 8058).
    answer = api.post(
        local(unsubscribe), content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert answer.status_code == 200 and "Unsubscribed" in answer.text
    count = len(mailbox.messages)
    comment(api, "Hello again", name="Ben", parent=first)
    sender.run_once()
    assert len(mailbox.messages) == count
    assert "Unsubscribed" in api.get(local(unsubscribe)).text


def test_links_with_a_changed_token_do_nothing(api, sender, mailbox):
    first = subscribe_and_confirm(api, sender, mailbox)
    comment(api, "A reply", name="Ben", parent=first)
    sender.run_once()
    unsubscribe = local(unsubscribe_url(mailbox.messages[-1]))
    forged = unsubscribe[:-3] + ("AAA" if not unsubscribe.endswith("AAA") else "BBB")
    answer = api.post(forged)
    assert answer.status_code == 400 and "This link does not work" in answer.text
    bad_confirm = api.get("/subscriptions/confirm?token=1.1700000000.abc")
    assert bad_confirm.status_code == 400
    comment(api, "Another reply", name="Ben", parent=first)
    sender.run_once()
    assert mailbox.messages[-1]["Subject"].startswith("Ben replied")


def test_asking_again_sends_at_most_one_confirmation_a_day(api, sender, mailbox):
    comment(api, "One", email=ANA, notify=True)
    comment(api, "Two", email="Ana@Example.com", notify=True)
    sender.run_once()
    assert len(mailbox.to(ANA)) == 1


def test_no_mail_for_answering_oneself_or_for_held_replies(api, db, site, sender, mailbox):
    first = subscribe_and_confirm(api, sender, mailbox)
    comment(api, "Adding to my own point", email=ANA, parent=first)
    sender.run_once()
    assert len(mailbox.messages) == 1  # the confirmation only

    premoderate_everything(db, site)
    held = comment(api, "Held for review", name="Ben", parent=first)
    sender.run_once()
    assert len(mailbox.messages) == 1
    with db.read() as conn:
        assert conn.execute(select(comments.c.status).where(comments.c.id == held)).scalar() == (
            "pending"
        )


def test_notify_needs_an_email_and_stores_nothing_without_one(api, db):
    answer = api.post("/api/v1/comments", json={
        "site": "news", "thread": {"key": "bridge"}, "author": {"name": "Ana"},
        "body": "Mail me", "notify": True,
    })  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["error"] == "notify_needs_email"
    with db.read() as conn:
        assert conn.execute(select(comments.c.id)).first() is None


def test_a_german_site_mails_and_answers_in_german(api, db, site, sender, mailbox):
    with db.write() as conn:
        settings = dict(site.settings, language="de")
        site_store.update_site(conn, site.id, origins=site.origins, settings=settings)
    first = comment(api, "Ich bin heute drübergelaufen.", email=ANA, notify=True)
    sender.run_once()
    [confirm_mail] = mailbox.messages
    assert confirm_mail["Subject"] == (
        "Bitte bestätigen: Mails über Antworten auf Ihre Kommentare bei news"
    )
    assert "Bitte bestätigen Sie das mit diesem Link" in text_of(confirm_mail)
    assert 'lang="de"' in html_of(confirm_mail)
    page = api.get(local(link_in(confirm_mail, "/subscriptions/confirm")))
    assert "Bestätigt" in page.text and 'lang="de"' in page.text

    comment(api, "War es voll?", name="Ben", parent=first)
    comment(api, "Nein.", name="Cem", parent=first)
    sender.run_once()
    [reply_mail] = mailbox.messages[1:]  # both replies, in one mail
    assert reply_mail["Subject"] == "2 neue Antworten auf Ihre Kommentare zu „The bridge reopens“"
    body = text_of(reply_mail)
    assert "War es voll?" in body and "Nein." in body
    assert "Ben antwortete auf „Ich bin heute drübergelaufen.“" in body
    assert "Lesen und antworten:" in body
    assert "Keine Mails mehr über Antworten" in text_of(reply_mail)
    unsubscribe = local(unsubscribe_url(reply_mail))
    assert "Diese Mails abbestellen" in api.get(unsubscribe).text
    assert "Abbestellt" in api.post(unsubscribe).text
