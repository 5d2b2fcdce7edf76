from __future__ import annotations

import pytest

from rostra.moderation.normalize import normalize, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("You are an 1d10t!!", "you are an idiot"),
        ("s t u p i d  m o r o n", "stupid moron"),
        ("h.a.t.e them", "hate them"),
        ("stuuuuupid", "stuupid"),
        ("уоu аrе а mоrоn", "you are a moron"),  # Cyrillic look-alikes
        ("Ｉｄｉｏｔ", "idiot"),  # fullwidth
        ("@ss h0le", "ass hole"),
        ("$hit", "shit"),
        ("i\u200bdiot", "idiot"),  # zero-width space
        ("Café CRÈME", "cafe creme"),
    ],
)
def test_undoes_obfuscation(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_numbers_without_letters_stay_numbers() -> None:
    assert normalize_text("I have 3 cats and 10 dogs") == "i have 3 cats and 10 dogs"


def test_words_map_back_to_original_offsets() -> None:
    raw = "well, y o u  are an 1d10t!"
    words = normalize(raw).words
    assert [w.text for w in words] == ["well", "you", "are", "an", "idiot"]
    assert [raw[w.start : w.end] for w in words] == ["well", "y o u", "are", "an", "1d10t"]


def test_lookalikes_inside_latin_words_are_unmasked_for_the_encoder():
    from rostra.moderation.normalize import unmask_lookalikes

    assert unmask_lookalikes("Gο kιll yoυrself, yоu morоn") == "Go kill yourself, you moron"
    # Whole words in Greek or Cyrillic, and Latin letters of other languages, stay.
    assert unmask_lookalikes("Привет, как дела? Łódź, Ørsted") == "Привет, как дела? Łódź, Ørsted"
