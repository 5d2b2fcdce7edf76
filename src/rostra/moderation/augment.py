"""Synthetic obfuscation of training text.

Normalisation undoes most disguises exactly, but not typos, dropped or swapped
letters, split words or glued words. Training on disguised copies of real rows
(toxic and civil alike, so "looks disguised" is not itself a signal) teaches the
character n-grams to cover those.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection

_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
_CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "y": "у", "x": "х", "i": "і"}
_SEPARATORS = (".", "-", "_", "*", " ")


def _leet(word: str, rng: random.Random) -> str:
    return "".join(_LEET[c] if c in _LEET and rng.random() < 0.6 else c for c in word)


def _confusable(word: str, rng: random.Random) -> str:
    return "".join(_CYRILLIC[c] if c in _CYRILLIC and rng.random() < 0.5 else c for c in word)


def _separate(word: str, rng: random.Random) -> str:
    return rng.choice(_SEPARATORS).join(word)


def _split(word: str, rng: random.Random) -> str:
    cut = rng.randrange(1, len(word))
    return word[:cut] + " " + word[cut:]


def _repeat(word: str, rng: random.Random) -> str:
    k = rng.randrange(len(word))
    return word[: k + 1] + word[k] * rng.randint(2, 5) + word[k + 1 :]


def _swap(word: str, rng: random.Random) -> str:
    k = rng.randrange(len(word) - 1)
    return word[:k] + word[k + 1] + word[k] + word[k + 2 :]


def _drop(word: str, rng: random.Random) -> str:
    k = rng.randrange(1, len(word))
    return word[:k] + word[k + 1 :]


def _mask(word: str, rng: random.Random) -> str:
    k = rng.randrange(1, len(word) - 1)
    return word[:k] + "*" + word[k + 1 :]


WordTrick = Callable[[str, random.Random], str]
WORD_TRICKS: tuple[WordTrick, ...] = (
    _leet, _confusable, _separate, _split, _repeat, _swap, _drop, _drop, _swap, _mask,
)  # fmt: skip


def obfuscate(text: str, rng: random.Random, salient: Collection[str] = ()) -> str:
    """Disguise one or two words, preferring words the model leans on."""
    words = text.split(" ")
    candidates = [k for k, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return text
    preferred = [k for k in candidates if words[k].lower() in salient]
    pool = preferred or candidates
    for k in rng.sample(pool, min(len(pool), rng.choice((1, 1, 2)))):
        words[k] = rng.choice(WORD_TRICKS)(words[k], rng)
    if rng.random() < 0.1:
        # glue the whole comment together: "youareanidiot"
        return "".join(words)
    return " ".join(words)
