"""Connected accounts (IMAP + SMTP + CalDAV) over REST ``/rest/metadata/connectedAccounts`` and
GraphQL ``/metadata``, against the shared test server on SQLite and PostgreSQL, logging in to
real servers on loopback: Dovecot (IMAP), aiosmtpd (SMTP, no AUTH) and Radicale (CalDAV).

Covered: connecting (every service tested first, nothing written on a failure, each failure
named), the checks of ``connectionParameters``, edits that keep or replace a password, a new
connection test after a password change or an outage, disconnecting, who may manage accounts
(API keys of the workspace only), Twenty's own GraphQL documents, credentials sealed at rest and
resealed under a new ENCRYPTION_KEY, and that no password ever shows in an answer or the log.
"""

from __future__ import annotations

import http.server
import secrets
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from conftest import (
    APP_SECRET,
    Client,
    Database,
    Server,
    free_port,
    new_workspace,
    open_database,
    service_env,
)
from graphql_support import gql
from hookwire.connected_accounts import CredentialSealer, SealBroken
from hookwire.database import transaction
from hookwire.identity import create_user
from hookwire.models import AccountChannel, ConnectedAccount
from mail_servers import AccountServers, Mailbox, account_servers
from mail_servers import new_mailbox as mailbox_of
from oauth_support import register
from receiver import Receiver
from smtp_server import SmtpServer

ACCOUNTS = "/rest/metadata/connectedAccounts"
PROVIDER = "imap_smtp_caldav"

# Every password handed to a server in this module, and every answer body it gave back: the
# last test checks that none of the first shows in the second, nor in the server's log.
PASSWORDS: set[str] = set()
ANSWERS: list[str] = []

SAVE = """
mutation SaveImapSmtpCaldavAccount($accountOwnerId: UUID!, $handle: String!, $connectionParameters: EmailAccountConnectionParameters!, $id: UUID) {
  saveImapSmtpCaldavAccount(accountOwnerId: $accountOwnerId, handle: $handle, connectionParameters: $connectionParameters, id: $id) { success connectedAccountId }
}
"""  # noqa: E501 - Twenty's document, verbatim
GET = """
query GetConnectedImapSmtpCaldavAccount($id: UUID!) { getConnectedImapSmtpCaldavAccount(id: $id) { id handle provider accountOwnerId connectionParameters { IMAP { host port secure password } SMTP { host port secure password } CALDAV { host username password } } } }
"""  # noqa: E501 - Twenty's document, verbatim


def new_password() -> str:
    password = f"pw-{secrets.token_urlsafe(12)}"
    PASSWORDS.add(password)
    return password


@pytest.fixture(scope="module")
def servers() -> Iterator[AccountServers]:
    with account_servers() as running:
        yield running


def new_mailbox(servers: AccountServers) -> Mailbox:
    """A mailbox whose passwords the leak check looks for."""
    return mailbox_of(servers, new_password)


def parameters(
    servers: AccountServers, mailbox: Mailbox, smtp: SmtpServer | None = None, **passwords: str
) -> dict[str, Any]:
    """Twenty's ``connectionParameters`` for ``mailbox``; ``passwords`` override per service
    (``IMAP=…``), an empty string leaving the password out."""
    chosen = {
        "IMAP": mailbox.imap_password,
        "SMTP": mailbox.smtp_password,
        "CALDAV": mailbox.caldav_password,
    } | passwords
    services = {
        "IMAP": {"host": servers.imap.host, "port": servers.imap.port, "secure": False},
        "SMTP": {"host": "127.0.0.1", "port": (smtp or servers.smtp).port, "secure": False},
        "CALDAV": {"host": servers.caldav.url, "username": mailbox.caldav_user},
    }
    for service, values in services.items():
        if chosen[service]:
            values["password"] = chosen[service]
    return services


def owner_of(database: Database, workspace_id: str) -> str:
    """A new user of the workspace: the id an account's ``accountOwnerId`` names."""
    with transaction(database.engine) as session:
        email = f"owner-{secrets.token_hex(4)}@example.com"
        return create_user(session, workspace_id, email, "owner password 123").id


def call(client: Client, method: str, path: str, **kwargs: Any) -> requests.Response:
    answer = client.request(method, path, **kwargs)
    ANSWERS.append(answer.text)
    return answer


