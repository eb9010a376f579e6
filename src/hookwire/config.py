"""Every setting Hookwire reads, taken from the environment with embedded defaults."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import tempfile
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
    failing_notice_after: int = 5  # failed attempts in a row before admins are told
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

MEBIBYTE = 1024 * 1024
# Room beside an uploaded file for its multipart boundaries, part headers and GraphQL operation.
UPLOAD_FRAMING_BYTES = MEBIBYTE
STORAGE_TYPES = ("local", "s3")
# Programs a browser or an operating system would run: refused unless FILE_DENIED_TYPES
# replaces this list. An upload is refused when its declared type or the type its file name
# suggests is one of them.
DEFAULT_DENIED_TYPES = (
    "application/x-msdownload",
    "application/x-msdos-program",
    "application/vnd.microsoft.portable-executable",
    "application/x-dosexec",
    "application/x-executable",
    "application/x-sharedlib",
    "application/x-mach-binary",
    "application/x-msi",
    "application/x-bat",
    "application/x-sh",
    "application/x-csh",
    "application/java-archive",
)


@dataclass(frozen=True)
class StorageSettings:
    """Where uploaded files are kept (Twenty's variable names) and what an upload may be."""

    type: str = "local"  # STORAGE_TYPE: local or s3
    local_path: Path = Path("storage")  # STORAGE_LOCAL_PATH
    s3_bucket: str | None = None  # STORAGE_S3_NAME
    s3_region: str | None = None  # STORAGE_S3_REGION
    s3_endpoint: str | None = None  # STORAGE_S3_ENDPOINT: an S3-compatible service's URL
    # Twenty's names for S3 credentials; without them boto3 reads AWS_ACCESS_KEY_ID and the
    # rest of its usual chain.
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = field(default=None, repr=False)
    max_file_bytes: int = 10 * MEBIBYTE  # FILE_MAX_SIZE_MB
    allowed_types: tuple[str, ...] = ()  # FILE_ALLOWED_TYPES; empty: every type not denied
    denied_types: tuple[str, ...] = DEFAULT_DENIED_TYPES  # FILE_DENIED_TYPES
    link_lifetime: timedelta = timedelta(minutes=15)  # FILE_TOKEN_EXPIRES_IN


@dataclass(frozen=True)
class SdkSettings:
    """Where the generated Python clients are kept, and the code generator's environment."""

    # HOOKWIRE_SDK_DIR: built wheels, per workspace and metadata version (a cache: deleting
    # it costs a rebuild). Default: an ``sdk`` folder beside the SQLite file, else in the
    # temporary directory.
    cache_dir: Path = Path("sdk")
    # HOOKWIRE_SDK_TOOLS: where ariadne-codegen's own virtual environment is made (once per
    # machine). Default: ``$XDG_CACHE_HOME/hookwire`` (``~/.cache/hookwire``).
    tools_dir: Path = Path("tools")


EMAIL_DRIVERS = ("log", "smtp")
# The delay in seconds before each retry of an email the SMTP server did not take (down, or
# a 4xx answer): 1 min, 5 min, 15 min, 1 h, 2 h, 4 h, 8 h, 12 h, 24 h; then it has failed.
DEFAULT_EMAIL_RETRY_SCHEDULE = (
    60.0,
    300.0,
    900.0,
    3600.0,
    7200.0,
    14400.0,
    28800.0,
    43200.0,
    86400.0,
)


@dataclass(frozen=True)
class EmailSettings:
    """How transactional emails are sent (Twenty's variable names where it has one)."""

    driver: str = "log"  # EMAIL_DRIVER: log (print them, keep them viewable) or smtp
    smtp_host: str | None = None  # EMAIL_SMTP_HOST
    smtp_port: int = 587  # EMAIL_SMTP_PORT; 465 is implicit TLS, any other STARTTLS
    smtp_user: str | None = None  # EMAIL_SMTP_USER
    smtp_password: str | None = field(default=None, repr=False)  # EMAIL_SMTP_PASSWORD
    smtp_no_tls: bool = False  # EMAIL_SMTP_NO_TLS: a plain local relay, no TLS at all
    from_address: str = "noreply@localhost"  # EMAIL_FROM_ADDRESS
    from_name: str = "Hookwire"  # EMAIL_FROM_NAME
    timeout: float = 30.0  # HOOKWIRE_EMAIL_TIMEOUT: seconds per SMTP exchange
    retry_schedule: tuple[float, ...] = (
        DEFAULT_EMAIL_RETRY_SCHEDULE  # HOOKWIRE_EMAIL_RETRY_SCHEDULE
    )
    server_url: str = "http://localhost:3000"  # SERVER_URL: this server, for links in emails
    link_secret: str = field(default="", repr=False)  # APP_SECRET: signs unsubscribe links
    # HOOKWIRE_EMAIL_RETENTION_DAYS: how long a sent or failed email stays in the outbox.
    retention: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class OAuthProvider:
    """A mail and calendar provider accounts connect to with OAuth 2 (Twenty's flags).

    ``messaging``/``calendar``: MESSAGING_PROVIDER_GMAIL_ENABLED and
    CALENDAR_PROVIDER_GOOGLE_ENABLED (MICROSOFT for Microsoft); ``client_id``/``client_secret``:
    AUTH_GOOGLE_CLIENT_ID/SECRET (AUTH_MICROSOFT_…); ``base_url``: HOOKWIRE_GOOGLE_BASE_URL
    (HOOKWIRE_MICROSOFT_BASE_URL), every endpoint of the provider under one URL instead of
    the provider's own hosts (an egress proxy, or a test double).
    """

    name: str
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    messaging: bool = False
    calendar: bool = False
    base_url: str | None = None

    @property
    def enabled(self) -> bool:
        return bool((self.messaging or self.calendar) and self.client_id and self.client_secret)


@dataclass(frozen=True)
class AccountSettings:
    """Connected accounts: how their credentials are sealed and where they may connect."""

    # ENCRYPTION_KEY, comma-separated: the first seals, every one opens (rotation). Unset, a
    # key derived from APP_SECRET.
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    # HOOKWIRE_ACCOUNT_ALLOWED_NETWORKS: private networks a mail or calendar host may be in.
    allowed_networks: tuple[Network, ...] = ()
    timeout: float = 15.0  # HOOKWIRE_ACCOUNT_TIMEOUT: seconds per connection and exchange
    # HOOKWIRE_SYNC_INTERVAL: seconds between a channel's syncs (each jittered by up to 10%).
    sync_interval: float = 300.0
    # HOOKWIRE_SYNC_FIRST_IMPORT_DAYS: how far back a mailbox's first import reaches, and
    # how far either side of today a calendar's window does.
    first_import_days: int = 90
    # HOOKWIRE_SYNC_LEASE_SECONDS: how long a sync holds its channel without renewing (a
    # crashed sync's channel is free again after it).
    sync_lease: float = 120.0
    # HOOKWIRE_SYNC_MAX_FAILURES: failed syncs in a row before a channel stops retrying.
    max_sync_failures: int = 5
    sync_batch: int = 200  # HOOKWIRE_SYNC_BATCH: messages fetched and committed together
    # google and microsoft: off unless their flags and client credentials are set.
    providers: Mapping[str, OAuthProvider] = field(default_factory=dict)


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
    storage: StorageSettings = field(default_factory=StorageSettings)
    sdk: SdkSettings = field(default_factory=SdkSettings)
    emails: EmailSettings = field(default_factory=EmailSettings)
    accounts: AccountSettings = field(default_factory=AccountSettings)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def request_body_ceiling(self) -> int:
        """The largest body the HTTP server reads: an upload (the file limit and its multipart
        framing) or ``max_body_bytes``, whichever is larger. The app holds every route but
        the uploads to ``max_body_bytes`` (``request.max_content_length``)."""
        return max(self.max_body_bytes, self.storage.max_file_bytes + UPLOAD_FRAMING_BYTES)


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    """Build the configuration from ``environ`` (default: ``os.environ``)."""
    env = os.environ if environ is None else environ
    database_url = _database_url(env.get("DATABASE_URL") or "")
    port = _port(env.get("PORT") or "3000")
    app_secret = _app_secret(env.get("APP_SECRET") or "", database_url)
    return Config(
        database_url=database_url,
        redis_url=_redis_url(env.get("REDIS_URL") or None),
        app_secret=app_secret,
        port=port,
        webhooks=_webhook_settings(env),
        secure_cookies=_secure_cookies(env.get("HOOKWIRE_SECURE_COOKIES") or "auto"),
        max_body_bytes=_count(env, "HOOKWIRE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
        max_batch=_count(env, "HOOKWIRE_MAX_BATCH", DEFAULT_MAX_BATCH),
        trusted_proxies=_trusted_proxies(env.get("HOOKWIRE_TRUSTED_PROXIES") or ""),
        server=_server_settings(env),
        storage=_storage_settings(env, database_url),
        sdk=sdk_settings(env, database_url),
        emails=_email_settings(env, port, app_secret),
        accounts=_account_settings(env),
    )


def _account_settings(env: Mapping[str, str]) -> AccountSettings:
    keys = tuple(k.strip() for k in (env.get("ENCRYPTION_KEY") or "").split(",") if k.strip())
    try:
        networks = parse_networks(env.get("HOOKWIRE_ACCOUNT_ALLOWED_NETWORKS", ""))
    except ValueError as error:
        raise ConfigError(f"HOOKWIRE_ACCOUNT_ALLOWED_NETWORKS: {error}") from None
    return AccountSettings(
        encryption_keys=keys,
        allowed_networks=networks,
        timeout=_seconds(env, "HOOKWIRE_ACCOUNT_TIMEOUT", AccountSettings.timeout),
        sync_interval=_seconds(env, "HOOKWIRE_SYNC_INTERVAL", AccountSettings.sync_interval),
        first_import_days=_count(
            env, "HOOKWIRE_SYNC_FIRST_IMPORT_DAYS", AccountSettings.first_import_days
        ),
        sync_lease=_seconds(env, "HOOKWIRE_SYNC_LEASE_SECONDS", AccountSettings.sync_lease),
        max_sync_failures=_count(
            env, "HOOKWIRE_SYNC_MAX_FAILURES", AccountSettings.max_sync_failures
        ),
        sync_batch=_count(env, "HOOKWIRE_SYNC_BATCH", AccountSettings.sync_batch),
        providers={
            "google": _oauth_provider(env, "google", "GOOGLE", "GMAIL", "GOOGLE"),
            "microsoft": _oauth_provider(env, "microsoft", "MICROSOFT", "MICROSOFT", "MICROSOFT"),
        },
    )


def _oauth_provider(
    env: Mapping[str, str], name: str, auth: str, messaging: str, calendar: str
) -> OAuthProvider:
    base_url = (env.get(f"HOOKWIRE_{auth}_BASE_URL") or "").strip().rstrip("/") or None
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"HOOKWIRE_{auth}_BASE_URL: expected an http(s):// URL, got {base_url!r}")
    return OAuthProvider(
        name=name,
        client_id=(env.get(f"AUTH_{auth}_CLIENT_ID") or "").strip() or None,
        client_secret=(env.get(f"AUTH_{auth}_CLIENT_SECRET") or "").strip() or None,
        messaging=_flag(env, f"MESSAGING_PROVIDER_{messaging}_ENABLED"),
        calendar=_flag(env, f"CALENDAR_PROVIDER_{calendar}_ENABLED"),
        base_url=base_url,
    )


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "false").strip().lower()
    if raw not in ("true", "false"):
        raise ConfigError(f"{name}: expected true or false, got {env.get(name)!r}")
    return raw == "true"


