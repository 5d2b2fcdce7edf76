"""HTML comment bodies to the Markdown Rostra stores as a comment's source.

Other engines keep comments as HTML. Rostra keeps the Markdown an author
would have typed and renders it itself, so an imported comment's HTML is
exactly what Rostra would produce and passes the same sanitiser. Markup
Rostra supports (paragraphs, line breaks, emphasis, strike-through, links,
quotes, lists, code) survives; anything else is reduced to its text.
Text is escaped, so characters that happen to be Markdown syntax stay text.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_BREAK = "\x01"  # a line break inside a paragraph, until the paragraph is assembled
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPECIAL = re.compile(r"([\\`*_\[\]<>~])")
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
LIST_START = re.compile(r"^([-+])(?=\s|$)")
ORDERED_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
SPACES = re.compile(r"[ \t\r\n\f]+")
PARAGRAPH_GAP = re.compile(r"\n[ \t]*\n\s*")
_LINK_SCHEMES = ("http://", "https://", "mailto:")

_DROPPED = frozenset({"script", "style", "iframe", "object", "embed", "template", "head", "title"})
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "aside", "figure", "figcaption",
     "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "dl", "dt", "dd", "hr", "address"}
)  # fmt: skip
_EMPHASIS = {"em": "*", "i": "*", "strong": "**", "b": "**", "s": "~~", "del": "~~", "strike": "~~"}


@dataclass
class _Frame:
    """Blocks being assembled inside a container (the body, a quote, a list item)."""

    kind: str = "body"  # "body", "quote" or "item"
    blocks: list[str] = field(default_factory=list)
    inline: list[str] = field(default_factory=list)
    flushes: int = 0
    list_blocks: set[int] = field(default_factory=set)

    def flush(self) -> None:
        paragraph = _assemble_paragraph("".join(self.inline))
        self.inline.clear()
        self.flushes += 1
        if paragraph:
            self.blocks.append(paragraph)

    def add_block(self, block: str, *, is_list: bool = False) -> None:
        self.flush()
        if block:
            if is_list:
                self.list_blocks.add(len(self.blocks))
            self.blocks.append(block)

    def result(self) -> str:
        self.flush()
        parts: list[str] = []
        for index, block in enumerate(self.blocks):
            if index:
                # A list nested in an item follows its text directly, keeping the list tight.
                tight = self.kind == "item" and index in self.list_blocks
                parts.append("\n" if tight else "\n\n")
            parts.append(block)
        return "".join(parts)


@dataclass
class _Span:
    tag: str
    frame: _Frame
    start: int
    flushes: int
    href: str | None = None


@dataclass
class _List:
    ordered: bool
    next_number: int
    depth: int  # how many frames were open when the list began
    items: list[str] = field(default_factory=list)


def _assemble_paragraph(text: str) -> str:
    lines = []
    for raw in text.split(_BREAK):
        line = raw.strip(" ")
        line = LIST_START.sub(r"\\\1", line)
        line = ORDERED_START.sub(r"\1\\\2", line)
        lines.append(line)
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    # An empty line inside would end the paragraph; keep the break instead.
    return "\n".join(line or "\u00a0" for line in lines)


def escape_text(text: str) -> str:
    return _ENTITY_LIKE.sub("\\&", _SPECIAL.sub(r"\\\1", text))


def _code_span(code: str) -> str:
    code = code.replace("\n", " ")
    if not code.strip():
        return ""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{fence}{padding}{code}{padding}{fence}"


def _code_block(code: str) -> str:
    code = code.strip("\n")
    if not code.strip():
        return ""
    longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}\n{code}\n{fence}"


def _indent_item(marker: str, text: str) -> str:
    pad = " " * len(marker)
    lines = text.split("\n") if text else [""]
    first = f"{marker}{lines[0]}".rstrip()
    rest = [f"{pad}{line}" if line else "" for line in lines[1:]]
    return "\n".join([first, *rest])


def _destination(url: str) -> str:
    """A link target Markdown reads back unchanged: <...> when it holds spaces or brackets."""
    if any(char in url for char in " ()") and not any(char in url for char in "<>\n"):
        return f"<{url}>"
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


class _Converter(HTMLParser):
    def __init__(self, autop: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.autop = autop
        self.frames = [_Frame()]
        self.spans: list[_Span] = []
        self.lists: list[_List] = []
        self.dropped = 0
        self.pre: list[str] | None = None
        self.code: list[str] | None = None

    @property
    def frame(self) -> _Frame:
        return self.frames[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self.dropped += 1
        elif self.dropped:
            return
        elif self.pre is not None:
            if tag == "br":
                self.pre.append("\n")
        elif tag == "pre":
            self.pre = []
        elif tag == "br":
            self.frame.inline.append(_BREAK)
        elif tag == "code":
            self.code = []
        elif tag in _BLOCKS:
            self.frame.flush()
        elif tag == "blockquote":
            self.frame.flush()
            self.frames.append(_Frame("quote"))
        elif tag in ("ul", "ol"):
            start = dict(attrs).get("start")
            number = int(start) if start and start.isdigit() else 1
            self.lists.append(_List(tag == "ol", number, len(self.frames)))
        elif tag == "li":
            if self.frame.kind == "item" and self.lists and self.lists[-1].depth < len(self.frames):
                self._close_item()  # an unclosed <li> ends where the next begins
            if not self.lists or self.lists[-1].depth != len(self.frames):
                self.lists.append(_List(False, 1, len(self.frames)))
            self.frames.append(_Frame("item"))
        elif tag in _EMPHASIS or tag == "a":
            href = dict(attrs).get("href") if tag == "a" else None
            frame = self.frame
            self.spans.append(_Span(tag, frame, len(frame.inline), frame.flushes, href))
        elif tag == "img":
            self._image(dict(attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "hr"):
            self.handle_starttag(tag, attrs)
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropped = max(0, self.dropped - 1)
        elif self.dropped:
            return
        elif tag == "pre" and self.pre is not None:
            block = _code_block("".join(self.pre))
            self.pre = None
            self.frame.add_block(block)
        elif self.pre is not None:
            return
        elif tag == "code" and self.code is not None:
            self.frame.inline.append(_code_span("".join(self.code)))
            self.code = None
        elif tag in _BLOCKS:
            self.frame.flush()
        elif tag == "blockquote" and any(f.kind == "quote" for f in self.frames):
            self._unwind(lambda: self.frame.kind == "quote")
            inner = self.frames.pop().result()
            self.frame.add_block(_quote(inner) if inner else "")
        elif tag == "li" and self.frame.kind == "item":
            self._close_item()
        elif tag in ("ul", "ol") and self.lists:
            self._unwind(lambda: self.lists[-1].depth == len(self.frames))
            self._close_list()
        elif tag in _EMPHASIS or tag == "a":
            self._close_span(tag)

    def _unwind(self, done) -> None:
        """Close list items and lists left open inside the element being closed."""
        while not done():
            if self.frame.kind == "item":
                self._close_item()
            elif self.lists and self.lists[-1].depth == len(self.frames):
                self._close_list()
            else:
                return

    def _close_item(self) -> None:
        inner = self.frames.pop().result()
        current = self.lists[-1]
        marker = f"{current.next_number}. " if current.ordered else "- "
        current.next_number += 1
        current.items.append(_indent_item(marker, inner))

    def _close_list(self) -> None:
        finished = self.lists.pop()
        self.frame.add_block("\n".join(finished.items), is_list=True)

    def _close_span(self, tag: str) -> None:
        for index in range(len(self.spans) - 1, -1, -1):
            if self.spans[index].tag == tag:
                span = self.spans.pop(index)
                break
        else:
            return
        frame = span.frame
        if frame is not self.frame or frame.flushes != span.flushes:
            return  # the span straddled blocks: keep its text, drop the markup
        content = "".join(frame.inline[span.start :])
        del frame.inline[span.start :]
        frame.inline.append(self._wrap(span, content))

    @staticmethod
    def _wrap(span: _Span, content: str) -> str:
        if span.tag == "a":
            href = (span.href or "").strip()
            if not href.lower().startswith(_LINK_SCHEMES):
                return content
            label = content.strip() or escape_text(href)
            return f"[{label}]({_destination(href)})"
        inner = content.strip(" ")
        if not inner.strip(" " + _BREAK):
            return content
        lead = " " if content.startswith(" ") else ""
        trail = " " if content.endswith(" ") else ""
        marker = _EMPHASIS[span.tag]
        return f"{lead}{marker}{inner}{marker}{trail}"

    def _image(self, attrs: dict[str, str | None]) -> None:
        src = (attrs.get("src") or "").strip()
        alt = (attrs.get("alt") or "").strip()
        if src.lower().startswith(("http://", "https://")):
            self.frame.inline.append(f"[{escape_text(alt) or 'image'}]({_destination(src)})")
        elif alt:
            self.frame.inline.append(escape_text(alt))

    def handle_data(self, data: str) -> None:
        if self.dropped:
            return
        data = _CONTROL.sub("", data).replace(_BREAK, "")
        if self.pre is not None:
            self.pre.append(data)
            return
        if self.code is not None:
            self.code.append(data)
            return
        if self.lists and self.lists[-1].depth == len(self.frames) and not data.strip():
            return  # layout whitespace between list items
        if self.autop:
            self._autop_text(data)
        else:
            self.frame.inline.append(escape_text(SPACES.sub(" ", data)))

    def _autop_text(self, data: str) -> None:
        data = data.replace("\r\n", "\n").replace("\r", "\n")
        paragraphs = PARAGRAPH_GAP.split(data)
        for number, paragraph in enumerate(paragraphs):
            if number:
                self.frame.flush()
            lines = paragraph.split("\n")
            for index, line in enumerate(lines):
                if index:
                    self.frame.inline.append(_BREAK)
                self.frame.inline.append(escape_text(re.sub(r"[ \t\f]+", " ", line)))

    def finish(self) -> str:
        self.close()
        if self.pre is not None:
            self.frame.add_block(_code_block("".join(self.pre)))
        if self.code is not None:
            self.frame.inline.append(_code_span("".join(self.code)))
        self.spans.clear()
        while len(self.frames) > 1 or self.lists:
            self._unwind(lambda: self.frame.kind == "quote" or len(self.frames) == 1)
            if self.frame.kind == "quote":
                inner = self.frames.pop().result()
                self.frame.add_block(_quote(inner) if inner else "")
            elif self.lists:
                self._close_list()
        return self.frame.result()


def html_to_markdown(html: str, *, autop: bool = False) -> str:
    """Convert an HTML comment body to Markdown source.

    `autop` reads the body as WordPress stores it: a blank line starts a new
    paragraph and a single newline is a line break.
    """
    converter = _Converter(autop)
    converter.feed(html)
    return converter.finish().strip()
