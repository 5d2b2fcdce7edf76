"""The parts of encoder fine-tuning that decide what the model sees (no torch needed)."""

from __future__ import annotations

import random

import pytest

from rostra.moderation import finetune
from rostra.moderation.train import Corpus


def test_length_batches_use_every_row_once_and_group_similar_lengths() -> None:
    rng = random.Random(7)
    lengths = [rng.randint(3, 128) for _ in range(5_000)]
    batches = finetune.length_batches(lengths, random.Random(1))
    rows = [k for batch in batches for k in batch]
    assert sorted(rows) == list(range(len(lengths)))
    assert all(len(batch) <= finetune.BATCH for batch in batches)
    padded = sum(len(b) * max(lengths[k] for k in b) for b in batches)
    # Random batches would pad to about 2x the real tokens; sorted chunks barely pad.
    assert padded < 1.1 * sum(lengths)


def test_length_batches_are_shuffled_between_epochs() -> None:
    lengths = list(range(1, 1_000))
    rng = random.Random(3)
    first, second = finetune.length_batches(lengths, rng), finetune.length_batches(lengths, rng)
    assert first != second
    assert first == finetune.length_batches(lengths, random.Random(3))


def test_balanced_weights_give_both_classes_equal_mass() -> None:
    rows = Corpus(
        texts=["a", "b", "c", "d", "e"], labels=[1, 1, 1, 1, 0], weights=[1.0, 1.0, 3.0, 1.0, 0.6]
    )
    weights = finetune.balanced_weights(rows)
    toxic = sum(w for w, y in zip(weights, rows.labels, strict=True) if y == 1)
    civil = sum(w for w, y in zip(weights, rows.labels, strict=True) if y == 0)
    assert toxic == pytest.approx(civil)
    assert toxic + civil == pytest.approx(sum(rows.weights))
    # a row's source weight still counts within its class
    assert weights[2] == pytest.approx(3 * weights[0])
