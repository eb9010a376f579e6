"""Sending mail from a connected account, against a real Dovecot (IMAP) and aiosmtpd (SMTP) on
loopback, through a running server of its own on SQLite and PostgreSQL.

Covered: a sent message reaches the SMTP server with its headers (threading headers on a
reply), is a message record at once (OUTGOING, its participants, the answered thread), lands
in the mailbox's Sent folder, and stays one record after a sync; bad input is a 400 naming the
field with nothing sent; an account without SMTP, and an SMTP server that refuses, are clear
errors; the ``sendEmail`` mutation; the bundled connector's ``send_email`` action; and
disconnecting destroys what the account sent unless another mailbox holds it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from account_syncs import ACCOUNTS, sync_again, wait_for_sync
from conftest import Client, Database, Server, new_workspace, open_database
from hookwire.connector import Connector
from hookwire.crm_connector import CRM_CONNECTOR
from hookwire.database import transaction
from hookwire.identity import create_user
from hookwire.models import MailboxMessage
from mail_servers import ImapServer, append_messages, message_ids
from smtp_server import SmtpServer

SYNC_TIMEOUT = 60.0
CORRESPONDENT = "ada@acme.example"


@dataclass
class MailServers:
    imap: ImapServer
    smtp: SmtpServer


@dataclass
class Box:
    handle: str
    password: str


@pytest.fixture(scope="module")
def mail() -> Iterator[MailServers]:
    smtp = SmtpServer()
    try:
        with ImapServer() as imap:
            yield MailServers(imap, smtp)
    finally:
        smtp.stop()


class SendingServer:
    """A server of its own on a private database; ``new_client`` makes a workspace."""

    def __init__(self, database: Database, log: Path) -> None:
        self.database = database
        self.server = Server(database, log)

    def new_client(self) -> Client:
        workspace_id, token = new_workspace(self.database)
        return Client(self.server.base_url, token, workspace_id)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def sending_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SendingServer]:
    with open_database(request.param, tmp_path_factory) as database:
        log = tmp_path_factory.mktemp("sending") / f"{request.param}.log"
        running = SendingServer(database, log)
        yield running
        running.server.stop()


def new_box(mail: MailServers) -> Box:
    password = f"pw-{secrets.token_urlsafe(12)}"
    return Box(mail.imap.add_user(f"s{secrets.token_hex(4)}", password), password)


def connect(
    client: Client, database: Database, box: Box, mail: MailServers, services: tuple[str, ...]
) -> str:
    """Connect ``box`` with the given services (IMAP, SMTP) for a new user; the account id."""
    with transaction(database.engine) as session:
        owner = create_user(
            session, client.workspace_id, f"o-{secrets.token_hex(4)}@corp.example", "owner pw 123"
        )
    where = {
        "IMAP": {"host": mail.imap.host, "port": mail.imap.port, "password": box.password},
        "SMTP": {"host": "127.0.0.1", "port": mail.smtp.port, "password": "smtp-password"},
    }
    body = {
        "handle": box.handle,
        "provider": "imap_smtp_caldav",
        "accountOwnerId": owner.id,
        "connectionParameters": {s: {**where[s], "secure": False} for s in services},
    }
    answer = client.post(ACCOUNTS, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]["createConnectedAccount"]["id"]


def send(client: Client, account_id: str, body: dict[str, Any]) -> Any:
    return client.post(f"{ACCOUNTS}/{account_id}/send", json=body)


def sent(client: Client, account_id: str, body: dict[str, Any]) -> dict[str, str]:
    answer = send(client, account_id, body)
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]["sendEmail"]


def received(mail: MailServers, header_message_id: str) -> EmailMessage:
    """The one message the SMTP server took with this Message-ID."""
    found = [m for m in mail.smtp.mailbox.messages if m["Message-ID"] == header_message_id]
    assert len(found) == 1, [m["Message-ID"] for m in mail.smtp.mailbox.messages]
    return found[0]


def addresses(message: EmailMessage, header: str) -> list[str]:
    return [a.lower() for _, a in getaddresses([str(v) for v in message.get_all(header, [])])]


def incoming(to: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Ada Lovelace <{CORRESPONDENT}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="acme.example")
    message.set_content("Could we meet on Tuesday?")
    return message


def record_of(client: Client, header_message_id: str) -> dict[str, Any]:
    found = [m for m in client.every("messages") if m["headerMessageId"] == header_message_id]
    assert len(found) == 1, found
    return found[0]


def test_a_sent_message_is_delivered_recorded_and_filed_in_sent(
    sending_server: SendingServer, mail: MailServers
) -> None:
    client = sending_server.new_client()
    box = new_box(mail)
    question = incoming(box.handle, "Meeting next week")
    append_messages(mail.imap, box.handle, box.password, [question])
    account_id = connect(client, sending_server.database, box, mail, ("IMAP", "SMTP"))
    assert wait_for_sync(client, account_id)["status"] == "active"
    asked = record_of(client, str(question["Message-ID"]))

    # A new message: to, cc and bcc.
    body = {
        "to": ["Grace Hopper <grace@navy.example>"],
        "cc": ["alan@bletchley.example"],
        "bcc": ["kath@acme.example"],
        "subject": "Hello from the CRM",
        "text": "First line.\nSecond line.",
        "html": "<p>First line.</p><p>Second line.</p>",
    }
    first = sent(client, account_id, body)
    delivered = received(mail, first["headerMessageId"])
    assert addresses(delivered, "From") == [box.handle]
    assert addresses(delivered, "To") == ["grace@navy.example"]
    assert addresses(delivered, "Cc") == ["alan@bletchley.example"]
    assert delivered["Bcc"] is None  # the envelope carries it, the headers do not
    assert delivered["Subject"] == "Hello from the CRM"
    assert first["headerMessageId"].endswith(f"@{box.handle.split('@')[1]}>")
    assert delivered["Date"] is not None and delivered["In-Reply-To"] is None

    record = record_of(client, first["headerMessageId"])
    assert record["id"] == first["messageId"]
    assert record["direction"] == "OUTGOING" and record["subject"] == "Hello from the CRM"
    assert record["messageThreadId"] == first["messageThreadId"] != asked["messageThreadId"]
    assert "Second line." in record["text"]
    roles = {
        (p["role"], p["handle"])
        for p in client.every("messageParticipants")
        if p["messageId"] == first["messageId"]
    }
    assert roles == {
        ("FROM", box.handle),
        ("TO", "grace@navy.example"),
        ("CC", "alan@bletchley.example"),
        ("BCC", "kath@acme.example"),
    }
    people = {p["emails"]["primaryEmail"] for p in client.every("people")}
    assert {"grace@navy.example", "alan@bletchley.example"} <= people  # the SENT policy

    # A reply to the imported question: threaded, "Re:", References and In-Reply-To.
    reply = sent(
        client,
        account_id,
        {"to": [CORRESPONDENT], "text": "Tuesday works.", "inReplyToMessageId": asked["id"]},
    )
    answer = received(mail, reply["headerMessageId"])
    assert answer["In-Reply-To"] == str(question["Message-ID"])
    assert str(answer["References"]).split() == [str(question["Message-ID"])]
    assert answer["Subject"] == "Re: Meeting next week"
    assert reply["messageThreadId"] == asked["messageThreadId"]
    assert record_of(client, reply["headerMessageId"])["direction"] == "OUTGOING"
    again = sent(
        client,
        account_id,
        {"to": [CORRESPONDENT], "subject": "RE: Meeting", "text": "Or Wednesday.",
         "inReplyToMessageId": reply["messageId"]},
    )  # fmt: skip
    answer = received(mail, again["headerMessageId"])
    assert answer["In-Reply-To"] == reply["headerMessageId"]
    assert str(answer["References"]).split() == [
        str(question["Message-ID"]),
        reply["headerMessageId"],
    ]
    assert answer["Subject"] == "RE: Meeting"  # a reply already
    assert again["messageThreadId"] == asked["messageThreadId"]

    # Mail clients see both in the Sent folder; a sync links those copies, adding nothing.
    in_sent = message_ids(mail.imap, box.handle, box.password, "Sent")
    assert in_sent == [first["headerMessageId"], reply["headerMessageId"], again["headerMessageId"]]
    assert sync_again(client, account_id)["status"] == "active"
    messages = client.every("messages")
    assert sorted(m["headerMessageId"] for m in messages) == sorted(
        [str(question["Message-ID"])] + [m["headerMessageId"] for m in (first, reply, again)]
    )
    with sending_server.database.engine.connect() as connection:
        places = connection.execute(
            sa.select(MailboxMessage.folder, MailboxMessage.uid).where(
                MailboxMessage.message_id == reply["messageId"]
            )
        ).all()
    assert sorted(folder for folder, _ in places) == ["SENT", "Sent"]


def test_bad_input_is_refused_naming_the_field_and_nothing_is_sent(
    sending_server: SendingServer, mail: MailServers
) -> None:
    client = sending_server.new_client()
    box = new_box(mail)
    account_id = connect(client, sending_server.database, box, mail, ("SMTP",))
    before = len(mail.smtp.mailbox.messages)
    good = {"to": [CORRESPONDENT], "subject": "Hi", "text": "Hello"}
    cases = [
        ({**good, "from": "boss@corp.example"}, "from: unknown field"),
        ({**good, "to": ["not an address"]}, "to[0]:"),
        ({**good, "to": CORRESPONDENT}, "to: expected a list"),
        ({**good, "cc": ["a@b.example, c@d.example"]}, "cc[0]:"),
        ({**good, "to": [f"p{n}@acme.example" for n in range(51)]}, "to: at most 50"),
        ({**good, "to": [], "cc": []}, "to: expected 1 to 50"),
        ({**good, "subject": "two\nlines"}, "subject: expected one line"),
        ({**good, "subject": "x" * 999}, "subject: at most 998"),
        ({"to": [CORRESPONDENT], "subject": "Hi"}, "text: required"),
        ({**good, "text": "x" * (1024 * 1024 + 1)}, "text: the message would be"),
        ({**good, "inReplyToMessageId": "nope"}, "inReplyToMessageId: expected the id"),
        (
            {**good, "inReplyToMessageId": "20202020-0000-4000-8000-000000000009"},
            "inReplyToMessageId: no message",
        ),
    ]
    for body, expected in cases:
        answer = send(client, account_id, body)
        assert answer.status_code == 400, (body, answer.text)
        assert expected in answer.json()["messages"][0], answer.text
    assert len(mail.smtp.mailbox.messages) == before
    assert client.every("messages") == []


def test_an_account_without_smtp_or_a_refusing_server_is_a_clear_error(
    sending_server: SendingServer, mail: MailServers
) -> None:
    client = sending_server.new_client()
    box = new_box(mail)
    imap_only = connect(client, sending_server.database, box, mail, ("IMAP",))
    answer = send(client, imap_only, {"to": [CORRESPONDENT], "text": "Hello"})
    assert answer.status_code == 409, answer.text
    assert "connectionParameters.SMTP" in answer.json()["messages"][0]
    unknown = send(client, secrets.token_hex(4), {"to": [CORRESPONDENT], "text": "x"})
    assert unknown.status_code == 404, unknown.text

    sender = connect(client, sending_server.database, new_box(mail), mail, ("SMTP",))
    nobody = f"nobody-{secrets.token_hex(4)}@acme.example"
    mail.smtp.mailbox.refuse[nobody] = "550 5.1.1 no such mailbox"
    answer = send(client, sender, {"to": [nobody], "text": "Hello"})
    assert answer.status_code == 502, answer.text
    message = answer.json()["messages"][0]
    assert "connectionParameters.SMTP" in message and "550 5.1.1 no such mailbox" in message

    mail.smtp.stop()
    try:
        answer = send(client, sender, {"to": [CORRESPONDENT], "text": "Hello"})
    finally:
        mail.smtp.start()
    assert answer.status_code == 502, answer.text
    assert answer.json()["messages"][0].startswith("connectionParameters.SMTP: cannot connect")
    assert client.every("messages") == []


def test_the_send_email_mutation_sends_and_records(
    sending_server: SendingServer, mail: MailServers
) -> None:
    client = sending_server.new_client()
    box = new_box(mail)
    account_id = connect(client, sending_server.database, box, mail, ("SMTP",))
    document = """
    mutation Send($id: UUID!, $to: [String!]!, $subject: String!, $text: String!) {
      sendEmail(connectedAccountId: $id, to: $to, subject: $subject, text: $text) {
        success messageId headerMessageId messageThreadId
      }
    }"""
    variables = {"id": account_id, "to": [CORRESPONDENT], "subject": "Via GraphQL", "text": "Hi"}
    answer = client.post("/metadata", json={"query": document, "variables": variables})
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    result = answer.json()["data"]["sendEmail"]
    assert result["success"] is True
    assert received(mail, result["headerMessageId"])["Subject"] == "Via GraphQL"
    record = record_of(client, result["headerMessageId"])
    assert record["id"] == result["messageId"] and record["direction"] == "OUTGOING"

    refused = client.post(
        "/metadata", json={"query": document, "variables": {**variables, "to": ["bad"]}}
    )
    assert "to[0]" in refused.json()["errors"][0]["message"], refused.text


def test_the_connectors_send_email_action_sends(
    sending_server: SendingServer, mail: MailServers
) -> None:
    client = sending_server.new_client()
    box = new_box(mail)
    account_id = connect(client, sending_server.database, box, mail, ("SMTP",))
    crm = Connector(CRM_CONNECTOR)
    bundle = {
        "authData": {"apiKey": client.token, "apiUrl": sending_server.server.base_url},
        "inputData": {
            "connectedAccountId": account_id,
            "to": f"{CORRESPONDENT}, grace@navy.example",  # a platform's text: a list
            "subject": "From a zap",
            "text": "Automated hello",
        },
    }
    result = crm.run("send_email", bundle)
    delivered = received(mail, result["headerMessageId"])
    assert addresses(delivered, "To") == [CORRESPONDENT, "grace@navy.example"]
    assert record_of(client, result["headerMessageId"])["id"] == result["messageId"]


def test_disconnecting_destroys_what_it_sent_unless_another_mailbox_holds_it(
    sending_server: SendingServer, mail: MailServers
) -> None:
    client = sending_server.new_client()
    first, second = new_box(mail), new_box(mail)
    first_id = connect(client, sending_server.database, first, mail, ("IMAP", "SMTP"))
    second_id = connect(client, sending_server.database, second, mail, ("IMAP",))
    assert wait_for_sync(client, first_id)["status"] == "active"
    assert wait_for_sync(client, second_id)["status"] == "active"
    shared = sent(client, first_id, {"to": [second.handle], "subject": "Both", "text": "x"})
    own = sent(client, first_id, {"to": [CORRESPONDENT], "subject": "Mine", "text": "y"})
    # The second mailbox receives the first's message (aiosmtpd delivers nowhere: by hand).
    append_messages(
        mail.imap, second.handle, second.password, [received(mail, shared["headerMessageId"])]
    )
    assert sync_again(client, second_id)["status"] == "active"
    assert record_of(client, shared["headerMessageId"])["id"] == shared["messageId"]

    answer = client.delete(f"{ACCOUNTS}/{first_id}")
    assert answer.status_code == 200, answer.text
    deadline = time.monotonic() + SYNC_TIMEOUT
    while any(m["id"] == own["messageId"] for m in client.every("messages")):
        assert time.monotonic() < deadline, "the cleanup did not destroy the sent message"
        time.sleep(0.2)
    assert [m["id"] for m in client.every("messages")] == [shared["messageId"]]
    threads = {t["id"] for t in client.every("messageThreads")}
    assert threads == {shared["messageThreadId"]}
