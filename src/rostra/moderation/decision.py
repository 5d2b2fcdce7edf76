"""Verdicts with reasons: what each checker says and what the pipeline decides."""

from dataclasses import dataclass, field
from enum import IntEnum


class Verdict(IntEnum):
    """Ordered by strictness, so the strictest of several is simply the max."""

    PUBLISH = 0
    HOLD = 1
    REJECT = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Reason:
    checker: str
    code: str
    message: str
    verdict: Verdict

    def as_json(self) -> dict:
        return {
            "checker": self.checker,
            "code": self.code,
            "message": self.message,
            "verdict": self.verdict.label,
        }


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: tuple[Reason, ...] = ()
    toxicity: float | None = None
    spans: tuple[tuple[int, int, float], ...] = ()
    shadowed: bool = False
    extra: dict = field(default_factory=dict)

    def as_json(self, text: str | None = None) -> dict:
        """What is stored with the comment; with `text`, the words each span marked in it.

        The words let the queue find the spans again after an edit.
        """
        stored = {
            "verdict": self.verdict.label,
            "reasons": [reason.as_json() for reason in self.reasons],
            "toxicity": self.toxicity,
            "spans": [list(span) for span in self.spans],
        }
        if text is not None:
            stored["marked"] = [text[start:end] for start, end, _ in self.spans]
        return stored


def strictest(reasons: list[Reason]) -> Verdict:
    return max((reason.verdict for reason in reasons), default=Verdict.PUBLISH)


class Refusal(Exception):
    """The comment is not taken at all (flood, suspension, think-again nudge)."""

    def __init__(self, status: int, code: str, message: str, **details) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
