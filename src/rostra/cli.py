"""The `rostra` command line."""

import contextlib
import os
import sys
from pathlib import Path

import click

from rostra.config import ConfigError, Settings, load_settings
from rostra.domain.policy import THREAD_POLICIES
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
        config_file,
        host=host,
        port=port,
        workers=workers,
        database_url=database_url,
        demo=demo or None,
    )
    _upgrade(settings)
    if settings.demo:
        _seed_demo(settings)
    # Workers are separate processes that rebuild the settings from the
    # environment, so hand them the resolved values.
    for name, value in settings.model_dump().items():
        if value is not None:
            os.environ[f"ROSTRA_{name.upper()}"] = str(value)
    os.environ.pop("ROSTRA_CONFIG", None)
    if settings.workers > 1:
        _prepare_metrics_dir()
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


def _prepare_metrics_dir() -> None:
    """Workers write their metrics to files that /metrics adds up; a fresh
    directory per start keeps figures of dead processes out."""
    import tempfile

    directory = tempfile.mkdtemp(prefix="rostra-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory


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


@main.group()
def thread() -> None:
    """Decide for one thread."""


@thread.command("policy")
@click.option("--site", "site_name", required=True, help="Site of the thread")
@click.argument("thread_name", metavar="THREAD")
@click.argument("policy", type=click.Choice(["site", *THREAD_POLICIES]))
@click.option("--reason", help="Why (kept in the audit log)")
@_database_option
@_config_option
def thread_policy(site_name, thread_name, policy, reason, database_url, config_file) -> None:
    """Close THREAD (its key or page URL), hold its comments, or give it back to the site.

    POLICY: closed (no new comments), open (open however old, where the site
    closes threads after some days), none, first_time, anonymous or all (what
    waits for review), or site (the site's own policy). A thread with no
    comment yet is created, so a story can be closed before it is published.
    """
    from rostra.admin.threads import SITE_DEFAULT, set_policy_of_page

    database = _open(_settings(config_file, database_url=database_url))
    wanted = SITE_DEFAULT if policy == "site" else policy
    try:
        said = set_policy_of_page(database, site_name, thread_name, wanted, reason)
    except RostraError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    click.echo(said)


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


def _sso_changes(no_sso, algorithm, secret, public_key, issuer, audience, trust_admin):
    if no_sso:
        return {"sso": None}
    given = {
        "algorithm": algorithm, "secret": secret, "issuer": issuer, "audience": audience,
        "public_key": public_key.read_text() if public_key else None,
        "trust_admin_role": trust_admin,
    }  # fmt: skip
    sso = {key: value for key, value in given.items() if value is not None}
    return {"sso": sso} if sso else {}


@site.command("identity")
@click.argument("name")
@click.option("--anonymous", type=click.Choice(["allowed", "premoderated", "forbidden"]))
@click.option("--email-signin/--no-email-signin", default=None, help="Sign-in by emailed link")
@click.option("--sso-algorithm", type=click.Choice(["HS256", "RS256", "EdDSA"]))
@click.option("--sso-secret", help="Shared secret for HS256 (32 characters or more)")
@click.option("--sso-public-key", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--sso-issuer", help="Required iss claim")
@click.option("--sso-audience", help="Required aud claim")
@click.option("--sso-trust-admin/--no-sso-trust-admin", default=None,
              help="Let the token's admin role grant the server-wide admin role")  # fmt: skip
@click.option("--no-sso", is_flag=True, help="Switch single sign-on off")
@click.option("--language", type=click.Choice(["en", "de"]), help="Language of mails and pages")
@_database_option
@_config_option
def site_identity(name, anonymous, email_signin, sso_algorithm, sso_secret, sso_public_key,
                  sso_issuer, sso_audience, sso_trust_admin, no_sso, language,
                  database_url, config_file) -> None:  # fmt: skip
    """Show or change how readers sign in: anonymous comments, single sign-on, email links."""
    from rostra.service.sites import configure_identity

    changes = _sso_changes(
        no_sso, sso_algorithm, sso_secret, sso_public_key, sso_issuer, sso_audience,
        sso_trust_admin,
    )  # fmt: skip
    if anonymous:
        changes["anonymous"] = anonymous
    if email_signin is not None:
        changes["email_signin"] = email_signin
    database = _open(_settings(config_file, database_url=database_url))
    try:
        updated = configure_identity(database, name, changes, language)
    except RostraError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    identity = updated.settings["identity"]
    sso = identity.get("sso")
    click.echo(f"Site {updated.name}: anonymous comments {identity['anonymous']}, "
               f"email sign-in {'on' if identity['email_signin'] else 'off'}, "
               f"single sign-on {sso['algorithm'] if sso else 'off'}, "
               f"language {updated.settings.get('language', 'en')}.")  # fmt: skip


@main.group()
def privacy() -> None:
    """Personal data: retention limits."""


@privacy.command("prune")
@_database_option
@_config_option
def privacy_prune(database_url, config_file) -> None:
    """Remove IP hashes and unneeded emails older than the retention settings."""
    from rostra.ops.housekeeping import run_once

    settings = _settings(config_file, database_url=database_url)
    database = _open(settings)
    try:
        pruned = run_once(database, settings)
    finally:
        database.dispose()
    click.echo(
        f"Removed {pruned.ip_hashes} IP hashes older than {settings.ip_hash_retention_days} days "
        f"and {pruned.emails} emails older than {settings.email_retention_days} days."
    )


_IMPORT_FORMATS = ["disqus", "wordpress", "isso", "remark42", "commento", "rostra"]


def _url_map(pairs: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    mapped = []
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old:
            raise click.BadParameter(f"{pair!r} is not OLD=NEW", param_hint="--map-url")
        # A typo here would key every thread by an address that is no address.
        if not new.startswith(("https://", "http://", "/")):
            raise click.BadParameter(
                f"{pair!r}: NEW must be an http(s) address or a path starting with /",
                param_hint="--map-url",
            )
        mapped.append((old, new))
    return tuple(mapped)


@main.command("import")
@click.argument("format_name", metavar="FORMAT", type=click.Choice(_IMPORT_FORMATS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", "site_name", required=True, help="Site to import into")
@click.option("--dry-run", is_flag=True, help="Read and check everything, report, write nothing")
@click.option("--continue-on-error", is_flag=True, help="Skip bad records and list them")
@click.option(
    "--map-url", "map_url", multiple=True, help="Rewrite URL prefix OLD to NEW (repeatable)"
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON")
@_database_option
@_config_option
def import_command(
    format_name, file, site_name, dry_run, continue_on_error, map_url, as_json, database_url,
    config_file,
) -> None:  # fmt: skip
    """Import comments from another engine's export (or a Rostra export)."""
    import orjson

    from rostra.importers import ImportFailure, ImportOptions, default_workers, run_import
    from rostra.importers.progress import Progress

    options = ImportOptions(
        dry_run=dry_run,
        continue_on_error=continue_on_error,
        url_map=_url_map(map_url),
        workers=default_workers(),
    )
    database = _open(_settings(config_file, database_url=database_url))
    try:
        report = run_import(database, format_name, file, site_name, options, Progress())
    except ImportFailure as exc:
        raise click.ClickException(
            f"import stopped, nothing was written: {exc.position}: {exc.message}"
        ) from None
    finally:
        database.dispose()
    if as_json:
        click.echo(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo("\n".join(report.lines()))
        if not dry_run and report.unchecked:
            click.echo(
                f"{report.unchecked:,} imported comments were published as the source had "
                f"them, unchecked; `rostra moderation sweep --site {site_name}` holds the "
                "risky ones for review."
            )


@main.command("export")
@click.option("--site", "site_name", required=True, help="Site to export")
@click.option(
    "--format", "format_name", type=click.Choice(["rostra", "disqus"]), default="rostra",
    show_default=True, help="rostra: lossless JSON lines; disqus: Disqus-compatible XML",
)  # fmt: skip
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write [stdout]"
)
@_database_option
@_config_option
def export_command(site_name, format_name, output, database_url, config_file) -> None:
    """Export a site's threads and comments."""
    from rostra.exporters import FORMATS
    from rostra.store import sites as site_store

    database = _open(_settings(config_file, database_url=database_url))
    try:
        with database.snapshot() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
            found = site_store.site_by_name(conn, site_name)
            if found is None:
                raise click.ClickException(f"there is no site named {site_name!r}")
            if output is None:
                count = FORMATS[format_name](conn, found.id, found.name, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            else:
                count = _export_to_file(output, FORMATS[format_name], conn, found)
    finally:
        database.dispose()
    click.echo(f"Exported {count} comments of site {site_name}.", err=True)


def _export_to_file(output: Path, export, conn, site) -> int:
    """Write beside `output` and rename when done, so a failed export leaves any older file whole."""
    partial = output.with_name(f".{output.name}.partial")
    try:
        with open(partial, "wb") as out:
            count = export(conn, site.id, site.name, out)
        partial.replace(output)
    except OSError as exc:
        _remove(partial)
        raise click.ClickException(
            f"cannot write {output}: {exc.strerror or exc}; nothing was exported"
        ) from None
    except BaseException:
        _remove(partial)
        raise
    return count


def _remove(path: Path) -> None:
    # Not ours to remove if it is a directory of that name: the message says what failed.
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


@main.group()
def user() -> None:
    """Manage moderators' accounts."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@user.command("create")
@click.argument("username")
@click.option(
    "--role", type=click.Choice(["admin", "moderator"]), required=True,
    help="admin: every site, settings and the audit log; moderator: the sites given",
)  # fmt: skip
@click.option("--site", "sites", multiple=True, help="Site a moderator moderates (repeatable)")
@click.option("--email", help="Contact email")
@click.option(
    "--notify-held", type=click.Choice(["off", "immediate", "hourly"]), default="off",
    show_default=True, help="Mail about held comments (needs --email)",
)  # fmt: skip
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
@_database_option
@_config_option
def user_create(
    username, role, sites, email, notify_held, password_stdin, database_url, config_file
) -> None:
    """Create an account for the moderation pages at /admin."""
    from rostra.admin.accounts import create_user

    password = _read_password(password_stdin)
    database = _open(_settings(config_file, database_url=database_url))
    try:
        created = create_user(
            database, username, password, role, sites=list(sites), email=email,
            notify_held=notify_held,
        )  # fmt: skip
    except RostraError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    where = "every site" if created.role == "admin" else ", ".join(sites)
    click.echo(f"Created {created.role} {created.username} for {where}.")


@user.command("list")
@_database_option
@_config_option
def user_list(database_url, config_file) -> None:
    """List accounts, their roles and sites."""
    from rostra.admin.accounts import list_users

    database = _open(_settings(config_file, database_url=database_url))
    try:
        for found, site_names in list_users(database):
            sites_text = "all sites" if found.role == "admin" else " ".join(site_names)
            state = " (disabled)" if found.disabled else ""
            click.echo(f"{found.username}\t{found.role}\t{sites_text}{state}")
    finally:
        database.dispose()


@user.command("unlock")
@click.argument("username")
@_database_option
@_config_option
def user_unlock(username, database_url, config_file) -> None:
    """Clear a lockout after repeated failed logins."""
    from rostra.admin.accounts import unlock_user

    database = _open(_settings(config_file, database_url=database_url))
    try:
        unlock_user(database, username)
    except RostraError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    click.echo(f"Unlocked {username}.")


@main.command()
@_database_option
@_config_option
def check(database_url, config_file) -> None:
    """Validate settings and database connectivity, and print what was found."""
    from sqlalchemy import func, select

    from rostra.service.sweep import unchecked_counts
    from rostra.store.database import open_database
    from rostra.store.migrate import current_revision, head_revision
    from rostra.store.schema import comments, sites, threads

    settings = _settings(config_file, database_url=database_url)
    click.echo("settings: ok")
    for name, value in settings.model_dump().items():
        click.echo(f"  {name} = {'(set)' if name == 'smtp_password' and value else value}")
    try:
        database = open_database(settings.database_url)
        with database.read() as conn:
            revision = current_revision(conn)
            counts = {
                table.name: conn.execute(select(func.count()).select_from(table)).scalar()
                for table in (sites, threads, comments)
            } if revision else {}  # fmt: skip
            unchecked = unchecked_counts(conn) if revision == head_revision() else {}
        database.dispose()
    except Exception as exc:
        raise click.ClickException(f"database {settings.database_url!r}: {exc}") from None
    click.echo(f"database: reachable ({database.dialect})")
    if revision != head_revision():
        raise click.ClickException(
            f"schema revision {revision} is not the newest ({head_revision()}): run `rostra db upgrade`"
        )
    click.echo(f"schema: revision {revision} (newest)")
    click.echo("contents: " + ", ".join(f"{count} {name}" for name, count in counts.items()))
    for site_name, count in unchecked.items():
        click.echo(
            f"  site {site_name}: {count} published comment{'s' if count != 1 else ''} "
            "no checker has read "
            f"(imported?): `rostra moderation sweep --site {site_name}` checks them"
        )
    _check_toxicity_model()


def _check_toxicity_model() -> None:
    """Load the shipped model and score one sentence, as the first comment posted would."""
    import time

    from rostra.moderation import classifier

    started = time.perf_counter()
    try:
        score = classifier.ToxicityClassifier.load().score("Thank you for the article.").score
    except Exception as exc:
        raise click.ClickException(f"toxicity model: could not be loaded ({exc})") from None
    click.echo(f"toxicity model: {classifier.describe_shipped()}")
    click.echo(
        f"  loaded and scored a test sentence ({score:.2f}) in {time.perf_counter() - started:.2f} s"
    )


@main.command()
@click.argument("target", type=click.Path(path_type=Path))
@_database_option
@_config_option
def backup(target, database_url, config_file) -> None:
    """Make a consistent online backup of the SQLite database to TARGET."""
    from rostra.ops.backup import BackupError, backup_sqlite

    settings = _settings(config_file, database_url=database_url)
    try:
        size = backup_sqlite(settings.database_url, target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up {settings.database_url} to {target} ({size} bytes, integrity ok).")


@main.command("migrate-db")
@click.option("--from", "source_url", required=True, help="Database to copy from")
@click.option("--to", "target_url", required=True, help="Empty database to copy into")
def migrate_db(source_url, target_url) -> None:
    """Copy everything from one database to another (e.g. SQLite to PostgreSQL),
    verified by row counts and checksums."""
    from rostra.ops.copy import CopyError, copy_database
    from rostra.store.database import open_database, sqlite_file
    from rostra.store.migrate import upgrade_database

    source_file = sqlite_file(source_url)
    if source_file is not None and not source_file.exists():
        # Opening it would create an empty database and "copy" nothing.
        raise click.ClickException(f"there is no SQLite database at {source_file}")
    for url in (source_url, target_url):
        try:
            upgrade_database(url)
        except Exception as exc:
            raise click.ClickException(f"cannot open database {url!r}: {exc}") from None
    source, target = open_database(source_url), open_database(target_url)
    try:
        reports = copy_database(source, target)
    except CopyError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        source.dispose()
        target.dispose()
    for report in reports:
        click.echo(f"{report.name:20} {report.rows:>10} rows  checksum {report.checksum}  ok")


def _register_groups() -> None:
    from rostra.notify.commands import outbox

    main.add_command(outbox)


_register_groups()


@click.command("sweep")
@click.option("--site", "site_name", required=True, help="Site whose comments are checked")
@click.option("--thread", help="Only this thread: its id or its page URL")
@click.option("--all", "recheck", is_flag=True, help="Check again comments already checked")
@click.option("--dry-run", is_flag=True, help="Report what would be held; write nothing")
@click.option(
    "--workers", type=click.IntRange(1, 64), help="Processes scoring [default: one per core]"
)
@_database_option
@_config_option
def sweep_command(site_name, thread, recheck, dry_run, workers, database_url, config_file) -> None:
    """Check published comments no checker has read (imports) and hold the risky ones.

    Word lists, links and the toxicity model run as for a new comment; what
    they would hold or reject goes to the Held queue for a moderator.
    """
    from rostra.moderation.pipeline import shipped_classifier
    from rostra.service.sweep import sweep

    settings = _settings(config_file, database_url=database_url)
    database = _open(settings)
    classifier = shipped_classifier() if settings.toxicity_model else None
    try:
        report = sweep(
            database, site_name, classifier, thread=thread, recheck=recheck, dry_run=dry_run,
            workers=workers or len(os.sched_getaffinity(0)),
        )  # fmt: skip
    except RostraError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    for line in report.lines():
        click.echo(line)


def _register_optional_groups() -> None:
    try:
        from rostra.moderation.commands import moderation
    except ImportError:
        return
    moderation.add_command(sweep_command)
    main.add_command(moderation)


_register_optional_groups()

if __name__ == "__main__":
    sys.exit(main())
