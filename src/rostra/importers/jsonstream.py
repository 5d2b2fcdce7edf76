"""Reading one large JSON document a value at a time (Commento exports).

The document is an object whose arrays may hold millions of entries; each
array entry is decoded on its own from a sliding buffer, so memory is that
of one entry, not of the file.
"""

import json
from collections.abc import Iterator
from typing import TextIO

from rostra.importers.records import ImportFailure

_WHITESPACE = " \t\r\n"
_CHUNK = 1 << 16
_MAX_VALUE_CHARS = 64 << 20  # no single comment is this large; a bigger value is a broken file


class _Reader:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.buffer = ""
        self.pos = 0
        self.consumed = 0  # characters dropped from the front of the buffer
        self.eof = False
        self.decoder = json.JSONDecoder()

    @property
    def offset(self) -> int:
        return self.consumed + self.pos

    def _fill(self) -> None:
        try:
            data = self.stream.read(_CHUNK)
        except UnicodeDecodeError as exc:
            read = self.consumed + len(self.buffer)
            bad = exc.object[exc.start]
            raise ImportFailure(
                f"after character {read}", f"the file is not UTF-8 text (byte 0x{bad:02x})"
            ) from None
        if not data:
            self.eof = True
        self.consumed += self.pos
        self.buffer = self.buffer[self.pos :] + data
        self.pos = 0

    def fail(self, message: str) -> ImportFailure:
        return ImportFailure(f"character {self.offset}", message)

    def peek(self) -> str:
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buffer) or self.eof:
                return self.buffer[self.pos] if self.pos < len(self.buffer) else ""
            self._fill()

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise self.fail(f"expected {char!r} but found {found or 'the end of the file'!r}")
        self.pos += 1

    def end(self) -> None:
        """The document must end here: data after it is another file glued on, or a wrong format."""
        found = self.peek()
        if found:
            raise self.fail(f"unexpected {found!r} after the end of the JSON document")

    def value(self) -> object:
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof or len(self.buffer) - self.pos > _MAX_VALUE_CHARS:
                    raise ImportFailure(
                        f"character {self.consumed + exc.pos}", f"invalid JSON ({exc.msg})"
                    ) from None
                self._fill()
                continue
            # A number cut by the end of the buffer decodes early: read on to be sure.
            if end == len(self.buffer) and not self.eof:
                self._fill()
                continue
            self.pos = end
            return value


def iter_document(stream: TextIO) -> Iterator[tuple[str, object, int]]:
    """Yield (key, value, offset) for a top-level object; arrays yield each entry in turn."""
    reader = _Reader(stream)
    reader.expect("{")
    if reader.peek() == "}":
        reader.pos += 1
        reader.end()
        return
    while True:
        key = reader.value()
        if not isinstance(key, str):
            raise reader.fail("expected a key")
        reader.expect(":")
        if reader.peek() == "[":
            reader.pos += 1
            if reader.peek() == "]":
                reader.pos += 1
            else:
                while True:
                    offset = reader.offset
                    yield key, reader.value(), offset
                    following = reader.peek()
                    reader.pos += 1
                    if following == "]":
                        break
                    if following != ",":
                        reader.pos -= 1
                        raise reader.fail(f"expected ',' or ']' in {key!r}")
        else:
            offset = reader.offset
            yield key, reader.value(), offset
        following = reader.peek()
        reader.pos += 1
        if following == "}":
            reader.end()
            return
        if following != ",":
            reader.pos -= 1
            raise reader.fail("expected ',' or '}'")
