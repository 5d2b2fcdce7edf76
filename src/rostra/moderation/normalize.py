"""Undo the usual tricks people use to slip abuse past a filter.

Every normalised character remembers which character of the original text it came
from, so explanations can be drawn on the text the moderator actually sees.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Look-alike letters from other scripts. NFKC already folds fullwidth and
# mathematical alphabets; these survive it because they are real letters of
# their own scripts.
CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "н": "h",
    "і": "i", "ї": "i", "ј": "j", "к": "k", "ӏ": "l", "м": "m", "п": "n", "о": "o",
    "р": "p", "ԛ": "q", "г": "r", "ѕ": "s", "т": "t", "и": "u", "ц": "u", "ѵ": "v",
    "ԝ": "w", "ш": "w", "х": "x", "у": "y", "ү": "y", "з": "3", "ь": "b",
    # Greek
    "α": "a", "β": "b", "ϲ": "c", "δ": "d", "ε": "e", "η": "n", "ι": "i", "κ": "k",
    "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w",
    "μ": "u", "σ": "o", "ς": "s", "λ": "a",
    # Other common stand-ins
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe",
}  # fmt: skip

# Symbols used as letters. Digits only count when they sit inside a word that
# also has letters, so "3 cats" keeps its number.
LEET: dict[str, str] = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e", "£": "l", "¢": "c",
}  # fmt: skip

_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"}

# A run of at least this many one-letter words is read as one spaced-out word.
_MIN_SPACED_RUN = 3
# Letters repeated more than this are squeezed down to it ("stuuuupid" -> "stuupid").
_MAX_REPEAT = 2


@dataclass(frozen=True)
class Word:
    text: str
    start: int  # offset in the original text
    end: int


@dataclass(frozen=True)
class Normalized:
    words: tuple[Word, ...]
    # for each character of the words, the original offset it came from
    offsets: tuple[tuple[int, ...], ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


Chars = list[tuple[str, int]]


# Comments reuse a small alphabet: each character is folded once per process.
@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    if ch in _INVISIBLE:
        return ""
    folded = unicodedata.normalize("NFKC", ch)
    out = []
    for c in unicodedata.normalize("NFKD", folded.lower()):
        if unicodedata.combining(c):
            continue
        out.append(CONFUSABLES.get(c, c))
    return "".join(out)


def _fold(text: str) -> Chars:
    chars: Chars = []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            chars.append((c, i))
    return chars


def _chunks(chars: Chars) -> list[Chars]:
    chunks: list[Chars] = []
    current: Chars = []
    for item in chars:
        if item[0].isspace():
            if current:
                chunks.append(current)
                current = []
        else:
            current.append(item)
    if current:
        chunks.append(current)
    return chunks


def _is_wordy(c: str) -> bool:
    return c.isalnum() or c in LEET


def _undo_leet(chunk: Chars) -> Chars:
    alnum_at = [k for k, (c, _) in enumerate(chunk) if c.isalnum()]
    if not any(c.isalpha() for c, _ in chunk):
        return chunk
    first, last = alnum_at[0], alnum_at[-1]
    out: Chars = []
    for k, (c, i) in enumerate(chunk):
        # Symbols after the last letter are punctuation ("idiot!!"); one symbol
        # right before the first letter is a letter ("$hit", "@ss").
        inside = first <= k <= last or k == first - 1 == 0
        if c in LEET and (c.isdigit() or inside):
            c = LEET[c]
        out.append((c, i))
    return out


def _squeeze(chars: Chars, limit: int) -> Chars:
    out: Chars = []
    run = 0
    for k, item in enumerate(chars):
        run = run + 1 if k and item[0] == chars[k - 1][0] else 1
        if run <= limit:
            out.append(item)
    return out


def _spaced_runs(words: list[Chars]) -> list[tuple[int, int]]:
    """Index ranges of runs of one-letter words, split where the gap widens
    ("s t u p i d  m o r o n" is two words)."""
    runs: list[tuple[int, int]] = []
    k = 0
    while k < len(words):
        j = k
        while j < len(words) and len(words[j]) == 1:
            j += 1
        if j - k >= _MIN_SPACED_RUN:
            gaps = [words[m + 1][0][1] - words[m][0][1] for m in range(k, j - 1)]
            narrow = min(gaps)
            start = k
            for m, gap in enumerate(gaps, start=k):
                if gap > narrow:
                    runs.append((start, m + 1))
                    start = m + 1
            runs.append((start, j))
            k = j
        else:
            k += 1
    return [(a, b) for a, b in runs if b - a >= _MIN_SPACED_RUN]


def _join_spaced_letters(words: list[Chars]) -> list[Chars]:
    runs = {a: b for a, b in _spaced_runs(words)}
    out: list[Chars] = []
    k = 0
    while k < len(words):
        if k in runs:
            out.append([item for w in words[k : runs[k]] for item in w])
            k = runs[k]
        else:
            out.append(words[k])
            k += 1
    return out


# A comment is normalised several times on its way in (its fingerprint, the
# word lists, the classifier); the result is immutable, so the last few are kept.
@lru_cache(maxsize=64)
def normalize(text: str) -> Normalized:
    """Lower-case, fold look-alikes, undo leetspeak, join spaced-out letters,
    drop punctuation inside words and squeeze long letter runs."""
    words: list[Chars] = []
    for chunk in _chunks(_fold(text)):
        # Punctuation inside a word ("h.a.t.e", "id-iot") is dropped, which
        # also glues contractions and hyphenations; both sides of training and
        # serving see the same thing, so that is harmless.
        kept = [item for item in _undo_leet(chunk) if item[0].isalnum()]
        if kept:
            words.append(kept)
    words = [_squeeze(w, _MAX_REPEAT) for w in _join_spaced_letters(words)]
    return Normalized(
        words=tuple(Word("".join(c for c, _ in w), w[0][1], w[-1][1] + 1) for w in words),
        offsets=tuple(tuple(i for _, i in w) for w in words),
    )


def normalize_text(text: str) -> str:
    return normalize(text).text


# Greek and Cyrillic look-alikes only: Latin letters such as "ł" or "ø" are
# real letters of the words they are in.
_SCRIPT_LOOKALIKES = {
    c: latin
    for c, latin in CONFUSABLES.items()
    if unicodedata.name(c, "").startswith(("GREEK", "CYRILLIC"))
}
_WORD = re.compile(r"\w+")


def _unmask_word(match: re.Match) -> str:
    word = match.group()
    if word.isascii() or not any(c.isascii() and c.isalpha() for c in word):
        return word
    return "".join(_SCRIPT_LOOKALIKES.get(c, c) for c in word)


def unmask_lookalikes(text: str) -> str:
    """Latin letters for the Greek and Cyrillic look-alikes inside a Latin word.

    A word that mixes scripts ("yοu" with a Greek omicron) is a disguise; a
    word wholly in Greek or Cyrillic is left as it is.
    """
    return text if text.isascii() else _WORD.sub(_unmask_word, text)