def connect(
    client: Client, owner_id: str, mailbox: Mailbox, services: dict[str, Any]
) -> requests.Response:
    body = {
        "handle": mailbox.handle,
        "provider": PROVIDER,
        "accountOwnerId": owner_id,
        "connectionParameters": services,
    }
    return call(client, "POST", ACCOUNTS, json=body)


def connected(client: Client, owner_id: str, mailbox: Mailbox, servers: AccountServers) -> dict:
    answer = connect(client, owner_id, mailbox, parameters(servers, mailbox))
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]["createConnectedAccount"]


def statuses(account: dict) -> dict[str, str]:
    return {channel["type"]: channel["status"] for channel in account["channels"]}


SYNC_TIMES = ("lastSyncedAt", "lastAttemptAt", "nextSyncAt")


def at_rest(account: dict) -> dict:
    """The account without when its channels synced: the server's syncs move those on."""
    channels = [{k: v for k, v in c.items() if k not in SYNC_TIMES} for c in account["channels"]]
    return {**account, "channels": channels}


def channel(account: dict, kind: str) -> dict:
    return next(c for c in account["channels"] if c["type"] == kind)


ALL_ACTIVE = {"messaging": "active", "sending": "active", "calendar": "active"}


def messages_of(answer: requests.Response) -> str:
    return " ".join(answer.json()["messages"])


def stored_rows(database: Database, workspace_id: str) -> list[ConnectedAccount]:
    with transaction(database.engine, write=False) as session:
        query = sa.select(ConnectedAccount).where(ConnectedAccount.workspace_id == workspace_id)
        return list(session.scalars(query))


def channel_count(database: Database, account_id: str) -> int:
    with transaction(database.engine, write=False) as session:
        query = sa.select(sa.func.count()).where(AccountChannel.connected_account_id == account_id)
        return session.scalar(query)


