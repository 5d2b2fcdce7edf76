"""Ranking and threshold metrics in plain Python, so evaluation needs no numpy."""

from __future__ import annotations

from collections.abc import Sequence


def roc_auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Probability that a random positive outranks a random negative (ties count half)."""
    ranked = sorted(zip(scores, labels, strict=True), key=lambda pair: pair[0])
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum = 0.0
    k = 0
    while k < len(ranked):
        j = k
        while j < len(ranked) and ranked[j][0] == ranked[k][0]:
            j += 1
        mean_rank = (k + 1 + j) / 2  # 1-based ranks k+1..j share their mean
        rank_sum += mean_rank * sum(label for _, label in ranked[k:j])
        k = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def precision_recall(
    scores: Sequence[float], labels: Sequence[int], threshold: float
) -> tuple[float, float]:
    tp = fp = fn = 0
    for score, label in zip(scores, labels, strict=True):
        flagged = score >= threshold
        if flagged and label:
            tp += 1
        elif flagged:
            fp += 1
        elif label:
            fn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall
