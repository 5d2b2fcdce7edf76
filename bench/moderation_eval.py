"""Print the moderation model's evaluation report.

    python bench/moderation_eval.py [--data ../shared/data/moderation]

Same as ``rostra moderation evaluate``; kept here so the figures in
docs/MODEL.md can be reproduced without the server's CLI.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from rostra.moderation.commands import evaluate  # noqa: E402

if __name__ == "__main__":
    evaluate(prog_name="moderation_eval")
