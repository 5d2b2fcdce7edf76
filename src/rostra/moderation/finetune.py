"""Fine-tune the sentence encoder and its head together (training only; needs torch).

The served graph is all-MiniLM-L6-v2 with mean and max pooling inside it and a
small head after it (``encoder.Head``). Training that whole path end to end,
rather than fitting the head on frozen vectors, lets the encoder learn what a
moderator cares about (stance, target, threat) instead of topic similarity.

On a 2-core CPU: the word-piece embeddings and the lowest FROZEN_LAYERS
transformer layers keep their pretrained weights (about 85 comments/s instead
of 50 when everything trains), and batches are made of comments of similar
length so little time goes on padding. Seeded; repeatable for a given torch
build and thread count.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import click

from .metrics import roc_auc
from .train import SEED, Corpus

FROZEN_LAYERS = 2
HIDDEN = 128
BATCH = 32
BODY_LR = 5e-5
HEAD_LR = 1e-3
WARMUP_SHARE = 0.05
WEIGHT_DECAY = 0.01


def pooled_model(bert: Any) -> Any:
    """The module exported to ONNX: token ids -> [masked mean, masked max]."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            peak = (hidden + (mask - 1.0) * 1e4).max(1).values
            return torch.cat([mean, peak], dim=1)

    return Pooled()


def head_model(dimensions: int) -> Any:
    """Same shape as ``encoder.Head``: w2 . gelu(x @ w1 + b1) + b2."""
    import torch

    return torch.nn.Sequential(
        torch.nn.Dropout(0.1),
        torch.nn.Linear(dimensions, HIDDEN),
        torch.nn.GELU(approximate="tanh"),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(HIDDEN, 1),
    )


def head_arrays(head: Any) -> tuple[Any, Any, Any, float]:
    """(w1, b1, w2, b2) as numpy, in ``encoder.head_logits``'s layout."""
    first, second = head[1], head[4]
    w1 = first.weight.detach().numpy().T.copy()
    b1 = first.bias.detach().numpy().copy()
    w2 = second.weight.detach().numpy()[0].copy()
    return w1, b1, w2, float(second.bias.detach().numpy()[0])


def balanced_weights(rows: Corpus) -> list[float]:
    """Source weight times a class weight that gives both classes equal mass."""
    positive = sum(w for w, y in zip(rows.weights, rows.labels, strict=True) if y == 1)
    negative = sum(w for w, y in zip(rows.weights, rows.labels, strict=True) if y == 0)
    total = positive + negative
    scale = {1: total / (2 * positive), 0: total / (2 * negative)}
    return [w * scale[y] for w, y in zip(rows.weights, rows.labels, strict=True)]


def length_batches(lengths: Sequence[int], rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: sort within random chunks of 50 batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = BATCH * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda k: lengths[k])
        batches += [part[k : k + BATCH] for k in range(0, len(part), BATCH)]
    rng.shuffle(batches)
    return batches


def _pad(token_ids: Sequence[Sequence[int]]) -> tuple[Any, Any]:
    import torch

    width = max(len(ids) for ids in token_ids)
    ids = torch.zeros((len(token_ids), width), dtype=torch.long)
    mask = torch.zeros((len(token_ids), width), dtype=torch.long)
    for k, row in enumerate(token_ids):
        ids[k, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[k, : len(row)] = 1
    return ids, mask


def logits(pooled: Any, head: Any, token_ids: Sequence[Sequence[int]]) -> list[float]:
    """Evaluation-mode logits, length-sorted batches of 64."""
    import torch

    pooled.eval()
    head.eval()
    out = [0.0] * len(token_ids)
    order = sorted(range(len(token_ids)), key=lambda k: len(token_ids[k]))
    with torch.no_grad():
        for start in range(0, len(order), 64):
            rows = order[start : start + 64]
            ids, mask = _pad([token_ids[k] for k in rows])
            for k, value in zip(rows, head(pooled(ids, mask)).squeeze(1).tolist(), strict=True):
                out[k] = value
    return out


def _freeze(bert: Any) -> list[Any]:
    for parameter in bert.embeddings.parameters():
        parameter.requires_grad = False
    for layer in bert.encoder.layer[:FROZEN_LAYERS]:
        for parameter in layer.parameters():
            parameter.requires_grad = False
    return [p for p in bert.parameters() if p.requires_grad]


def _schedule(total_steps: int) -> Callable[[int], float]:
    warmup = max(1, int(total_steps * WARMUP_SHARE))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return factor


def finetune(
    bert: Any,
    encode: Callable[[str], list[int]],
    train: Corpus,
    valid: Corpus,
    epochs: int,
) -> tuple[Any, Any, float, int]:
    """Train encoder and head; return (pooled model, head, validation AUC, epochs)
    at the epoch with the best validation ROC-AUC."""
    import copy

    import torch

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    pooled = pooled_model(bert)
    head = head_model(2 * bert.config.hidden_size)
    optimiser = torch.optim.AdamW(
        [
            {"params": _freeze(bert), "lr": BODY_LR},
            {"params": list(head.parameters()), "lr": HEAD_LR},
        ],
        weight_decay=WEIGHT_DECAY,
    )
    train_ids = [encode(t) for t in train.texts]
    valid_ids = [encode(t) for t in valid.texts]
    weights = torch.tensor(balanced_weights(train), dtype=torch.float32)
    labels = torch.tensor(train.labels, dtype=torch.float32)
    steps_per_epoch = math.ceil(len(train_ids) / BATCH)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, _schedule(steps_per_epoch * epochs))

    best: tuple[float, int, dict[str, Any], dict[str, Any]] | None = None
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        pooled.train()
        head.train()
        batches = length_batches([len(ids) for ids in train_ids], rng)
        for step, rows in enumerate(batches, start=1):
            ids, mask = _pad([train_ids[k] for k in rows])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                head(pooled(ids, mask)).squeeze(1), labels[rows], reduction="none"
            )
            optimiser.zero_grad()
            (loss * weights[rows]).mean().backward()
            optimiser.step()
            scheduler.step()
            if step % 200 == 0:
                rate = step * BATCH / (time.perf_counter() - started)
                click.echo(f"epoch {epoch}: {step}/{len(batches)} batches, {rate:.0f} rows/s")
        auc = roc_auc(logits(pooled, head, valid_ids), valid.labels)
        seconds = time.perf_counter() - started
        click.echo(f"epoch {epoch}: validation ROC-AUC {auc:.4f} ({seconds:.0f}s)")
        if best is None or auc > best[0]:
            best = (auc, epoch, copy.deepcopy(bert.state_dict()), copy.deepcopy(head.state_dict()))
    assert best is not None
    auc, epoch, bert_state, head_state = best
    bert.load_state_dict(bert_state)
    head.load_state_dict(head_state)
    return pooled.eval(), head.eval(), auc, epoch
