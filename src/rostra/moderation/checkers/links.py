"""Too many links, or links to blocked domains, are held for a look."""

import re
from urllib.parse import urlsplit

from rostra.moderation.decision import Reason, Verdict
from rostra.moderation.submission import Submission

NAME = "links"
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+", re.IGNORECASE)


def _host(url: str) -> str:
    if url.lower().startswith("www."):
        url = "http://" + url
    try:
        return (urlsplit(url).hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return ""


def _blocked(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def check(sub: Submission) -> list[Reason]:
    urls = _URL.findall(sub.body) + ([sub.website] if sub.website else [])
    reasons = []
    body_links = len(_URL.findall(sub.body))
    if body_links > sub.settings.max_links:
        reasons.append(
            Reason(
                NAME,
                "too_many_links",
                f"{body_links} links (the site allows {sub.settings.max_links}).",
                Verdict.HOLD,
            )
        )
    blocked = sorted(
        {host for host in map(_host, urls) if host and _blocked(host, sub.settings.blocked_domains)}
    )
    if blocked:
        reasons.append(
            Reason(
                NAME,
                "blocked_domain",
                f"Links to blocked domains: {', '.join(blocked)}",
                Verdict.HOLD,
            )
        )
    return reasons
