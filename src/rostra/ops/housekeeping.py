"""Chores a running server does by itself, hourly: retention limits on personal data."""

import asyncio
import logging

from rostra.config import Settings
from rostra.identity import privacy
from rostra.store.database import Database

log = logging.getLogger("rostra.housekeeping")
INTERVAL_SECONDS = 3600


def run_once(db: Database, settings: Settings) -> privacy.Pruned:
    pruned = privacy.prune(db, settings.ip_hash_retention_days, settings.email_retention_days)
    if pruned.ip_hashes or pruned.emails:
        log.info("retention: removed %d IP hashes, %d emails", pruned.ip_hashes, pruned.emails)
    return pruned


async def keep_house(db: Database, settings: Settings) -> None:
    """Run the chores now and every hour until cancelled; a failure waits for the next hour."""
    while True:
        try:
            await asyncio.to_thread(run_once, db, settings)
        except Exception:  # the database may be down for a while: try again later
            log.exception("housekeeping failed")
        await asyncio.sleep(INTERVAL_SECONDS)
