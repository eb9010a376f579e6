"""``hookwire connector``: validate, describe, export, invoke, serve and listen."""

from __future__ import annotations

import json
import signal
import threading
from typing import TYPE_CHECKING, Any

import click

from hookwire.connector.bundle import Bundle
from hookwire.connector.describe import describe as describe_definition
from hookwire.connector.errors import ConnectorError, DefinitionError
from hookwire.connector.loading import load_definition

if TYPE_CHECKING:
    from hookwire.connector.runtime import Connector

# The runtime (requests, Authlib, jsonschema) is imported by the commands that run it, so
# that ``hookwire --help`` and ``hookwire connector --help`` start at once.

BUNDLED = "hookwire.crm_connector:CRM_CONNECTOR"
SOURCE_HELP = "A .json or .py file, or module:NAME (default: the bundled CRM connector)."


def _connector(source: str) -> Connector:
    from hookwire.connector.runtime import Connector

    try:
        return Connector(load_definition(source))
    except ConnectorError as error:
        raise click.ClickException(str(error)) from None


def _pairs(values: tuple[str, ...], option: str) -> dict[str, Any]:
    """``k=v`` options as a dict; values stay text (the runtime coerces them per field)."""
    pairs: dict[str, Any] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected key=value, got {value!r}", param_hint=option)
        pairs[key] = text
    return pairs


def _meta(values: tuple[str, ...]) -> dict[str, Any]:
    """``--meta page=2``: values parse as JSON when they can (numbers, true/false)."""
    meta = {}
    for key, text in _pairs(values, "--meta").items():
        try:
            meta[key] = json.loads(text)
        except json.JSONDecodeError:
            meta[key] = text
    return meta


def _bundle(
    auth: tuple[str, ...], inputs: tuple[str, ...], meta: tuple[str, ...] = (), **extra: Any
) -> Bundle:
    data = {
        "authData": _pairs(auth, "--auth"),
        "inputData": _pairs(inputs, "--input"),
        "meta": _meta(meta),
        **{key: value for key, value in extra.items() if value is not None},
    }
    try:
        return Bundle.from_dict(data)
    except ConnectorError as error:
        raise click.ClickException(str(error)) from None


auth_option = click.option(
    "--auth", "auth", multiple=True, metavar="KEY=VALUE", help="An authData field (repeat)."
)
input_option = click.option(
    "--input", "inputs", multiple=True, metavar="KEY=VALUE", help="An inputData field (repeat)."
)
definition_option = click.option(
    "--definition", "-d", "source", default=BUNDLED, show_default=True, help=SOURCE_HELP
)


@click.group("connector")
def connector() -> None:
    """Validate, inspect and run connector definitions."""


@connector.command()
@click.argument("source", default=BUNDLED)
def validate(source: str) -> None:
    """Check a definition; print every problem with its path."""
    from hookwire.connector.validation import validate_definition

    try:
        validate_definition(load_definition(source))
    except DefinitionError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s) in {source}") from None
    except ConnectorError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{source}: valid")


@connector.command()
@click.argument("source", default=BUNDLED)
def describe(source: str) -> None:
    """Print the authentication, triggers, actions and their fields as tables."""
    click.echo(describe_definition(_connector(source).definition))


@connector.command()
@click.argument("source", default=BUNDLED)
def export(source: str) -> None:
    """Print the whole definition as one JSON manifest, callables by name."""
    click.echo(json.dumps(_connector(source).definition, indent=2))


@connector.command()
@click.argument("operation")
@definition_option
@auth_option
@input_option
@click.option("--meta", "meta", multiple=True, metavar="KEY=VALUE", help="A bundle.meta value.")
@click.option("--target-url", default=None, help="bundle.targetUrl (for performSubscribe).")
@click.option("--subscribe-data", default=None, help="bundle.subscribeData as JSON.")
def invoke(
    operation: str,
    source: str,
    auth: tuple[str, ...],
    inputs: tuple[str, ...],
    meta: tuple[str, ...],
    target_url: str | None,
    subscribe_data: str | None,
) -> None:
    """Run OPERATION (e.g. crud_record, trigger_record.performList, test); print JSON."""
    runner = _connector(source)
    try:
        subscribed = json.loads(subscribe_data) if subscribe_data else None
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"not JSON ({error.msg})", param_hint="--subscribe-data") from None
    bundle = _bundle(auth, inputs, meta, targetUrl=target_url, subscribeData=subscribed)
    try:
        result = runner.run(operation, bundle)
    except ConnectorError as error:
        click.echo(json.dumps({"error": error.to_dict()}, indent=2))
        raise SystemExit(1) from None
    click.echo(json.dumps(result, indent=2))


@connector.command()
@definition_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=3100, show_default=True)
@click.option("--threads", type=int, default=8, show_default=True)
def serve(source: str, host: str, port: int, threads: int) -> None:
    """Serve the runtime over HTTP: POST /invoke {operation, bundle}."""
    import waitress

    from hookwire.connector.server import create_runtime_app

    app = create_runtime_app(_connector(source))
    click.echo(f"Connector runtime listening on http://{host}:{port}", err=True)
    waitress.serve(app, host=host, port=port, threads=threads, _quiet=True)


@connector.command()
@click.argument("trigger")
@definition_option
@auth_option
@input_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Where to catch hooks.")
@click.option("--port", type=int, default=0, help="Default: any free port.")
def listen(
    trigger: str,
    source: str,
    auth: tuple[str, ...],
    inputs: tuple[str, ...],
    host: str,
    port: int,
) -> None:
    """Subscribe TRIGGER to a local catch URL; print each hook as perform returns it."""
    from hookwire.connector.listen import HookListener

    listener = HookListener(
        _connector(source),
        trigger,
        _bundle(auth, inputs),
        out=lambda line: click.echo(line),
        err=lambda line: click.echo(line, err=True),
        host=host,
        port=port,
    )
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        listener.start()
        while not stopping.wait(0.2):
            pass
    except ConnectorError as error:
        raise click.ClickException(str(error)) from None
    finally:
        listener.stop()
