"""The ``hookwire`` command: init, serve, worker, apikey, user, connector, sdk.

``hookwire --help`` answers at once: this module imports only click at the top, and each
command imports the parts of Hookwire it runs (SQLAlchemy, the web app, the connector runtime).
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hookwire import __version__
from hookwire.connector.cli import connector

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from hookwire.config import Config

DEMO_WORKSPACE = "Demo"


def _config() -> Config:
    from hookwire.config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _migrated_engine(config: Config) -> Engine:
    from hookwire.database import create_db_engine, migrate

    engine = create_db_engine(config.database_url)
    migrate(engine)
    return engine


@click.group()
@click.version_option(__version__, "--version", prog_name="hookwire")
def main() -> None:
    """Hookwire: a Twenty-compatible CRM API with signed webhooks and connectors."""


def _admin_email(workspace_name: str) -> str:
    slug = "-".join("".join(c if c.isalnum() else " " for c in workspace_name).split()).lower()
    return f"admin@{slug or 'workspace'}.localhost"


def _echo_sign_in(port: int, email: str, password: str) -> None:
    """Tell where to sign in, on stderr: stdout stays the workspace line and the key."""
    click.echo(
        f"Sign in at http://localhost:{port}/sign-in as {email} with the password {password}",
        err=True,
    )


@main.command()
@click.option("--workspace", "workspace_name", default=DEMO_WORKSPACE, show_default=True)
@click.option("--with-sample-data", is_flag=True, help="Add a few companies, people and deals.")
@click.option("--admin-email", default=None, help="Default: admin@<workspace>.localhost.")
def init(workspace_name: str, with_sample_data: bool, admin_email: str | None) -> None:
    """Create a workspace and its first admin (password on stderr); print a new API key last."""
    from hookwire.crm.workspaces import add_sample_data, create_workspace
    from hookwire.database import transaction
    from hookwire.errors import ApiError
    from hookwire.identity import create_user, generate_password, issue_api_key

    config = _config()
    engine = _migrated_engine(config)
    password = generate_password()
    try:
        with transaction(engine) as session:
            workspace = create_workspace(session, workspace_name)
            if with_sample_data:
                add_sample_data(session, workspace)
            admin = create_user(
                session, workspace.id, admin_email or _admin_email(workspace_name), password
            )
            issued = issue_api_key(session, config.app_secret, workspace.id, "init")
    except ApiError as error:
        raise click.ClickException("; ".join(error.messages)) from None
    click.echo(f"Created workspace '{workspace.display_name}' ({workspace.id}).")
    _echo_sign_in(config.port, admin.email, password)
    click.echo(issued.token)


@main.command()
@click.option("--port", type=int, default=None, help="Default: $PORT or 3000.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="Request threads per process (per worker with --production). "
    "Default: $HOOKWIRE_THREADS, or 8.",
)
@click.option(
    "--production",
    is_flag=True,
    help="gunicorn with several worker processes (what the Docker image runs); "
    "without it, one process (waitress).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="With --production: worker processes. Default: $HOOKWIRE_WORKERS, or one per CPU "
    "(at least 2).",
)
@click.option(
    "--demo",
    is_flag=True,
    help=f"Ensure a '{DEMO_WORKSPACE}' workspace with sample data, an admin and an API key, "
    "kept in a file beside the database (the secrets are printed when created).",
)
def serve(
    port: int | None,
    host: str,
    threads: int | None,
    production: bool,
    workers: int | None,
    demo: bool,
) -> None:
    """Run migrations, then serve the API: on one process by default, or with --production on
    gunicorn's several. The port is --port, else $PORT, else 3000."""
    from hookwire.server import ListenError, bind_listener, run_server

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if port:
        # As if $PORT said it, so that links in emails (SERVER_URL's default) name it too.
        os.environ["PORT"] = str(port)
    config = _config()
    port = config.port
    try:  # before anything else, so that a taken port is one line and nothing more
        listener = bind_listener(host, port)
    except ListenError as error:
        raise click.ClickException(str(error)) from None
    engine = _migrated_engine(config)
    if demo:
        _announce_demo(_demo_credentials(engine, config), port)
    engine.dispose()
    try:
        run_server(
            config,
            listener,
            production=production,
            workers=workers or 0,
            threads=threads or 0,
            announce=lambda kind: click.echo(
                f"Hookwire listening on http://{host}:{port} ({kind})", err=True
            ),
        )
    except ListenError as error:
        raise click.ClickException(str(error)) from None


