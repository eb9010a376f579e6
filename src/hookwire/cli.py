"""The ``hookwire`` command: init, serve, apikey, user."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta

import click
from sqlalchemy.engine import Engine

from hookwire.auth import (
    create_user,
    find_user,
    generate_password,
    is_expired,
    issue_api_key,
    list_api_keys,
    revoke_api_key,
    set_password,
)
from hookwire.config import Config, ConfigError, load_config
from hookwire.connector.cli import connector
from hookwire.crm.workspaces import add_sample_data, create_workspace, find_workspace
from hookwire.database import create_db_engine, migrate, transaction
from hookwire.errors import ApiError

DEMO_WORKSPACE = "Demo"


def _config() -> Config:
    try:
        return load_config()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _migrated_engine(config: Config) -> Engine:
    engine = create_db_engine(config.database_url)
    migrate(engine)
    return engine


@click.group()
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
@click.option("--threads", type=int, default=8, show_default=True)
@click.option(
    "--demo",
    is_flag=True,
    help=f"Ensure a '{DEMO_WORKSPACE}' workspace with sample data and print a fresh API key.",
)
def serve(port: int | None, host: str, threads: int, demo: bool) -> None:
    """Run migrations, then serve the API."""
    import waitress

    from hookwire.app import create_app

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = _config()
    engine = _migrated_engine(config)
    port = port or config.port
    if demo:
        token, email, password = _demo_credentials(engine, config)
        click.echo(f"Demo workspace ready. API key:\n\n    {token}\n")
        _echo_sign_in(port, email, password)
        click.echo(f'Try: curl -H "Authorization: Bearer $KEY" http://localhost:{port}/rest/people')
    engine.dispose()
    app = create_app(config)
    click.echo(f"Hookwire listening on http://{host}:{port}", err=True)
    waitress.serve(app, host=host, port=port, threads=threads, ident="hookwire", _quiet=True)


def _demo_credentials(engine: Engine, config: Config) -> tuple[str, str, str]:
    """A fresh API key, and the demo admin's e-mail and (new) password."""
    email, password = _admin_email(DEMO_WORKSPACE), generate_password()
    with transaction(engine) as session:
        workspace = find_workspace(session, DEMO_WORKSPACE)
        if workspace is None:
            workspace = create_workspace(session, DEMO_WORKSPACE)
            add_sample_data(session, workspace)
        admin = find_user(session, email)
        if admin is None:
            create_user(session, workspace.id, email, password)
        else:
            set_password(session, admin, password)
        token = issue_api_key(session, config.app_secret, workspace.id, "serve --demo").token
    return token, email, password


@main.command()
@click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
def worker(burst: bool) -> None:
    """Deliver webhooks from the Redis queue (needs REDIS_URL); runs no migrations."""
    from hookwire.hooks.jobs import run_worker

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = _config()
    if not config.redis_url:
        raise click.ClickException(
            "REDIS_URL is not set; without Redis, `hookwire serve` delivers webhooks itself"
        )
    run_worker(config.redis_url, burst=burst)


@main.group()
def apikey() -> None:
    """Issue, list and revoke API keys."""


def _workspace_id(engine: Engine, name: str) -> str:
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
    """Give an admin a new generated password and print it (only that)."""
    engine = _migrated_engine(_config())
    password = generate_password()
    with transaction(engine) as session:
        found = find_user(session, email)
        if found is None:
            raise click.ClickException(f"no user with the e-mail address '{email}'")
        set_password(session, found, password)
    click.echo(password)


main.add_command(connector)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
