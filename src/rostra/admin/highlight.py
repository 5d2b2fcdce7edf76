"""The words the classifier weighed, marked in the comment's source text."""

from collections.abc import Iterable

from markupsafe import Markup, escape


def _level(weight: float) -> int:
    return 3 if weight >= 0.66 else 2 if weight >= 0.33 else 1


def _merged(spans: Iterable, length: int) -> list[tuple[int, int, float]]:
    clean = []
    for span in spans:
        try:
            start, end, weight = int(span[0]), int(span[1]), float(span[2])
        except (TypeError, ValueError, IndexError):
            continue  # a malformed span is ignored rather than breaking the queue
        start, end = max(0, start), min(length, end)
        if start < end:
            clean.append((start, end, weight))
    merged: list[tuple[int, int, float]] = []
    for start, end, weight in sorted(clean):
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), max(last[2], weight))
        else:
            merged.append((start, end, weight))
    return merged


def highlight(source: str, spans: Iterable | None) -> Markup:
    """Escape the text, wrapping each span in <mark>; overlapping spans are merged."""
    parts: list[str] = []
    position = 0
    for start, end, weight in _merged(spans or (), len(source)):
        parts.append(escape(source[position:start]))
        parts.append(
            Markup('<mark class="w{}" title="weight {:.2f}">{}</mark>').format(
                _level(weight), weight, source[start:end]
            )
        )
        position = end
    parts.append(escape(source[position:]))
    return Markup("").join(parts)