def has_key(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(has_key(v, key) for v in value.values())
    if isinstance(value, list):
        return any(has_key(v, key) for v in value)
    return False


def test_connecting_tests_every_service_and_seals_the_passwords(
    server: Server, client: Client, servers: AccountServers
) -> None:
    owner_id = owner_of(server.database, client.workspace_id)
    mailbox = new_mailbox(servers)
    account = connected(client, owner_id, mailbox, servers)
    assert statuses(account) == ALL_ACTIVE
    assert (account["handle"], account["provider"], account["accountOwnerId"]) == (
        mailbox.handle,
        PROVIDER,
        owner_id,
    )
    assert account["authFailedAt"] is None
    shown = account["connectionParameters"]
    assert shown["IMAP"] == {
        "host": servers.imap.host,
        "port": servers.imap.port,
        "secure": False,
        "username": mailbox.handle,  # the handle, when no username is given
    }
    assert shown["CALDAV"]["username"] == mailbox.caldav_user
    assert not has_key(account, "password")

    listed = call(client, "GET", ACCOUNTS)
    assert listed.status_code == 200
    assert [at_rest(a) for a in listed.json()["data"]["connectedAccounts"]] == [at_rest(account)]
    assert listed.json()["totalCount"] == 1
    one = call(client, "GET", f"{ACCOUNTS}/{account['id']}")
    assert one.status_code == 200
    assert at_rest(one.json()["data"]["connectedAccount"]) == at_rest(account)

    [row] = stored_rows(server.database, client.workspace_id)
    for password in (mailbox.imap_password, mailbox.smtp_password, mailbox.caldav_password):
        assert password not in row.sealed_credentials
        assert password not in str(row.connection_settings)
    opened = CredentialSealer([], APP_SECRET).open(row.sealed_credentials)
    assert {service: values["password"] for service, values in opened.items()} == {
        "IMAP": mailbox.imap_password,
        "SMTP": mailbox.smtp_password,
        "CALDAV": mailbox.caldav_password,
    }
    assert channel_count(server.database, account["id"]) == 3


def test_wrong_passwords_are_each_named_and_nothing_is_written(
    server: Server, client: Client, servers: AccountServers
) -> None:
    owner_id = owner_of(server.database, client.workspace_id)
    mailbox = new_mailbox(servers)
    wrong = parameters(servers, mailbox, IMAP=new_password(), CALDAV=new_password())
    answer = connect(client, owner_id, mailbox, wrong)
    assert answer.status_code == 400, answer.text
    text = messages_of(answer)
    assert "connectionParameters.IMAP" in text and "connectionParameters.CALDAV" in text
    assert "connectionParameters.SMTP" not in text
    assert text.count("refused the login") == 2
    assert stored_rows(server.database, client.workspace_id) == []


def test_an_unreachable_or_private_host_is_refused(
    server: Server, client: Client, servers: AccountServers
) -> None:
    owner_id = owner_of(server.database, client.workspace_id)
    mailbox = new_mailbox(servers)
    closed = parameters(servers, mailbox)
    closed["SMTP"]["port"] = free_port()  # nothing listens there
    answer = connect(client, owner_id, mailbox, closed)
    assert answer.status_code == 400, answer.text
    assert "connectionParameters.SMTP" in messages_of(answer)
    assert "cannot connect" in messages_of(answer)
    assert "connectionParameters.IMAP" not in messages_of(answer)

    private = parameters(servers, mailbox)
    private["IMAP"]["host"] = "10.255.255.1"  # private, and not in the allowed 127.0.0.0/8
    answer = connect(client, owner_id, mailbox, private)
    assert answer.status_code == 400, answer.text
    assert "connectionParameters.IMAP" in messages_of(answer)
    assert "private" in messages_of(answer)
    assert stored_rows(server.database, client.workspace_id) == []


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda body: body["connectionParameters"]["IMAP"].pop("host"), "IMAP.host"),
        (lambda body: body["connectionParameters"]["SMTP"].update(port="abc"), "SMTP.port"),
        (lambda body: body["connectionParameters"]["IMAP"].update(port=70000), "IMAP.port"),
        (lambda body: body["connectionParameters"].update(POP3={"host": "x"}), "POP3"),
        (lambda body: body["connectionParameters"]["IMAP"].update(tls=True), "IMAP.tls"),
        (lambda body: body["connectionParameters"]["IMAP"].update(secure="yes"), "IMAP.secure"),
        (lambda body: body["connectionParameters"]["CALDAV"].update(host="ftp://x/"), "CALDAV"),
        (lambda body: body.update(connectionParameters={}), "connectionParameters"),
        (lambda body: body.update(provider="gmail"), "provider"),
        (lambda body: body.update(handle="not an address"), "handle"),
        (lambda body: body.update(color="red"), "color"),
    ],
    ids=[
        "missing-host",
        "port-abc",
        "port-too-big",
        "unknown-service",
        "unknown-field",
        "secure-not-boolean",
        "caldav-not-http",
        "no-services",
        "provider-gmail",
        "handle",
        "unknown-top-level-field",
    ],
)
def test_a_bad_shape_is_refused_naming_the_field(
    server: Server, client: Client, servers: AccountServers, change, named: str
) -> None:
    owner_id = owner_of(server.database, client.workspace_id)
    mailbox = new_mailbox(servers)
    body = {
        "handle": mailbox.handle,
        "provider": PROVIDER,
        "accountOwnerId": owner_id,
        "connectionParameters": parameters(servers, mailbox),
    }
    change(body)
    answer = call(client, "POST", ACCOUNTS, json=body)
    assert answer.status_code == 400, answer.text
    assert named in messages_of(answer)
    assert stored_rows(server.database, client.workspace_id) == []


def test_an_owner_must_be_a_user_of_the_workspace_and_a_handle_is_connected_once(
    server: Server, client: Client, other_client: Client, servers: AccountServers
) -> None:
    mailbox = new_mailbox(servers)
    stranger = owner_of(server.database, other_client.workspace_id)
    answer = connect(client, stranger, mailbox, parameters(servers, mailbox))
    assert answer.status_code == 400 and "accountOwnerId" in messages_of(answer)
    assert stored_rows(server.database, client.workspace_id) == []

    owner_id = owner_of(server.database, client.workspace_id)
    first = connected(client, owner_id, mailbox, servers)
    again = connect(client, owner_id, mailbox, parameters(servers, mailbox))
    assert again.status_code == 409, again.text
    assert "handle" in messages_of(again)
    assert [row.id for row in stored_rows(server.database, client.workspace_id)] == [first["id"]]
    # Another user of the workspace may connect the same mailbox.
    colleague = owner_of(server.database, client.workspace_id)
    assert connect(client, colleague, mailbox, parameters(servers, mailbox)).status_code == 201


