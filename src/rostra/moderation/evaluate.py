"""Evaluation report: held-out splits, functional suite, speed. Side by side:
the shipped classifier (linear model blended with the sentence encoder when
that is active), the linear model alone, and the alt-profanity-check baseline
when that package (``eval`` extra) is installed.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import encoder as _encoder
from .classifier import (
    DEFAULT_HOLD_THRESHOLD,
    DEFAULT_MODEL_PATH,
    DEFAULT_REJECT_THRESHOLD,
    LINEAR_HOLD_THRESHOLD,
    LINEAR_REJECT_THRESHOLD,
    ToxicityClassifier,
)
from .datasets import EVALUATION_ONLY, TEST, TRAINED_ON, Example, civil_second_opinions, load
from .metrics import precision_recall, roc_auc
from .suite import GROUPS, SuiteCase, load_suite

BatchScorer = Callable[[Sequence[str]], list[float]]
SingleScorer = Callable[[str], object]

# alt-profanity-check's own predict() cut-off
BASELINE_THRESHOLD = 0.5
SPEED_SAMPLE = 2000
LOAD_GOAL_SECONDS = 2.0
THROUGHPUT_GOAL = 200  # comments/s on one core
ADDED_P50_GOAL_MS = 20.0
LATENCY_SAMPLE = 1000
WARM_UP_SAMPLE = 300


@dataclass(frozen=True)
class System:
    name: str
    batch: BatchScorer
    single: SingleScorer
    thresholds: dict[str, float]


def rostra_system() -> System:
    """The shipped classifier, as the server runs it."""
    clf = ToxicityClassifier.load()
    return System(
        "rostra" if clf.uses_encoder else "rostra-linear",
        clf.score_many,
        clf.score,
        {"hold": DEFAULT_HOLD_THRESHOLD, "reject": DEFAULT_REJECT_THRESHOLD},
    )


def linear_system() -> System:
    """The linear model alone, at its own thresholds (the fallback)."""
    clf = ToxicityClassifier.load().linear_only()
    return System(
        "rostra-linear",
        clf.score_many,
        clf.score,
        {"hold": LINEAR_HOLD_THRESHOLD, "reject": LINEAR_REJECT_THRESHOLD},
    )


def baseline_system() -> System | None:
    # one core for a like-for-like speed comparison
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    try:
        from profanity_check import predict_prob
    except ImportError:
        return None

    def batch(texts: Sequence[str]) -> list[float]:
        return [float(p) for p in predict_prob(list(texts))]

    return System(
        "alt-profanity-check",
        batch,
        lambda text: predict_prob([text]),
        {"hold": BASELINE_THRESHOLD},
    )


def _print_table(header: Sequence[str], rows: list[Sequence[object]]) -> None:
    cells = [list(map(str, header))] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for k, row in enumerate(cells):
        print(
            "  ".join(
                v.ljust(w) if i == 0 else v.rjust(w)
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print()


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _corpora(data_dir: Path) -> dict[str, list[Example]]:
    examples = load(data_dir, TRAINED_ON | EVALUATION_ONLY)
    by_set: dict[str, list[Example]] = {}
    for ex in examples:
        if ex.split == TEST:
            by_set.setdefault(ex.dataset, []).append(ex)
    return by_set


def report_splits(systems: list[System], data_dir: Path) -> list[str]:
    by_set = _corpora(data_dir)
    in_domain = [ex for name in TRAINED_ON for ex in by_set[name]]
    everything = [ex for rows in by_set.values() for ex in rows]
    groups = [(f"{n} (held-out test)", by_set[n]) for n in TRAINED_ON]
    groups += [(f"{n} (never trained on)", by_set[n]) for n in EVALUATION_ONLY]
    groups += [("POOLED held-out tests", in_domain), ("POOLED incl. never-trained", everything)]
    # Its labels are ones people barely agree on (see report_agreement).
    clear = [ex for ex in in_domain if ex.dataset != "civil_comments"]
    groups.append(("POOLED held-out tests, civil_comments aside", clear))

    print("== ROC-AUC on held-out test splits ==")
    scored = {s.name: {ex.text: 0.0 for ex in everything} for s in systems}
    texts = list(scored[systems[0].name])
    for s in systems:
        scored[s.name] = dict(zip(texts, s.batch(texts), strict=True))
    rows = []
    for label, rows_ in groups:
        labels = [ex.label for ex in rows_]
        aucs = [roc_auc([scored[s.name][ex.text] for ex in rows_], labels) for s in systems]
        rows.append([label, len(rows_), sum(labels), *aucs])
    _print_table(["split", "n", "toxic", *(s.name for s in systems)], rows)

    print("== Precision / recall at shipped thresholds ==")
    rows = []
    for s in systems:
        for tname, t in s.thresholds.items():
            for label, rows_ in groups:
                p, r = precision_recall(
                    [scored[s.name][ex.text] for ex in rows_], [ex.label for ex in rows_], t
                )
                rows.append([s.name, f"{tname}>={t:g}", label, p, r])
    _print_table(["system", "threshold", "split", "precision", "recall"], rows)
    return texts


def report_agreement(systems: list[System], data_dir: Path) -> None:
    """How well other annotators predict the Civil Comments label, beside the systems.

    A Civil Comments post is labelled by the majority of (mostly) three
    annotators. Where a held-out post had more, the share of the others who
    found it toxic is scored like a system: the agreement a model can hope
    to reach on these labels.
    """
    opinions = [o for o in civil_second_opinions(data_dir) if o.split == TEST]
    labels = [o.label for o in opinions]
    texts = [o.text for o in opinions]
    print(
        f"== civil_comments: other annotators against the first three "
        f"({len(opinions)} held-out posts, {sum(labels)} toxic) =="
    )
    rows = [
        [
            "other annotators (share saying toxic)",
            roc_auc([o.others_toxic for o in opinions], labels),
        ]
    ]
    rows += [[s.name, roc_auc(s.batch(texts), labels)] for s in systems]
    _print_table(["scored by", "ROC-AUC"], rows)


def report_suite(systems: list[System]) -> None:
    cases = load_suite()
    print(f"== Functional suite ({len(cases)} cases): share handled correctly at hold ==")
    verdicts = {}
    for s in systems:
        scores = s.batch([c.text for c in cases])
        verdicts[s.name] = [
            (score >= s.thresholds["hold"]) == c.toxic
            for score, c in zip(scores, cases, strict=True)
        ]
    rows = []
    for group in GROUPS:
        behaviours = list(dict.fromkeys(c.behaviour for c in cases if c.group == group))
        for behaviour in behaviours:
            rows.append(
                [
                    f"{group}/{behaviour}",
                    _count(cases, behaviour=behaviour),
                    *(_accuracy(cases, verdicts[s.name], behaviour=behaviour) for s in systems),
                ]
            )
        rows.append(
            [
                f"{group} (all)",
                _count(cases, group=group),
                *(_accuracy(cases, verdicts[s.name], group=group) for s in systems),
            ]
        )
    _print_table(["behaviour", "n", *(s.name for s in systems)], rows)


def _select(cases: list[SuiteCase], behaviour: str | None, group: str | None) -> list[int]:
    return [
        k
        for k, c in enumerate(cases)
        if (behaviour is None or c.behaviour == behaviour) and (group is None or c.group == group)
    ]


def _count(cases: list[SuiteCase], behaviour: str | None = None, group: str | None = None) -> int:
    return len(_select(cases, behaviour, group))


def _accuracy(
    cases: list[SuiteCase],
    correct: list[bool],
    behaviour: str | None = None,
    group: str | None = None,
) -> float:
    picked = _select(cases, behaviour, group)
    return sum(correct[k] for k in picked) / len(picked)


def _load_seconds() -> tuple[float, float]:
    """Import plus load in a fresh interpreter (what a server start pays), and
    that plus the first comment scored (which opens the encoder)."""
    code = (
        "import time; t = time.perf_counter();"
        "from rostra.moderation.classifier import ToxicityClassifier;"
        "c = ToxicityClassifier.load(); print(time.perf_counter() - t);"
        "c.score('Thanks for the article.'); print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    loaded, first = out.stdout.split()
    return float(loaded), float(first)


def processor_summary(cpuinfo: str | None = None) -> str:
    """The processor and its int8 dot-product instructions, which set the encoder's speed:
    the same graph runs about twice as fast with VNNI as with AVX2 alone."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return "unknown (no /proc/cpuinfo)"
    fields = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in cpuinfo.splitlines())
        if value
    )
    flags = set(fields.get("flags", "").split())
    if "avx512_vnni" in flags:
        dot = "AVX-512 VNNI"
    elif "avx_vnni" in flags:
        dot = "AVX-VNNI"
    elif "avx2" in flags:
        dot = "AVX2, no VNNI"
    else:
        dot = "no AVX2"
    return (
        f"{fields.get('model name', 'unknown')}, {os.cpu_count()} cores, int8 dot products: {dot}"
    )


