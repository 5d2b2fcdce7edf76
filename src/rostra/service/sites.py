"""Managing sites: names, allowed origins and per-site rules."""

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from rostra.domain.policy import SiteRules
from rostra.errors import Conflict, InvalidInput
from rostra.identity.settings import IdentitySettings
from rostra.moderation.settings import ModerationSettings
from rostra.store import sites as site_store
from rostra.store.database import Database
from rostra.store.sites import SiteRow

_SITE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def normalize_origin(origin: str) -> str:
    """An origin is scheme://host[:port], exactly as browsers send it in Origin.

    Browsers drop a scheme's default port, send host names in lower-case
    punycode and keep the brackets of an IPv6 address, so an origin is stored
    that way or it would never match a request.
    """
    not_an_origin = InvalidInput(
        "invalid_origin", f"{origin!r} is not an origin like https://news.example"
    )
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        raise not_an_origin from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise not_an_origin
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InvalidInput(
            "invalid_origin", f"{origin!r} has a path; give only scheme://host[:port]"
        )
    host = _browser_host(origin, parts.hostname)
    if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
        host += f":{port}"
    return f"{parts.scheme}://{host}"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _browser_host(origin: str, hostname: str) -> str:
    if ":" in hostname:
        return f"[{hostname.lower()}]"
    try:
        return hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidInput(
            "invalid_origin", f"{origin!r} has a host name no browser would send"
        ) from None


def validate_site_name(name: str) -> str:
    if not _SITE_NAME.match(name):
        raise InvalidInput(
            "invalid_site_name",
            "A site name is 1-64 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit.",
        )
    return name


def create_site(
    db: Database,
    name: str,
    origins: list[str],
    rules: SiteRules | None = None,
    moderation: ModerationSettings | None = None,
) -> SiteRow:
    name = validate_site_name(name)
    clean_origins = sorted({normalize_origin(origin) for origin in origins})
    settings = vars(rules or SiteRules()).copy()
    settings["moderation"] = (moderation or ModerationSettings()).model_dump(mode="json")
    try:
        with db.write() as conn:
            return site_store.insert_site(conn, name, clean_origins, settings, datetime.now(UTC))
    except IntegrityError:
        raise Conflict("site_exists", f"A site named {name!r} already exists.") from None


def add_origins(db: Database, name: str, origins: list[str]) -> SiteRow:
    with db.write() as conn:
        site = site_store.require_site(conn, name)
        merged = sorted(set(site.origins) | {normalize_origin(o) for o in origins})
        site_store.update_site(conn, site.id, origins=merged, settings=site.settings)
        return site_store.site_by_id(conn, site.id)


def list_sites(db: Database) -> list[SiteRow]:
    with db.read() as conn:
        return site_store.all_sites(conn)


def site_rules(site: SiteRow) -> SiteRules:
    return SiteRules.from_settings(site.settings)


# The languages of mails and of the pages Rostra serves readers.
LANGUAGES = ("en", "de")


def site_language(site: SiteRow) -> str:
    language = str(site.settings.get("language", "en"))
    return language if language in LANGUAGES else "en"


def configure_identity(
    db: Database, name: str, changes: dict, language: str | None = None
) -> SiteRow:
    """Change how readers identify themselves on a site (and its mail language).

    `changes` holds IdentitySettings fields; `sso` may be a dict of SsoSettings
    fields merged into the current ones, or None to switch single sign-on off.
    """
    with db.write() as conn:
        site = site_store.require_site(conn, name)
        settings = dict(site.settings)
        settings["identity"] = _merged_identity(settings.get("identity", {}), changes)
        if language is not None:
            if language not in LANGUAGES:
                raise InvalidInput(
                    "invalid_language", f"The language is one of {', '.join(LANGUAGES)}."
                )
            settings["language"] = language
        site_store.update_site(conn, site.id, origins=site.origins, settings=settings)
        return site_store.site_by_id(conn, site.id)


def _merged_identity(current: dict, changes: dict) -> dict:
    merged = {**current, **{k: v for k, v in changes.items() if k != "sso"}}
    if "sso" in changes:
        sso = changes["sso"]
        merged["sso"] = None if sso is None else {**(current.get("sso") or {}), **sso}
    try:
        return IdentitySettings.model_validate(merged).model_dump(mode="json")
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'identity'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidInput("invalid_identity_settings", problems) from None
