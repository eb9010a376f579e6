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
class TrustedProxies:
    """Who may say, in ``X-Forwarded-For`` / ``X-Forwarded-Proto``, whom a request came from:
    the last ``count`` proxies before the server, or the proxies whose address is in
    ``networks``. Neither (the default): the peer's own address is the client's."""

    count: int = 0
    networks: tuple[Network, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.count or self.networks)

    def trusts(self, address: str) -> bool:
        """Whether a connection from ``address`` comes from a trusted proxy (networks only:
        with a count, which peer is a proxy is not known by address)."""
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        return any(ip in network for network in self.networks)


@dataclass(frozen=True)
class ServerSettings:
    """How both servers (``hookwire serve`` and ``--production``) treat connections."""

    header_timeout: float = 10.0  # connection (or next request's first byte) to a whole head
    body_timeout: float = 60.0  # head to the whole body; also a response's send
    keepalive_timeout: float = 15.0  # an idle kept-alive connection
    max_connections: int = 1000  # open connections per server process
    max_connections_per_client: int = 100  # per client address per process; 0: no cap
    workers: int = 0  # production worker processes; 0: one per CPU, at least 2
    threads: int = 0  # request threads per process (each production worker); 0: 8


DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_BATCH = 200


@dataclass(frozen=True)
class Config:
    database_url: str
    redis_url: str | None
    app_secret: str
    port: int
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    secure_cookies: bool | None = None  # None: secure when the request came over HTTPS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES  # a larger request body is refused with 413
    max_batch: int = DEFAULT_MAX_BATCH  # records in one batch create; more is a 400
    trusted_proxies: TrustedProxies = field(default_factory=TrustedProxies)
    server: ServerSettings = field(default_factory=ServerSettings)

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
        max_body_bytes=_count(env, "HOOKWIRE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
        max_batch=_count(env, "HOOKWIRE_MAX_BATCH", DEFAULT_MAX_BATCH),
        trusted_proxies=_trusted_proxies(env.get("HOOKWIRE_TRUSTED_PROXIES") or ""),
        server=_server_settings(env),
    )


def _count(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    raw = (env.get(name) or "").strip().replace("_", "")
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum:
        raise ConfigError(
            f"{name}: expected a whole number of at least {minimum}, got {env.get(name)!r}"
        )
    return int(raw)


def _trusted_proxies(raw: str) -> TrustedProxies:
    """``HOOKWIRE_TRUSTED_PROXIES``: a number of proxies, or their addresses as a CIDR list."""
    text = raw.strip()
    if not text:
        return TrustedProxies()
    if text.isascii() and text.isdigit():
        return TrustedProxies(count=int(text))
    try:
        return TrustedProxies(networks=parse_networks(text))
    except ValueError as error:
        raise ConfigError(
            f"HOOKWIRE_TRUSTED_PROXIES: expected the number of proxies in front of the server "
            f"(e.g. 1) or their addresses (e.g. 10.0.0.0/8, 172.16.0.0/12); {error}"
        ) from None


def _server_settings(env: Mapping[str, str]) -> ServerSettings:
    defaults = ServerSettings()
    return ServerSettings(
        header_timeout=_seconds(env, "HOOKWIRE_HEADER_TIMEOUT", defaults.header_timeout),
        body_timeout=_seconds(env, "HOOKWIRE_BODY_TIMEOUT", defaults.body_timeout),
        keepalive_timeout=_seconds(env, "HOOKWIRE_KEEPALIVE_TIMEOUT", defaults.keepalive_timeout),
        max_connections=_count(env, "HOOKWIRE_MAX_CONNECTIONS", defaults.max_connections),
        max_connections_per_client=_count(
            env,
            "HOOKWIRE_MAX_CONNECTIONS_PER_CLIENT",
            defaults.max_connections_per_client,
            minimum=0,
        ),
        workers=_count(env, "HOOKWIRE_WORKERS", defaults.workers, minimum=0),
        threads=_count(env, "HOOKWIRE_THREADS", defaults.threads, minimum=0),
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
