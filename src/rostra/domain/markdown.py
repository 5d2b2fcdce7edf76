"""Markdown to safe HTML, done once when a comment is written."""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "s", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

# Block types a comment has no use for: they would let one reader shout
# over the page (headings, rules) or fetch remote content (images).
_DISABLED_RULES = ["heading", "lheading", "hr", "image", "html_block", "html_inline"]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    md.enable(["linkify", "strikethrough"])
    md.disable(_DISABLED_RULES)
    return md


def render_markdown(source: str) -> str:
    """Render comment Markdown to HTML that is safe to insert into any page.

    markdown-it escapes raw HTML and refuses script URLs; nh3 then enforces an
    allow-list as a second, independent line of defence.
    """
    html = _parser().render(source)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()
