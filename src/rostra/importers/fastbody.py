"""The common HTML comment body, converted to Rostra's (Markdown, HTML) pair in one pass.

`html_to_markdown` followed by Rostra's renderer (markdown-it-py, then nh3)
costs about half a millisecond a comment, most of an import's time. Most
comments use a handful of tags, though: paragraphs, line breaks, emphasis,
strike-through, inline code, plain http(s) links and one level of quotes.
For those, `fast_pair` writes the Markdown that `html_to_markdown` would
write and, alongside it, the HTML that rendering that Markdown gives, in a
single scan with regular expressions.

It only answers when it is sure. Anything else (another tag or attribute
form, nesting, emphasis whose edges are not letters or digits, text that the
linkifier might turn into a link, unusual whitespace or control characters,
a link it would have to re-encode) returns None, and the caller takes the
full path. Every piece of text is escaped and only allow-listed tags with
fixed attributes are written, so the result needs no sanitiser; the tests
check, on typical and hostile bodies, that whatever it returns is exactly
`(html_to_markdown(body), render_markdown(html_to_markdown(body)))`.
"""

import re
from functools import lru_cache
from html import unescape

from rostra.domain.markdown import LINK_REL, MAYBE_LINK, maybe_link

# The full converter's own patterns: the fast path must split and escape alike.
from rostra.importers.html_markdown import (
    LIST_START,
    ORDERED_START,
    PARAGRAPH_GAP,
    SPACES,
    escape_text,
)

_BREAK = object()
_TAG = re.compile(r'<(/?)([a-z]+)((?:\s+[a-z][a-z-]*="[^"<>]*")*)\s*(/?)>')
_ATTRIBUTE = re.compile(r'([a-z][a-z-]*)="([^"<>]*)"')
_UNSURE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_AUTOP_SPACES = re.compile(r"[ \t\f]+")
# Characters escape_text escapes: each is a token of its own for markdown-it.
_ESCAPED = re.compile(r"[\\`*_\[\]<>~]|&(?=#?[A-Za-z0-9]+;)")
# A link markdown-it copies as it is (no re-encoding, no entities, no punycode).
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#](?:[A-Za-z0-9\-._~/?#=&+,;:@!$*]|%[0-9A-Fa-f]{2})*)?"
)
_ENTITY = re.compile(r"&[A-Za-z#][A-Za-z0-9]{1,31};")
_NEEDS_ESCAPE = re.compile(r"[\\`*_\[\]<>~&]")
_ODD_SPACE = re.compile(r"[\t\r\n\f]|  ")
_LINE_MARKERS = frozenset("-+0123456789")
_EMPHASIS = {"em": "*", "i": "*", "strong": "**", "b": "**", "s": "~~", "del": "~~", "strike": "~~"}  # fmt: skip
_EMPHASIS_HTML = {"*": "em", "**": "strong", "~~": "s"}
_REL = f' rel="{LINK_REL}">'
# Paragraphs of text with nothing to escape, decode or collapse but runs of spaces.
_SIMPLE = re.compile(r"(?:<p>[^<>&\\`*_\[\]~\t\n\r\f\u00a0]*</p>)+")
_SPACE_RUN = re.compile(r"  +")


class _Unsure(Exception):
    """The body needs the full conversion."""


@lru_cache(maxsize=1)
def _linkify():
    from rostra.domain.markdown import _parser

    return _parser().linkify


def _html_text(text: str) -> str:
    """Text as nh3 serialises it after markdown-it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\u00a0" in text:
        text = text.replace("\u00a0", "&nbsp;")
    return text


def _check_links(text: str) -> None:
    """Stop where markdown-it's linkifier might find a link in this run of text."""
    if not maybe_link(text):
        return
    if "://" in text:
        raise _Unsure
    linkify = _linkify()
    for piece in _ESCAPED.split(text.replace("\n", "\x00")):
        for part in piece.split("\x00"):
            if part and MAYBE_LINK.search(part) and linkify.test(part):
                raise _Unsure


def _edge_ok(text: str) -> bool:
    return bool(text) and text[0].isalnum() and text[-1].isalnum()


