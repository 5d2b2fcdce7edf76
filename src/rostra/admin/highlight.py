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


def _nearest(source: str, word: str, start: int) -> int:
    """Where `word` occurs in `source` closest to `start`, or -1."""
    before = source.rfind(word, 0, start + len(word))
    after = source.find(word, start)
    found = [at for at in (before, after) if at >= 0]
    return min(found, key=lambda at: abs(at - start), default=-1)


def _current(source: str, spans: Iterable, marked: list | None, edited: bool) -> list:
    """The spans as they fall in the text now, which an edit may have changed since scoring.

    A span whose word moved is found again by the word; one whose word is gone
    is dropped. Spans stored without their words are trusted only if the
    comment was never edited.
    """
    spans = list(spans)
    if not isinstance(marked, list) or len(marked) != len(spans):
        return [] if edited else spans
    current = []
    for span, word in zip(spans, marked, strict=True):
        try:
            start, end = int(span[0]), int(span[1])
        except (TypeError, ValueError, IndexError):
            continue
        if not isinstance(word, str) or not word:
            continue
        if source[start:end] != word:
            start = _nearest(source, word, start)
            if start < 0:
                continue
        current.append((start, start + len(word), *span[2:3]))
    return current


def highlight(
    source: str, spans: Iterable | None, marked: list | None = None, edited: bool = False
) -> Markup:
    """Escape the text, wrapping each span in <mark>; overlapping spans are merged.

    `marked` holds the word each span covered when the comment was scored.
    """
    parts: list[str] = []
    position = 0
    for start, end, weight in _merged(_current(source, spans or (), marked, edited), len(source)):
        parts.append(escape(source[position:start]))
        parts.append(
            Markup('<mark class="w{}" title="weight {:.2f}">{}</mark>').format(
                _level(weight), weight, source[start:end]
            )
        )
        position = end
    parts.append(escape(source[position:]))
    return Markup("").join(parts)
