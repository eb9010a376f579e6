"""Helpers shared by the settings-UI tests: admins of fresh workspaces and a ``requests``
session that signs in through the form. Loaded as a pytest plugin by ``tests/conftest.py``,
so the ``admin`` fixture serves the browser tests and the server-side ones alike."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import pytest
import requests

from conftest import Database, Server, new_workspace
from hookwire.database import transaction
from hookwire.identity import create_user

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Admin:
    workspace_id: str
    workspace_name: str
    email: str
    password: str = PASSWORD


def new_admin(database: Database) -> Admin:
    """A fresh workspace and its admin."""
    name = f"Web {secrets.token_hex(4)}"
    workspace_id, _ = new_workspace(database, name)
    email = f"admin-{secrets.token_hex(4)}@example.com"
    with transaction(database.engine) as session:
        create_user(session, workspace_id, email, PASSWORD)
    return Admin(workspace_id, name, email)


@pytest.fixture
def admin(server: Server) -> Admin:
    """The admin of a fresh workspace on the shared test server."""
    return new_admin(server.database)


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