# The demo's credentials live in a file beside the SQLite database (beside APP_SECRET's file,
# which can sign any key: this one adds no exposure), readable only by its owner, as shell
# variables: `. ./hookwire.demo.env` sets KEY. Only their ids and hashes are in the database,
# so the file is what lets a restart keep them: `serve --demo` prints a secret only when it
# creates it, and later starts print where it is.
DEMO_FILE_SUFFIX = ".demo.env"
DEMO_KEY_NAME = "serve --demo"
_DEMO_VARIABLES = {
    "key": "KEY",
    "email": "HOOKWIRE_DEMO_EMAIL",
    "password": "HOOKWIRE_DEMO_PASSWORD",
}


@dataclass(frozen=True)
class DemoCredentials:
    path: Path  # the file that holds them
    saved: bool  # False if the file could not be written: the secrets are shown only now
    email: str
    key: str
    new_key: bool
    password: str | None  # None once changed with `hookwire user reset-password`
    new_password: bool


def _demo_file(config: Config) -> Path:
    """``hookwire.demo.env`` beside a SQLite database file, else in the current directory."""
    from sqlalchemy.engine import make_url

    database = make_url(config.database_url).database if config.is_sqlite else None
    if not database or database == ":memory:":
        return Path.cwd() / f"hookwire{DEMO_FILE_SUFFIX}"
    return Path(database).with_suffix(DEMO_FILE_SUFFIX)


def _read_demo_file(path: Path) -> dict[str, str] | None:
    """What the file holds, by ``_DEMO_VARIABLES`` key; None when there is no file.

    An unreadable file counts as none; a line that does not parse, as a missing value.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        click.echo(f"Warning: cannot read {path} ({error}); making new credentials", err=True)
        return None
    names = {name: key for key, name in _DEMO_VARIABLES.items()}
    values = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() in names:
            try:
                words = shlex.split(value, comments=True)
            except ValueError:
                continue
            if words:
                values[names[name.strip()]] = words[0]
    return values


def _write_demo_file(path: Path, values: dict[str, str | None]) -> bool:
    """Replace the file atomically, created with mode 0600; False (and a warning) if it fails."""
    lines = [
        "# The demo workspace's credentials, kept by `hookwire serve --demo` (mode 0600: yours",
        "# only). Delete this file and restart for a new key and admin password (then revoke",
        "# the old key on the APIs settings page).",
        f"# Load them into a shell with:  . {path.resolve().as_posix()}",
        *(
            f"{_DEMO_VARIABLES[key]}={shlex.quote(value)}"
            for key, value in values.items()
            if value is not None
        ),
    ]
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        click.echo(f"Warning: could not save the demo credentials to {path}: {error}", err=True)
        return False
    return True


def _shown(path: Path) -> str:
    """``./name`` for a file under the current directory, else the absolute path."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else f"./{Path(relative).as_posix()}"


def _demo_credentials(engine: Engine, config: Config) -> DemoCredentials:
    """The demo workspace, its admin and an API key: created once, then kept across starts.

    A key or password from the file is reused while it still works. The admin's password is
    only (re)set when there is no file at all (a first start, or the file was deleted); one
    changed since with ``hookwire user reset-password`` is left alone.
    """
    from werkzeug.security import check_password_hash

    from hookwire.crm.workspaces import add_sample_data, create_workspace, find_workspace
    from hookwire.database import transaction
    from hookwire.identity import (
        create_user,
        find_user,
        generate_password,
        issue_api_key,
        set_password,
    )

    path = _demo_file(config)
    saved = _read_demo_file(path)
    email = _admin_email(DEMO_WORKSPACE)
    password = (saved or {}).get("password")
    key = (saved or {}).get("key")
    new_password = new_key = False
    with transaction(engine) as session:
        workspace = find_workspace(session, DEMO_WORKSPACE)
        if workspace is None:
            workspace = create_workspace(session, DEMO_WORKSPACE)
            add_sample_data(session, workspace)
        admin = find_user(session, email)
        if admin is None or saved is None:
            password, new_password = generate_password(), True
            if admin is None:
                create_user(session, workspace.id, email, password)
            else:
                set_password(session, admin, password)
        elif password is not None and not check_password_hash(admin.password_hash, password):
            password = None  # reset by hand since: that one is the admin's to keep
        if key is None or not _key_works(session, config, key, workspace.id):
            key = issue_api_key(session, config.app_secret, workspace.id, DEMO_KEY_NAME).token
            new_key = True
    values = {"key": key, "email": email, "password": password}
    written = saved is not None and saved == {k: v for k, v in values.items() if v is not None}
    if not written:
        written = _write_demo_file(path, values)
    return DemoCredentials(path, written, email, key, new_key, password, new_password)


