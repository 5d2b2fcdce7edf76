from __future__ import annotations

from collections import Counter

import pytest

from rostra.moderation.evaluate import processor_summary
from rostra.moderation.metrics import precision_recall, roc_auc
from rostra.moderation.suite import GROUPS, load_suite


def test_suite_has_at_least_30_cases_per_behaviour() -> None:
    cases = load_suite()
    per_behaviour = Counter(c.behaviour for c in cases)
    assert len(per_behaviour) == 19
    assert min(per_behaviour.values()) >= 30
    assert {c.group for c in cases} == set(GROUPS)
    assert len({c.text for c in cases}) == len(cases)


def test_roc_auc_handles_ties_and_order() -> None:
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert roc_auc([0.5, 0.5], [0, 1]) == pytest.approx(0.5)


def test_precision_recall() -> None:
    assert precision_recall([0.9, 0.8, 0.2, 0.1], [1, 0, 1, 0], 0.5) == (0.5, 0.5)


def test_baseline_scores_the_suite_when_installed() -> None:
    pytest.importorskip("profanity_check")
    from rostra.moderation.evaluate import baseline_system

    system = baseline_system()
    assert system is not None
    scores = system.batch(["you are an idiot", "lovely weather today"])
    assert scores[0] > scores[1]


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        ("fpu avx avx2 avx512f avx512_vnni", "AVX-512 VNNI"),
        ("fpu avx avx2 avx_vnni", "AVX-VNNI"),
        ("fpu avx avx2 fma", "AVX2, no VNNI"),
        ("fpu sse2", "no AVX2"),
    ],
)
def test_the_speed_report_names_the_processors_int8_instructions(flags, named) -> None:
    cpuinfo = f"processor\t: 0\nmodel name\t: AMD EPYC 9R14\nflags\t\t: {flags}\n"
    summary = processor_summary(cpuinfo)
    assert summary.startswith("AMD EPYC 9R14, ")
    assert summary.endswith(f"int8 dot products: {named}")
