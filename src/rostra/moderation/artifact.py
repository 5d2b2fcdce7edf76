"""The shipped model file: a sparse linear model over named n-gram features.

Plain gzip'd text rather than a pickle, so loading it runs no foreign code and
needs neither scikit-learn nor numpy. Layout: one JSON header line, then one
``name<TAB>idf<TAB>coefficient`` line per feature.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "rostra-linear-1"


@dataclass(frozen=True)
class LinearModel:
    intercept: float
    # feature name -> (idf, coefficient)
    weights: dict[str, tuple[float, float]]
    meta: dict[str, Any] = field(default_factory=dict)


def save(model: LinearModel, path: Path) -> None:
    header = {"format": FORMAT, "intercept": model.intercept, **model.meta}
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the file byte-identical across retrains with equal weights
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write((json.dumps(header, sort_keys=True) + "\n").encode("utf-8"))
        lines = (
            f"{n}\t{idf:.5g}\t{coef:.5g}\n" for n, (idf, coef) in sorted(model.weights.items())
        )
        gz.write("".join(lines).encode("utf-8"))


def _parse(lines: Iterable[str]) -> dict[str, tuple[float, float]]:
    weights: dict[str, tuple[float, float]] = {}
    for line in lines:
        name, idf, coef = line.rstrip("\n").split("\t")
        weights[name] = (float(idf), float(coef))
    return weights


def load(path: Path) -> LinearModel:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        if header.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} model file")
        weights = _parse(fh)
    intercept = float(header.pop("intercept"))
    return LinearModel(intercept=intercept, weights=weights, meta=header)
