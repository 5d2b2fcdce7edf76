"""The `rostra` command line."""

import os
import sys
from pathlib import Path

import click

from rostra.config import ConfigError, Settings, load_settings
from rostra.errors import RostraError

_database_option = click.option(
    "--database", "database_url", help="SQLite path or postgresql:// URL [env ROSTRA_DATABASE_URL]"
)
_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    help="TOML settings file [env ROSTRA_CONFIG]",
)


def _settings(config_file: Path | None, **overrides) -> Settings:
    try:
        return load_settings(config_file, **overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _upgrade(settings: Settings) -> str:
    from rostra.store.migrate import upgrade_database

    try:
        return upgrade_database(settings.database_url)
    except Exception as exc:  # a bad URL or an unreachable server: say which
        raise click.ClickException(
            f"cannot open database {settings.database_url!r}: {exc}"
        ) from None


def _open(settings: Settings):
    from rostra.store.database import open_database

    _upgrade(settings)
    return open_database(settings.database_url)


@click.group()
@click.version_option(package_name="rostra")
def main() -> None:
    """Rostra: comments for news sites."""


@main.command()
@click.option("--host", help="Address to listen on [default 127.0.0.1]")
@click.option("--port", type=int, help="Port to listen on [default 8080]")
@click.option("--workers", type=int, help="Worker processes [default 1]")
@click.option("--demo", is_flag=True, help="Also create a demo site with a seeded article thread")
@_database_option
@_config_option
def serve(host, port, workers, demo, database_url, config_file) -> None:
    """Run the HTTP server (creating and migrating the database on first start)."""
    import uvicorn

    settings = _settings(
        config_file, host=host, port=port, workers=workers, database_url=database_url
    )
    _upgrade(settings)
    if demo:
        _seed_demo(settings)
    # Workers are separate processes that rebuild the settings from the
    # environment, so hand them the resolved values.
    for name, value in settings.model_dump().items():
        if value is not None:
            os.environ[f"ROSTRA_{name.upper()}"] = str(value)
    os.environ.pop("ROSTRA_CONFIG", None)
    click.echo(
        f"Rostra listening on http://{settings.host}:{settings.port}/ ({settings.workers} worker(s))"
    )
    uvicorn.run(
        "rostra.api.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=10,
    )


def _seed_demo(settings: Settings) -> None:
    from rostra.api.app import build_context
    from rostra.demo import seed_demo

    ctx = build_context(settings)
    hosts = {settings.host, "127.0.0.1", "localhost"}
    origins = [
        f"http://{host}:{settings.port}" for host in sorted(hosts) if host not in ("0.0.0.0", "::")
    ]
    result = seed_demo(ctx.db, ctx.hasher, origins, page_url=f"{origins[0]}/")
    if result.created:
        click.echo(f"Created the demo site with {result.comments} comments.")
    ctx.db.dispose()


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@_database_option
@_config_option
def db_upgrade(database_url, config_file) -> None:
    """Apply schema migrations."""
    settings = _settings(config_file, database_url=database_url)
    click.echo(f"Database is at revision {_upgrade(settings)}.")


@main.group()
def site() -> None:
    """Manage sites."""


@site.command("add")
@click.argument("name")
@click.option(
    "--origin",
    "origins",
    multiple=True,
    required=True,
    help="Allowed origin, e.g. https://news.example",
)
@_database_option
@_config_option
def site_add(name, origins, database_url, config_file) -> None:
    """Add a site allowed to embed comments from the given origins."""
    from rostra.service.sites import create_site

    database = _open(_settings(config_file, database_url=database_url))
    try:
        created = create_site(database, name, list(origins))
    except RostraError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    click.echo(f"Added site {created.name} for {', '.join(created.origins)}.")


@site.command("list")
@_database_option
@_config_option
def site_list(database_url, config_file) -> None:
    """List sites and their allowed origins."""
    from rostra.service.sites import list_sites

    database = _open(_settings(config_file, database_url=database_url))
    try:
        for found in list_sites(database):
            click.echo(f"{found.name}\t{' '.join(found.origins)}")
    finally:
        database.dispose()


def _register_optional_groups() -> None:
    try:
        from rostra.moderation.commands import moderation
    except ImportError:
        return
    main.add_command(moderation)


_register_optional_groups()

if __name__ == "__main__":
    sys.exit(main())
