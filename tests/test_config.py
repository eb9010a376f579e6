"""Settings from the environment: defaults, the generated secret, and one-line errors."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hookwire.config import ConfigError, load_config

GOOD_SECRET = "s" * 16


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_use_a_sqlite_file_in_the_working_directory(in_tmp: Path) -> None:
    config = load_config({})
    assert config.database_url == f"sqlite:///{in_tmp / 'hookwire.db'}"
    assert config.is_sqlite is True
    assert config.port == 3000
    assert config.redis_url is None
    secret_file = in_tmp / "hookwire.secret"
    assert config.app_secret == secret_file.read_text().strip()
    assert len(config.app_secret) == 64
    int(config.app_secret, 16)  # hex


def test_empty_values_count_as_unset(in_tmp: Path) -> None:
    config = load_config({"DATABASE_URL": "", "REDIS_URL": "", "APP_SECRET": "", "PORT": ""})
    assert config.database_url == f"sqlite:///{in_tmp / 'hookwire.db'}"
    assert (config.port, config.redis_url) == (3000, None)


def test_generated_secret_is_private_and_reused(in_tmp: Path) -> None:
    first = load_config({})
    secret_file = in_tmp / "hookwire.secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert load_config({}).app_secret == first.app_secret
    assert secret_file.read_text() == first.app_secret + "\n"


def test_generated_secret_lives_beside_the_database_file(tmp_path: Path, in_tmp: Path) -> None:
    db = tmp_path / "data" / "crm.sqlite3"
    config = load_config({"DATABASE_URL": f"sqlite:///{db}"})
    assert config.database_url == f"sqlite:///{db}"
    secret_file = tmp_path / "data" / "crm.secret"
    assert secret_file.read_text().strip() == config.app_secret
    assert not (in_tmp / "hookwire.secret").exists()
    other = load_config({"DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}"})
    assert other.app_secret != config.app_secret


def test_explicit_settings_are_taken_as_given(in_tmp: Path) -> None:
    config = load_config(
        {
            "DATABASE_URL": "postgresql://hw:pw@db.example:5433/crm",
            "REDIS_URL": "redis://cache:6379/2",
            "APP_SECRET": GOOD_SECRET,
            "PORT": "8080",
        }
    )
    assert (config.database_url, config.redis_url, config.app_secret, config.port) == (
        "postgresql+psycopg://hw:pw@db.example:5433/crm",
        "redis://cache:6379/2",
        GOOD_SECRET,
        8080,
    )
    assert config.is_sqlite is False
    assert list(in_tmp.iterdir()) == []


@pytest.mark.parametrize("redis_url", ["rediss://cache:6380/0", "unix:///run/redis.sock"])
def test_other_redis_schemes_are_accepted(in_tmp: Path, redis_url: str) -> None:
    assert load_config({"REDIS_URL": redis_url}).redis_url == redis_url


def test_postgres_without_app_secret_is_refused(in_tmp: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({"DATABASE_URL": "postgresql+psycopg://hw@db.example/crm"})
    message = str(caught.value)
    assert message.startswith("APP_SECRET: required when DATABASE_URL is not a SQLite file")
    assert "\n" not in message
    assert list(in_tmp.iterdir()) == []


def test_in_memory_sqlite_without_app_secret_is_refused(in_tmp: Path) -> None:
    with pytest.raises(ConfigError, match=r"^APP_SECRET: required"):
        load_config({"DATABASE_URL": "sqlite://"})


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PORT": "abc"}, "PORT: expected a number from 1 to 65535, got 'abc'"),
        ({"PORT": "0"}, "PORT: expected a number from 1 to 65535, got '0'"),
        ({"PORT": "65536"}, "PORT: expected a number from 1 to 65535, got '65536'"),
        ({"PORT": "-1"}, "PORT: expected a number from 1 to 65535, got '-1'"),
        ({"PORT": "80.5"}, "PORT: expected a number from 1 to 65535, got '80.5'"),
        ({"PORT": "\u00b2"}, "PORT: expected a number from 1 to 65535, got '\u00b2'"),
        (
            {"DATABASE_URL": "mysql://root@localhost/crm"},
            "DATABASE_URL: unsupported database 'mysql'; "
            "use sqlite:///path or postgresql+psycopg://user@host/db",
        ),
        (
            {"DATABASE_URL": "not a url"},
            "DATABASE_URL: cannot parse 'not a url'; "
            "expected sqlite:///path or postgresql+psycopg://user@host/db",
        ),
        (
            {"REDIS_URL": "localhost:6379"},
            "REDIS_URL: expected redis://host:port/db, got 'localhost:6379'",
        ),
        (
            {"REDIS_URL": "http://cache:6379"},
            "REDIS_URL: expected redis://host:port/db, got 'http://cache:6379'",
        ),
        ({"APP_SECRET": "s" * 15}, "APP_SECRET: must be at least 16 characters long"),
        (
            {"MESSAGING_PROVIDER_GMAIL_ENABLED": "yes"},
            "MESSAGING_PROVIDER_GMAIL_ENABLED: expected true or false, got 'yes'",
        ),
        (
            {"HOOKWIRE_GOOGLE_BASE_URL": "google.test"},
            "HOOKWIRE_GOOGLE_BASE_URL: expected an http(s):// URL, got 'google.test'",
        ),
        (
            {"HOOKWIRE_SYNC_INTERVAL": "0"},
            "HOOKWIRE_SYNC_INTERVAL: expected a positive number, got '0'",
        ),
    ],
)
def test_malformed_settings_raise_one_line_naming_the_setting(
    in_tmp: Path, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({"APP_SECRET": GOOD_SECRET, **environ})
    assert str(caught.value) == message


def test_reads_os_environ_by_default(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{in_tmp / 'env.db'}")
    monkeypatch.setenv("APP_SECRET", GOOD_SECRET)
    monkeypatch.setenv("PORT", "4321")
    monkeypatch.delenv("REDIS_URL", raising=False)
    config = load_config()
    assert (config.database_url, config.app_secret, config.port, config.redis_url) == (
        f"sqlite:///{in_tmp / 'env.db'}",
        GOOD_SECRET,
        4321,
        None,
    )


def _hookwire(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    base.update(DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}", APP_SECRET=GOOD_SECRET)
    return subprocess.run(
        [sys.executable, "-m", "hookwire.cli", *args],
        env={**base, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_with_a_bad_port_exits_with_one_clear_line(tmp_path: Path) -> None:
    result = _hookwire(tmp_path, "serve", PORT="http")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: PORT: expected a number from 1 to 65535, got 'http'"
    ]
    assert not (tmp_path / "serve.db").exists()


def test_serve_with_postgres_and_no_secret_exits_with_one_clear_line(tmp_path: Path) -> None:
    result = _hookwire(
        tmp_path, "serve", DATABASE_URL="postgresql://nobody@127.0.0.1:1/none", APP_SECRET=""
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: APP_SECRET: required when DATABASE_URL is not a SQLite file")


def test_request_limits_and_server_defaults(in_tmp: Path) -> None:
    config = load_config({})
    assert (config.max_body_bytes, config.max_batch) == (5 * 1024 * 1024, 200)
    assert not config.trusted_proxies
    server = config.server
    assert (server.header_timeout, server.body_timeout, server.keepalive_timeout) == (10, 60, 15)
    assert (server.max_connections, server.max_connections_per_client) == (1000, 100)
    assert (server.workers, server.threads) == (0, 0)  # chosen by the server


def test_request_limits_and_server_settings_are_read(in_tmp: Path) -> None:
    config = load_config(
        {
            "HOOKWIRE_MAX_BODY_BYTES": "1_000_000",
            "HOOKWIRE_MAX_BATCH": "50",
            "HOOKWIRE_HEADER_TIMEOUT": "2.5",
            "HOOKWIRE_BODY_TIMEOUT": "30",
            "HOOKWIRE_KEEPALIVE_TIMEOUT": "5",
            "HOOKWIRE_MAX_CONNECTIONS": "5000",
            "HOOKWIRE_MAX_CONNECTIONS_PER_CLIENT": "0",
            "HOOKWIRE_WORKERS": "3",
            "HOOKWIRE_THREADS": "6",
        }
    )
    assert (config.max_body_bytes, config.max_batch) == (1_000_000, 50)
    server = config.server
    assert (server.header_timeout, server.body_timeout, server.keepalive_timeout) == (2.5, 30, 5)
    assert (server.max_connections, server.max_connections_per_client) == (5000, 0)
    assert (server.workers, server.threads) == (3, 6)


def test_trusted_proxies_are_a_count_or_networks(in_tmp: Path) -> None:
    counted = load_config({"HOOKWIRE_TRUSTED_PROXIES": "2"}).trusted_proxies
    assert (counted.count, counted.networks) == (2, ())
    assert not counted.trusts("10.0.0.1")  # a count names no address
    named = load_config({"HOOKWIRE_TRUSTED_PROXIES": "10.0.0.0/8, fd00::/8"}).trusted_proxies
    assert named.count == 0 and len(named.networks) == 2
    assert named.trusts("10.1.2.3") and named.trusts("fd00::1")
    assert not named.trusts("192.0.2.1") and not named.trusts("not an address")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"HOOKWIRE_MAX_BODY_BYTES": "5MB"},
            "HOOKWIRE_MAX_BODY_BYTES: expected a whole number of at least 1, got '5MB'",
        ),
        (
            {"HOOKWIRE_MAX_BATCH": "0"},
            "HOOKWIRE_MAX_BATCH: expected a whole number of at least 1, got '0'",
        ),
        (
            {"HOOKWIRE_MAX_CONNECTIONS_PER_CLIENT": "-1"},
            "HOOKWIRE_MAX_CONNECTIONS_PER_CLIENT: expected a whole number of at least 0, got '-1'",
        ),
        (
            {"HOOKWIRE_HEADER_TIMEOUT": "0"},
            "HOOKWIRE_HEADER_TIMEOUT: expected a positive number, got '0'",
        ),
        (
            {"HOOKWIRE_TRUSTED_PROXIES": "proxy.internal"},
            "HOOKWIRE_TRUSTED_PROXIES: expected the number of proxies in front of the server "
            "(e.g. 1) or their addresses (e.g. 10.0.0.0/8, 172.16.0.0/12); "
            "not a CIDR network: 'proxy.internal'",
        ),
    ],
)
def test_malformed_server_settings_raise_one_line(
    in_tmp: Path, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(environ)
    assert str(caught.value) == message


def test_sync_settings_and_providers_default_off_and_are_read(in_tmp: Path) -> None:
    accounts = load_config({"APP_SECRET": GOOD_SECRET}).accounts
    assert (accounts.sync_interval, accounts.first_import_days, accounts.max_sync_failures) == (
        300.0,
        90,
        5,
    )
    assert not any(provider.enabled for provider in accounts.providers.values())
    accounts = load_config(
        {
            "APP_SECRET": GOOD_SECRET,
            "HOOKWIRE_SYNC_INTERVAL": "60",
            "HOOKWIRE_SYNC_FIRST_IMPORT_DAYS": "7",
            "MESSAGING_PROVIDER_GMAIL_ENABLED": "true",
            "AUTH_GOOGLE_CLIENT_ID": "client",
            "AUTH_GOOGLE_CLIENT_SECRET": "secret",
            "CALENDAR_PROVIDER_MICROSOFT_ENABLED": "true",  # no client: stays off
        }
    ).accounts
    assert (accounts.sync_interval, accounts.first_import_days) == (60.0, 7)
    google, microsoft = accounts.providers["google"], accounts.providers["microsoft"]
    assert google.enabled and google.messaging and not google.calendar
    assert not microsoft.enabled and "secret" not in repr(google)