def test_an_edit_without_passwords_keeps_them_and_a_wrong_one_changes_nothing(
    server: Server, client: Client, servers: AccountServers
) -> None:
    owner_id = owner_of(server.database, client.workspace_id)
    mailbox = new_mailbox(servers)
    account = connected(client, owner_id, mailbox, servers)
    path = f"{ACCOUNTS}/{account['id']}"
    [before] = stored_rows(server.database, client.workspace_id)

    unchanged = parameters(servers, mailbox, IMAP="", SMTP="", CALDAV="")
    unchanged["IMAP"]["username"] = mailbox.handle
    edited = call(client, "PATCH", path, json={"connectionParameters": unchanged})
    assert edited.status_code == 200, edited.text
    assert statuses(edited.json()["data"]["updateConnectedAccount"]) == ALL_ACTIVE
    retested = call(client, "POST", f"{path}/test")
    assert retested.status_code == 200, retested.text
    assert statuses(retested.json()["data"]["testConnectedAccount"]) == ALL_ACTIVE

    wrong = parameters(servers, mailbox, IMAP=new_password(), SMTP="", CALDAV="")
    refused = call(client, "PATCH", path, json={"connectionParameters": wrong})
    assert refused.status_code == 400, refused.text
    assert "connectionParameters.IMAP" in messages_of(refused)
    [after] = stored_rows(server.database, client.workspace_id)
    sealer = CredentialSealer([], APP_SECRET)
    assert sealer.open(after.sealed_credentials) == sealer.open(before.sealed_credentials)
    retested = call(client, "POST", f"{path}/test")
    assert statuses(retested.json()["data"]["testConnectedAccount"]) == ALL_ACTIVE


def test_a_new_test_marks_a_changed_password_for_reauthentication(
    server: Server, client: Client, servers: AccountServers
) -> None:
    owner_id = owner_of(server.database, client.workspace_id)
    mailbox = new_mailbox(servers)
    account = connected(client, owner_id, mailbox, servers)
    servers.imap.add_user(mailbox.handle.split("@")[0], new_password())

    answer = call(client, "POST", f"{ACCOUNTS}/{account['id']}/test")
    assert answer.status_code == 200, answer.text
    tested = answer.json()["data"]["testConnectedAccount"]
    assert statuses(tested) == ALL_ACTIVE | {"messaging": "needs_reauthentication"}
    assert "refused the login" in channel(tested, "messaging")["statusReason"]
    assert channel(tested, "sending")["statusReason"] is None
    assert tested["authFailedAt"] is not None
    shown = call(client, "GET", f"{ACCOUNTS}/{account['id']}").json()["data"]["connectedAccount"]
    assert at_rest(shown) == at_rest(tested)


def test_a_new_test_marks_a_server_that_is_down_as_failed(
    server: Server, client: Client, servers: AccountServers
) -> None:
    owner_id = owner_of(server.database, client.workspace_id)
    mailbox = new_mailbox(servers)
    own_smtp = SmtpServer()  # stopped below: the module's server stays up for the others
    try:
        answer = connect(client, owner_id, mailbox, parameters(servers, mailbox, smtp=own_smtp))
        assert answer.status_code == 201, answer.text
        account = answer.json()["data"]["createConnectedAccount"]
        own_smtp.stop()
        tested = call(client, "POST", f"{ACCOUNTS}/{account['id']}/test")
        assert tested.status_code == 200, tested.text
        account = tested.json()["data"]["testConnectedAccount"]
        assert statuses(account) == ALL_ACTIVE | {"sending": "failed"}
        assert "cannot connect" in channel(account, "sending")["statusReason"]
        assert account["authFailedAt"] is None  # nothing refused a login

        own_smtp.start()
        tested = call(client, "POST", f"{ACCOUNTS}/{account['id']}/test")
        assert statuses(tested.json()["data"]["testConnectedAccount"]) == ALL_ACTIVE
    finally:
        own_smtp.stop()


