"""The on-device toxicity model, with the site's thresholds."""

from rostra.moderation.classifier import ToxicityClassifier, ToxicityResult
from rostra.moderation.decision import Reason, Refusal, Verdict
from rostra.moderation.submission import Submission

NAME = "toxicity"


# Below this score (and every threshold) no reason is given, so the words
# behind the score are not worked out; moderators see them for the rest.
EXPLAIN_FROM = 0.25


def check(sub: Submission, classifier: ToxicityClassifier) -> tuple[list[Reason], ToxicityResult]:
    settings = sub.settings
    lowest = min(settings.hold_threshold, settings.reject_threshold, EXPLAIN_FROM)
    if settings.think_again:
        lowest = min(lowest, settings.think_again_threshold)
    result = classifier.score(sub.body, explain_from=lowest)
    if (
        settings.think_again
        and not sub.confirmed
        and result.score >= settings.think_again_threshold
    ):
        raise Refusal(
            422,
            "think_again",
            "Your comment may come across as hurtful. Would you like to rephrase it before it is posted?",
            score=round(result.score, 3),
            spans=[list(span) for span in result.spans[:5]],
        )
    if result.score >= settings.reject_threshold:
        verdict, code = Verdict.REJECT, "toxic"
    elif result.score >= settings.hold_threshold:
        verdict, code = Verdict.HOLD, "possibly_toxic"
    else:
        return [], result
    words = ", ".join(sub.body[start:end] for start, end, _ in result.spans[:3])
    message = f"Toxicity {result.score:.2f}" + (f", driven by: {words}" if words else "")
    return [Reason(NAME, code, message, verdict)], result