def _key_works(session: Session, config: Config, key: str, workspace_id: str) -> bool:
    """Whether ``key`` is a live key of ``workspace_id`` (not revoked, not expired)."""
    from hookwire.errors import ApiError
    from hookwire.identity import verify_api_key

    try:
        return verify_api_key(session, config.app_secret, key).workspace_id == workspace_id
    except ApiError:
        return False


def _announce_demo(demo: DemoCredentials, port: int) -> None:
    """Print the demo's secrets only when they were just created; otherwise where they are."""
    where = _shown(demo.path)
    if demo.new_key:
        kept = f"saved in {where} (readable only by you)" if demo.saved else "shown only now"
        click.echo(f"Demo workspace ready. A new API key, {kept}:\n\n    {demo.key}\n")
    else:
        click.echo(f"Demo workspace ready. Its API key is in {where} (readable only by you).")
    if demo.new_password:
        _echo_sign_in(port, demo.email, demo.password or "")
    else:
        source = f"in {where}" if demo.password else "set with `hookwire user reset-password`"
        click.echo(
            f"Sign in at http://localhost:{port}/sign-in as {demo.email} with the password "
            f"{source}",
            err=True,
        )
    load = f". {where}; " if demo.saved or not demo.new_key else "KEY=<the key above>; "
    click.echo(
        f'Try: {load}curl -H "Authorization: Bearer $KEY" http://localhost:{port}/rest/people'
    )


@main.command()
@click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
def worker(burst: bool) -> None:
    """Deliver webhooks, send emails and sync connected accounts from the Redis queues (needs
    REDIS_URL); runs no migrations."""
    from hookwire.hooks.jobs import run_worker
    from hookwire.jobs import CHANNEL_QUEUES

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = _config()
    if not config.redis_url:
        raise click.ClickException(
            "REDIS_URL is not set; without Redis, `hookwire serve` delivers webhooks itself"
        )
    run_worker(config.redis_url, burst=burst, other_queues=CHANNEL_QUEUES)


@main.group()
def apikey() -> None:
    """Issue, list and revoke API keys."""


def _workspace_id(engine: Engine, name: str) -> str:
    from hookwire.crm.workspaces import find_workspace
    from hookwire.database import transaction

    with transaction(engine) as session:
        workspace = find_workspace(session, name)
        if workspace is None:
            raise click.ClickException(
                f"no workspace named '{name}'; create it with `hookwire init`"
            )
        return workspace.id


@apikey.command("create")
@click.option("--workspace", "workspace_name", required=True)
@click.option("--name", "label", required=True, help="A label to recognise the key by.")
@click.option(
    "--expires-in", type=click.IntRange(min=1), default=None, help="Days until it expires."
)
def apikey_create(workspace_name: str, label: str, expires_in: int | None) -> None:
    """Print a new API key (only the token)."""
    from hookwire.database import transaction
    from hookwire.identity import issue_api_key

    config = _config()
    engine = _migrated_engine(config)
    workspace_id = _workspace_id(engine, workspace_name)
    lifetime = timedelta(days=expires_in) if expires_in else None
    with transaction(engine) as session:
        issued = issue_api_key(session, config.app_secret, workspace_id, label, lifetime)
    click.echo(issued.token)


@apikey.command("list")
@click.option("--workspace", "workspace_name", required=True)
def apikey_list(workspace_name: str) -> None:
    """List a workspace's API keys (never their tokens)."""
    from hookwire.database import transaction
    from hookwire.identity import is_expired, list_api_keys

    engine = _migrated_engine(_config())
    workspace_id = _workspace_id(engine, workspace_name)
    with transaction(engine) as session:
        keys = list_api_keys(session, workspace_id)
    click.echo(f"{'ID':36}  {'NAME':20}  {'EXPIRES':19}  STATUS")
    for key in keys:
        status = "revoked" if key.revoked_at else "expired" if is_expired(key) else "active"
        expires = key.expires_at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{key.id:36}  {key.name[:20]:20}  {expires:19}  {status}")


@apikey.command("revoke")
@click.argument("key_id")
def apikey_revoke(key_id: str) -> None:
    """Revoke a key; requests with it fail from the next one on."""
    from hookwire.database import transaction
    from hookwire.errors import ApiError
    from hookwire.identity import revoke_api_key

    engine = _migrated_engine(_config())
    try:
        with transaction(engine) as session:
            revoke_api_key(session, key_id)
    except ApiError as error:
        raise click.ClickException("; ".join(error.messages)) from None
    click.echo(f"Revoked {key_id}.")


