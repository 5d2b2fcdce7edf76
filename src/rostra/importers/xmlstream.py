"""Incremental XML reading with flat memory and line numbers for messages.

lxml's `iterparse` (libxml2, in C) reports only the elements asked for by
name; each is handed over once complete and then removed from its parent,
together with whatever came before it there, so the tree never grows:
memory stays that of one record however large the file. External entities
and DTDs are never loaded.
"""

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree
from lxml.etree import _Element as Element

from rostra.importers.records import ImportFailure
from rostra.importers.sources import open_binary

__all__ = ["Element", "attribute", "children", "iter_elements", "local", "text_of"]

_POSITION_SUFFIX = re.compile(r",? line \d+, column \d+$")


_LOCAL_NAMES: dict[str, str] = {}


def local(tag: str) -> str:
    """The tag without its namespace: exports differ in the namespace versions they declare."""
    # A file repeats a few dozen names millions of times: look them up, don't cut them.
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        if len(_LOCAL_NAMES) > 10_000:
            _LOCAL_NAMES.clear()
        name = _LOCAL_NAMES[tag] = tag.rpartition("}")[2]
    return name


def _depth(element: Element) -> int:
    depth = 0
    parent = element.getparent()
    while parent is not None:
        depth += 1
        parent = parent.getparent()
    return depth


def _check_document(root: Element | None, expected: str, kind: str) -> None:
    """Stop when the file is some other XML: it would import as nothing and look fine."""
    if root is None or local(root.tag) == expected:
        return
    raise ImportFailure(
        f"line {root.sourceline or 1}",
        f"not {kind}: the document element is <{local(root.tag)}>, not <{expected}>",
    )


def iter_elements(
    path: Path, wanted: dict[str, int], document: tuple[str, str]
) -> Iterator[tuple[Element, int, Element | None]]:
    """Yield (element, line, parent) for each complete element named in `wanted` at its depth.

    `wanted` maps a local name to the depth it is expected at (the document
    element is depth 0), so that a reference such as Disqus's
    `<post><thread dsq:id="1"/></post>` is not taken for a definition. The
    line is where the element starts. The element is detached from its
    parent after the consumer has seen it; nested wanted elements (a
    WordPress comment inside its item) come first. At the shallowest wanted
    depth (the records themselves: Disqus threads and posts, WordPress
    items), the siblings before the element are dropped as well, so
    elements nobody asked for do not pile up under the document element.
    `document` is the document element's expected local name and what to
    call the format in the message when it is something else.
    """
    outermost = min(wanted.values(), default=0)
    with open_binary(path) as stream:
        events = etree.iterparse(
            stream,
            events=("end",),
            tag=[f"{{*}}{name}" for name in wanted],
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            for _, element in events:
                depth = _depth(element)
                if wanted.get(local(element.tag)) != depth:
                    continue
                parent = element.getparent()
                yield element, element.sourceline or 0, parent
                if parent is not None:
                    if depth == outermost:
                        while element.getprevious() is not None:
                            del parent[0]
                    parent.remove(element)
            # After the last record, so the per-element loop stays as it was; the
            # import is one transaction, so whatever a wrong file yielded is undone.
            _check_document(events.root, *document)
        except etree.XMLSyntaxError as exc:
            where, column = exc.position
            reason = _POSITION_SUFFIX.sub("", exc.msg or "syntax error").strip()
            raise ImportFailure(
                f"line {where}, column {column}",
                f"the file is not well-formed XML ({reason})",
            ) from None


def children(element: Element) -> dict[str, Element]:
    """Direct children by local name (the first of each name)."""
    found: dict[str, Element] = {}
    names = _LOCAL_NAMES
    for child in element:
        tag = child.tag
        name = names.get(tag) or local(tag)
        if name not in found:
            found[name] = child
    return found


def text_of(element: Element | None) -> str | None:
    if element is None:
        return None
    if len(element) == 0:
        return element.text or ""
    return "".join(element.itertext())


def attribute(element: Element | None, name: str) -> str | None:
    """An attribute by local name, whatever namespace prefix the file used."""
    if element is None:
        return None
    for key, value in element.items():
        if local(key) == name:
            return value
    return None
