"""When a thread is closed, and whose pre-moderation its comments get."""

from datetime import UTC, datetime, timedelta

import pytest

from rostra.domain.policy import Premoderation, is_closed, thread_premoderation

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("policy", "age_days", "close_after", "closed"),
    [
        ("closed", 0, 0, True),  # closed by its moderators, however young
        (None, 400, 0, False),  # the site closes nothing by age
        (None, 6.9, 7, False),
        (None, 7, 7, True),  # closes on the day the age is reached
        ("all", 30, 7, True),  # a pre-moderation override does not keep it open
        ("open", 400, 7, False),  # kept open however old
    ],
)
def test_a_thread_closes_by_its_policy_or_its_age(policy, age_days, close_after, closed):
    opened = NOW - timedelta(days=age_days)
    assert is_closed(policy, opened, close_after, NOW) is closed


def test_a_thread_never_commented_on_is_open():
    assert is_closed(None, None, 7, NOW) is False


def test_a_thread_has_its_own_premoderation_only_when_it_names_a_level():
    assert thread_premoderation("all", "none") == Premoderation.ALL
    for policy in (None, "closed", "open"):
        assert thread_premoderation(policy, "first_time") == Premoderation.FIRST_TIME