@main.group()
def user() -> None:
    """Add settings-UI admins and reset their passwords."""


@user.command("create")
@click.option("--workspace", "workspace_name", required=True)
@click.option("--email", required=True)
def user_create(workspace_name: str, email: str) -> None:
    """Add an admin to a workspace; print the generated password (only that)."""
    from hookwire.database import transaction
    from hookwire.errors import ApiError
    from hookwire.identity import create_user, generate_password

    engine = _migrated_engine(_config())
    workspace_id = _workspace_id(engine, workspace_name)
    password = generate_password()
    try:
        with transaction(engine) as session:
            create_user(session, workspace_id, email, password)
    except ApiError as error:
        raise click.ClickException("; ".join(error.messages)) from None
    click.echo(password)


@user.command("reset-password")
@click.argument("email")
def user_reset_password(email: str) -> None:
    """Give a user a new generated password and print it (only that); they are told by email
    and signed out everywhere."""
    from hookwire.database import transaction
    from hookwire.identity import find_user, generate_password
    from hookwire.members import replace_password

    config = _config()
    engine = _migrated_engine(config)
    password = generate_password()
    with transaction(engine) as session:
        found = find_user(session, email)
        if found is None:
            raise click.ClickException(f"no user with the e-mail address '{email}'")
        replace_password(session, found, password, config.emails.server_url)
    click.echo(password)


@main.group()
def accounts() -> None:
    """Connected accounts (mailboxes and calendars)."""


@accounts.command("reseal")
def accounts_reseal() -> None:
    """Seal every account's credentials under ENCRYPTION_KEY's first key, so an older key
    can then be dropped from it; prints how many were resealed."""
    import sqlalchemy as sa

    from hookwire.connected_accounts import CredentialSealer, SealBroken
    from hookwire.database import transaction
    from hookwire.models import ConnectedAccount

    config = _config()
    engine = _migrated_engine(config)
    sealer = CredentialSealer(config.accounts.encryption_keys, config.app_secret)
    with transaction(engine) as session:
        rows = session.execute(sa.select(ConnectedAccount.id, ConnectedAccount.sealed_credentials))
        try:
            resealed = [{"b_id": id_, "sealed": sealer.reseal(sealed)} for id_, sealed in rows]
        except SealBroken as broken:
            raise click.ClickException(str(broken)) from None
        if resealed:
            table = ConnectedAccount.__table__
            session.execute(
                sa.update(table)
                .where(table.c.id == sa.bindparam("b_id"))
                .values(sealed_credentials=sa.bindparam("sealed")),
                resealed,
            )
    click.echo(f"{len(resealed)} connected account(s) resealed")


@main.group()
def sdk() -> None:
    """The typed Python client SDK (hookwire-client) of a workspace."""


@sdk.command("generate")
@click.option("--url", required=True, help="The server, e.g. http://localhost:3000.")
@click.option(
    "--key", envvar="HOOKWIRE_API_KEY", help="An API key of the workspace (unless --schema)."
)
@click.option(
    "--schema",
    "schema_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Generate from this SDL (.graphql) or introspection (.json) file instead of asking "
    "the server; --url is then only the client's default server.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the wheel into.",
)
def sdk_generate(url: str, key: str | None, schema_file: Path | None, out_dir: Path) -> None:
    """Generate the workspace's client from the server's schema; print the wheel's path."""
    from hookwire.config import sdk_settings
    from hookwire.sdk import GenerationError, build_wheel, fetch_schema, load_schema

    if schema_file is None and not key:
        raise click.UsageError("--key (or HOOKWIRE_API_KEY) is required unless --schema is given")
    tools_dir = sdk_settings(os.environ).tools_dir
    try:
        schema = load_schema(schema_file) if schema_file else fetch_schema(url, key or "")
        wheel = build_wheel(schema, out_dir, server_url=url.rstrip("/"), tools_dir=tools_dir)
    except GenerationError as error:
        raise click.ClickException(str(error)) from None
    click.echo(wheel)


@sdk.command("tools")
def sdk_tools() -> None:
    """Install the code generator (ariadne-codegen) into its own environment now, rather
    than on the first client download (the Docker image does this when it is built)."""
    from hookwire.config import sdk_settings
    from hookwire.sdk import toolchain

    click.echo(toolchain(sdk_settings(os.environ).tools_dir).root)


main.add_command(connector)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
