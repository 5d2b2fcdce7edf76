"""Whole numbers that come from outside: ids in paths, cursors, headers and forms.

Ids, positions and times are signed 64-bit integers in SQLite and PostgreSQL
alike. A larger number names nothing stored, yet a database driver given one
raises instead of finding nothing, so such numbers are refused where they
are read.
"""

STORED_INT_MAX = 2**63 - 1
STORED_INT_MIN = -(2**63)


def is_stored_count(value: object) -> bool:
    """A non-negative integer, not a bool, that the databases can hold."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= STORED_INT_MAX


def is_stored_int(value: object) -> bool:
    """Any integer, not a bool, that the databases can hold."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and STORED_INT_MIN <= value <= STORED_INT_MAX
    )


def parse_count(text: str | None) -> int | None:
    """ASCII digits that make a storable count, else None.

    `int()` alone would also take ' 1', '+1', '1_0' and other scripts'
    digits, and `str.isdigit()` passes '²', which `int()` then refuses.
    """
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= STORED_INT_MAX else None
