"""`rostra outbox`: send what waits in the outbox, or list it."""

import logging
import signal
import threading

import click


@click.group()
def outbox() -> None:
    """Mails and webhook deliveries waiting to go out."""


def _database_and_settings(database_url: str | None, config_file):
    from rostra.cli import _open, _settings

    settings = _settings(config_file, database_url=database_url)
    return _open(settings), settings


_database_option = click.option(
    "--database", "database_url", help="SQLite path or postgresql:// URL [env ROSTRA_DATABASE_URL]"
)
_config_option = click.option(
    "--config", "config_file", type=click.Path(), help="TOML settings file [env ROSTRA_CONFIG]"
)


@outbox.command("send")
@click.option("--once", is_flag=True, help="Send what is due now, then exit")
@_database_option
@_config_option
def send(once: bool, database_url, config_file) -> None:
    """Send due mails and webhook deliveries (for servers run with outbox_worker = false)."""
    from rostra.notify.worker import OutboxSender

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    database, settings = _database_and_settings(database_url, config_file)
    sender = OutboxSender(database, settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while True:
            outcomes = sender.run_once(stop)
            if outcomes:
                click.echo(", ".join(f"{count} {name}" for name, count in sorted(outcomes.items())))
            if once or stop.wait(settings.outbox_poll_seconds):
                break
    except KeyboardInterrupt:
        pass
    finally:
        sender.close()
        database.dispose()


@outbox.command("list")
@click.option(
    "--status", type=click.Choice(["pending", "sent", "dead", "skipped", "merged"]),
    help="Only rows in this state",
)  # fmt: skip
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
@_database_option
@_config_option
def list_rows(status, limit, database_url, config_file) -> None:
    """The newest rows: id, channel, kind, status, attempts, next attempt, recipient, last error."""
    from rostra.store import outbox as outbox_store

    database, _ = _database_and_settings(database_url, config_file)
    try:
        with database.read() as conn:
            rows = outbox_store.recent(conn, status=status, limit=limit)
    finally:
        database.dispose()
    for row in rows:
        when = row.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S") if row.status == "pending" else "-"
        fields = (row.id, row.channel, row.kind, row.status, row.attempts, when, row.recipient)
        line = "\t".join(str(field) for field in fields)
        click.echo(f"{line}\t{row.last_error or ''}".rstrip())
