"""Make ``rostra`` importable from a plain checkout as well as an installed one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_SRC = Path(__file__).resolve().parents[2] / "src"
if str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))

from rostra.moderation.classifier import ToxicityClassifier  # noqa: E402


@pytest.fixture(scope="session")
def classifier() -> ToxicityClassifier:
    return ToxicityClassifier.load()
