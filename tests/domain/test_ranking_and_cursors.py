import pytest

from rostra.domain.cursors import (
    InvalidCursor,
    RepliesCursor,
    TopLevelCursor,
    decode_replies,
    decode_top_level,
    encode_replies,
    encode_top_level,
)
from rostra.domain.ranking import wilson_lower_bound


def test_confidence_beats_raw_difference():
    # 5 up / 0 down has a larger share but far less evidence than 100 / 5.
    assert wilson_lower_bound(100, 5) > wilson_lower_bound(5, 0)
    # And 10 up / 1 down ranks above 40 up / 30 down despite a smaller difference.
    assert wilson_lower_bound(10, 1) > wilson_lower_bound(40, 30)


def test_no_votes_rank_zero_and_downvotes_rank_lower():
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(3, 0) > wilson_lower_bound(3, 3) > wilson_lower_bound(0, 3)


def test_cursors_round_trip():
    top = TopLevelCursor(7, "best", 0.4231, 99, 20)
    assert decode_top_level(encode_top_level(top)) == top
    replies = RepliesCursor(5, 3, 3)
    assert decode_replies(encode_replies(replies)) == replies


@pytest.mark.parametrize(
    "bad",
    ["", "x", "!!!!", "bm90IGpzb24", encode_replies(RepliesCursor(1, 2, 2)), "W10", "a" * 600],
)
def test_foreign_or_damaged_top_level_cursors_are_refused(bad):
    with pytest.raises(InvalidCursor):
        decode_top_level(bad)


def test_replies_cursor_is_not_a_page_cursor():
    with pytest.raises(InvalidCursor):
        decode_replies(encode_top_level(TopLevelCursor(1, "newest", 5, 2, 1)))
