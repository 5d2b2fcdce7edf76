"""The toxicity classifier the server calls.

Scoring is pure Python over the exported linear model: no numpy, no
scikit-learn, nothing downloaded. A few thousand dictionary look-ups per
comment keep it well under a millisecond for typical comment lengths.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import artifact
from .explain import spans, word_contributions
from .features import extract
from .normalize import normalize

MODEL_DIR = Path(__file__).parent / "model"
DEFAULT_MODEL_PATH = MODEL_DIR / "toxicity.tsv.gz"
THRESHOLDS_PATH = MODEL_DIR / "thresholds.json"


def _shipped_thresholds() -> dict[str, float]:
    # Written by train.py next to the model, so a retrain ships thresholds
    # chosen for the weights it produced.
    with open(THRESHOLDS_PATH, encoding="utf-8") as fh:
        return json.load(fh)


_THRESHOLDS = _shipped_thresholds()
DEFAULT_HOLD_THRESHOLD: float = float(_THRESHOLDS["hold"])
DEFAULT_REJECT_THRESHOLD: float = float(_THRESHOLDS["reject"])


@dataclass(frozen=True)
class ToxicityResult:
    score: float  # 0..1
    # (start, end, weight) character offsets in the ORIGINAL text, strongest first
    spans: list[tuple[int, int, float]]


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


class ToxicityClassifier:
    def __init__(self, model: artifact.LinearModel) -> None:
        self._intercept = model.intercept
        self._weights = model.weights
        self.meta = model.meta

    @classmethod
    def load(cls, path: Path | None = None) -> ToxicityClassifier:
        if path is None:
            return _shipped()
        return cls(artifact.load(path))

    def _terms(self, names: Counter[str]) -> tuple[dict[str, float], float]:
        """Per-feature tfidf * coef, and the L2 norm of the tfidf vector."""
        weights = self._weights
        terms: dict[str, float] = {}
        squares = 0.0
        for name, count in names.items():
            entry = weights.get(name)
            if entry is None:
                continue
            value = (1.0 + math.log(count)) * entry[0]
            squares += value * value
            terms[name] = value * entry[1]
        return terms, math.sqrt(squares)

    def _score_names(self, names: Counter[str]) -> float:
        terms, norm = self._terms(names)
        if not norm:
            return _sigmoid(self._intercept)
        return _sigmoid(self._intercept + sum(terms.values()) / norm)

    def score(self, text: str, explain_from: float = 0.0) -> ToxicityResult:
        """The score, and the words behind it when the score reaches `explain_from`
        (explaining costs as much as scoring, and clean text needs none)."""
        norm_text = normalize(text)
        features = extract(norm_text)
        terms, norm = self._terms(Counter(name for name, _, _ in features))
        if not norm:
            return ToxicityResult(_sigmoid(self._intercept), [])
        probability = _sigmoid(self._intercept + sum(terms.values()) / norm)
        if probability < explain_from:
            return ToxicityResult(probability, [])
        contributions = word_contributions(features, terms, norm, len(norm_text.words))
        return ToxicityResult(probability, spans(norm_text, contributions))

    def score_many(self, texts: Sequence[str]) -> list[float]:
        return [
            self._score_names(Counter(name for name, _, _ in extract(normalize(t)))) for t in texts
        ]


@cache
def _shipped() -> ToxicityClassifier:
    # The instance is read-only, so every caller in the process can share the
    # one copy of the weights instead of paying the load again.
    return ToxicityClassifier(artifact.load(DEFAULT_MODEL_PATH))
