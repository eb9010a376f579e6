"""A fake of Google's OAuth 2 and the Gmail and Calendar APIs, on loopback: one
``http.server`` in a thread serving the real endpoints' paths under one base URL (what
HOOKWIRE_GOOGLE_BASE_URL points at), with an in-memory mailbox and primary calendar that the
test changes between syncs.

It keeps what the real services promise and a sync relies on: the authorization code flow
with PKCE (S256) and client authentication, access tokens that can be expired and refresh
tokens that can be revoked, ``users.messages.list`` (``q`` with ``after:`` and ``-in:spam
-in:trash``), ``users.messages.get`` (``format=raw``), ``users.history.list`` (404 for a
history id it no longer keeps), and ``events.list`` (``singleEvents``, ``timeMin``/``timeMax``,
``syncToken`` with cancelled events, 410 for a token it forgot), all paged.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID = "fake-client-id.apps.example"
CLIENT_SECRET = "fake-client-secret-7c1d"
PAGE = 3  # items per page unless asked for fewer: every listing is paged in the tests


@dataclass
class _Message:
    raw: bytes
    labels: list[str]
    internal_ms: int


@dataclass
class _Event:
    body: dict[str, Any]
    changed: int  # the calendar's change counter when it last changed


@dataclass
class FakeState:
    """What the fake holds: grants, tokens, the mailbox and the calendar."""

    address: str
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    access_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    issued: set[str] = field(default_factory=set)  # every token ever handed out
    refreshes: int = 0
    messages: dict[str, _Message] = field(default_factory=dict)
    history: list[tuple[int, str, str, list[str]]] = field(default_factory=list)
    history_id: int = 1000
    oldest_history: int = 0  # a start below it is answered 404
    events: dict[str, _Event] = field(default_factory=dict)
    changes: int = 0
    forgotten_before: int = 0  # a sync token below it is answered 410
    requests: list[str] = field(default_factory=list)  # "METHOD path?query" of each request


class FakeGoogle:
    """The fake, serving on ``url`` until ``stop()``.

    Arguments:
        address: the account's address (the userinfo's ``email``).
    """

    def __init__(self, address: str) -> None:
        self.state = FakeState(address)
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # The mailbox.

    def add_message(self, message: EmailMessage, labels: tuple[str, ...] = ("INBOX",)) -> str:
        """Deliver ``message``; its Gmail id."""
        with self.lock:
            message_id = secrets.token_hex(8)
            arrived = parsedate_to_datetime(str(message["Date"]))
            self.state.messages[message_id] = _Message(
                bytes(message), list(labels), int(arrived.timestamp() * 1000)
            )
            self._record("messagesAdded", message_id)
            return message_id

    def delete_message(self, message_id: str) -> None:
        with self.lock:
            self.state.messages.pop(message_id)
            self._record("messagesDeleted", message_id, [])

    def label_message(self, message_id: str, label: str) -> None:
        """Add ``label`` (TRASH, SPAM, …) to a message."""
        with self.lock:
            self.state.messages[message_id].labels.append(label)
            self._record("labelsAdded", message_id)

    def forget_history(self) -> None:
        """Keep no history from before now: older history ids are answered 404."""
        with self.lock:
            self.state.oldest_history = self.state.history_id + 1

    def _record(self, change: str, message_id: str, labels: list[str] | None = None) -> None:
        self.state.history_id += 1
        held = self.state.messages.get(message_id)
        now = list(held.labels) if held else (labels or [])
        self.state.history.append((self.state.history_id, change, message_id, now))

    # The calendar.

    def put_event(self, event: dict[str, Any]) -> None:
        """Add or change an event (Calendar API JSON with at least ``id``); a new etag."""
        with self.lock:
            self.state.changes += 1
            body = {
                "kind": "calendar#event",
                "status": "confirmed",
                "iCalUID": f"{event['id']}@google.com",
                **event,
                "etag": f'"{secrets.token_hex(6)}"',
            }
            self.state.events[event["id"]] = _Event(body, self.state.changes)

    def cancel_event(self, event_id: str) -> None:
        with self.lock:
            self.state.changes += 1
            held = self.state.events[event_id]
            held.body = {**held.body, "status": "cancelled", "etag": f'"{secrets.token_hex(6)}"'}
            held.changed = self.state.changes

    def forget_sync_tokens(self) -> None:
        with self.lock:
            self.state.forgotten_before = self.state.changes + 1

    # Tokens.

    def expire_access_tokens(self) -> None:
        """Every access token handed out so far is answered 401 from now on."""
        with self.lock:
            self.state.access_tokens.clear()

    def revoke_refresh_tokens(self) -> None:
        with self.lock:
            self.state.refresh_tokens.clear()
            self.state.access_tokens.clear()

    def _token(self, refresh: bool) -> dict[str, Any]:
        access = f"ya29.{secrets.token_urlsafe(24)}"
        self.state.access_tokens.add(access)
        self.state.issued.add(access)
        token: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3599,
            "scope": "openid email https://www.googleapis.com/auth/gmail.readonly",
        }
        if refresh:  # as Google: a refresh answers no new refresh token
            token["refresh_token"] = f"1//{secrets.token_urlsafe(32)}"
            self.state.refresh_tokens.add(token["refresh_token"])
            self.state.issued.add(token["refresh_token"])
        return token


def _handler(fake: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    state = fake.state

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            state.requests.append(f"{method} {self.path}")
            with fake.lock:
                status, body, location = _answer(fake, method, parts.path, query, self)
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            data = json.dumps(body).encode() if body is not None else b""
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


Answer = tuple[int, Any, str | None]


def _answer(
    fake: FakeGoogle, method: str, path: str, query: dict[str, list[str]], request: Any
) -> Answer:
    if method == "GET" and path == "/o/oauth2/v2/auth":
        return _authorize(fake.state, query)
    if method == "POST" and path == "/token":
        length = int(request.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(request.rfile.read(length).decode()).items()}
        return _grant(fake, form, request.headers.get("Authorization", ""))
    bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if bearer not in fake.state.access_tokens:
        error = {"code": 401, "message": "Request had invalid authentication credentials."}
        return 401, {"error": error}, None
    if path == "/v1/userinfo":
        return 200, {"sub": "1234", "email": fake.state.address, "email_verified": True}, None
    if path.startswith("/gmail/v1/users/me/"):
        return _gmail(fake.state, path.removeprefix("/gmail/v1/users/me/"), query)
    if path == "/calendar/v3/calendars/primary/events":
        return _events(fake.state, query)
    return 404, {"error": {"code": 404, "message": "Not Found"}}, None


def _authorize(state: FakeState, query: dict[str, list[str]]) -> Answer:
    asked = {k: v[0] for k, v in query.items()}
    assert asked["client_id"] == CLIENT_ID and asked["response_type"] == "code"
    assert asked["code_challenge_method"] == "S256" and asked["access_type"] == "offline"
    code = secrets.token_urlsafe(16)
    state.codes[code] = asked
    back = {"code": code, "state": asked["state"]}
    return 302, None, f"{asked['redirect_uri']}?{urlencode(back)}"


def _grant(fake: FakeGoogle, form: dict[str, str], authorization: str) -> Answer:
    state = fake.state
    basic = base64.b64decode(authorization.removeprefix("Basic ") or b"").decode()
    client = basic or f"{form.get('client_id')}:{form.get('client_secret')}"
    if client != f"{CLIENT_ID}:{CLIENT_SECRET}":
        return 401, {"error": "invalid_client", "error_description": "Unauthorized"}, None
    if form.get("grant_type") == "authorization_code":
        asked = state.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if (
            asked is None
            or asked["code_challenge"] != challenge.decode().rstrip("=")
            or asked["redirect_uri"] != form.get("redirect_uri")
        ):
            return 400, {"error": "invalid_grant", "error_description": "Bad code"}, None
        return 200, fake._token(refresh=True), None
    if form.get("grant_type") == "refresh_token":
        if form.get("refresh_token") not in state.refresh_tokens:
            description = "Token has been expired or revoked."
            return 400, {"error": "invalid_grant", "error_description": description}, None
        state.refreshes += 1
        return 200, fake._token(refresh=False), None
    return 400, {"error": "unsupported_grant_type"}, None


def _gmail(state: FakeState, path: str, query: dict[str, list[str]]) -> Answer:
    if path == "profile":
        return 200, {"emailAddress": state.address, "historyId": str(state.history_id)}, None
    if path == "messages":
        return 200, _listed(state, query), None
    if path.startswith("messages/"):
        held = state.messages.get(path.removeprefix("messages/"))
        if held is None:
            return 404, {"error": {"code": 404, "message": "Requested entity was not found."}}, None
        assert query.get("format") == ["raw"]
        raw = base64.urlsafe_b64encode(held.raw).decode()
        body = {
            "id": path.removeprefix("messages/"),
            "labelIds": held.labels,
            "internalDate": str(held.internal_ms),
            "raw": raw,
        }
        return 200, body, None
    if path == "history":
        return _history(state, query)
    return 404, {"error": {"code": 404, "message": "Not Found"}}, None


def _listed(state: FakeState, query: dict[str, list[str]]) -> dict[str, Any]:
    """messages.list: ``q``'s ``after:`` and spam and trash filters, newest first."""
    q = query.get("q", [""])[0]
    after = re.search(r"after:(\d+)", q)
    since_ms = int(after.group(1)) * 1000 if after else 0
    hidden = {"SPAM"} if "-in:spam" in q else set()
    hidden |= {"TRASH"} if "-in:trash" in q else set()
    found = [
        {"id": message_id, "threadId": message_id}
        for message_id, held in sorted(
            state.messages.items(), key=lambda item: -item[1].internal_ms
        )
        if held.internal_ms > since_ms and not hidden.intersection(held.labels)
    ]
    page, next_token = _page(found, query)
    return {"messages": page, "resultSizeEstimate": len(found), **next_token}