def test_disconnecting_and_who_may_manage_accounts(
    server: Server, client: Client, other_client: Client, servers: AccountServers
) -> None:
    owner_id = owner_of(server.database, client.workspace_id)
    mailbox = new_mailbox(servers)
    account = connected(client, owner_id, mailbox, servers)
    path = f"{ACCOUNTS}/{account['id']}"

    # Another workspace's key sees nothing of it.
    assert call(other_client, "GET", ACCOUNTS).json()["data"]["connectedAccounts"] == []
    for method, suffix in [("GET", ""), ("PATCH", ""), ("POST", "/test"), ("DELETE", "")]:
        kwargs = {"json": {"handle": mailbox.handle}} if method == "PATCH" else {}
        answer = call(other_client, method, path + suffix, **kwargs)
        assert answer.status_code == 404, (method, suffix, answer.text)

    # An OAuth application's token never holds the ``credentials`` scope.
    application = register(client)
    token = requests.post(
        f"{server.base_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(application.client_id, application.client_secret),
        timeout=30,
    )
    assert token.status_code == 200, token.text
    oauth = Client(server.base_url, token.json()["access_token"], client.workspace_id)
    for method, target in [("GET", ACCOUNTS), ("GET", path), ("DELETE", path)]:
        answer = call(oauth, method, target)
        assert answer.status_code == 403, answer.text
        assert "credentials" in messages_of(answer)
    refused = gql(oauth, "/metadata", "{ connectedAccounts { id } }")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "credentials" in refused["errors"][0]["message"]

    gone = call(client, "DELETE", path)
    assert gone.status_code == 200, gone.text
    assert gone.json()["data"]["deleteConnectedAccount"] == {"id": account["id"]}
    assert call(client, "GET", path).status_code == 404
    assert call(client, "POST", f"{path}/test").status_code == 404
    assert call(client, "DELETE", path).status_code == 404
    assert call(client, "GET", ACCOUNTS).json()["data"]["connectedAccounts"] == []
    assert stored_rows(server.database, client.workspace_id) == []
    assert channel_count(server.database, account["id"]) == 0


def test_twenty_saves_and_reads_an_account_over_graphql(
    server: Server, client: Client, servers: AccountServers
) -> None:
    owner_id = owner_of(server.database, client.workspace_id)
    mailbox = new_mailbox(servers)
    variables = {
        "accountOwnerId": owner_id,
        "handle": mailbox.handle,
        "connectionParameters": parameters(servers, mailbox),
    }
    saved = gql(client, "/metadata", SAVE, variables)
    ANSWERS.append(str(saved))
    assert "errors" not in saved, saved
    result = saved["data"]["saveImapSmtpCaldavAccount"]
    assert result["success"] is True
    account_id = result["connectedAccountId"]

    read = gql(client, "/metadata", GET, {"id": account_id})
    ANSWERS.append(str(read))
    assert "errors" not in read, read
    account = read["data"]["getConnectedImapSmtpCaldavAccount"]
    assert (account["id"], account["handle"], account["provider"], account["accountOwnerId"]) == (
        account_id,
        mailbox.handle,
        PROVIDER,
        owner_id,
    )
    assert account["connectionParameters"] == {
        "IMAP": {
            "host": servers.imap.host,
            "port": servers.imap.port,
            "secure": False,
            "password": None,
        },
        "SMTP": {"host": "127.0.0.1", "port": servers.smtp.port, "secure": False, "password": None},
        "CALDAV": {"host": servers.caldav.url, "username": mailbox.caldav_user, "password": None},
    }
    rest = call(client, "GET", f"{ACCOUNTS}/{account_id}").json()["data"]["connectedAccount"]
    assert statuses(rest) == ALL_ACTIVE

    # With ``id``, the same mutation edits it: a wrong password is refused, naming the service.
    wrong = variables | {
        "id": account_id,
        "connectionParameters": parameters(servers, mailbox, IMAP=new_password()),
    }
    refused = gql(client, "/metadata", SAVE, wrong)
    ANSWERS.append(str(refused))
    assert refused["data"] is None
    assert "connectionParameters.IMAP" in refused["errors"][0]["message"]
    assert "refused the login" in refused["errors"][0]["message"]

    other = new_mailbox(servers)
    fresh = {
        "accountOwnerId": owner_id,
        "handle": other.handle,
        "connectionParameters": parameters(servers, other, CALDAV=new_password()),
    }
    refused = gql(client, "/metadata", SAVE, fresh)
    ANSWERS.append(str(refused))
    assert refused["data"] is None
    assert "connectionParameters.CALDAV" in refused["errors"][0]["message"]
    assert [row.id for row in stored_rows(server.database, client.workspace_id)] == [account_id]

    listed = gql(client, "/metadata", "{ connectedAccounts { id channels { type status } } }")
    assert [a["id"] for a in listed["data"]["connectedAccounts"]] == [account_id]
    delete = "mutation Delete($id: UUID!) { deleteConnectedAccount(id: $id) { id } }"
    deleted = gql(client, "/metadata", delete, {"id": account_id})
    assert deleted["data"]["deleteConnectedAccount"] == {"id": account_id}
    assert stored_rows(server.database, client.workspace_id) == []