class _Paragraph:
    """Inline pieces of the paragraph being read: (markdown, html) or a line break."""

    __slots__ = ("pieces", "span", "span_start", "plain")

    def __init__(self) -> None:
        self.pieces: list = []
        self.span: tuple[str, str | None] | None = None
        self.span_start = 0
        self.plain: list[str] = []  # decoded text outside links, for the linkify check

    def text(self, decoded: str) -> None:
        if not decoded:
            return
        markdown = escape_text(decoded) if _NEEDS_ESCAPE.search(decoded) else decoded
        self.pieces.append((markdown, _html_text(decoded)))
        if self.span is None or self.span[0] != "a":
            self.plain.append(decoded)

    def done(self) -> tuple[str, str] | None:
        """(Markdown, inner HTML) of the paragraph, or None when it is empty."""
        if self.span is not None:
            raise _Unsure  # a span across blocks loses its markup: the full path knows how
        if not self.pieces:
            self.plain.clear()
            return None
        lines_md: list[str] = []
        lines_html: list[str] = []
        md_parts: list[str] = []
        html_parts: list[str] = []
        for piece in [*self.pieces, _BREAK]:
            if piece is _BREAK:
                # Each piece starts and ends with the same spaces in both forms.
                md = "".join(md_parts).strip(" ")
                html = "".join(html_parts).strip(" ")
                if md[:1] in _LINE_MARKERS:
                    md = LIST_START.sub(r"\\\1", md)
                    md = ORDERED_START.sub(r"\1\\\2", md)
                lines_md.append(md)
                lines_html.append(html)
                md_parts.clear()
                html_parts.clear()
            else:
                md_parts.append(piece[0])
                html_parts.append(piece[1])
        while lines_md and not lines_md[0]:
            del lines_md[0], lines_html[0]
        while lines_md and not lines_md[-1]:
            lines_md.pop()
            lines_html.pop()
        self.pieces.clear()
        plain, self.plain = "\n".join(self.plain), []
        if not lines_md:
            return None
        for index, line in enumerate(lines_md):
            if not line:
                lines_md[index] = "\u00a0"
                lines_html[index] = "&nbsp;"
        markdown = "\n".join(lines_md)
        if markdown != markdown.strip():
            raise _Unsure  # markdown-it trims all Unicode space at a paragraph's edges
        _check_links(plain)
        return markdown, "<p>" + "<br>\n".join(lines_html) + "</p>"


class _Body:
    def __init__(self, autop: bool) -> None:
        self.autop = autop
        self.blocks: list[tuple[str, str]] = []  # body level
        self.quote: list[tuple[str, str]] | None = None
        self.paragraph = _Paragraph()
        self.code: list[str] | None = None

    def flush(self) -> None:
        done = self.paragraph.done()
        if done is not None:
            (self.quote if self.quote is not None else self.blocks).append(done)

    def start(self, tag: str, attrs: str, closed: bool) -> None:
        paragraph = self.paragraph
        if self.code is not None:
            raise _Unsure
        if tag == "br":
            paragraph.pieces.append(_BREAK)
        elif closed:
            raise _Unsure
        elif tag in ("p", "div"):
            self.flush()
        elif tag in _EMPHASIS or tag == "a" or tag == "code":
            if paragraph.span is not None:
                raise _Unsure
            href = None
            if tag == "a":
                found = dict(_ATTRIBUTE.findall(attrs))
                href = unescape(found.get("href", "")).strip()
                if not _PLAIN_URL.fullmatch(href) or _ENTITY.search(href):
                    raise _Unsure
            if tag == "code":
                self.code = []
            else:
                paragraph.span = (tag, href)
                paragraph.span_start = len(paragraph.pieces)
        elif tag == "blockquote":
            if self.quote is not None:
                raise _Unsure
            self.flush()
            self.quote = []
        else:
            raise _Unsure

    def end(self, tag: str) -> None:
        paragraph = self.paragraph
        if tag == "code":
            if self.code is None:
                raise _Unsure
            code, self.code = "".join(self.code), None
            if not code or code != code.strip() or any(c in code for c in "`\r\n\t"):
                raise _Unsure
            last = paragraph.pieces[-1] if paragraph.pieces else None
            if last is not None and last is not _BREAK and last[0].endswith("`"):
                raise _Unsure  # two code spans in a row would read as one
            paragraph.pieces.append((f"`{code}`", f"<code>{_html_text(code)}</code>"))
            return
        if self.code is not None:
            raise _Unsure
        if tag in ("p", "div"):
            self.flush()
        elif tag == "blockquote":
            if self.quote is None:
                raise _Unsure
            self.flush()
            inner, self.quote = self.quote, None
            if inner:
                markdown = "\n\n".join(md for md, _ in inner)
                quoted = "\n".join(f"> {line}" if line else ">" for line in markdown.split("\n"))
                html = "\n".join(html for _, html in inner)
                self.blocks.append((quoted, f"<blockquote>\n{html}\n</blockquote>"))
        elif paragraph.span is not None and paragraph.span[0] == tag:
            self._close_span()
        else:
            raise _Unsure

    def _close_span(self) -> None:
        paragraph = self.paragraph
        tag, href = paragraph.span
        inner = paragraph.pieces[paragraph.span_start :]
        del paragraph.pieces[paragraph.span_start :]
        paragraph.span = None
        if any(piece is _BREAK for piece in inner):
            raise _Unsure
        md = "".join(piece[0] for piece in inner)
        html = "".join(piece[1] for piece in inner)
        if tag == "a":
            label_md, label_html = md.strip(), html.strip()
            if label_md != md.strip(" ") or label_html != html.strip(" "):
                raise _Unsure
            if not label_md:
                label_md, label_html = escape_text(href), _html_text(href)
            if "://" in label_md:
                raise _Unsure  # the linkifier may read past the label's end while looking for it
            href_html = href.replace("&", "&amp;")
            paragraph.pieces.append(
                (f"[{label_md}]({href})", f'<a href="{href_html}"{_REL}{label_html}</a>')
            )
            return
        stripped = md.strip(" ")
        if not _edge_ok(stripped) or any(c.isspace() for c in (md[0], md[-1]) if c != " "):
            raise _Unsure
        if paragraph.pieces and isinstance(paragraph.pieces[-1], tuple):
            before = paragraph.pieces[-1][0]
            if before.endswith(("*", "~")) and not before.endswith(("\\*", "\\~")):
                raise _Unsure  # delimiter runs would merge
        marker = _EMPHASIS[tag]
        element = _EMPHASIS_HTML[marker]
        lead = " " if md.startswith(" ") else ""
        trail = " " if md.endswith(" ") else ""
        html_inner = html.strip(" ")
        paragraph.pieces.append(
            (
                f"{lead}{marker}{stripped}{marker}{trail}",
                f"{lead}<{element}>{html_inner}</{element}>{trail}",
            )
        )

    def data(self, text: str) -> None:
        if "&" in text:
            text = unescape(text)
            if _UNSURE.search(text):
                raise _Unsure
        if self.code is not None:
            self.code.append(text)
            return
        if not self.autop:
            self.paragraph.text(SPACES.sub(" ", text) if _ODD_SPACE.search(text) else text)
            return
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        for number, block in enumerate(PARAGRAPH_GAP.split(text)):
            if number:
                self.flush()
            for index, line in enumerate(block.split("\n")):
                if index:
                    self.paragraph.pieces.append(_BREAK)
                self.paragraph.text(_AUTOP_SPACES.sub(" ", line))

    def finish(self) -> tuple[str, str]:
        if self.code is not None or self.quote is not None:
            raise _Unsure
        self.flush()
        markdown = "\n\n".join(md for md, _ in self.blocks)
        html = "\n".join(html for _, html in self.blocks)
        return markdown, html


