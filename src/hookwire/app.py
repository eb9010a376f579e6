"""The application factory."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from hookwire.config import Config, load_config
from hookwire.connected_accounts import (
    connected_account_mutations,
    connected_account_queries,
    register_connected_accounts,
)
from hookwire.crm import register_crm
from hookwire.crm.catalog import CatalogCache
from hookwire.crm.graphql.metadata_schema import build_metadata_schema
from hookwire.crm.request_context import end_request_session
from hookwire.crm.rest.applications import applications_api
from hookwire.crm.rest.invitations import invitations_api
from hookwire.database import create_db_engine
from hookwire.emails import EMAILS_KEY, EmailRunner
from hookwire.errors import register_error_handlers
from hookwire.files import file_mutations, register_files
from hookwire.health import health_api
from hookwire.hooks import (
    Dispatcher,
    Outbox,
    create_dispatcher,
    webhook_mutations,
    webhook_queries,
    webhooks_blueprint,
)
from hookwire.identity import register_identity
from hookwire.inputs import refuse_unstorable_request_text
from hookwire.jobs import ChannelJobs, Scheduler
from hookwire.messaging import messaging_mutations, sending_api
from hookwire.request_ids import install_request_ids
from hookwire.sdk import install_prebuilder, sdk_api
from hookwire.server import TOO_LARGE, body_too_large_message, error_document, trust_proxies
from hookwire.services import EXTENSION_KEY, ChannelWork, Services, services
from hookwire.web import register_web

DISPATCHER_KEY = "hookwire.dispatcher"
SCHEDULER_KEY = "hookwire.scheduler"


def create_app(
    config: Config | None = None,
    *,
    start_dispatcher: bool = True,
    notify_dispatcher: Callable[[], None] | None = None,
    start_email_sender: bool | None = None,
) -> Flask:
    """A Flask app for ``config`` (default: from the environment). Migrations are not run.

    The dispatcher thread relays webhook events and, without Redis, delivers them too. A
    server whose loop runs in another process (``hookwire serve --production``) passes
    ``start_dispatcher=False`` and, as ``notify_dispatcher``, how a commit here wakes it.
    The email runner and the scheduler start with the dispatcher unless
    ``start_email_sender`` says otherwise (each process may run them: claims keep an email
    from being sent twice, and scheduled jobs find their work done).
    """
    config = config or load_config()
    engine = create_db_engine(config.database_url)
    dispatcher = create_dispatcher(engine, config)
    notify = notify_dispatcher or dispatcher.notify
    app = Flask(__name__)
    app.json.sort_keys = False
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    outbox = Outbox(on_commit=notify)
    channel_jobs = ChannelJobs(engine, config, outbox)
    scheduler = Scheduler(engine, config, channel_jobs)
    app.extensions[EXTENSION_KEY] = Services(
        config=config,
        engine=engine,
        catalogs=CatalogCache(engine),
        metadata_schema=build_metadata_schema(
            {**webhook_queries(), **connected_account_queries()},
            {
                **webhook_mutations(),
                **file_mutations(),
                **connected_account_mutations(),
                **messaging_mutations(),
            },
        ),
        change_sink=outbox,
        wake_dispatcher=notify,
        records_mutations=file_mutations(),
        channel_work=ChannelWork(sync_soon=scheduler.wake, clean_up=channel_jobs.clean_up),
    )
    app.extensions[DISPATCHER_KEY] = dispatcher
    email_runner = EmailRunner(engine, config)
    app.extensions[EMAILS_KEY] = email_runner
    app.extensions[SCHEDULER_KEY] = scheduler
    register_error_handlers(app)
    install_request_ids(app)  # every request gets an id (X-Request-Id) before anything else
    app.before_request(_admit_uploads)  # before anything reads the body
    app.before_request(refuse_unstorable_request_text)  # its text, before any handler
    app.teardown_request(end_request_session)  # a request's session that no handler ended
    app.register_error_handler(RequestEntityTooLarge, _body_too_large)
    app.register_blueprint(health_api)
    app.register_blueprint(webhooks_blueprint("webhooks_api", "/rest/metadata/webhooks"))
    app.register_blueprint(webhooks_blueprint("webhooks_alias_api", "/rest/webhooks"))
    app.register_blueprint(applications_api)
    app.register_blueprint(invitations_api)
    register_identity(app, engine, config.app_secret)
    register_crm(app)
    register_files(app, config)
    register_connected_accounts(app, config)
    app.register_blueprint(sending_api)
    app.register_blueprint(sdk_api)
    install_prebuilder(app)
    register_web(app)
    app.wsgi_app = trust_proxies(app.wsgi_app, config.trusted_proxies)  # type: ignore[method-assign]
    if start_dispatcher:
        dispatcher.start()
    if start_dispatcher if start_email_sender is None else start_email_sender:
        email_runner.start()
        scheduler.start()
    return app


def dispatcher_of(app: Flask) -> Dispatcher:
    """The app's webhook dispatcher (started by ``create_app`` unless told not to)."""
    return app.extensions[DISPATCHER_KEY]


def _admit_uploads() -> None:
    """A multipart body (an upload: REST or GraphQL) may be as large as the file limit
    allows; every other body is held to ``HOOKWIRE_MAX_BODY_BYTES``."""
    if request.mimetype == "multipart/form-data":
        request.max_content_length = services().config.request_body_ceiling


def _body_too_large(_error: RequestEntityTooLarge) -> tuple[dict[str, object], int]:
    limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
    message = body_too_large_message(limit, request.content_length)
    return error_document(TOO_LARGE, message), TOO_LARGE