class _Recorded(http.server.BaseHTTPRequestHandler):
    """Answers every request (207, empty) and records its path on the server."""

    def do_PROPFIND(self) -> None:
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        self.send_response(207)
        self.end_headers()

    do_GET = do_OPTIONS = do_REPORT = do_PROPFIND

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def _serving(address: tuple[str, int], handler: type, family: int = socket.AF_INET):
    class Listener(http.server.ThreadingHTTPServer):
        address_family = family

    listener = Listener(address, handler)
    listener.paths = []  # type: ignore[attr-defined]
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    try:
        yield listener
    finally:
        listener.shutdown()
        listener.server_close()


def test_a_calendar_server_cannot_redirect_the_test_to_an_address_not_allowed(
    server: Server, client: Client, servers: AccountServers
) -> None:
    """127.0.0.0/8 is allowed, the IPv6 loopback ::1 is not: a calendar URL on 127.0.0.1 that
    redirects to ::1 must not make the connection test reach ::1."""
    owner_id = owner_of(server.database, client.workspace_id)
    mailbox = new_mailbox(servers)
    with _serving(("::1", 0), _Recorded, socket.AF_INET6) as inside:
        target = f"http://[::1]:{inside.server_address[1]}/inside"

        class Redirect(_Recorded):
            def do_PROPFIND(self) -> None:
                self.send_response(301)
                self.send_header("Location", target)
                self.end_headers()

            do_GET = do_OPTIONS = do_REPORT = do_PROPFIND

        with _serving(("127.0.0.1", 0), Redirect) as outside:
            caldav = {
                "host": f"http://127.0.0.1:{outside.server_address[1]}/",
                "username": mailbox.caldav_user,
                "password": mailbox.caldav_password,
            }
            answer = connect(client, owner_id, mailbox, {"CALDAV": caldav})
    assert answer.status_code == 400, answer.text
    assert "connectionParameters.CALDAV" in messages_of(answer)
    assert "redirects elsewhere" in messages_of(answer)
    assert inside.paths == [], "the connection test followed a redirect to ::1"


