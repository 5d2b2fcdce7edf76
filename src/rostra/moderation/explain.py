"""Trace a linear score back to words of the original text.

With sublinear TF-IDF and L2 normalisation the logit is
``intercept + sum(tfidf(f) * coef(f)) / norm``; each feature's term is split
evenly over its occurrences and each occurrence evenly over the words it was
read from. Word-level sums then add up exactly to the logit minus intercept.
"""

from __future__ import annotations

from collections import defaultdict

from .features import Feature
from .normalize import Normalized

# Words whose push is below this share of the strongest word are noise.
_MIN_SHARE = 0.15
_MAX_SPANS = 8


def word_contributions(
    features: list[Feature],
    terms: dict[str, float],
    norm: float,
    n_words: int,
) -> list[float]:
    """``terms`` holds each known feature's tfidf * coef before normalisation."""
    occurrences: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for name, first, last in features:
        if name in terms:
            occurrences[name].append((first, last))
    out = [0.0] * n_words
    for name, spots in occurrences.items():
        share = terms[name] / norm / len(spots)
        for first, last in spots:
            width = last - first + 1
            for k in range(first, last + 1):
                out[k] += share / width
    return out


def spans(norm: Normalized, contributions: list[float]) -> list[tuple[int, int, float]]:
    """Positive contributors as (start, end, weight) in the original text, strongest first."""
    ranked = sorted(
        ((c, w.start, w.end) for c, w in zip(contributions, norm.words, strict=True) if c > 0),
        reverse=True,
    )
    if not ranked:
        return []
    floor = ranked[0][0] * _MIN_SHARE
    return [(start, end, round(c, 4)) for c, start, end in ranked[:_MAX_SPANS] if c >= floor]
