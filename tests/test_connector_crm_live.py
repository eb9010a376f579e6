"""The bundled CRM connector against a real server and dispatcher, on SQLite and PostgreSQL.

Webhooks reach catch URLs on loopback, so the server allows 127.0.0.0/8 as a target network.
``listen``, ``serve`` and ``invoke`` run as real ``hookwire connector`` subprocesses.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from conftest import Client, Database, Server, free_port, new_workspace
from hookwire.connector import Connector, ExpiredAuthError
from hookwire.crm_connector import CRM_CONNECTOR
from processes import LineReader

DELIVERY_TIMEOUT = 15.0


@pytest.fixture(scope="module")
def hook_server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("connector-server") / f"{database.backend}.log"
    running = Server(database, log)  # conftest allows loopback receivers
    yield running
    running.stop()


class Account:
    """A workspace on the hook server, its REST client and the connector's authData."""

    def __init__(self, server: Server) -> None:
        self.name = f"Connector {time.monotonic_ns()}"
        workspace_id, token = new_workspace(server.database, self.name)
        self.client = Client(server.base_url, token, workspace_id)
        self.auth = {"apiKey": token, "apiUrl": server.base_url}

    def record(self, plural: str, record_id: str) -> dict[str, Any]:
        response = self.client.get(f"/rest/{plural}/{record_id}")
        assert response.status_code == 200, response.text
        return next(iter(response.json()["data"].values()))

    def create(self, plural: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(f"/rest/{plural}", json=body)
        assert response.status_code == 201, response.text
        return next(iter(response.json()["data"].values()))

    def webhooks(self) -> list[dict[str, Any]]:
        return self.client.get("/rest/webhooks").json()["data"]["webhooks"]


@pytest.fixture
def account(hook_server: Server) -> Account:
    return Account(hook_server)


@pytest.fixture(scope="module")
def crm() -> Connector:
    return Connector(CRM_CONNECTOR)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "hookwire.cli", "connector", *args]


def auth_args(account: Account) -> list[str]:
    return [
        "--auth",
        f"apiKey={account.auth['apiKey']}",
        "--auth",
        f"apiUrl={account.auth['apiUrl']}",
    ]


# auth and dropdowns


def test_auth_test_and_label_name_the_workspace(crm: Connector, account: Account) -> None:
    tested = crm.run("test", {"authData": account.auth})
    assert tested == {"id": account.client.workspace_id, "displayName": account.name}
    assert crm.run("connectionLabel", {"authData": account.auth}) == account.name


def test_a_bad_key_is_a_clear_auth_error(crm: Connector, account: Account) -> None:
    auth = {**account.auth, "apiKey": account.auth["apiKey"][:-4] + "AAAA"}
    with pytest.raises(ExpiredAuthError, match="rejected the API key"):
        crm.run("test", {"authData": auth})


def test_dropdowns_list_objects_and_records(crm: Connector, account: Account) -> None:
    names = [o["id"] for o in crm.run("find_object_names_singular", {"authData": account.auth})]
    assert {"person", "company", "opportunity", "note", "task"} <= set(names)
    made = [
        account.create("people", {"name": {"firstName": "Ada", "lastName": f"L{i}"}})
        for i in range(3)
    ]
    bundle = {"authData": account.auth, "inputData": {"nameSingular": "person"}}
    choices = crm.choices("list_record_ids.id.label", {**bundle, "meta": {"limit": 2}})
    assert choices == [
        {"value": made[2]["id"], "label": "Ada L2"},
        {"value": made[1]["id"], "label": "Ada L1"},
    ]
    second = crm.run("list_record_ids", {**bundle, "meta": {"limit": 2, "page": 1}})
    assert second == [{"id": made[0]["id"], "label": "Ada L0"}]


# crud_record


def _custom_object(account: Account) -> str:
    created = account.client.post(
        "/rest/metadata/objects",
        json={
            "nameSingular": "invoice",
            "namePlural": "invoices",
            "labelSingular": "Invoice",
            "labelPlural": "Invoices",
        },
    )
    assert created.status_code == 201, created.text
    object_id = created.json()["data"]["createOneObject"]["id"]
    for spec in (
        {"name": "reference", "label": "Reference", "type": "TEXT", "isNullable": False},
        {"name": "total", "label": "Total", "type": "CURRENCY"},
        {
            "name": "status",
            "label": "Status",
            "type": "SELECT",
            "options": [{"value": "OPEN", "label": "Open"}, {"value": "PAID", "label": "Paid"}],
        },
        {"name": "billTo", "label": "Bill to", "type": "ADDRESS"},
    ):
        response = account.client.post(
            "/rest/metadata/fields", json={"objectMetadataId": object_id, **spec}
        )
        assert response.status_code == 201, response.text
    return object_id