def _reseal(database: Database, keys: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hookwire.cli", "accounts", "reseal"],
        env=service_env(database, {"ENCRYPTION_KEY": keys}),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_resealing_moves_credentials_to_a_new_key(
    backend: str, servers: AccountServers, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with open_database(backend, tmp_path_factory) as database:
        logs = tmp_path_factory.mktemp("reseal")
        workspace_id, token = new_workspace(database)
        owner_id = owner_of(database, workspace_id)
        mailbox = new_mailbox(servers)
        old = Server(database, logs / "old.log", extra_env={"ENCRYPTION_KEY": "old"})
        try:
            client = Client(old.base_url, token, workspace_id)
            account = connected(client, owner_id, mailbox, servers)
        finally:
            old.stop()
        [row] = stored_rows(database, workspace_id)
        CredentialSealer(["old"], APP_SECRET).open(row.sealed_credentials)

        result = _reseal(database, "new,old")
        assert result.returncode == 0, result.stderr
        assert "1 connected account(s) resealed" in result.stdout
        [row] = stored_rows(database, workspace_id)
        opened = CredentialSealer(["new"], APP_SECRET).open(row.sealed_credentials)
        assert opened["IMAP"]["password"] == mailbox.imap_password
        with pytest.raises(SealBroken):
            CredentialSealer(["old"], APP_SECRET).open(row.sealed_credentials)

        new = Server(database, logs / "new.log", extra_env={"ENCRYPTION_KEY": "new"})
        try:
            client = Client(new.base_url, token, workspace_id)
            tested = client.post(f"{ACCOUNTS}/{account['id']}/test")
            assert tested.status_code == 200, tested.text
            assert statuses(tested.json()["data"]["testConnectedAccount"]) == ALL_ACTIVE
        finally:
            new.stop()

        # A key dropped too early: the command says so and changes nothing.
        refused = _reseal(database, "newer")
        assert refused.returncode != 0
        assert "no key in ENCRYPTION_KEY opens them" in refused.stderr
        assert stored_rows(database, workspace_id)[0].sealed_credentials == row.sealed_credentials
        for log in logs.iterdir():
            text = log.read_text()
            assert all(password not in text for password in PASSWORDS), log


def test_no_password_shows_in_answers_or_the_log(
    server: Server, client: Client, servers: AccountServers
) -> None:
    # Run alone, this test still has an account and a refusal to look at.
    owner_id = owner_of(server.database, client.workspace_id)
    mailbox = new_mailbox(servers)
    connected(client, owner_id, mailbox, servers)
    other = new_mailbox(servers)
    connect(client, owner_id, other, parameters(servers, other, IMAP=new_password()))

    assert PASSWORDS and ANSWERS
    log = server.log_path.read_text(errors="replace")
    for password in PASSWORDS:
        assert password not in log, "a password is in the server's log"
        for answer in ANSWERS:
            assert password not in answer, f"a password is in an answer: {answer[:300]}"


CONNECTED_OBJECTS = {
    "message",
    "messageThread",
    "messageParticipant",
    "messageChannel",
    "calendarEvent",
    "calendarEventParticipant",
    "calendarChannel",
}


def objects_of(client: Client) -> dict[str, dict]:
    answer = client.get("/rest/metadata/objects")
    assert answer.status_code == 200, answer.text
    return {o["nameSingular"]: o for o in answer.json()["data"]["objects"]}


def created(client: Client, path: str, body: dict) -> dict:
    answer = client.post(path, json=body)
    assert answer.status_code == 201, answer.text
    return next(iter(answer.json()["data"].values()))


def test_the_first_account_brings_the_messaging_and_calendar_objects(
    server: Server, client: Client, servers: AccountServers, receiver: Receiver
) -> None:
    assert not CONNECTED_OBJECTS & set(objects_of(client))
    owner_id = owner_of(server.database, client.workspace_id)
    connected(client, owner_id, new_mailbox(servers), servers)

    objects = objects_of(client)
    assert set(objects) >= CONNECTED_OBJECTS | {"person", "company"}
    assert all(not objects[name]["isCustom"] for name in CONNECTED_OBJECTS)
    person_fields = {f["name"] for f in objects["person"]["fields"]}
    assert {"messageParticipants", "calendarEventParticipants"} <= person_fields

    # Records of them go through the records store like any other: webhooks fire.
    hook = client.post(
        "/rest/webhooks",
        json={"targetUrl": f"{receiver.url}/messages", "operations": ["message.created"]},
    )
    assert hook.status_code == 201, hook.text
    person = created(
        client,
        "/rest/people",
        {"name": {"firstName": "Grace"}, "emails": {"primaryEmail": "grace@example.org"}},
    )
    thread = created(client, "/rest/messageThreads", {"subject": "Quarterly numbers"})
    message = created(
        client,
        "/rest/messages",
        {
            "subject": "Quarterly numbers",
            "headerMessageId": "<q1@example.org>",
            "receivedAt": "2026-12-01T09:00:00.000Z",
            "direction": "INCOMING",
            "messageThreadId": thread["id"],
        },
    )
    participant = created(
        client,
        "/rest/messageParticipants",
        {
            "role": "FROM",
            "handle": "grace@example.org",
            "messageId": message["id"],
            "personId": person["id"],
        },
    )
    assert (participant["messageId"], participant["personId"]) == (message["id"], person["id"])
    [delivery] = receiver.wait_for(1, "/messages")
    assert delivery.json["eventName"] == "message.created"
    assert delivery.json["record"]["headerMessageId"] == "<q1@example.org>"

    # A second account finds them there and adds nothing.
    connected(client, owner_of(server.database, client.workspace_id), new_mailbox(servers), servers)
    assert len(objects_of(client)) == len(objects)


def test_a_custom_object_with_one_of_their_names_blocks_connecting(
    server: Server, client: Client, servers: AccountServers
) -> None:
    custom = client.post(
        "/rest/metadata/objects",
        json={
            "nameSingular": "message",
            "namePlural": "messages",
            "labelSingular": "Message",
            "labelPlural": "Messages",
        },
    )
    assert custom.status_code == 201, custom.text
    owner_id = owner_of(server.database, client.workspace_id)
    mailbox = new_mailbox(servers)
    answer = connect(client, owner_id, mailbox, parameters(servers, mailbox))
    assert answer.status_code == 409, answer.text
    assert "'message'" in messages_of(answer)
    assert stored_rows(server.database, client.workspace_id) == []
    assert not (CONNECTED_OBJECTS - {"message"}) & set(objects_of(client))