def _history(state: FakeState, query: dict[str, list[str]]) -> Answer:
    start = int(query["startHistoryId"][0])
    if start < state.oldest_history:
        return 404, {"error": {"code": 404, "message": "Requested entity was not found."}}, None
    types = set(query.get("historyTypes", []))
    wanted = {
        "messagesAdded": "messageAdded",
        "messagesDeleted": "messageDeleted",
        "labelsAdded": "labelAdded",
    }
    records = [
        {
            "id": str(history_id),
            "messages": [{"id": message_id}],
            change: [{"message": {"id": message_id, "labelIds": labels}}],
        }
        for history_id, change, message_id, labels in state.history
        if history_id > start and wanted[change] in types
    ]
    page, next_token = _page(records, query)
    return 200, {"history": page, "historyId": str(state.history_id), **next_token}, None


def _events(state: FakeState, query: dict[str, list[str]]) -> Answer:
    assert query.get("singleEvents") == ["true"]
    token = query.get("syncToken", [None])[0]
    if token is not None:
        since = int(token.removeprefix("sync-"))
        if since < state.forgotten_before:
            return 410, {"error": {"code": 410, "message": "Sync token is no longer valid."}}, None
        found = [e.body for e in state.events.values() if e.changed > since]
    else:
        assert "timeMin" in query and "timeMax" in query
        low, high = _instant(query["timeMin"][0]), _instant(query["timeMax"][0])
        found = [
            e.body
            for e in state.events.values()
            if e.body["status"] != "cancelled"
            and _instant(_moment(e.body["start"])) < high
            and _instant(_moment(e.body["end"])) > low
        ]
    page, next_token = _page(found, query)
    body = {"kind": "calendar#events", "items": page, **next_token}
    if not next_token:
        body["nextSyncToken"] = f"sync-{state.changes}"
    return 200, body, None


def _page(items: list[Any], query: dict[str, list[str]]) -> tuple[list[Any], dict[str, str]]:
    size = min(int(query.get("maxResults", [PAGE])[0]), PAGE)
    start = int(query.get("pageToken", ["0"])[0])
    rest = {"nextPageToken": str(start + size)} if start + size < len(items) else {}
    return items[start : start + size], rest


def _moment(when: dict[str, str]) -> str:
    return when.get("dateTime") or when["date"] + "T00:00:00+00:00"


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