def test_a_custom_object_gets_dynamic_fields_and_crud(crm: Connector, account: Account) -> None:
    _custom_object(account)
    auth = {"authData": account.auth}
    names = [o["id"] for o in crm.run("find_object_names_singular", auth)]
    assert "invoice" in names
    inputs = {"nameSingular": "invoice", "operation": "create"}
    fields = {f["key"]: f for f in crm.input_fields("crud_record", {**auth, "inputData": inputs})}
    assert fields["reference"]["required"] is True
    assert fields["total__amountMicros"]["type"] == "number"
    assert fields["total__currencyCode"]["required"] is False
    assert [c["value"] for c in fields["status"]["choices"]] == ["OPEN", "PAID"]
    assert "billTo__addressPostcode" in fields

    created = crm.run(
        "crud_record",
        {
            **auth,
            "inputData": {
                **inputs,
                "reference": "INV-1",
                "total__amountMicros": "1500000",
                "total__currencyCode": "EUR",
                "status": "OPEN",
                "billTo__addressPostcode": "75001",
                "billTo__addressCity": "Paris",
            },
        },
    )
    stored = account.record("invoices", created["id"])
    assert stored == created
    assert stored["total"] == {"amountMicros": 1500000, "currencyCode": "EUR"}
    assert stored["billTo"]["addressPostcode"] == "75001"

    updated = crm.run(
        "crud_record",
        {
            **auth,
            "inputData": {
                "nameSingular": "invoice",
                "operation": "update",
                "id": created["id"],
                "status": "PAID",
            },
        },
    )
    assert updated["status"] == "PAID" and updated["reference"] == "INV-1"
    assert account.record("invoices", created["id"])["status"] == "PAID"

    deleted = crm.run(
        "crud_record",
        {
            **auth,
            "inputData": {"nameSingular": "invoice", "operation": "delete", "id": created["id"]},
        },
    )
    assert deleted["id"] == created["id"] and deleted["deletedAt"] is not None
    listed = account.client.get("/rest/invoices").json()["data"]["invoices"]
    assert listed == []


def test_crud_record_writes_people_with_composites(crm: Connector, account: Account) -> None:
    inputs = {
        "nameSingular": "person",
        "operation": "create",
        "name__firstName": "Grace",
        "name__lastName": "Hopper",
        "emails__primaryEmail": "grace@navy.test",
        "emails__additionalEmails": "g@h.test, gh@h.test",
        "phones__primaryPhoneNumber": "5550100",
        "phones__primaryPhoneCallingCode": "+1",
        "jobTitle": 'Rear Admiral "Amazing Grace"',
    }
    created = crm.run("crud_record", {"authData": account.auth, "inputData": inputs})
    stored = account.record("people", created["id"])
    assert stored == created
    assert stored["emails"]["additionalEmails"] == ["g@h.test", "gh@h.test"]
    assert stored["phones"]["primaryPhoneCallingCode"] == "+1"
    assert stored["jobTitle"] == 'Rear Admiral "Amazing Grace"'


# trigger_record through `hookwire connector listen`


