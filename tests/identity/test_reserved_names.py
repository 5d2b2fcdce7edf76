"""A verified reader's name is theirs: lookalikes are refused to everyone else."""

import pytest
from identity_support import ORIGIN, bearer, comment, hs256_site, sign_in, token

from rostra.domain.names import name_key

LOOKALIKES_OF_ANNA_BERG = [
    "Anna Berg",
    "anna berg",
    "ANNA BERG",
    "Anna  Berg",
    "Anna Bérg",
    "Ánna Berg",
    "\u0410nna Berg",  # Cyrillic А
    "Anna B\u0435rg",  # Cyrillic е
    "\u0391nna Berg",  # Greek Α
    "Anna\u200bBerg",  # zero-width space
    "Anna\u00adBerg",  # soft hyphen
    "Anna\u202eBerg",  # right-to-left override
    "AnnaBerg",
    "Anna_Berg",
    "Anna.Berg",
    "Ａｎｎａ Ｂｅｒｇ",  # fullwidth
    "Anna Berg\ufe0f",
]

DIFFERENT_NAMES = ["Anna Bergen", "Hanna Berg", "Anne Berg", "Anna", "Берг Анна", "安娜"]


@pytest.mark.parametrize("lookalike", LOOKALIKES_OF_ANNA_BERG)
def test_lookalike_names_share_a_key(lookalike):
    assert name_key(lookalike) == name_key("Anna Berg")


@pytest.mark.parametrize("other", DIFFERENT_NAMES)
def test_different_names_keep_different_keys(other):
    assert name_key(other) != name_key("Anna Berg")


def test_confusable_letters_and_digits():
    assert name_key("Bill") == name_key("BiII") == name_key("Bi11") == name_key("B1ll")
    assert name_key("Mary") == name_key("rnary")
    assert name_key("Olaf") == name_key("0laf")


def test_anonymous_lookalikes_of_a_verified_name_are_refused(api, db):
    hs256_site(db)
    assert sign_in(api, token()).status_code == 200
    for lookalike in ("Anna Berg", "\u0410nna B\u0435rg", "anna  bérg", "Anna\u200bBerg"):
        answer = comment(api, "I am totally Anna.", ORIGIN, name=lookalike)
        assert answer.status_code == 409, lookalike
        assert answer.json()["error"] == "name_reserved"
        assert "verified reader" in answer.json()["message"]
    allowed = comment(api, "Just another Anna.", ORIGIN, name="Anna Bergen")
    assert allowed.status_code == 201
    page = api.get("/api/v1/threads", params={"site": "news", "key": "story-1"}).json()
    assert [c["author"]["name"] for c in page["comments"]] == ["Anna Bergen"]


def test_the_verified_reader_posts_under_their_own_name(api, db):
    hs256_site(db)
    session = sign_in(api, token()).json()["session"]
    # Whatever name the form sends, a signed-in reader posts as themself.
    answer = comment(api, "It is me.", bearer(session), name="Someone Else")
    assert answer.status_code == 201, answer.text
    assert answer.json()["comment"]["author"]["name"] == "Anna Berg"
    assert answer.json()["comment"]["author"]["verified"] is True


def test_names_are_reserved_per_site(api, db):
    from rostra.service.sites import create_site

    create_site(db, "gazette", ["https://gazette.example"])
    hs256_site(db)
    sign_in(api, token())
    payload = {
        "site": "gazette", "thread": {"key": "g-1"}, "body": "Different paper, my name too.",
        "author": {"name": "Anna Berg"},
    }  # fmt: skip
    answer = api.post(
        "/api/v1/comments", json=payload, headers={"Origin": "https://gazette.example"}
    )
    assert answer.status_code == 201, answer.text
