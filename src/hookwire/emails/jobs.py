"""RQ plumbing: the ``emails`` queue and its job, which ``hookwire worker`` runs."""

from __future__ import annotations

from functools import cache

from redis import Redis
from rq import Queue
from sqlalchemy.engine import Engine

from hookwire.config import EmailSettings, load_config
from hookwire.database import create_db_engine
from hookwire.emails.drivers import Driver, create_driver
from hookwire.emails.sender import send_pending

EMAIL_QUEUE = "emails"
JOB_TIMEOUT = 3600


def email_queue(redis_url: str) -> Queue:
    connection = Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
    return Queue(EMAIL_QUEUE, connection=connection)


def enqueue_sending(queue: Queue) -> None:
    queue.enqueue(send_emails, job_timeout=JOB_TIMEOUT, result_ttl=0, failure_ttl=3600)


@cache
def _sender() -> tuple[Engine, EmailSettings, Driver]:
    """One engine and driver per worker process, built from the server's environment."""
    config = load_config()
    return create_db_engine(config.database_url), config.emails, create_driver(config.emails)


def send_emails() -> int:
    """The RQ job: send every due email; how many were attempted."""
    engine, settings, driver = _sender()
    return send_pending(engine, settings, driver)
