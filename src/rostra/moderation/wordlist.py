"""Word lists matched the way people dodge them.

Text and list entries are normalised alike (case, accents, look-alike letters
from other scripts, leetspeak, spaced or dotted letters), then repeated letters
are collapsed, so "H4TE", "h a t e", "h.a.t.e", "haaate" and "hаte" (Cyrillic
а) all match "hate". Matching is by whole word to spare innocent words that
contain a listed one; an entry ending in `*` also matches words it begins.
"""

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from rostra.moderation.normalize import normalize


def _collapse(word: str) -> str:
    return "".join(ch for k, ch in enumerate(word) if k == 0 or ch != word[k - 1])


@dataclass(frozen=True)
class Hit:
    entry: str
    start: int
    end: int


@dataclass(frozen=True)
class WordList:
    exact: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: tuple[tuple[str, tuple[str, ...]], ...]

    def find(self, text: str) -> list[Hit]:
        words = normalize(text).words
        keys = [_collapse(word.text) for word in words]
        hits = [
            Hit(key, word.start, word.end)
            for key, word in zip(keys, words, strict=True)
            if self._matches(key)
        ]
        # A word split in two ("ha te") is caught by joining neighbours.
        for k in range(len(keys) - 1):
            joined = _collapse(keys[k] + keys[k + 1])
            if (
                self._matches(joined)
                and not self._matches(keys[k])
                and not self._matches(keys[k + 1])
            ):
                hits.append(Hit(joined, words[k].start, words[k + 1].end))
        for entry, parts in self.phrases:
            for k in range(len(keys) - len(parts) + 1):
                if tuple(keys[k : k + len(parts)]) == parts:
                    hits.append(Hit(entry, words[k].start, words[k + len(parts) - 1].end))
        return sorted(hits, key=lambda hit: hit.start)

    def _matches(self, key: str) -> bool:
        return key in self.exact or any(key.startswith(prefix) for prefix in self.prefixes)


@lru_cache(maxsize=256)
def compile_words(entries: tuple[str, ...]) -> WordList:
    """Compiled once per distinct list; a changed list is a new key, so it applies at once."""
    exact, prefixes, phrases = set(), [], []
    for entry in entries:
        wildcard = entry.endswith("*")
        keys = tuple(_collapse(word.text) for word in normalize(entry.rstrip("*")).words)
        if not keys:
            continue
        if len(keys) > 1:
            phrases.append((entry, keys))
        elif wildcard:
            prefixes.append(keys[0])
        else:
            exact.add(keys[0])
    return WordList(frozenset(exact), tuple(prefixes), tuple(phrases))


def canonical_text(text: str) -> str:
    return " ".join(_collapse(word.text) for word in normalize(text).words)


def fingerprint(text: str) -> str:
    """Equal for texts that differ only in case, spacing, punctuation or disguise."""
    return hashlib.blake2b(canonical_text(text).encode(), digest_size=8).hexdigest()