def _email_settings(env: Mapping[str, str], port: int, app_secret: str) -> EmailSettings:
    defaults = EmailSettings()
    driver = (env.get("EMAIL_DRIVER") or defaults.driver).strip().lower()
    driver = "log" if driver == "logger" else driver  # Twenty's name for it
    if driver not in EMAIL_DRIVERS:
        raise ConfigError(f"EMAIL_DRIVER: expected log or smtp, got {env.get('EMAIL_DRIVER')!r}")
    host = (env.get("EMAIL_SMTP_HOST") or "").strip() or None
    if driver == "smtp" and host is None:
        raise ConfigError("EMAIL_SMTP_HOST: required when EMAIL_DRIVER=smtp (the SMTP server)")
    no_tls = (env.get("EMAIL_SMTP_NO_TLS") or "false").strip().lower()
    if no_tls not in ("true", "false"):
        raise ConfigError(f"EMAIL_SMTP_NO_TLS: expected true or false, got {no_tls!r}")
    from_address = (env.get("EMAIL_FROM_ADDRESS") or defaults.from_address).strip()
    if "@" not in from_address:
        raise ConfigError(f"EMAIL_FROM_ADDRESS: expected an email address, got {from_address!r}")
    server_url = (env.get("SERVER_URL") or f"http://localhost:{port}").strip().rstrip("/")
    if not server_url.startswith(("http://", "https://")):
        raise ConfigError(f"SERVER_URL: expected an http(s):// URL, got {server_url!r}")
    schedule = env.get("HOOKWIRE_EMAIL_RETRY_SCHEDULE")
    return EmailSettings(
        driver=driver,
        smtp_host=host,
        smtp_port=_smtp_port(env.get("EMAIL_SMTP_PORT") or str(defaults.smtp_port)),
        smtp_user=env.get("EMAIL_SMTP_USER") or None,
        smtp_password=env.get("EMAIL_SMTP_PASSWORD") or None,
        smtp_no_tls=no_tls == "true",
        from_address=from_address,
        from_name=(env.get("EMAIL_FROM_NAME") or defaults.from_name).strip(),
        timeout=_seconds(env, "HOOKWIRE_EMAIL_TIMEOUT", defaults.timeout),
        retry_schedule=(
            _schedule(schedule, "HOOKWIRE_EMAIL_RETRY_SCHEDULE")
            if schedule
            else defaults.retry_schedule
        ),
        server_url=server_url,
        link_secret=app_secret,
        retention=timedelta(
            days=_count(env, "HOOKWIRE_EMAIL_RETENTION_DAYS", defaults.retention.days)
        ),
    )


