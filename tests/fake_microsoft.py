"""A fake of Microsoft's OAuth 2 and Graph endpoints on loopback, for the tests of Microsoft
accounts: ``http.server`` in a thread, serving the real endpoints' paths under one base URL
(what HOOKWIRE_MICROSOFT_BASE_URL points at), with an in-memory mailbox and calendar per
account that a test changes between syncs.

Served: ``/common/oauth2/v2.0/authorize`` (consents at once, redirecting back with a code),
``/common/oauth2/v2.0/token`` (the code with its PKCE verifier, or a refresh token),
``/oidc/userinfo``, and under ``/v1.0``: ``me/mailFolders/{folder}/messages/delta``,
``me/messages/{id}/$value`` and ``me/calendarView/delta``, paged by ``Prefer:
odata.maxpagesize`` with next and delta links as Graph gives them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

GRAPH = "/v1.0"
CLIENT_ID = "fake-microsoft-client"
CLIENT_SECRET = "fake-microsoft-secret-" + secrets.token_hex(8)


@dataclass
class Changes:
    """Items by id, and the log of what changed: a delta token is a position in the log."""

    items: dict[str, Any] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)  # ids, in the order they changed

    def put(self, item_id: str, item: Any) -> None:
        self.items[item_id] = item
        self.log.append(item_id)

    def remove(self, item_id: str) -> None:
        del self.items[item_id]
        self.log.append(item_id)

    def since(self, position: int | None) -> list[str]:
        """Ids changed after ``position`` (every id held, when None), each once."""
        if position is None:
            return list(self.items)
        return list(dict.fromkeys(self.log[position:]))


@dataclass
class FakeAccount:
    """One Microsoft account: its address, mail folders (raw messages and when each came)
    and calendar (Graph events)."""

    address: str
    folders: dict[str, Changes] = field(
        default_factory=lambda: {"inbox": Changes(), "sentitems": Changes()}
    )
    calendar: Changes = field(default_factory=Changes)
    refresh_revoked: bool = False

    def add_message(self, folder: str, raw: bytes, received: str) -> str:
        message_id = "AAMkAG" + secrets.token_urlsafe(24)
        self.folders[folder].put(message_id, (raw, received))
        return message_id

    def delete_message(self, folder: str, message_id: str) -> None:
        self.folders[folder].remove(message_id)

    def put_event(self, event: dict[str, Any]) -> None:
        event = {**event, "changeKey": secrets.token_urlsafe(8)}
        self.calendar.put(event["id"], event)

    def message(self, message_id: str) -> bytes | None:
        for folder in self.folders.values():
            if message_id in folder.items:
                return folder.items[message_id][0]
        return None


class FakeMicrosoft:
    """The fake provider, serving until ``stop()``.

    ``next_account`` is who the next consent signs in as; ``expire_access_tokens()`` makes
    Graph refuse every access token issued so far (401), as an expired one is;
    ``forget_deltas()`` makes every delta link issued so far answer 410;
    ``fail_messages(after, status)`` answers ``status`` to every message fetched after the
    next ``after`` (until ``fail_messages(None)``).
    """

    def __init__(self) -> None:
        self.accounts: dict[str, FakeAccount] = {}
        self.next_account: FakeAccount | None = None
        self.codes: dict[str, tuple[FakeAccount, str, str]] = {}  # code -> (…, challenge, uri)
        self.access_tokens: dict[str, FakeAccount] = {}
        self.refresh_tokens: dict[str, FakeAccount] = {}
        self.issued: set[str] = set()  # every token handed out: none may show anywhere
        self.requests: list[str] = []  # "METHOD path" of every request
        self.refreshes = 0
        self.delta_epoch = 0
        self.failing: tuple[int, int] | None = None  # (fetches still served, status then)
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add_account(self, address: str) -> FakeAccount:
        account = FakeAccount(address)
        self.accounts[address] = account
        return account

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens.clear()

    def forget_deltas(self) -> None:
        with self.lock:
            self.delta_epoch += 1

    def fail_messages(self, after: int | None, status: int = 503) -> None:
        with self.lock:
            self.failing = None if after is None else (after, status)

    def issue(self, account: FakeAccount) -> dict[str, Any]:
        """A new token of ``account``, as the token endpoint answers it."""
        access, refresh = f"at-{secrets.token_urlsafe(24)}", f"rt-{secrets.token_urlsafe(24)}"
        with self.lock:
            self.access_tokens[access] = account
            self.refresh_tokens[refresh] = account
            self.issued |= {access, refresh}
        return {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": 3600,
            "scope": "openid email profile offline_access User.Read Mail.ReadWrite",
        }

    def graph_requests(self) -> list[str]:
        return [r for r in self.requests if f" {GRAPH}/" in r]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # What each endpoint answers: (status, headers, body).

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        account = self.next_account
        assert account is not None, "the test names the account that consents"
        assert query.get("client_id") == CLIENT_ID and query.get("code_challenge_method") == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = (account, query["code_challenge"], query["redirect_uri"])
        back = {"code": code, "state": query.get("state", "")}
        return 302, {"Location": f"{query['redirect_uri']}?{urlencode(back)}"}, b""

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, str], bytes]:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
            return _json(401, {"error": "invalid_client"})
        if form.get("grant_type") == "authorization_code":
            account, challenge, uri = self.codes.pop(form.get("code", ""), (None, "", ""))
            verifier = form.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if account is None or digest.decode() != challenge or form.get("redirect_uri") != uri:
                return _json(400, {"error": "invalid_grant", "error_description": "bad code"})
        elif form.get("grant_type") == "refresh_token":
            account = self.refresh_tokens.get(form.get("refresh_token", ""))
            if account is None or account.refresh_revoked:
                return _json(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "AADSTS70008: the refresh token was revoked",
                    },
                )
            self.refreshes += 1
        else:
            return _json(400, {"error": "unsupported_grant_type"})
        return _json(200, self.issue(account))

    def graph(
        self, account: FakeAccount, path: str, query: dict[str, str], prefer: str
    ) -> tuple[int, dict[str, str], bytes]:
        if path == "/oidc/userinfo":
            return _json(200, {"sub": account.address, "email": account.address})
        parts = path.removeprefix(GRAPH + "/").split("/")
        if parts[:2] == ["me", "messages"] and len(parts) == 4 and parts[3] == "$value":
            with self.lock:
                failing = self.failing
                if failing is not None and failing[0] > 0:
                    self.failing = (failing[0] - 1, failing[1])
            if failing is not None and failing[0] == 0:
                error = {"code": "ServiceUnavailable", "message": "try later"}
                return failing[1], {"Retry-After": "7"}, json.dumps({"error": error}).encode()
            raw = account.message(parts[2])
            if raw is None:
                return _json(404, {"error": {"code": "ErrorItemNotFound", "message": "gone"}})
            return 200, {"Content-Type": "message/rfc822"}, raw
        if parts[:2] == ["me", "mailFolders"] and parts[3:] == ["messages", "delta"]:
            changes = account.folders.get(parts[2])
            if changes is None:
                return _json(404, {"error": {"code": "ErrorFolderNotFound", "message": ""}})
            return self._delta(path, changes, query, prefer, _message_item)
        if parts == ["me", "calendarView", "delta"]:
            return self._delta(path, account.calendar, query, prefer, _event_item)
        return _json(404, {"error": {"code": "ResourceNotFound", "message": path}})

    def _delta(
        self, path: str, changes: Changes, query: dict[str, str], prefer: str, item: Any
    ) -> tuple[int, dict[str, str], bytes]:
        """A page of the delta: from the start, after a delta token, or at a skip token."""
        size = 10
        for part in prefer.split(","):
            name, _, value = part.strip().partition("=")
            if name == "odata.maxpagesize":
                size = int(value)
        if "$skiptoken" in query:
            epoch, position, offset = (int(v) for v in query["$skiptoken"].split("."))
            ids = query["ids"].split(",") if query.get("ids") else []
        else:
            if "$deltatoken" in query:
                epoch, position = (int(v) for v in query["$deltatoken"].split("."))
                ids = changes.since(position)
            else:
                epoch, position, ids = self.delta_epoch, len(changes.log), changes.since(None)
                assert ("$filter" in query) == ("mailFolders" in path), query
            offset = 0
        if epoch != self.delta_epoch:
            return _json(410, {"error": {"code": "syncStateNotFound", "message": "resync"}})
        page = ids[offset : offset + size]
        values = [
            item(i, changes.items[i]) if i in changes.items else {"id": i, "@removed": {}}
            for i in page
        ]
        body: dict[str, Any] = {"value": values}
        if offset + size < len(ids):
            token = f"{epoch}.{position}.{offset + size}"
            body["@odata.nextLink"] = self._link(path, {"$skiptoken": token, "ids": ",".join(ids)})
        else:
            body["@odata.deltaLink"] = self._link(
                path, {"$deltatoken": f"{epoch}.{len(changes.log)}"}
            )
        return _json(200, body)

    def _link(self, path: str, query: dict[str, str]) -> str:
        # As Graph gives them: absolute, at graph.microsoft.com (Hookwire rebases them).
        return f"https://graph.microsoft.com{path}?{urlencode(query)}"


def _message_item(message_id: str, stored: tuple[bytes, str]) -> dict[str, Any]:
    return {"id": message_id, "receivedDateTime": stored[1]}


def _event_item(_: str, event: dict[str, Any]) -> dict[str, Any]:
    return event


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _handler(fake: FakeMicrosoft) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:  # quiet: the tests read what they need
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            fake.requests.append(f"GET {parts.path}")
            if parts.path == "/common/oauth2/v2.0/authorize":
                self._answer(*fake.authorize(query))
                return
            bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
            with fake.lock:
                account = fake.access_tokens.get(bearer)
            if account is None:
                error = {"code": "InvalidAuthenticationToken", "message": "token expired"}
                self._answer(*_json(401, {"error": error}))
                return
            self._answer(*fake.graph(account, parts.path, query, self.headers.get("Prefer", "")))

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            fake.requests.append(f"POST {parts.path}")
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if parts.path != "/common/oauth2/v2.0/token":
                self._answer(*_json(404, {"error": "not found"}))
                return
            self._answer(*fake.token(form, self.headers.get("Authorization", "")))

        def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def running_fake() -> Iterator[FakeMicrosoft]:
    """The fake, stopped afterwards (a fixture's body)."""
    fake = FakeMicrosoft()
    try:
        yield fake
    finally:
        fake.stop()
