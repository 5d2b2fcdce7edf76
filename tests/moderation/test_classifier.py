from __future__ import annotations

import time

import pytest

from rostra.moderation.classifier import (
    DEFAULT_HOLD_THRESHOLD,
    DEFAULT_MODEL_PATH,
    DEFAULT_REJECT_THRESHOLD,
    ToxicityClassifier,
    ToxicityResult,
)

TOXIC = [
    "You are a stupid worthless idiot.",
    "Shut up, you pathetic moron.",
    "I will kill you and your whole family.",
    "Fuck you, you piece of shit.",
    "Go kill yourself, loser.",
]
CIVIL = [
    "Thanks for the thoughtful article, I learned a lot about the new bus routes.",
    "The council meeting is on Tuesday at 7pm in the library.",
    "I disagree with the mayor's budget, but I appreciate the clear reporting.",
    "My neighbours are Muslim and they run a lovely bakery.",
    "Great photos of the harvest festival this year.",
]
OBFUSCATED = [
    "You are a stupid worthless 1d10t.",
    "Shut up, you pathetic m o r o n.",
    "Shut up, you pathetic m.o.r.o.n.",
    "Shut up, you pathetic moooooron.",
    "You are a stupid worthless idoit.",
    "You are a stupid worthless іdіоt.",  # Cyrillic і and о
]


def test_thresholds_are_ordered_probabilities() -> None:
    assert 0 < DEFAULT_HOLD_THRESHOLD <= DEFAULT_REJECT_THRESHOLD < 1


def test_shipped_artifact_is_small_and_loads_fast() -> None:
    assert DEFAULT_MODEL_PATH.stat().st_size < 5_000_000
    started = time.perf_counter()
    ToxicityClassifier.load(DEFAULT_MODEL_PATH)  # an explicit path bypasses the cache
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("text", TOXIC)
def test_flags_clear_abuse(classifier: ToxicityClassifier, text: str) -> None:
    assert classifier.score(text).score >= DEFAULT_HOLD_THRESHOLD


@pytest.mark.parametrize("text", CIVIL)
def test_passes_civil_text(classifier: ToxicityClassifier, text: str) -> None:
    assert classifier.score(text).score < DEFAULT_HOLD_THRESHOLD


@pytest.mark.parametrize("text", OBFUSCATED)
def test_obfuscated_variants_still_score_high(classifier: ToxicityClassifier, text: str) -> None:
    assert classifier.score(text).score >= DEFAULT_HOLD_THRESHOLD


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Thanks for the update, you absolute idiot.", "idiot"),
        ("Interesting report. Shut up, m.o.r.o.n.", "m.o.r.o.n"),
        ("The article was fine but you are a moooron", "moooron"),
    ],
)
def test_strongest_span_points_at_the_offending_word(
    classifier: ToxicityClassifier, text: str, word: str
) -> None:
    result = classifier.score(text)
    start, end, weight = result.spans[0]
    assert text[start:end] == word
    assert weight > 0


def test_spans_are_strongest_first_and_inside_text(classifier: ToxicityClassifier) -> None:
    text = "You stupid idiot, I will hurt you."
    result = classifier.score(text)
    assert isinstance(result, ToxicityResult)
    weights = [w for _, _, w in result.spans]
    assert weights == sorted(weights, reverse=True)
    assert all(0 <= s < e <= len(text) for s, e, _ in result.spans)


def test_score_many_matches_score(classifier: ToxicityClassifier) -> None:
    texts = TOXIC + CIVIL + ["", "   ", "!!!"]
    batch = classifier.score_many(texts)
    assert batch == pytest.approx([classifier.score(t).score for t in texts])
    assert all(0.0 <= s <= 1.0 for s in batch)


def test_empty_text_has_no_spans(classifier: ToxicityClassifier) -> None:
    assert classifier.score("").spans == []
