"""Sparse n-gram features over normalised text.

Four views, each with its own name prefix so they never collide:

* ``w`` word unigrams and ``b`` word bigrams: the plain reading;
* ``c`` character 2-5-grams inside each space-padded word: survives typos,
  swapped or dropped letters and inflections;
* ``d`` character 4-5-grams over the text with spaces removed and every letter
  run squeezed to one: survives missing or inserted spaces ("youareanidiot",
  "id iot") and leftover letter repeats.

Each feature carries the range of word indices it was read from, so a score
can be traced back to words of the original text.
"""

from __future__ import annotations

from collections.abc import Iterator

from .normalize import Normalized, normalize

CHAR_SIZES = (2, 3, 4, 5)
DESPACED_SIZES = (4, 5)

# (feature name, first word index, last word index inclusive)
Feature = tuple[str, int, int]


def _word_features(words: list[str]) -> Iterator[Feature]:
    for k, word in enumerate(words):
        yield "w " + word, k, k
        if k:
            yield "b " + words[k - 1] + " " + word, k - 1, k


def _char_features(words: list[str]) -> Iterator[Feature]:
    for k, word in enumerate(words):
        padded = " " + word + " "
        length = len(padded)
        for n in CHAR_SIZES:
            for i in range(length - n + 1):
                yield "c " + padded[i : i + n], k, k


def _despaced(words: list[str]) -> tuple[str, list[int]]:
    chars: list[str] = []
    owner: list[int] = []
    for k, word in enumerate(words):
        for c in word:
            if chars and chars[-1] == c:
                continue
            chars.append(c)
            owner.append(k)
    return "".join(chars), owner


def _despaced_features(words: list[str]) -> Iterator[Feature]:
    text, owner = _despaced(words)
    for n in DESPACED_SIZES:
        for i in range(len(text) - n + 1):
            yield "d " + text[i : i + n], owner[i], owner[i + n - 1]


def extract(norm: Normalized) -> list[Feature]:
    words = [w.text for w in norm.words]
    out = list(_word_features(words))
    out.extend(_char_features(words))
    out.extend(_despaced_features(words))
    return out


def analyze(text: str) -> list[str]:
    """Feature names only: the analyzer handed to the vectoriser in training."""
    return [name for name, _, _ in extract(normalize(text))]
