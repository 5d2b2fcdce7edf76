"""Markdown to safe HTML, done once when a comment is written."""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "s", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

# Block types a comment has no use for: they would let one reader shout
# over the page (headings, rules). Images are parsed but shown as links
# (`_image_as_link`): a comment never makes the page fetch remote content.
_DISABLED_RULES = ["heading", "lheading", "hr", "html_block", "html_inline"]


def _image_as_link(renderer, tokens, idx, options, env) -> str:
    """`![alt](url)` becomes a link to the picture, named by its alt text (else its address)."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    label = renderer.renderInlineAsText(token.children or [], options, env).strip() or src
    return f'<a href="{escapeHtml(src)}">{escapeHtml(label)}</a>'


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    md.enable(["linkify", "strikethrough"])
    md.disable(_DISABLED_RULES)
    md.add_render_rule("image", _image_as_link)
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
