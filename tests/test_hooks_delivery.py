"""Webhook delivery end to end, embedded dispatcher, on SQLite and PostgreSQL.

A real ``hookwire serve`` process delivers to a real receiver on loopback; the retry schedule
is compressed so a test sees several attempts in about a second.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook as StandardWebhook

from conftest import Client, Database, Server, new_workspace, open_database
from hooks_support import create_person, subscribe, wait_until
from receiver import Receiver, Reply

ATTEMPTS = 5  # conftest's WEBHOOK_TEST_ENV schedule
STRICT_ENV = {"HOOKWIRE_WEBHOOK_ALLOWED_NETWORKS": ""}


@pytest.fixture
def api(client: Client) -> Client:
    """A fresh workspace on the session's server, whose delivery settings conftest sets."""
    return client


@pytest.fixture(scope="module")
def strict_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """A server that allows no private network, on a database no other server delivers from."""
    with open_database("sqlite", tmp_path_factory) as database:
        log = tmp_path_factory.mktemp("strict") / "server.log"
        running = Server(database, log, STRICT_ENV)
        yield running
        running.stop()


def attempts(api: Client, webhook_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/rest/webhooks/{webhook_id}/attempts")
    assert response.status_code == 200, response.text
    return response.json()["data"]["webhookDeliveryAttempts"]


def webhook(api: Client, webhook_id: str) -> dict[str, Any]:
    return api.get(f"/rest/webhooks/{webhook_id}").json()["data"]["webhook"]


# --- arrival, payload and signatures ------------------------------------------------------


def test_rest_create_arrives_signed_in_both_families(api: Client, receiver: Receiver) -> None:
    hook = subscribe(api, receiver)
    person = create_person(api)

    [request] = receiver.wait_for(1)
    body = request.json
    assert body["eventName"] == "person.created"
    assert body["workspaceId"] == api.workspace_id
    assert body["webhookId"] == hook["id"]
    assert body["objectMetadata"]["nameSingular"] == "person"
    assert body["record"]["id"] == person["id"]
    assert body["record"]["name"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert "updatedFields" not in body
    assert body["eventDate"].endswith("Z")

    timestamp = request.headers["x-twenty-webhook-timestamp"]
    expected = hmac.new(
        hook["secret"].encode(), f"{timestamp}:".encode() + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(request.headers["x-twenty-webhook-signature"], expected)
    assert request.headers["x-twenty-webhook-nonce"]
    verified = StandardWebhook(hook["secret"]).verify(request.body, request.headers)
    assert verified == body
    assert request.headers["content-type"] == "application/json"


def test_graphql_create_arrives(api: Client, receiver: Receiver) -> None:
    subscribe(api, receiver, operations=["company.created"])
    query = 'mutation { createCompany(data: {name: "Acme"}) { id } }'
    company = api.post("/graphql", json={"query": query}).json()["data"]["createCompany"]

    [request] = receiver.wait_for(1)
    assert request.json["eventName"] == "company.created"
    assert request.json["record"]["id"] == company["id"]
    assert request.json["record"]["name"] == "Acme"


def test_forged_signature_fails_verification(api: Client, receiver: Receiver) -> None:
    hook = subscribe(api, receiver, secret="whsec_" + "A" * 43 + "=")
    create_person(api)
    [request] = receiver.wait_for(1)
    StandardWebhook(hook["secret"]).verify(request.body, request.headers)
    tampered = request.body.replace(b"Lovelace", b"Byron")
    with pytest.raises(Exception, match="No matching signature"):
        StandardWebhook(hook["secret"]).verify(tampered, request.headers)


def test_every_action_is_an_event_with_updated_fields(api: Client, receiver: Receiver) -> None:
    subscribe(api, receiver, operations=["person.*"])
    person = create_person(api)
    path = f"/rest/people/{person['id']}"
    updated = api.patch(path, json={"jobTitle": "Analyst", "city": person["city"]})
    assert updated.status_code == 200, updated.text
    assert api.delete(f"{path}?soft_delete=true").status_code == 200
    assert api.patch(f"/rest/restore/people/{person['id']}").status_code == 200
    assert api.delete(path).status_code == 200

    requests = receiver.wait_for(5)
    names = [r.json["eventName"] for r in sorted(requests, key=lambda r: r.json["eventDate"])]
    assert sorted(names) == sorted(
        ["person.created", "person.updated", "person.deleted", "person.restored",
         "person.destroyed"]
    )  # fmt: skip
    update = next(r.json for r in requests if r.json["eventName"] == "person.updated")
    assert update["updatedFields"] == ["jobTitle"]  # city was sent unchanged
    assert update["record"]["jobTitle"] == "Analyst"
    assert len({r.event_id for r in requests}) == 5


def test_operations_filter_what_each_webhook_receives(api: Client, receiver: Receiver) -> None:
    subscribe(api, receiver, "/companies", operations=["company.*"])
    subscribe(api, receiver, "/updates", operations=["*.updated"])
    subscribe(api, receiver, "/everything")  # default ["*.*"]
    person = create_person(api)
    company = api.post("/rest/companies", json={"name": "Acme"}).json()["data"]["createCompany"]
    api.patch(f"/rest/people/{person['id']}", json={"jobTitle": "CTO"})

    everything = receiver.wait_for(3, "/everything")
    assert sorted(r.json["eventName"] for r in everything) == [
        "company.created", "person.created", "person.updated"
    ]  # fmt: skip
    [company_event] = receiver.wait_for(1, "/companies")
    assert company_event.json["record"]["id"] == company["id"]
    [update] = receiver.wait_for(1, "/updates")
    assert update.json["eventName"] == "person.updated"
    time.sleep(1.0)  # anything misrouted would have arrived by now
    assert len(receiver.received("/companies")) == 1
    assert len(receiver.received("/updates")) == 1


def test_batch_create_emits_one_event_per_record(api: Client, receiver: Receiver) -> None:
    subscribe(api, receiver)
    response = api.post(
        "/rest/batch/people",
        json=[{"name": {"firstName": "P", "lastName": str(i)}} for i in range(25)],
    )
    assert response.status_code == 201, response.text
    ids = {p["id"] for p in response.json()["data"]["createPeople"]}
    requests = receiver.wait_for(25)
    assert {r.json["record"]["id"] for r in requests} == ids


def test_rolled_back_write_emits_nothing(api: Client, receiver: Receiver) -> None:
    subscribe(api, receiver, "/all")
    rejected = api.post(
        "/rest/batch/people",
        json=[{"name": {"firstName": "Ok"}}, {"name": {"firstName": "Bad"}, "noSuchField": 1}],
    )
    assert rejected.status_code == 400
    missing_id = uuid.uuid4()
    mutation = (
        'mutation { a: createCompany(data: {name: "A"}) { id } '
        f'b: updateCompany(id: "{missing_id}", data: {{name: "B"}}) {{ id }} }}'
    )
    failed_graphql = api.post("/graphql", json={"query": mutation})
    assert failed_graphql.json()["errors"]
    create_person(api, "Marker")  # events are delivered in order; this one comes after
    [only] = receiver.wait_for(1, "/all")
    time.sleep(0.5)
    assert [r.json["record"]["name"]["lastName"] for r in receiver.received("/all")] == ["Marker"]
    assert only.json["eventName"] == "person.created"


def test_other_workspaces_events_never_arrive(
    api: Client, other_client: Client, receiver: Receiver
) -> None:
    subscribe(api, receiver, "/mine")
    other = other_client
    create_person(other, "Elsewhere")
    create_person(api, "Here")
    [request] = receiver.wait_for(1, "/mine")
    time.sleep(0.5)
    assert len(receiver.received("/mine")) == 1
    assert request.json["record"]["name"]["lastName"] == "Here"


# --- failures, retries and the attempt log ------------------------------------------------


def test_three_failures_then_success_make_four_logged_attempts(
    api: Client, receiver: Receiver
) -> None:
    receiver.script("/flaky", Reply(500, body=b"down"), Reply(502), Reply(503), Reply(200))
    hook = subscribe(api, receiver, "/flaky")
    create_person(api)

    requests = receiver.wait_for(4, "/flaky")
    assert len({r.event_id for r in requests}) == 1  # the event id is stable across retries
    assert len({r.headers["x-twenty-webhook-nonce"] for r in requests}) == 4
    for request in requests:
        StandardWebhook(hook["secret"]).verify(request.body, request.headers)

    logged = wait_until(lambda: (rows := attempts(api, hook["id"])) and len(rows) == 4 and rows)
    assert [a["attemptNumber"] for a in logged] == [4, 3, 2, 1]  # newest first
    assert [a["statusCode"] for a in logged] == [200, 503, 502, 500]
    assert logged[-1]["responseBody"] == "down"
    assert all(a["eventName"] == "person.created" and a["latencyMs"] >= 0 for a in logged)
    time.sleep(1.0)
    assert len(receiver.received("/flaky")) == 4  # delivered: no more attempts


def test_retries_fall_due_while_another_workspace_writes_without_pause(
    api: Client, other_client: Client, receiver: Receiver
) -> None:
    """A commit that queues no delivery skips the claim, but not for longer than a poll: a
    retry due meanwhile goes out on time although commits keep the dispatcher awake."""
    receiver.script("/retried", Reply(500), Reply(500), Reply(200))
    subscribe(api, receiver, "/retried")
    create_person(api)
    started = time.monotonic()
    while len(receiver.received("/retried")) < 3 and time.monotonic() - started < 20:
        create_person(other_client, "Busy")  # no webhook in this workspace
    requests = receiver.wait_for(3, "/retried", timeout=1)
    # The schedule asks for retries within about a second; a poll interval is 0.25 s.
    assert requests[-1].at - requests[0].at < 5.0


def test_attempt_log_over_graphql(api: Client, receiver: Receiver) -> None:
    receiver.script("/g", Reply(500))
    hook = subscribe(api, receiver, "/g")
    create_person(api)
    receiver.wait_for(2, "/g")
    query = (
        "query($id: UUID!) { webhookDeliveryAttempts(webhookId: $id) "
        "{ attemptNumber statusCode eventName error } }"
    )

    def logged() -> list[dict[str, Any]]:
        response = api.post("/metadata", json={"query": query, "variables": {"id": hook["id"]}})
        rows = response.json()["data"]["webhookDeliveryAttempts"]
        return rows if len(rows) == 2 else []

    assert wait_until(logged) == [
        {"attemptNumber": 2, "statusCode": 200, "eventName": "person.created", "error": None},
        {"attemptNumber": 1, "statusCode": 500, "eventName": "person.created", "error": None},
    ]


def test_gives_up_after_the_schedule(api: Client, receiver: Receiver) -> None:
    receiver.script("/down", *[Reply(500)] * (ATTEMPTS + 2))
    hook = subscribe(api, receiver, "/down")
    create_person(api)
    receiver.wait_for(ATTEMPTS, "/down")
    time.sleep(1.5)
    assert len(receiver.received("/down")) == ATTEMPTS
    assert len(attempts(api, hook["id"])) == ATTEMPTS
    assert webhook(api, hook["id"])["failingSince"] is not None


def test_retry_after_is_honoured(api: Client, receiver: Receiver) -> None:
    receiver.script("/busy", Reply(429, headers={"Retry-After": "2"}), Reply(200))
    subscribe(api, receiver, "/busy")
    create_person(api)
    first, second = receiver.wait_for(2, "/busy", timeout=30)
    # The schedule alone would retry after 0.3 s (±20%); the receiver asked for 2 s.
    assert second.at - first.at >= 1.9


def test_timeout_counts_as_a_failure_and_is_retried(api: Client, receiver: Receiver) -> None:
    receiver.script("/slow", Reply(200, delay=2.5), Reply(200))
    hook = subscribe(api, receiver, "/slow")
    create_person(api)
    receiver.wait_for(2, "/slow")
    logged = wait_until(lambda: (rows := attempts(api, hook["id"])) and len(rows) == 2 and rows)
    assert logged[0]["statusCode"] == 200
    assert logged[1]["statusCode"] is None
    assert logged[1]["error"] == "timed out after 1 s"


def test_redirects_are_not_followed(api: Client, receiver: Receiver) -> None:
    receiver.script("/moved", Reply(302, headers={"Location": receiver.url + "/elsewhere"}))
    hook = subscribe(api, receiver, "/moved")
    create_person(api)
    receiver.wait_for(2, "/moved")
    logged = wait_until(lambda: (rows := attempts(api, hook["id"])) and len(rows) == 2 and rows)
    assert [a["statusCode"] for a in logged] == [200, 302]
    assert receiver.received("/elsewhere") == []


def test_response_kept_is_truncated(api: Client, receiver: Receiver) -> None:
    receiver.script("/chatty", Reply(500, body=b"x" * 20_000))
    hook = subscribe(api, receiver, "/chatty")
    create_person(api)
    receiver.wait_for(2, "/chatty")
    logged = wait_until(lambda: (rows := attempts(api, hook["id"])) and len(rows) == 2 and rows)
    assert logged[1]["responseBody"] == "x" * 4096


def test_gone_disables_the_webhook_at_once(api: Client, receiver: Receiver) -> None:
    receiver.script("/gone", Reply(410))
    hook = subscribe(api, receiver, "/gone")
    create_person(api)
    receiver.wait_for(1, "/gone")
    disabled = wait_until(lambda: not (row := webhook(api, hook["id"]))["isEnabled"] and row)
    assert "410" in disabled["disabledReason"]
    create_person(api, "After")
    time.sleep(1.0)
    assert len(receiver.received("/gone")) == 1  # neither retried nor sent new events

    enabled = api.patch(f"/rest/webhooks/{hook['id']}", json={"isEnabled": True})
    assert enabled.json()["data"]["updateWebhook"]["disabledReason"] is None
    create_person(api, "Again")
    [_, again] = receiver.wait_for(2, "/gone")
    assert again.json["record"]["name"]["lastName"] == "Again"


def test_redeliver_sends_the_same_event_again(api: Client, receiver: Receiver) -> None:
    hook = subscribe(api, receiver, "/re")
    create_person(api)
    [first] = receiver.wait_for(1, "/re")
    response = api.post(f"/rest/webhooks/{hook['id']}/redeliver", json={"eventId": first.event_id})
    assert response.status_code == 202, response.text
    [_, second] = receiver.wait_for(2, "/re")
    assert second.event_id == first.event_id
    assert second.body == first.body

    unknown = api.post(f"/rest/webhooks/{hook['id']}/redeliver", json={"eventId": "nope"})
    assert unknown.status_code == 404


def test_deleted_webhook_receives_nothing_more(api: Client, receiver: Receiver) -> None:
    hook = subscribe(api, receiver, "/bye")
    create_person(api)
    receiver.wait_for(1, "/bye")
    assert api.delete(f"/rest/webhooks/{hook['id']}").status_code == 200
    create_person(api, "Later")
    time.sleep(1.0)
    assert len(receiver.received("/bye")) == 1


# --- a webhook failing for the whole configured period ------------------------------------


def test_webhook_failing_for_the_period_is_disabled(
    database: Database,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    receiver: Receiver,
) -> None:
    env = {"HOOKWIRE_WEBHOOK_RETRY_SCHEDULE": "0" + ",0.4" * 10,
           "HOOKWIRE_WEBHOOK_DISABLE_AFTER": "1.5"}  # fmt: skip
    with open_database(database.backend, tmp_path_factory) as own:
        server = Server(own, tmp_path / "server.log", env)
        try:
            workspace_id, token = new_workspace(own)
            api = Client(server.base_url, token, workspace_id)
            receiver.default = Reply(503)
            hook = subscribe(api, receiver, "/failing")
            create_person(api)
            disabled = wait_until(
                lambda: not (row := webhook(api, hook["id"]))["isEnabled"] and row
            )
            assert disabled["disabledReason"].startswith("Every attempt failed since ")
            count = len(receiver.received("/failing"))
            assert 3 <= count < 11  # stopped before the schedule ran out
            time.sleep(1.0)
            assert len(receiver.received("/failing")) == count
        finally:
            server.stop()


# --- target policy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9/hook", "targetUrl"),
        ("http://localhost/hook", "targetUrl"),
        ("http://10.1.2.3/hook", "targetUrl"),
        ("http://192.168.0.10/hook", "targetUrl"),
        ("http://169.254.169.254/latest/meta-data", "targetUrl"),
        ("http://[::1]/hook", "targetUrl"),
        ("http://224.0.0.1/hook", "targetUrl"),
        ("http://[2002:7f00:1::1]/hook", "6to4"),  # 6to4 of 127.0.0.1
        ("http://[2002:c0a8:1::1]/hook", "6to4"),  # 6to4 of 192.168.0.1
        ("http://[fec0::1]/hook", "site-local"),
        ("http://[64:ff9b::a9fe:a9fe]/hook", "NAT64"),  # NAT64 of 169.254.169.254
        ("ftp://example.com/hook", "expected an http:// or https:// URL"),
        ("not a url", "expected an http:// or https:// URL"),
    ],
)
def test_private_targets_are_refused_at_creation(
    strict_server: Server, url: str, message: str
) -> None:
    workspace_id, token = new_workspace(strict_server.database)
    client = Client(strict_server.base_url, token, workspace_id)
    response = client.post("/rest/webhooks", json={"targetUrl": url})
    assert response.status_code == 400
    assert message in response.json()["messages"][0]
    assert client.get("/rest/webhooks").json()["data"]["webhooks"] == []


def test_private_target_is_refused_again_at_delivery(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, receiver: Receiver
) -> None:
    """A webhook saved while loopback was allowed is refused once the allowance is gone."""
    with open_database("sqlite", tmp_path_factory) as own:
        workspace_id, token = new_workspace(own)
        allowing = Server(own, tmp_path / "allowing.log")
        try:
            hook = subscribe(Client(allowing.base_url, token, workspace_id), receiver, "/private")
        finally:
            allowing.stop()

        strict = Server(own, tmp_path / "strict.log", STRICT_ENV)
        try:
            api = Client(strict.base_url, token, workspace_id)
            create_person(api)
            logged = wait_until(lambda: attempts(api, hook["id"]))
            assert logged[0]["statusCode"] is None
            assert logged[0]["error"].startswith("refused: targetUrl:")
            assert "127.0.0.1" in logged[0]["error"]
            assert receiver.received() == []
        finally:
            strict.stop()


def test_test_event_reaches_only_that_webhook(api: Client, receiver: Receiver) -> None:
    hook = subscribe(api, receiver, "/tested")
    subscribe(api, receiver, "/other")
    response = api.post(f"/rest/webhooks/{hook['id']}/test")
    assert response.status_code == 202, response.text
    [request] = receiver.wait_for(1, "/tested")
    body = StandardWebhook(hook["secret"]).verify(request.body, request.headers)
    assert body["eventName"] == "webhook.test"
    assert body["webhookId"] == hook["id"]
    time.sleep(0.5)
    assert receiver.received("/other") == []
    missing = api.post(f"/rest/webhooks/{uuid.uuid4()}/test")
    assert missing.status_code == 404
