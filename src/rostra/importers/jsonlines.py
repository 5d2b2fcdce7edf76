"""JSON lines, one value a line, with the line number for messages."""

from collections.abc import Iterator
from pathlib import Path

import orjson

from rostra.importers.records import Problem
from rostra.importers.sources import open_binary


def iter_lines(path: Path) -> Iterator[tuple[int, object]]:
    """(line number, value); a line that is not JSON comes as a Problem, so it can be skipped."""
    with open_binary(path) as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                yield number, orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield number, Problem(f"line {number}", f"invalid JSON ({exc})")
