"""Numbers read from outside must fit the databases' 64-bit integers."""

import pytest

from rostra.domain.numbers import STORED_INT_MAX, is_stored_count, parse_count


@pytest.mark.parametrize("text", ["0", "7", "0042", str(STORED_INT_MAX)])
def test_plain_digits_within_range_are_counts(text):
    assert parse_count(text) == int(text)


@pytest.mark.parametrize(
    "text",
    [None, "", str(STORED_INT_MAX + 1), "9" * 40, "-1", "+1", " 1", "1_000", "²", "١٢", "1.0"],
)
def test_anything_else_is_not_a_count(text):
    assert parse_count(text) is None


def test_stored_counts_are_whole_non_negative_and_not_booleans():
    assert is_stored_count(0) and is_stored_count(STORED_INT_MAX)
    assert not is_stored_count(STORED_INT_MAX + 1)
    assert not is_stored_count(-1)
    assert not is_stored_count(True)
    assert not is_stored_count(1.0)
