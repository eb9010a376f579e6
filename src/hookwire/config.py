"""Every setting Hookwire reads, taken from the environment with embedded defaults."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_FILE = "hookwire.db"
SECRET_FILE_SUFFIX = ".secret"


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """``"127.0.0.0/8, ::1/128"`` as networks; raises ValueError naming a bad entry."""
    networks = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"not a CIDR network: {item!r}") from None
    return tuple(networks)


# Svix's schedule: the delay before each attempt (now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
DEFAULT_RETRY_SCHEDULE = (0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)


@dataclass(frozen=True)
class WebhookSettings:
    allowed_networks: tuple[Network, ...] = ()
    timeout: float = 10.0
    retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE
    disable_after: timedelta = timedelta(days=5)
    lease: timedelta = timedelta(seconds=60)
    dispatch_threads: int = 4
    queue_name: str = "hookwire-deliveries"  # the RQ queue; several deployments can share Redis


@dataclass(frozen=True)
class Config:
    database_url: str
    redis_url: str | None
    app_secret: str
    port: int
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    secure_cookies: bool | None = None  # None: secure when the request came over HTTPS

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    """Build the configuration from ``environ`` (default: ``os.environ``)."""
    env = os.environ if environ is None else environ
    database_url = _database_url(env.get("DATABASE_URL") or "")
    return Config(
        database_url=database_url,
        redis_url=_redis_url(env.get("REDIS_URL") or None),
        app_secret=_app_secret(env.get("APP_SECRET") or "", database_url),
        port=_port(env.get("PORT") or "3000"),
        webhooks=_webhook_settings(env),
        secure_cookies=_secure_cookies(env.get("HOOKWIRE_SECURE_COOKIES") or "auto"),
    )


def _secure_cookies(raw: str) -> bool | None:
    choices = {"auto": None, "true": True, "false": False}
    if raw.strip().lower() not in choices:
        raise ConfigError(f"HOOKWIRE_SECURE_COOKIES: expected auto, true or false, got {raw!r}")
    return choices[raw.strip().lower()]


def _webhook_settings(env: Mapping[str, str]) -> WebhookSettings:
    defaults = WebhookSettings()
    try:
        networks = parse_networks(env.get("HOOKWIRE_WEBHOOK_ALLOWED_NETWORKS", ""))
    except ValueError as error:
        raise ConfigError(f"HOOKWIRE_WEBHOOK_ALLOWED_NETWORKS: {error}") from None
    schedule = env.get("HOOKWIRE_WEBHOOK_RETRY_SCHEDULE")
    return WebhookSettings(
        allowed_networks=networks,
        timeout=_seconds(env, "HOOKWIRE_WEBHOOK_TIMEOUT", defaults.timeout),
        retry_schedule=_schedule(schedule) if schedule else defaults.retry_schedule,
        disable_after=timedelta(
            seconds=_seconds(
                env, "HOOKWIRE_WEBHOOK_DISABLE_AFTER", defaults.disable_after.total_seconds()
            )
        ),
        lease=timedelta(
            seconds=_seconds(env, "HOOKWIRE_DELIVERY_LEASE", defaults.lease.total_seconds())
        ),
        dispatch_threads=int(_seconds(env, "HOOKWIRE_DISPATCH_THREADS", defaults.dispatch_threads)),
        queue_name=_queue_name(env.get("HOOKWIRE_QUEUE") or defaults.queue_name),
    )


def _queue_name(raw: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,100}", raw):
        raise ConfigError(
            f"HOOKWIRE_QUEUE: expected up to 100 letters, digits or _.:- characters, got {raw!r}"
        )
    return raw


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise ConfigError(f"{name}: expected a positive number, got {raw!r}")
    return value


def _schedule(raw: str) -> tuple[float, ...]:
    try:
        delays = tuple(float(part) for part in raw.split(","))
    except ValueError:
        delays = ()
    if not delays or any(delay < 0 for delay in delays):
        raise ConfigError(
            "HOOKWIRE_WEBHOOK_RETRY_SCHEDULE: expected comma-separated delays in seconds "
            f"before each attempt, e.g. 0,5,300; got {raw!r}"
        )
    return delays


def _database_url(raw: str) -> str:
    if not raw:
        return f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            f"DATABASE_URL: cannot parse {raw!r}; expected sqlite:///path or "
            "postgresql+psycopg://user@host/db"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"DATABASE_URL: unsupported database {url.get_backend_name()!r}; "
            "use sqlite:///path or postgresql+psycopg://user@host/db"
        )
    if url.get_backend_name() == "postgresql" and url.drivername != "postgresql+psycopg":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _redis_url(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"REDIS_URL: expected redis://host:port/db, got {raw!r}")
    return raw


def _port(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 65536:
        raise ConfigError(f"PORT: expected a number from 1 to 65535, got {raw!r}")
    return int(raw)


def _app_secret(raw: str, database_url: str) -> str:
    if raw:
        if len(raw) < 16:
            raise ConfigError("APP_SECRET: must be at least 16 characters long")
        return raw
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ConfigError(
            "APP_SECRET: required when DATABASE_URL is not a SQLite file; "
            "set it to a long random string (e.g. `openssl rand -hex 32`)"
        )
    return _stored_secret(Path(url.database).with_suffix(SECRET_FILE_SUFFIX))


def _stored_secret(path: Path) -> str:
    """The embedded default: a secret generated once and kept beside the SQLite file."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    return secret
