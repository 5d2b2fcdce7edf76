"""Server settings: defaults, then a TOML file, then ROSTRA_* variables, then CLI flags."""

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

CONFIG_ENV = "ROSTRA_CONFIG"


class ConfigError(Exception):
    """Settings could not be loaded; the message names the bad value."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROSTRA_", extra="forbid", frozen=True)

    database_url: str = Field("rostra.db", description="SQLite path or postgresql:// URL")
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    forwarded_allow_ips: str = Field(
        "127.0.0.1", description="Proxies whose X-Forwarded-For is trusted for client IPs"
    )
    public_url: str | None = Field(None, description="Public base URL, used in feeds")
    max_request_bytes: int = Field(256 * 1024, ge=1024, le=64 * 1024 * 1024)
    pool_size: int = Field(10, ge=1, le=200)
    # Four, not more: on two cores, eight threads per worker cost 10% of the
    # posting rate and half the rate of counts (bench/http_bench.py), spent
    # handing Python's GIL back and forth.
    worker_threads: int = Field(4, ge=1, le=200, description="Threads per worker for database work")
    statement_timeout_ms: int = Field(5000, ge=100)
    page_cache_entries: int = Field(2048, ge=0)
    live_max_streams: int = Field(2000, ge=0, description="Open event streams per worker")
    live_max_age_days: int = Field(
        30, ge=0, description="Threads quiet for longer get no live updates"
    )
    events_retention_hours: int = Field(
        48, ge=1, description="How long events are kept for resuming"
    )
    toxicity_model: bool = Field(True, description="Score comments with the on-device model")
    demo: bool = Field(False, description="Serve the demo news pages at / (set by serve --demo)")
    # Personal data kept no longer than needed (docs/PRIVACY.md).
    ip_hash_retention_days: int = Field(90, ge=1, le=3650, description="Then IP hashes go")
    email_retention_days: int = Field(
        30, ge=1, le=3650, description="Then emails of readers who asked for no mail go"
    )
    # Mail and webhooks (docs/NOTIFICATIONS.md). Without smtp_host mails wait in the outbox.
    smtp_host: str | None = Field(None, description="SMTP server; none keeps mail off")
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_ca_file: str | None = Field(
        None,
        description="CA bundle to trust for the SMTP server's certificate, e.g. an internal relay's CA",
    )
    mail_from: str | None = Field(None, description="From address, e.g. Comments <c@news.example>")
    reply_digest_minutes: int = Field(
        15, ge=0, le=1440, description="At most one reply mail per thread and reader this often"
    )
    outbox_worker: bool = Field(True, description="Send mails and webhooks from the server")
    outbox_poll_seconds: float = Field(2.0, gt=0, le=300)
    webhook_timeout_seconds: float = Field(10.0, gt=0, le=120)

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError("give an absolute http(s) URL like https://comments.news.example")
        return value.rstrip("/")

    @field_validator("smtp_ca_file")
    @classmethod
    def _existing_file(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).is_file():
            raise ValueError("no such file: give the path of a PEM file of CA certificates")
        return value

    @model_validator(mode="after")
    def _mail_needs_addresses(self) -> "Settings":
        # Mails carry links back to this server and need a sender.
        if self.smtp_host and not (self.public_url and self.mail_from):
            raise ValueError("smtp_host needs public_url and mail_from as well")
        return self


class _TomlSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], values: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._values = values

    def get_field_value(self, field, field_name):
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return self._values


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: {exc}") from None
    # Accept both a flat file and one with a [rostra] table.
    return data.get("rostra", data)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from every source, or raise ConfigError naming the bad value."""
    if config_file is None and os.environ.get(CONFIG_ENV):
        config_file = Path(os.environ[CONFIG_ENV])
    toml_values = _read_toml(config_file) if config_file else {}
    given = {key: value for key, value in overrides.items() if value is not None}

    class _Sourced(Settings):
        @classmethod
        def settings_customise_sources(cls, settings_cls, init_settings, env_settings, **_):
            return (init_settings, env_settings, _TomlSource(settings_cls, toml_values))

    try:
        return Settings.model_validate(_Sourced(**given).model_dump())
    except ValidationError as exc:
        raise ConfigError(_describe(exc, config_file)) from None


def _describe(exc: ValidationError, config_file: Path | None) -> str:
    lines = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "settings"
        where = f" (env ROSTRA_{name.upper()} or {config_file or 'config file'})"
        shown = (
            f" (got {error['input']!r})" if "input" in error and error["type"] != "missing" else ""
        )
        lines.append(f"invalid setting {name}{shown}: {error['msg']}{where}")
    return "\n".join(lines)
