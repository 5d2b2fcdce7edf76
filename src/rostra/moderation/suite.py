"""The functional test suite shipped with the package.

Hand-written cases, one behaviour each, used to measure what held-out corpus
splits cannot: does the model flag what a moderator wants flagged, and leave
alone what only looks alarming? Never used for training or threshold choice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

SUITE_PATH = Path(__file__).parent / "functional_suite.jsonl"

MUST_FLAG = "must_flag"
MUST_NOT_FLAG = "must_not_flag"
OBFUSCATION = "obfuscation"
GROUPS = (MUST_FLAG, MUST_NOT_FLAG, OBFUSCATION)


@dataclass(frozen=True)
class SuiteCase:
    text: str
    behaviour: str
    group: str
    toxic: bool


def load_suite(path: Path = SUITE_PATH) -> list[SuiteCase]:
    cases = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            cases.append(SuiteCase(row["text"], row["behaviour"], row["group"], bool(row["toxic"])))
    return cases
