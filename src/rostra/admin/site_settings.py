"""A site's settings page: moderation policy, word lists, link rules, thresholds, origins.

The form is validated as a whole with ModerationSettings; errors come back
per field so the page can show them next to what the admin typed.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import ValidationError

from rostra.admin.accounts import Moderator
from rostra.errors import Forbidden, InvalidInput
from rostra.moderation.settings import ModerationSettings
from rostra.service.sites import normalize_origin
from rostra.store import audit
from rostra.store import sites as site_store
from rostra.store.database import Database
from rostra.store.sites import SiteRow

LIST_FIELDS = ("banned_words", "suspect_words", "blocked_domains")
BOOL_FIELDS = ("think_again", "toxicity_model")
MAX_ORIGINS = 50


@dataclass
class SettingsForm:
    """What the page shows: the values (as typed, when invalid) and errors by field."""

    site: SiteRow
    values: dict
    origins: str
    errors: dict[str, str] = field(default_factory=dict)
    saved: bool = False


def _as_form(settings: ModerationSettings) -> dict:
    values = settings.model_dump(mode="json")
    for name in LIST_FIELDS:
        values[name] = "\n".join(values[name])
    return values


def _site_for(conn, actor: Moderator, name: str) -> SiteRow:
    if not actor.is_admin:
        raise Forbidden("admins_only", "Only admins change site settings.")
    return site_store.require_site(conn, name)


def load_form(db: Database, actor: Moderator, name: str) -> SettingsForm:
    with db.read() as conn:
        site = _site_for(conn, actor, name)
    settings = ModerationSettings.of_site(site.settings)
    return SettingsForm(site, _as_form(settings), "\n".join(site.origins))


def _parse(form: dict[str, str], stored: dict) -> tuple[dict, dict[str, str]]:
    """The settings the form asks for, and errors by field.

    A field the form does not carry (a page opened before an upgrade added
    it) keeps its stored value rather than failing as blank; a checkbox
    left out is off, as HTML sends it.
    """
    raw: dict = {
        name: form[name] if name in form else stored[name]
        for name in ModerationSettings.model_fields
    }
    for name in BOOL_FIELDS:
        raw[name] = form.get(name) in ("on", "true", "1")
    errors: dict[str, str] = {}
    try:
        parsed = ModerationSettings.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "form"
            errors.setdefault(name, error["msg"].removeprefix("Value error, "))
        return raw, errors
    if parsed.hold_threshold > parsed.reject_threshold:
        errors["hold_threshold"] = "The hold threshold must not be above the reject threshold."
    return parsed.model_dump(mode="json"), errors


def _origins(text: str) -> tuple[list[str], str | None]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return [], "Give at least one origin, or no page can embed the comments."
    if len(lines) > MAX_ORIGINS:
        return [], f"At most {MAX_ORIGINS} origins."
    try:
        return sorted({normalize_origin(line) for line in lines}), None
    except InvalidInput as exc:
        return [], exc.message


def save_form(db: Database, actor: Moderator, name: str, form: dict[str, str]) -> SettingsForm:
    with db.write() as conn:
        site = _site_for(conn, actor, name)
        stored = _as_form(ModerationSettings.of_site(site.settings))
        values, errors = _parse(form, stored)
        origins, origin_error = _origins(form.get("origins", ""))
        if origin_error:
            errors["origins"] = origin_error
        if errors:
            typed = {key: form.get(key, stored[key]) for key in values} | {
                key: values[key] for key in BOOL_FIELDS
            }
            return SettingsForm(site, typed, form.get("origins", ""), errors)
        before = ModerationSettings.of_site(site.settings).model_dump(mode="json")
        changed = {
            key: [before.get(key), value]
            for key, value in values.items()
            if before.get(key) != value
        }
        if origins != site.origins:
            changed["origins"] = [site.origins, origins]
        if changed:
            site_store.update_site(
                conn, site.id, origins=origins, settings={**site.settings, "moderation": values}
            )
            audit.record(
                conn, site_id=site.id, actor_id=actor.id, action="settings", target_type="site",
                target_id=site.id, now=datetime.now(UTC), details={"changed": changed},
            )  # fmt: skip
        site = site_store.site_by_id(conn, site.id)
    form_values = _as_form(ModerationSettings.of_site(site.settings))
    return SettingsForm(site, form_values, "\n".join(site.origins), saved=True)
