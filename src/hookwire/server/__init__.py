"""Serving the app: ``hookwire serve`` (waitress, one process) and ``hookwire serve
--production`` (gunicorn, several), with the same limits, timeouts and slow-client rules.

``run_server`` imports the server it runs only when called: waitress and gunicorn stay out of
every other command.
"""

from __future__ import annotations

from hookwire.server.listener import ListenError, bind_listener
from hookwire.server.proxies import trust_proxies
from hookwire.server.responses import TOO_LARGE, body_too_large_message, error_document
from hookwire.server.run import run_server

__all__ = [
    "TOO_LARGE",
    "ListenError",
    "bind_listener",
    "body_too_large_message",
    "error_document",
    "run_server",
    "trust_proxies",
]
