"""Banned words reject, suspect words hold; both matched against common disguises."""

from rostra.moderation.decision import Reason, Verdict
from rostra.moderation.submission import Submission
from rostra.moderation.wordlist import compile_words

NAME = "words"


def check(sub: Submission) -> list[Reason]:
    reasons = []
    for entries, code, verdict in (
        (sub.settings.banned_words, "banned_word", Verdict.REJECT),
        (sub.settings.suspect_words, "suspect_word", Verdict.HOLD),
    ):
        if not entries:
            continue
        text = f"{sub.author_name}\n{sub.body}"
        hits = compile_words(entries).find(text)
        if hits:
            found = ", ".join(sorted({text[hit.start : hit.end] for hit in hits}))
            reasons.append(Reason(NAME, code, f"Listed words: {found}", verdict))
    return reasons
