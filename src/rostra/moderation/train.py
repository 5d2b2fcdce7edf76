"""Train the shipped toxicity model.

    python -m rostra.moderation.train --data ../shared/data/moderation

Deterministic: fixed hash splits, seeded augmentation, a deterministic solver.
Needs the ``eval`` extra (scikit-learn); serving does not.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import click

from . import artifact
from .augment import obfuscate
from .authored import authored_examples
from .classifier import DEFAULT_MODEL_PATH, THRESHOLDS_PATH, ToxicityClassifier
from .datasets import TEST, TRAIN, TRAINED_ON, VALID, Example, load
from .features import analyze
from .metrics import precision_recall, roc_auc
from .normalize import normalize_text
from .suite import load_suite

SEED = 20240611
AUGMENT_SHARE = 0.35
SALIENT_WORDS = 400
MIN_DF = 3
MAX_FEATURES = 200_000
C_GRID = (1.0, 3.0, 8.0)
# Hold: the validation threshold with the best F1. Reject: the lowest
# validation threshold whose precision reaches this, so automatic rejection
# is rarely wrong.
REJECT_PRECISION = 0.95


@dataclass
class Corpus:
    texts: list[str]
    labels: list[int]


def _split(examples: list[Example], split: str) -> Corpus:
    rows = [e for e in examples if e.split == split]
    return Corpus([e.text for e in rows], [e.label for e in rows])


def _training_rows(examples: list[Example], suite_texts: set[str]) -> Corpus:
    """Train rows plus authored ones, minus anything that normalises to a
    held-out or suite text (the corpora contain retweets and reposts)."""
    held_out = {normalize_text(e.text) for e in examples if e.split != TRAIN}
    authored = authored_examples()
    clash = [t for t, _ in authored if normalize_text(t) in suite_texts]
    if clash:
        raise SystemExit(f"authored sentences duplicate functional-suite cases: {clash[:3]}")
    texts: list[str] = []
    labels: list[int] = []
    dropped = 0
    rows = [(e.text, e.label) for e in examples if e.split == TRAIN] + authored
    for text, label in rows:
        key = normalize_text(text)
        if key in held_out or key in suite_texts:
            dropped += 1
            continue
        texts.append(text)
        labels.append(label)
    click.echo(f"train rows: {len(texts)} ({len(authored)} authored), dropped {dropped} overlaps")
    return Corpus(texts, labels)


def _fit(corpus: Corpus, c: float):  # noqa: ANN202 - scikit-learn objects
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        analyzer=analyze, sublinear_tf=True, min_df=MIN_DF, max_features=MAX_FEATURES
    )
    matrix = vectorizer.fit_transform(corpus.texts)
    model = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=1000)
    model.fit(matrix, corpus.labels)
    return vectorizer, model


def _predict(vectorizer, model, texts: list[str]) -> list[float]:  # noqa: ANN001
    return model.predict_proba(vectorizer.transform(texts))[:, 1].tolist()


def _salient_words(vectorizer, model) -> set[str]:  # noqa: ANN001
    names = vectorizer.get_feature_names_out()
    coefs = model.coef_[0]
    words = [(coefs[i], n[2:]) for i, n in enumerate(names) if n.startswith("w ")]
    return {w for _, w in sorted(words, reverse=True)[:SALIENT_WORDS]}


def _augment(corpus: Corpus, salient: set[str]) -> Corpus:
    rng = random.Random(SEED)
    texts, labels = list(corpus.texts), list(corpus.labels)
    for text, label in zip(corpus.texts, corpus.labels, strict=True):
        if rng.random() < AUGMENT_SHARE:
            disguised = obfuscate(text, rng, salient)
            if disguised != text:
                texts.append(disguised)
                labels.append(label)
    click.echo(f"augmented rows: {len(texts) - len(corpus.texts)}")
    return Corpus(texts, labels)


def _thresholds(scores: list[float], labels: list[int]) -> dict[str, float]:
    candidates = sorted(set(round(s, 3) for s in scores))
    best_f1, hold = -1.0, 0.5
    reject = 0.99
    for t in candidates:
        precision, recall = precision_recall(scores, labels, t)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best_f1:
            best_f1, hold = f1, t
    for t in candidates:
        if t > hold and precision_recall(scores, labels, t)[0] >= REJECT_PRECISION:
            reject = t
            break
    return {"hold": hold, "reject": max(reject, hold)}


def _export(vectorizer, model) -> artifact.LinearModel:  # noqa: ANN001
    names = vectorizer.get_feature_names_out()
    idf = vectorizer.idf_
    coefs = model.coef_[0]
    weights = {str(n): (float(idf[i]), float(coefs[i])) for i, n in enumerate(names)}
    return artifact.LinearModel(intercept=float(model.intercept_[0]), weights=weights)


def _check_export(path: Path, texts: list[str], expected: list[float]) -> None:
    served = ToxicityClassifier.load(path).score_many(texts)
    worst = max(abs(a - b) for a, b in zip(served, expected, strict=True))
    click.echo(f"exported model vs scikit-learn: max |diff| = {worst:.2e}")
    if worst > 2e-3:
        raise SystemExit("exported model disagrees with the trained one")


@click.command()
@click.option(
    "--data",
    "data_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("../shared/data/moderation"),
    show_default=True,
)
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_MODEL_PATH)
def main(data_dir: Path, out: Path) -> None:
    started = time.perf_counter()
    examples = load(data_dir, TRAINED_ON)
    suite_texts = {normalize_text(case.text) for case in load_suite()}
    train = _training_rows(examples, suite_texts)
    valid = _split(examples, VALID)

    vectorizer, model = _fit(train, C_GRID[1])
    train = _augment(train, _salient_words(vectorizer, model))

    best = None
    for c in C_GRID:
        vectorizer, model = _fit(train, c)
        scores = _predict(vectorizer, model, valid.texts)
        auc = roc_auc(scores, valid.labels)
        click.echo(f"C={c}: validation ROC-AUC {auc:.4f}, {len(vectorizer.idf_)} features")
        if best is None or auc > best[0]:
            best = (auc, c, vectorizer, model, scores)
    assert best is not None
    auc, c, vectorizer, model, scores = best
    thresholds = _thresholds(scores, valid.labels)
    precision, recall = precision_recall(scores, valid.labels, thresholds["hold"])

    exported = _export(vectorizer, model)
    exported.meta.update(
        {
            "c": c,
            "seed": SEED,
            "trained_on": sorted(TRAINED_ON),
            "train_rows": len(train.texts),
            "validation_auc": round(auc, 4),
        }
    )
    artifact.save(exported, out)
    THRESHOLDS_PATH.write_text(json.dumps(thresholds, indent=2) + "\n", encoding="utf-8")
    _check_export(out, valid.texts[:2000], scores[:2000])

    counts = Counter((e.dataset, e.split) for e in examples)
    click.echo(
        "rows per data set (train/valid/test): "
        + ", ".join(
            f"{name} {counts[name, TRAIN]}/{counts[name, VALID]}/{counts[name, TEST]}"
            for name in TRAINED_ON
        )
    )
    click.echo(f"chosen C={c}; thresholds {thresholds}; at hold: P={precision:.3f} R={recall:.3f}")
    click.echo(
        f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f}s"
    )


if __name__ == "__main__":
    main()