def fast_pair(body: str, *, autop: bool = False) -> tuple[str, str] | None:
    """(Markdown source, safe HTML) for a common HTML body, or None where unsure.

    `body` has had CRLF and NUL removed, as `writer.body_pair` does.
    """
    if _UNSURE.search(body):
        return None
    if not autop and _SIMPLE.fullmatch(body):
        simple = _simple_pair(body)
        if simple is not None:
            return simple
    return _scanned_pair(body, autop)


def _scanned_pair(body: str, autop: bool) -> tuple[str, str] | None:
    """The pair from a scan of tags and text, or None where unsure."""
    converter = _Body(autop)
    position = 0
    try:
        for match in _TAG.finditer(body):
            start = match.start()
            if start > position:
                text = body[position:start]
                if "<" in text:
                    return None
                converter.data(text)
            position = match.end()
            closing, tag, attrs, selfclosing = match.groups()
            if closing:
                if attrs or selfclosing:
                    return None
                converter.end(tag)
            else:
                converter.start(tag, attrs, bool(selfclosing))
        if position < len(body):
            text = body[position:]
            if "<" in text:
                return None
            converter.data(text)
        return converter.finish()
    except _Unsure:
        return None


def _simple_pair(body: str) -> tuple[str, str] | None:
    """The pair for paragraphs of plain text, the most common body, without the scanner.

    Gives what `_Body` gives for the same paragraphs (the tests compare
    them), or None to let it decide.
    """
    lines_md: list[str] = []
    lines_html: list[str] = []
    for text in body[3:-4].split("</p><p>"):
        if "  " in text:
            text = _SPACE_RUN.sub(" ", text)
        if maybe_link(text):
            return None
        line = text.strip(" ")
        if not line:
            continue
        if line != line.strip():
            return None  # Unicode space at an edge: markdown-it would trim it
        lines_html.append(f"<p>{line}</p>")
        if line[0] in _LINE_MARKERS:
            line = ORDERED_START.sub(r"\1\\\2", LIST_START.sub(r"\\\1", line))
        lines_md.append(line)
    return "\n\n".join(lines_md), "\n".join(lines_html)