def _smtp_port(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 65536:
        raise ConfigError(f"EMAIL_SMTP_PORT: expected a number from 1 to 65535, got {raw!r}")
    return int(raw)


def sdk_settings(env: Mapping[str, str], database_url: str = "") -> SdkSettings:
    """``SdkSettings`` from ``env``; ``hookwire sdk generate`` reads them without a database."""
    cache = (env.get("HOOKWIRE_SDK_DIR") or "").strip()
    tools = (env.get("HOOKWIRE_SDK_TOOLS") or "").strip()
    user_cache = (env.get("XDG_CACHE_HOME") or "").strip() or str(Path.home() / ".cache")
    return SdkSettings(
        cache_dir=Path(cache).expanduser().resolve() if cache else _sdk_cache(database_url),
        tools_dir=Path(tools).expanduser().resolve() if tools else Path(user_cache) / "hookwire",
    )


def _sdk_cache(database_url: str) -> Path:
    if database_url:
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return Path(url.database).resolve().parent / "sdk"
    return Path(tempfile.gettempdir()) / "hookwire-sdk"


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


def _storage_settings(env: Mapping[str, str], database_url: str) -> StorageSettings:
    defaults = StorageSettings()
    kind = (env.get("STORAGE_TYPE") or defaults.type).strip().lower()
    if kind not in STORAGE_TYPES:
        raise ConfigError(f"STORAGE_TYPE: expected local or s3, got {env.get('STORAGE_TYPE')!r}")
    bucket = (env.get("STORAGE_S3_NAME") or "").strip() or None
    if kind == "s3" and bucket is None:
        raise ConfigError("STORAGE_S3_NAME: required when STORAGE_TYPE=s3 (the bucket's name)")
    endpoint = (env.get("STORAGE_S3_ENDPOINT") or "").strip() or None
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise ConfigError(f"STORAGE_S3_ENDPOINT: expected an http(s):// URL, got {endpoint!r}")
    return StorageSettings(
        type=kind,
        local_path=_storage_path(env.get("STORAGE_LOCAL_PATH") or "", database_url),
        s3_bucket=bucket,
        s3_region=(env.get("STORAGE_S3_REGION") or "").strip() or None,
        s3_endpoint=endpoint,
        s3_access_key_id=env.get("STORAGE_S3_ACCESS_KEY_ID") or None,
        s3_secret_access_key=env.get("STORAGE_S3_SECRET_ACCESS_KEY") or None,
        max_file_bytes=_count(env, "FILE_MAX_SIZE_MB", defaults.max_file_bytes // MEBIBYTE)
        * MEBIBYTE,
        allowed_types=_media_types(env, "FILE_ALLOWED_TYPES", defaults.allowed_types),
        denied_types=_media_types(env, "FILE_DENIED_TYPES", defaults.denied_types),
        link_lifetime=_duration(env, "FILE_TOKEN_EXPIRES_IN", defaults.link_lifetime),
    )


def _storage_path(raw: str, database_url: str) -> Path:
    """``STORAGE_LOCAL_PATH``, or a ``storage`` folder beside the SQLite file (where the
    embedded default keeps its data), or in the working directory."""
    if raw.strip():
        return Path(raw.strip()).expanduser().resolve()
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / "storage"
    return Path.cwd() / "storage"


_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)")


def _media_types(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """A comma-separated list of media types; ``image/*`` stands for every image type."""
    raw = env.get(name)
    if not raw:
        return default
    types = tuple(part.strip().lower() for part in raw.split(",") if part.strip())
    for media_type in types:
        if not _MEDIA_TYPE.fullmatch(media_type):
            raise ConfigError(
                f"{name}: expected media types such as image/png or image/*, got {media_type!r}"
            )
    return types


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(env: Mapping[str, str], name: str, default: timedelta) -> timedelta:
    """Seconds, or a number with a unit as Twenty writes them: ``900``, ``15m``, ``1h``, ``1d``."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    match = _DURATION.fullmatch(raw.lower())
    if match is None or float(match[1]) <= 0:
        raise ConfigError(f"{name}: expected a duration such as 900, 15m, 1h or 1d, got {raw!r}")
    return timedelta(seconds=float(match[1]) * _UNIT_SECONDS[match[2]])


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
        failing_notice_after=_count(
            env, "HOOKWIRE_WEBHOOK_FAILING_NOTICE_AFTER", defaults.failing_notice_after
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


def _schedule(raw: str, name: str = "HOOKWIRE_WEBHOOK_RETRY_SCHEDULE") -> tuple[float, ...]:
    try:
        delays = tuple(float(part) for part in raw.split(","))
    except ValueError:
        delays = ()
    if not delays or any(delay < 0 for delay in delays):
        raise ConfigError(
            f"{name}: expected comma-separated delays in seconds "
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
