"""The shipped sentence-encoder artifact, loaded for real (no mocks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rostra.moderation import encoder
from rostra.moderation.classifier import (
    DEFAULT_HOLD_THRESHOLD,
    DEFAULT_MODEL_PATH,
    ENCODER_ACTIVE,
    LINEAR_HOLD_THRESHOLD,
    THRESHOLDS_PATH,
    ToxicityClassifier,
)

pytestmark = pytest.mark.skipif(not encoder.switched_on(), reason=f"{encoder.ENV_SWITCH}=0")

TOXIC = [
    "You are a disgusting, worthless human being and everyone hates you.",
    "Shut your mouth, you brainless moron.",
    "People like you should be wiped off the face of the earth.",
    "Gο kιll yoυrself.",  # Greek look-alikes inside Latin words
]
CIVIL = [
    "Thank you for covering the school board meeting so thoroughly.",
    "The new bike lanes on Main Street have made my commute much safer.",
    "I respectfully disagree with the columnist's view on the budget.",
    "Read the first comment, you will see.",  # once rejected outright
    "Reply under the first comment.",
]


@pytest.fixture(scope="module")
def shipped_encoder() -> encoder.Encoder:
    return encoder.shipped_encoder()


def test_shipped_artifact_is_present_small_and_active() -> None:
    for path in (encoder.ONNX_PATH, encoder.TOKENIZER_PATH, encoder.HEAD_PATH):
        assert path.is_file(), path
    assert encoder.ONNX_PATH.stat().st_size < 25_000_000
    assert ENCODER_ACTIVE
    assert ToxicityClassifier.load().uses_encoder


def test_head_matches_the_shipped_files() -> None:
    head = encoder.load_head()
    assert head.w1.shape == (768, len(head.b1)) == (768, len(head.w2))
    assert 0.0 < head.blend <= 1.0
    assert head.meta["onnx_sha256"] == encoder.file_sha256(encoder.ONNX_PATH)
    assert head.meta["linear_model_sha256"] == encoder.file_sha256(DEFAULT_MODEL_PATH)
    thresholds = json.loads(THRESHOLDS_PATH.read_text(encoding="utf-8"))
    assert 0 < thresholds["hold"] <= thresholds["reject"] < 1
    assert thresholds["linear"]["hold"] == LINEAR_HOLD_THRESHOLD


_OFFLINE_SCORE = """
import socket

def refuse(*args, **kwargs):
    raise OSError("network access during model load")

socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from rostra.moderation.classifier import ToxicityClassifier
classifier = ToxicityClassifier.load()
print(classifier.uses_encoder, classifier.score(%r).score)
"""


def test_loads_and_scores_with_the_network_cut_off() -> None:
    """Everything the model needs ships in the package: a fresh process whose
    every connection attempt fails loads it and scores with the encoder.
    (The load time, goal under 2 s, is printed by `rostra moderation evaluate`.)"""
    done = subprocess.run(
        [sys.executable, "-c", _OFFLINE_SCORE % TOXIC[0]],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "0"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    uses_encoder, score = done.stdout.split()
    assert uses_encoder == "True"
    assert float(score) >= DEFAULT_HOLD_THRESHOLD


def test_encoder_logit_ranks_abuse_above_civil_text(shipped_encoder: encoder.Encoder) -> None:
    toxic = shipped_encoder.logits(TOXIC)
    civil = shipped_encoder.logits(CIVIL)
    assert min(toxic) > max(civil)


@pytest.mark.parametrize("text", TOXIC)
def test_blended_score_flags_abuse(text: str) -> None:
    assert ToxicityClassifier.load().score(text).score >= DEFAULT_HOLD_THRESHOLD


@pytest.mark.parametrize("text", CIVIL)
def test_blended_score_passes_civil_text(text: str) -> None:
    assert ToxicityClassifier.load().score(text).score < DEFAULT_HOLD_THRESHOLD


def test_blended_score_keeps_linear_explanations() -> None:
    text = "Interesting report, but you are an absolute idiot."
    result = ToxicityClassifier.load().score(text)
    start, end, weight = result.spans[0]
    assert text[start:end] == "idiot"
    assert weight > 0


def test_each_comment_scores_the_same_alone_or_in_a_batch() -> None:
    clf = ToxicityClassifier.load()
    texts = TOXIC + CIVIL + ["", "ok", "a much longer comment " * 40]
    assert clf.score_many(texts) == pytest.approx([clf.score(t).score for t in texts], abs=1e-6)


def test_linear_only_differs_from_the_blend() -> None:
    clf = ToxicityClassifier.load()
    linear = clf.linear_only()
    assert not linear.uses_encoder
    assert clf.score_many(CIVIL) != linear.score_many(CIVIL)


def test_switch_turns_the_encoder_off() -> None:
    code = (
        "from rostra.moderation.classifier import ToxicityClassifier as T, "
        "DEFAULT_HOLD_THRESHOLD as h, LINEAR_HOLD_THRESHOLD as l;"
        "print(T.load().uses_encoder, h == l)"
    )
    src = str(Path(encoder.__file__).parents[2])
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, encoder.ENV_SWITCH: "0", "PYTHONPATH": src},
    )
    assert out.stdout.split() == ["False", "True"]
