"""Markdown to safe HTML, done once when a comment is written."""

import re
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


# Anything linkify-it could start a link from (a superset of its own pretest).
MAYBE_LINK = re.compile(r"[:@/]|localhost|www\.|\.[^\W_]", re.IGNORECASE)
_DOT_WORD = re.compile(r"\.[^\W_]")
# What makes markdown-it do more than paragraphs and line breaks, or changes
# how nh3 writes the text: characters that start markup, escapes and entities,
# any blank space but plain spaces and line ends, and control characters.
_NOT_PLAIN = re.compile(r"[\\`*_\[\]<>~&]|[^\S \n]|[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_LINE_START = re.compile(r"[-+*>#=]|\d{1,9}[.)]")


def maybe_link(text: str) -> bool:
    """`MAYBE_LINK.search(text)`, several times faster on ASCII text.

    For ASCII, ignoring case is lower-casing; other text keeps the expression.
    """
    if not text.isascii():
        return MAYBE_LINK.search(text) is not None
    if ":" in text or "@" in text or "/" in text:
        return True
    if "." in text and _DOT_WORD.search(text):
        return True
    lowered = text.lower()
    return "localhost" in lowered or "www." in lowered


def plain_html(source: str) -> str | None:
    """The HTML of a comment that is only paragraphs of plain text (the most
    common kind), without the parser; None for anything else.

    Gives exactly what `render_markdown_fully` gives (the tests compare them on
    real comments and random text): such text needs no escaping, each line end
    is a line break (`breaks`), and a blank line ends a paragraph.
    """
    if _NOT_PLAIN.search(source):
        return None
    paragraphs: list[list[str]] = [[]]
    for line in source.split("\n"):
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if line[0] == " " or line[-1] == " " or _LINE_START.match(line):
            return None  # indented code, a hard break, a list, a quote: the parser decides
        if maybe_link(line) and ("://" in line or _parser().linkify.test(line)):
            return None
        paragraphs[-1].append(line)
    return "\n".join("<p>" + "<br>\n".join(lines) + "</p>" for lines in paragraphs if lines)


def render_markdown(source: str) -> str:
    """Render comment Markdown to HTML that is safe to insert into any page."""
    plain = plain_html(source)
    return render_markdown_fully(source) if plain is None else plain


def render_markdown_fully(source: str) -> str:
    """`render_markdown` through the parser and the sanitiser, whatever the text.

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
