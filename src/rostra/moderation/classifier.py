"""The toxicity classifier the server calls.

Two parts (docs/MODEL.md). The linear model is pure Python over the exported
TF-IDF weights: no numpy, no scikit-learn, a few thousand dictionary look-ups
per comment. When the sentence-encoder artifact is shipped and onnxruntime is
installed, its logit is blended with the linear one (encoder.py); set
``ROSTRA_TOXICITY_ENCODER=0`` to score with the linear model alone. The words
behind a score always come from the linear model's per-word contributions.
Nothing is ever downloaded.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import artifact
from . import encoder as _encoder
from .explain import spans, word_contributions
from .features import extract
from .normalize import normalize

MODEL_DIR = Path(__file__).parent / "model"
DEFAULT_MODEL_PATH = MODEL_DIR / "toxicity.tsv.gz"
THRESHOLDS_PATH = MODEL_DIR / "thresholds.json"


def _shipped_thresholds() -> dict:
    # Written by train.py next to the model, so a retrain ships thresholds
    # chosen for the weights it produced. train_encoder.py puts the blended
    # model's at the top and keeps the linear model's under "linear".
    with open(THRESHOLDS_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def _encoder_active(thresholds: dict) -> bool:
    """The shipped encoder is used when it is switched on, installed, and was
    blended with the linear model that is shipped beside it (a retrained
    linear model falls back to itself until train_encoder.py runs again)."""
    if "linear" not in thresholds or not _encoder.enabled():
        return False
    try:
        head = _encoder.shipped_head()
    except (OSError, ValueError, KeyError):
        return False
    return head.meta.get("linear_model_sha256") == _encoder.file_sha256(DEFAULT_MODEL_PATH)


_THRESHOLDS = _shipped_thresholds()
_LINEAR_THRESHOLDS = _THRESHOLDS.get("linear", _THRESHOLDS)
ENCODER_ACTIVE: bool = _encoder_active(_THRESHOLDS)
# The linear model alone (ToxicityClassifier.load(path), or the encoder off).
LINEAR_HOLD_THRESHOLD: float = float(_LINEAR_THRESHOLDS["hold"])
LINEAR_REJECT_THRESHOLD: float = float(_LINEAR_THRESHOLDS["reject"])
# The shipped classifier, ToxicityClassifier.load(): blended when the encoder is active.
_ACTIVE_THRESHOLDS = _THRESHOLDS if ENCODER_ACTIVE else _LINEAR_THRESHOLDS
DEFAULT_HOLD_THRESHOLD: float = float(_ACTIVE_THRESHOLDS["hold"])
DEFAULT_REJECT_THRESHOLD: float = float(_ACTIVE_THRESHOLDS["reject"])


@dataclass(frozen=True)
class ToxicityResult:
    score: float  # 0..1
    # (start, end, weight) character offsets in the ORIGINAL text, strongest first
    spans: list[tuple[int, int, float]]


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


class ToxicityClassifier:
    def __init__(
        self,
        model: artifact.LinearModel,
        encoder: Callable[[], _encoder.Encoder] | None = None,
        blend: float = 0.0,
    ) -> None:
        """`encoder` returns the sentence encoder on first use (it is opened
        lazily); without one the linear model scores alone."""
        self._intercept = model.intercept
        self._weights = model.weights
        self.meta = model.meta
        self._encoder = encoder
        self._blend = blend

    @classmethod
    def load(cls, path: Path | None = None) -> ToxicityClassifier:
        """The shipped classifier (blended when the encoder is active), or the
        linear model at `path` alone."""
        if path is None:
            return _shipped()
        return cls(artifact.load(path))

    @property
    def uses_encoder(self) -> bool:
        return self._encoder is not None

    def linear_only(self) -> ToxicityClassifier:
        """The same linear weights without the encoder."""
        return ToxicityClassifier(artifact.LinearModel(self._intercept, self._weights, self.meta))

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

    def _logit_names(self, names: Counter[str]) -> float:
        terms, norm = self._terms(names)
        if not norm:
            return self._intercept
        return self._intercept + sum(terms.values()) / norm

    def score(self, text: str, explain_from: float = 0.0) -> ToxicityResult:
        """The score, and the words behind it when the score reaches `explain_from`
        (explaining costs as much as scoring, and clean text needs none)."""
        norm_text = normalize(text)
        features = extract(norm_text)
        terms, norm = self._terms(Counter(name for name, _, _ in features))
        logit = self._intercept + sum(terms.values()) / norm if norm else self._intercept
        if self._encoder is not None:
            logit = _encoder.blend(self._encoder().logit(text), logit, self._blend)
        probability = sigmoid(logit)
        if not norm or probability < explain_from:
            return ToxicityResult(probability, [])
        contributions = word_contributions(features, terms, norm, len(norm_text.words))
        return ToxicityResult(probability, spans(norm_text, contributions))

    def score_many(self, texts: Sequence[str]) -> list[float]:
        """Scores in input order; the encoder runs over length-sorted batches."""
        logits = [
            self._logit_names(Counter(name for name, _, _ in extract(normalize(t)))) for t in texts
        ]
        if self._encoder is not None and texts:
            encoded = self._encoder().logits(texts)
            logits = [
                _encoder.blend(e, lin, self._blend) for e, lin in zip(encoded, logits, strict=True)
            ]
        return [sigmoid(z) for z in logits]


@cache
def _shipped() -> ToxicityClassifier:
    # The instance is read-only, so every caller in the process can share the
    # one copy of the weights instead of paying the load again.
    model = artifact.load(DEFAULT_MODEL_PATH)
    if not ENCODER_ACTIVE:
        return ToxicityClassifier(model)
    return ToxicityClassifier(model, _encoder.shipped_encoder, _encoder.shipped_head().blend)


def describe_shipped() -> str:
    """What scores comments in this process, in one line for `rostra check`."""
    if ENCODER_ACTIVE:
        model = "linear model blended with the all-MiniLM-L6-v2 encoder"
    elif _encoder.enabled():
        model = "linear model only (the encoder was trained beside another linear model)"
    elif not _encoder.switched_on():
        model = f"linear model only ({_encoder.ENV_SWITCH} is off)"
    else:
        model = "linear model only (encoder files or onnxruntime/tokenizers missing)"
    return f"{model}; hold at {DEFAULT_HOLD_THRESHOLD}, reject at {DEFAULT_REJECT_THRESHOLD}"
