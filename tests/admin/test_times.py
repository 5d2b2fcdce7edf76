"""How the moderation pages say when something happened."""

from datetime import UTC, datetime, timedelta

from rostra.admin.web import ago

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_recent_times_are_relative_and_old_ones_are_dates():
    assert ago(NOW - timedelta(seconds=20), NOW) == "just now"
    assert ago(NOW - timedelta(minutes=5), NOW) == "5 min ago"
    assert ago(NOW - timedelta(hours=3), NOW) == "3 h ago"
    assert ago(NOW - timedelta(days=29), NOW) == "29 d ago"
    # An imported comment from years ago reads as its date, not "1010 d ago".
    assert ago(datetime(2024, 3, 1, 9, tzinfo=UTC), NOW) == "1 Mar 2024"
    assert ago(None, NOW) == ""
