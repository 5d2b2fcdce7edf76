"""Incremental XML reading with flat memory and line numbers for messages.

The file is fed to a pull parser a line at a time, so every element that
ends is known to end on that line. Each wanted element is handed over once
complete and then removed from its parent, so the tree never grows: memory
stays that of one record however large the file.
"""

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError, XMLPullParser
from xml.parsers.expat import ErrorString

from rostra.importers.records import ImportFailure
from rostra.importers.sources import open_binary


def local(tag: str) -> str:
    """The tag without its namespace: exports differ in the namespace versions they declare."""
    return tag.rpartition("}")[2]


def iter_elements(
    path: Path, wanted: dict[str, int]
) -> Iterator[tuple[Element, int, Element | None]]:
    """Yield (element, line, parent) for each complete element named in `wanted` at its depth.

    `wanted` maps a local name to the depth it is expected at (the document
    element is depth 0), so that a reference such as Disqus's
    `<post><thread dsq:id="1"/></post>` is not taken for a definition. The
    element is detached from its parent after the consumer has seen it;
    nested wanted elements (a WordPress comment inside its item) come first.
    """
    parser = XMLPullParser(events=("start", "end"))
    stack: list[Element] = []
    line = 0
    with open_binary(path) as stream:
        try:
            for line, chunk in enumerate(stream, 1):  # noqa: B007 - line is used after the loop
                parser.feed(chunk)
                for event, element in parser.read_events():
                    if event == "start":
                        stack.append(element)
                        continue
                    stack.pop()
                    if wanted.get(local(element.tag)) == len(stack):
                        yield element, line, stack[-1] if stack else None
                        if stack:
                            stack[-1].remove(element)
            parser.close()
        except ParseError as exc:
            where, column = exc.position
            raise ImportFailure(
                f"line {where}, column {column}",
                f"the file is not well-formed XML ({ErrorString(exc.code)})",
            ) from None


def children(element: Element) -> dict[str, Element]:
    """Direct children by local name (the first of each name)."""
    found: dict[str, Element] = {}
    for child in element:
        found.setdefault(local(child.tag), child)
    return found


def text_of(element: Element | None) -> str | None:
    if element is None:
        return None
    return "".join(element.itertext())


def attribute(element: Element | None, name: str) -> str | None:
    """An attribute by local name, whatever namespace prefix the file used."""
    if element is None:
        return None
    for key, value in element.attrib.items():
        if local(key) == name:
            return value
    return None