def report_speed(systems: list[System], texts: Sequence[str]) -> None:
    print("== Speed (one process, one core) ==")
    # a fixed mix of all corpora, not the first corpus's short tweets
    sample = random.Random(0).sample(list(texts), min(SPEED_SAMPLE, len(texts)))
    # a server scores continuously: warm up first (the encoder's runtime
    # prepares each new input length once)
    warm_up = random.Random(1).sample(list(texts), min(WARM_UP_SAMPLE, len(texts)))
    rows = []
    medians = {}
    throughputs: list[float] = []
    for s in systems:
        s.batch(warm_up)
        started = time.perf_counter()
        s.batch(sample)
        throughput = len(sample) / (time.perf_counter() - started)
        throughputs.append(throughput)
        latencies = []
        for text in sample[:LATENCY_SAMPLE]:
            t0 = time.perf_counter()
            s.single(text)
            latencies.append((time.perf_counter() - t0) * 1000)
        p50 = medians[s.name] = statistics.median(latencies)
        p99 = statistics.quantiles(latencies, n=100)[98]
        rows.append([s.name, f"{throughput:,.0f}", f"{p50:.2f}", f"{p99:.2f}"])
    _print_table(["system", "comments/s (batch)", "single p50 ms", "single p99 ms"], rows)
    print(
        f"rostra: {throughputs[0]:,.0f} comments/s (goal {THROUGHPUT_GOAL}:"
        f" {'met' if throughputs[0] >= THROUGHPUT_GOAL else 'NOT met'}), adds"
        f" {medians[systems[0].name]:.2f} ms p50 to a post (goal {ADDED_P50_GOAL_MS:.0f} ms:"
        f" {'met' if medians[systems[0].name] <= ADDED_P50_GOAL_MS else 'NOT met'})"
    )
    if "rostra" in medians and "rostra-linear" in medians:
        added = medians["rostra"] - medians["rostra-linear"]
        print(f"the encoder adds {added:.2f} ms to the median single comment")
    print(f"processor: {processor_summary()}")
    print(
        f"{len(sample)} comments, mean length {statistics.mean(map(len, sample)):.0f} chars;"
        f" latency over the first {LATENCY_SAMPLE}, with explanation"
    )
    loaded, first = _load_seconds()
    print(
        f"rostra cold load (fresh interpreter, import + load): {loaded:.2f} s;"
        f" to the first score (opens the encoder if active): {first:.2f} s"
        f" (goal under 2 s: {'met' if first < LOAD_GOAL_SECONDS else 'NOT met'})"
    )
    print(f"rostra linear artifact: {DEFAULT_MODEL_PATH.stat().st_size / 1e6:.2f} MB")
    if ToxicityClassifier.load().uses_encoder:
        paths = (_encoder.ONNX_PATH, _encoder.TOKENIZER_PATH, _encoder.HEAD_PATH)
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.2f} MB" for p in paths)
        print(f"rostra encoder artifact: {sizes}")


def run(data_dir: Path | None) -> None:
    systems = [rostra_system()]
    if ToxicityClassifier.load().uses_encoder:
        systems.append(linear_system())
    else:
        print(f"sentence encoder not active (see {_encoder.ENV_SWITCH}): linear model only\n")
    baseline = baseline_system()
    if baseline is None:
        print("alt-profanity-check not installed (pip install '.[eval]'): baseline skipped\n")
    else:
        systems.append(baseline)
    for s in systems:
        print(f"{s.name} thresholds: " + ", ".join(f"{k} {v:g}" for k, v in s.thresholds.items()))
    print()
    texts: Sequence[str] = [c.text for c in load_suite()]
    if data_dir is not None and data_dir.is_dir():
        texts = report_splits(systems, data_dir)
        report_agreement(systems, data_dir)
    else:
        print(f"no data at {data_dir}: held-out splits skipped\n")
    report_suite(systems)
    report_speed(systems, texts)
