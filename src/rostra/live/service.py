"""Which threads get live updates, and the broker that serves them."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rostra.live.broker import Broker
from rostra.store.threads import ThreadRow


@dataclass
class LiveUpdates:
    broker: Broker
    max_age: timedelta

    def accepts(self, thread: ThreadRow) -> bool:
        """Old threads rarely change; readers of them get no stream."""
        last = thread.last_comment_at or thread.created_at
        return datetime.now(UTC) - last <= self.max_age
