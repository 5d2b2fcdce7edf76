"""``rostra moderation ...``: score comments and evaluate the model outside the server."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from functools import lru_cache, partial
from pathlib import Path
from typing import IO, Any

import click

from rostra.domain.text import is_encodable

from .classifier import DEFAULT_HOLD_THRESHOLD, DEFAULT_REJECT_THRESHOLD, ToxicityClassifier
from .parallel import in_order

DEFAULT_DATA_DIR = Path("../shared/data/moderation")


def data_option(kind: click.Path, **extra: Any) -> Any:
    """The ``--data`` option (the labelled corpora) of evaluation and both training scripts."""
    return click.option(
        "--data", "data_dir", type=kind, default=DEFAULT_DATA_DIR, show_default=True, **extra
    )


# Big enough to amortise per-batch overhead, small enough that output keeps
# streaming when stdin is a slow pipe.
BATCH_SIZE = 512


def verdict(score: float, hold: float, reject: float) -> str:
    if score >= reject:
        return "reject"
    if score >= hold:
        return "hold"
    return "publish"


def parse_line(line: str, number: int) -> tuple[str | None, dict[str, Any]]:
    """Return (text, fields to echo) or (None, error record).

    A line whose first non-blank character is ``{`` must be a JSON object with a
    string ``text``; anything else is taken as the text itself.
    """
    stripped = line.rstrip("\r\n")
    if not stripped.strip():
        return None, {"line": number, "error": "empty line"}
    if not is_encodable(stripped):  # bytes that are not UTF-8, read with surrogateescape
        return None, {"line": number, "error": "the line is not UTF-8 text"}
    if not stripped.lstrip().startswith("{"):
        return stripped, {}
    try:
        row = json.loads(stripped)
    except json.JSONDecodeError as exc:
        return None, {"line": number, "error": f"malformed JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(row, dict) or not isinstance(row.get("text"), str):
        return None, {"line": number, "error": 'JSON object needs a string "text" field'}
    echo = {"id": row["id"]} if "id" in row else {}
    if not is_encodable(row["text"]):
        return None, {"line": number, "error": '"text" holds an unpaired surrogate escape'}
    return row["text"], echo


def _batches(lines: Iterable[str]) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        batch.append((number, line))
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def score_stream(
    clf: ToxicityClassifier,
    lines: Iterable[str],
    out: IO[str],
    hold: float,
    reject: float,
    *,
    workers: int = 1,
    model: Path | None = None,
) -> int:
    """Write one JSON line per input line, in order; return how many failed.

    With several workers, batches are scored in other processes, each loading
    the model (`model`, else the shipped one) for itself, and `clf` is unused.
    """
    failures = 0
    parsed = ([parse_line(line, number) for number, line in batch] for batch in _batches(lines))
    work = partial(_score_in_worker, model) if workers > 1 else partial(_score_batch, clf)
    for batch, batch_scores in in_order(work, parsed, workers):
        scores = iter(batch_scores)
        for text, extra in batch:
            if text is None:
                failures += 1
                record = extra
            else:
                score = next(scores)
                record = {
                    **extra,
                    "score": round(score, 6),
                    "verdict": verdict(score, hold, reject),
                }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
    return failures


def _score_batch(clf: ToxicityClassifier, batch: list[tuple[str | None, dict]]) -> list[float]:
    return clf.score_many([text for text, _ in batch if text is not None])


@lru_cache(maxsize=1)
def _worker_classifier(model: Path | None) -> ToxicityClassifier:
    return ToxicityClassifier.load(model)  # once per worker process


def _score_in_worker(model: Path | None, batch: list[tuple[str | None, dict]]) -> list[float]:
    return _score_batch(_worker_classifier(model), batch)


@click.group(name="moderation")
def moderation() -> None:
    """Toxicity scoring for comment moderation."""


@moderation.command()
@click.option(
    "--hold",
    type=click.FloatRange(0, 1),
    default=DEFAULT_HOLD_THRESHOLD,
    show_default=True,
    help="Score at or above which a comment is held for review.",
)
@click.option(
    "--reject",
    type=click.FloatRange(0, 1),
    default=DEFAULT_REJECT_THRESHOLD,
    show_default=True,
    help="Score at or above which a comment is rejected.",
)
@click.option(
    "--model",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Model file (default: the shipped one).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=lambda: os.cpu_count() or 1,
    show_default="one per core",
    help="Processes scoring (the output keeps the input's order).",
)
def score(hold: float, reject: float, model: Path | None, workers: int) -> None:
    """Score comments from stdin: JSON lines {"text": ...} or plain text lines.

    Writes one JSON line per input line, in input order: {"score", "verdict"}
    (plus "id" when the input had one). A bad input line yields
    {"line": N, "error": ...} in its place; scoring goes on, and the command
    exits with status 1 at the end if any line failed.
    """
    if reject < hold:
        raise click.BadParameter("--reject must be at least --hold", param_hint="--reject")
    clf = ToxicityClassifier.load(model)
    # A line of bytes that are not UTF-8 becomes an error record, not the end of the run.
    sys.stdin.reconfigure(errors="surrogateescape")
    failures = score_stream(clf, sys.stdin, sys.stdout, hold, reject, workers=workers, model=model)
    if failures:
        click.echo(f"{failures} input line(s) could not be scored; see the error records", err=True)
        sys.exit(1)


@moderation.command()
@data_option(
    click.Path(path_type=Path),
    help="Folder with the labelled corpora (held-out splits are skipped if absent).",
)
def evaluate(data_dir: Path) -> None:
    """Print held-out ROC-AUC, precision/recall, functional-suite accuracy and speed."""
    from .evaluate import run

    run(data_dir)