def test_listen_prints_hooks_rejects_forgeries_and_unsubscribes(account: Account) -> None:
    process = subprocess.Popen(
        cli(
            "listen",
            "trigger_record",
            *auth_args(account),
            "--input",
            "nameSingular=person",
            "--input",
            "operation=created",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    out, err = LineReader(process.stdout), LineReader(process.stderr)
    try:
        catch_url = err.until("catch URL").rsplit(" ", 1)[1]
        [webhook] = account.webhooks()
        assert webhook["targetUrl"] == catch_url and webhook["operations"] == ["person.created"]

        person = account.create("people", {"name": {"firstName": "Hook", "lastName": "Listen"}})
        printed = json.loads(out.next())
        assert printed == account.record("people", person["id"])

        forged = requests.post(
            catch_url,
            data=json.dumps({"webhookId": webhook["id"], "record": {"id": "x"}}),
            headers={
                "webhook-id": "e",
                "webhook-timestamp": str(int(time.time())),
                "webhook-signature": "v1,Zm9yZ2Vk",
            },
            timeout=5,
        )
        assert forged.status_code == 400
        assert "forged request" in err.until("Rejected a hook")
        # Delivery is at least once: a retry of the real hook may still print; a forgery never.
        assert all(json.loads(line) == printed for line in out.until_quiet(0.5))
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    assert "Unsubscribed." in err.until("Unsubscribed")
    assert account.webhooks() == []


# trigger_record through `hookwire connector serve`, the platform played by this test


class CatchServer:
    """A platform's catch URL: records every request it gets."""

    def __init__(self) -> None:
        self.received: queue.Queue[dict[str, Any]] = queue.Queue()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                received.put(
                    {"method": "POST", "headers": dict(self.headers.items()), "content": body}
                )
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/catch"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = open(tmp_path / "runtime.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        cli("serve", "--port", str(port)), stdout=log, stderr=subprocess.STDOUT
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "runtime.log").read_text()) from None
            time.sleep(0.1)
    yield base_url
    process.terminate()
    process.wait(timeout=10)
    log.close()


def invoke(runtime: str, operation: str, bundle: dict[str, Any]) -> requests.Response:
    return requests.post(
        f"{runtime}/invoke", json={"operation": operation, "bundle": bundle}, timeout=30
    )


def test_serve_runs_the_whole_hook_lifecycle(runtime: str, account: Account) -> None:
    catch = CatchServer()
    try:
        inputs = {"nameSingular": "company", "operation": "created"}
        base = {"authData": account.auth, "inputData": inputs}
        subscribed = invoke(
            runtime,
            "triggers.trigger_record.operation.performSubscribe",
            {**base, "targetUrl": catch.url},
        )
        assert subscribed.status_code == 200, subscribed.text
        subscribe_data = subscribed.json()["result"]
        assert [w["id"] for w in account.webhooks()] == [subscribe_data["id"]]

        company = account.create("companies", {"name": "Hooked Inc"})
        raw = catch.received.get(timeout=DELIVERY_TIMEOUT)
        hook = {
            **base,
            "subscribeData": subscribe_data,
            "rawRequest": raw,
            "cleanedRequest": json.loads(raw["content"]),
        }
        performed = invoke(runtime, "trigger_record", hook)
        assert performed.status_code == 200, performed.text
        assert performed.json() == {"result": [account.record("companies", company["id"])]}

        forged = {
            **hook,
            "rawRequest": {**raw, "content": raw["content"].replace("Hooked", "Crooked")},
        }
        rejected = invoke(runtime, "trigger_record", forged)
        assert rejected.status_code == 422
        assert rejected.json()["error"]["type"] == "HaltedError"

        samples = invoke(runtime, "trigger_record.performList", base).json()["result"]
        assert samples[0]["id"] == company["id"]

        gone = invoke(
            runtime, "trigger_record.performUnsubscribe", {**base, "subscribeData": subscribe_data}
        )
        assert gone.status_code == 200 and gone.json()["result"] == {"id": subscribe_data["id"]}
        assert account.webhooks() == []
        account.create("companies", {"name": "Unheard Ltd"})
        with pytest.raises(queue.Empty):
            catch.received.get(timeout=3)
    finally:
        catch.close()


def test_serve_reports_errors_as_typed_json(runtime: str, account: Account) -> None:
    bad = invoke(runtime, "test", {"authData": {**account.auth, "apiKey": "nope"}})
    assert bad.status_code == 422
    assert bad.json()["error"]["type"] == "ExpiredAuthError"
    unknown = invoke(runtime, "explode", {})
    assert (
        unknown.status_code == 422
        and "unknown operation 'explode'" in unknown.json()["error"]["message"]
    )
    malformed = requests.post(f"{runtime}/invoke", json=["x"], timeout=5)
    assert malformed.status_code == 400
    assert requests.get(f"{runtime}/definition", timeout=5).json()["key"] == "hookwire_crm"


# `hookwire connector invoke`


def test_invoke_prints_json_and_typed_errors(account: Account) -> None:
    done = subprocess.run(
        cli("invoke", "find_object_names_singular", *auth_args(account)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "person" in [o["id"] for o in json.loads(done.stdout)]
    failed = subprocess.run(
        cli(
            "invoke", "test", "--auth", "apiKey=nope", "--auth", f"apiUrl={account.auth['apiUrl']}"
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["error"]["type"] == "ExpiredAuthError"
