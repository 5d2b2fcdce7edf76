"""Bots without CAPTCHAs: a honeypot field people never see, and a minimum time
between showing the form and posting, signed by the server."""

from rostra.moderation import formtoken
from rostra.moderation.decision import Reason, Verdict
from rostra.moderation.submission import Submission

NAME = "bots"


def check(sub: Submission, secret: bytes) -> list[Reason]:
    if sub.honeypot:
        return [
            Reason(NAME, "honeypot", "A field hidden from people was filled in.", Verdict.REJECT)
        ]
    if sub.settings.min_seconds_to_post == 0:
        return []
    if not sub.form_token:
        return [
            Reason(NAME, "no_form_token", "Posted without loading the comment form.", Verdict.HOLD)
        ]
    age = formtoken.seconds_since_issued(secret, sub.site_id, sub.form_token, sub.now)
    if age is None:
        return [
            Reason(
                NAME,
                "bad_form_token",
                "The form token is forged, foreign or expired.",
                Verdict.HOLD,
            )
        ]
    if age < sub.settings.min_seconds_to_post:
        return [
            Reason(NAME, "too_fast", f"Posted {age:.1f} s after the form was shown.", Verdict.HOLD)
        ]
    return []
