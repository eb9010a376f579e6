"""Helpers shared by the settings-UI tests: a server that may post to loopback, admins, a
signed-in ``requests`` session, and a loopback webhook receiver."""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from conftest import Database, Server, new_workspace
from hookwire.auth import create_user
from hookwire.database import transaction

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Admin:
    workspace_id: str
    workspace_name: str
    email: str
    password: str = PASSWORD


def start_web_server(database: Database, log: Path) -> Server:
    return Server(database, log)  # conftest allows loopback receivers


def new_admin(database: Database) -> Admin:
    """A fresh workspace and its admin."""
    name = f"Web {secrets.token_hex(4)}"
    workspace_id, _ = new_workspace(database, name)
    email = f"admin-{secrets.token_hex(4)}@example.com"
    with transaction(database.engine) as session:
        create_user(session, workspace_id, email, PASSWORD)
    return Admin(workspace_id, name, email)


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF field in the page"
    return match.group(1)


class Browser:
    """A ``requests`` session that signs in through the form, as a browser would."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base_url + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.http.post(self.base_url + path, timeout=30, **kwargs)

    def sign_in(self, email: str, password: str) -> requests.Response:
        token = csrf_token(self.get("/sign-in").text)
        return self.post(
            "/sign-in",
            data={"email": email, "password": password, "csrf_token": token},
            allow_redirects=False,
        )

    def form_post(self, page: str, action: str, data: dict | None = None, **kwargs):
        """POST ``data`` to ``action`` with the CSRF token found on ``page``."""
        token = csrf_token(self.get(page).text)
        return self.post(action, data={**(data or {}), "csrf_token": token}, **kwargs)


@dataclass
class Receiver:
    """A loopback HTTP server that answers 200 to every POST and keeps what it got."""

    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}/hooks"

    def start(self) -> Receiver:
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"received")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
