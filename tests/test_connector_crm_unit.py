"""The bundled CRM connector with HTTP mocked: every request it sends, every error path."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from hookwire.actions.record_fields import input_fields
from hookwire.auth.connector_auth import AUTHENTICATION, CURRENT_WORKSPACE, add_api_key
from hookwire.connector import (
    Bundle,
    Connector,
    ConnectorError,
    ExpiredAuthError,
    HaltedError,
    Request,
)
from hookwire.crm_connector import CRM_CONNECTOR
from hookwire.triggers.crm_api import OBJECTS_QUERY
from hookwire.triggers.trigger_record import CREATE_WEBHOOK, DELETE_WEBHOOK

URL = "http://crm.test:3000"
KEY = "key-123"
AUTH = {"apiKey": KEY, "apiUrl": URL + "/"}
HEADERS = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}


def field(name: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"f-{name}",
        "name": name,
        "type": kind,
        "label": name.capitalize(),
        "description": None,
        "isSystem": False,
        "isNullable": True,
        "defaultValue": None,
        "options": None,
        "settings": None,
        **extra,
    }


ACTOR_DEFAULT = {"source": "MANUAL", "workspaceMemberId": None, "name": "System", "context": {}}
PERSON = {
    "id": "o-person",
    "nameSingular": "person",
    "namePlural": "people",
    "labelSingular": "Person",
    "labelPlural": "People",
    "labelIdentifierFieldMetadataId": "f-name",
    # Active fields only: the schema query asks the server for those.
    "fields": [
        field("id", "UUID", isSystem=True, isNullable=False, defaultValue="uuid"),
        field("createdAt", "DATE_TIME", isSystem=True, isNullable=False, defaultValue="now"),
        field("searchVector", "TS_VECTOR", isSystem=True),
        field("name", "FULL_NAME"),
        field("emails", "EMAILS"),
        field("phones", "PHONES"),
        field("address", "ADDRESS"),
        field(
            "company",
            "RELATION",
            settings={"relationType": "MANY_TO_ONE", "targetObject": "company"},
        ),
        field(
            "stage",
            "SELECT",
            options=[{"value": "NEW", "label": "New"}, {"value": "WON", "label": "Won"}],
            defaultValue="NEW",
            isNullable=False,
        ),
        field("tags", "MULTI_SELECT", options=[{"value": "VIP", "label": "Vip"}]),
        field("score", "RATING"),
        field("aliases", "ARRAY"),
        field("extra", "RAW_JSON"),
        field("age", "NUMBER"),
        field("vip", "BOOLEAN"),
        field("birthday", "DATE"),
        field("metAt", "DATE_TIME"),
        field("code", "TEXT", isNullable=False),
        field("createdBy", "ACTOR", isNullable=False, defaultValue=ACTOR_DEFAULT),
        field(
            "mentors",
            "RELATION",
            settings={"relationType": "ONE_TO_MANY", "targetObject": "person"},
        ),
        field(
            "owner",
            "MORPH_RELATION",
            settings={"relationType": "MANY_TO_ONE", "targetObjects": ["person", "company"]},
        ),
        field("attachments", "FILES"),
    ],
}
COMPANY = {
    **PERSON,
    "id": "o-company",
    "nameSingular": "company",
    "namePlural": "companies",
    "labelSingular": "Company",
    "labelIdentifierFieldMetadataId": "f-title",
    "fields": [field("title", "TEXT")],
}


def on_the_wire(node: dict[str, Any]) -> dict[str, Any]:
    """An object as ``/metadata`` answers it: its fields a connection."""
    return {**node, "fields": {"edges": [{"node": f} for f in node["fields"]]}}


OBJECTS = {
    "data": {"objects": {"edges": [{"node": on_the_wire(COMPANY)}, {"node": on_the_wire(PERSON)}]}}
}
PERSON_SELECTION = (
    "id createdAt updatedAt deletedAt position name { firstName lastName } "
    "emails { primaryEmail additionalEmails } phones { primaryPhoneNumber "
    "primaryPhoneCountryCode primaryPhoneCallingCode additionalPhones } address { addressStreet1 "
    "addressStreet2 addressCity addressState addressCountry addressPostcode addressLat "
    "addressLng } companyId stage tags score aliases extra age vip birthday metAt code "
    "createdBy { source workspaceMemberId name context } ownerPersonId ownerCompanyId attachments"
)


@pytest.fixture
def crm() -> Connector:
    return Connector(CRM_CONNECTOR)


def graphql_call(path: str, query: str, variables: dict[str, Any], answer: dict[str, Any]) -> None:
    """Expect exactly this GraphQL request (document and variables) with the key."""
    responses.post(
        f"{URL}/{path}",
        json=answer,
        match=[
            matchers.json_params_matcher({"query": query, "variables": variables}),
            matchers.header_matcher(HEADERS),
        ],
    )


def expect_objects() -> None:
    graphql_call("metadata", OBJECTS_QUERY, {}, OBJECTS)


# authentication


@responses.activate
def test_auth_test_queries_current_workspace_and_labels_the_connection(crm: Connector) -> None:
    answer = {"data": {"currentWorkspace": {"id": "w1", "displayName": "Acme"}}}
    graphql_call("metadata", CURRENT_WORKSPACE, {}, answer)
    graphql_call("metadata", CURRENT_WORKSPACE, {}, answer)
    assert crm.run("test", {"authData": AUTH}) == {"id": "w1", "displayName": "Acme"}
    assert crm.run("connectionLabel", {"authData": AUTH}) == "Acme"


@responses.activate
def test_api_url_defaults_to_this_machine(crm: Connector) -> None:
    """Without apiUrl the connector calls the server on this machine, on $PORT if set (read
    when the definition loads: ``test_connector_cli`` runs it with PORT set)."""
    url = f"http://localhost:{os.environ.get('PORT') or 3000}"
    assert next(f for f in AUTHENTICATION["fields"] if f["key"] == "apiUrl")["default"] == url
    responses.post(f"{url}/metadata", json={"data": {"currentWorkspace": {"id": "w"}}})
    crm.run("test", {"authData": {"apiKey": KEY}})
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {KEY}"


@responses.activate
@pytest.mark.parametrize("code", ["UNAUTHENTICATED", "FORBIDDEN"])
def test_a_rejected_key_over_graphql_is_an_expired_auth_error(crm: Connector, code: str) -> None:
    answer = {"data": None, "errors": [{"message": "Token invalid.", "extensions": {"code": code}}]}
    responses.post(f"{URL}/metadata", json=answer)
    with pytest.raises(ExpiredAuthError, match=r"rejected the API key \(Token invalid\.\)"):
        crm.run("test", {"authData": AUTH})


@responses.activate
def test_a_rejected_key_over_rest_is_an_expired_auth_error(crm: Connector) -> None:
    body = {"statusCode": 401, "error": "UNAUTHENTICATED", "messages": ["Token invalid."]}
    responses.post(f"{URL}/metadata", status=401, json=body)
    with pytest.raises(ExpiredAuthError, match=r"\(Token invalid\.\); create a new key"):
        crm.run("test", {"authData": AUTH})


@responses.activate
def test_a_server_that_is_not_hookwire_says_so(crm: Connector) -> None:
    responses.post(f"{URL}/metadata", body="<html>hello</html>")
    with pytest.raises(ConnectorError, match="did not answer JSON; is apiUrl"):
        crm.run("test", {"authData": AUTH})


def test_an_unreachable_server_names_the_url(crm: Connector) -> None:
    with pytest.raises(ConnectorError, match=r"POST http://127\.0\.0\.1:9/metadata: cannot"):
        crm.run("test", {"authData": {"apiKey": KEY, "apiUrl": "http://127.0.0.1:9"}})


def test_the_api_key_goes_only_to_the_api_url() -> None:
    bundle = Bundle(auth_data=AUTH)
    mine = add_api_key(Request(url=f"{URL}/graphql"), None, bundle)  # type: ignore[arg-type]
    other = add_api_key(Request(url="http://crm.test:30001/x"), None, bundle)  # type: ignore[arg-type]
    assert mine.headers == {"Authorization": f"Bearer {KEY}"}
    assert other.headers == {}


# dropdown triggers


@responses.activate
def test_find_object_names_singular_lists_active_objects(crm: Connector) -> None:
    expect_objects()
    assert crm.run("find_object_names_singular", {"authData": AUTH}) == [
        {"id": "company", "nameSingular": "company", "labelSingular": "Company"},
        {"id": "person", "nameSingular": "person", "labelSingular": "Person"},
    ]


LIST_IDS = (
    "query RecordIds($first: Int, $after: String) { people(first: $first, after: $after, "
    "orderBy: [{createdAt: DescNullsLast}]) { edges { node { id name { firstName lastName } } } "
    "pageInfo { hasNextPage endCursor } } }"
)


def _page(nodes: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    return {
        "data": {
            "people": {
                "edges": [{"node": node} for node in nodes],
                "pageInfo": {"hasNextPage": next_cursor is not None, "endCursor": next_cursor},
            }
        }
    }


@responses.activate
def test_list_record_ids_walks_cursors_to_the_page_asked_for(crm: Connector) -> None:
    expect_objects()
    ada = {"id": "p1", "name": {"firstName": "Ada", "lastName": "Lovelace"}}
    nameless = {"id": "p2", "name": {"firstName": "", "lastName": ""}}
    graphql_call("graphql", LIST_IDS, {"first": 2, "after": None}, _page([ada], "c1"))
    graphql_call("graphql", LIST_IDS, {"first": 2, "after": "c1"}, _page([nameless], None))
    bundle = {
        "authData": AUTH,
        "inputData": {"nameSingular": "person"},
        "meta": {"page": 1, "limit": 2},
    }
    assert crm.run("list_record_ids", bundle) == [{"id": "p2", "label": "p2"}]


@responses.activate
def test_list_record_ids_past_the_last_page_is_empty(crm: Connector) -> None:
    expect_objects()
    graphql_call("graphql", LIST_IDS, {"first": 100, "after": None}, _page([], None))
    bundle = {"authData": AUTH, "inputData": {"nameSingular": "person"}, "meta": {"page": 3}}
    assert crm.run("list_record_ids", bundle) == []


@responses.activate
def test_an_unknown_object_lists_the_choices(crm: Connector) -> None:
    expect_objects()
    with pytest.raises(
        ConnectorError, match="no active object named 'persn'; use one of company, person"
    ):
        crm.run("list_record_ids", {"authData": AUTH, "inputData": {"nameSingular": "persn"}})


# trigger_record


@responses.activate
def test_subscribe_creates_a_webhook_for_the_event_with_a_fresh_secret(crm: Connector) -> None:
    def answer(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        sent = json.loads(request.body)
        assert sent["query"] == CREATE_WEBHOOK
        webhook_input = sent["variables"]["input"]
        assert webhook_input["targetUrl"] == "https://platform.test/catch/1"
        assert webhook_input["operations"] == ["person.updated"]
        assert webhook_input["description"] == "Hookwire connector: person.updated"
        assert webhook_input["secret"].startswith("whsec_")
        assert len(base64.b64decode(webhook_input["secret"][6:])) == 32
        created = {"id": "wh1", "secret": webhook_input["secret"]}
        return 200, {}, json.dumps({"data": {"createWebhook": created}})

    responses.add_callback(responses.POST, f"{URL}/metadata", callback=answer)
    bundle = {
        "authData": AUTH,
        "inputData": {"nameSingular": "person", "operation": "updated"},
        "targetUrl": "https://platform.test/catch/1",
    }
    data = crm.run("trigger_record.performSubscribe", bundle)
    assert data["id"] == "wh1" and data["secret"].startswith("whsec_")
    assert data["event"] == "person.updated"


def test_subscribe_needs_a_target_url_and_a_known_operation(crm: Connector) -> None:
    inputs = {"nameSingular": "person", "operation": "created"}
    with pytest.raises(ConnectorError, match=r"bundle\.targetUrl: required"):
        crm.run("trigger_record.performSubscribe", {"authData": AUTH, "inputData": inputs})
    with pytest.raises(ConnectorError, match=r"inputData\.operation: required"):
        crm.run(
            "trigger_record.performSubscribe",
            {"authData": AUTH, "inputData": {"nameSingular": "x"}},
        )


@responses.activate
def test_server_errors_on_subscribe_are_shown(crm: Connector) -> None:
    error = {
        "message": "operations: unknown object 'persn'",
        "extensions": {"code": "BAD_USER_INPUT"},
    }
    responses.post(f"{URL}/metadata", json={"data": None, "errors": [error]})
    bundle = {
        "authData": AUTH,
        "inputData": {"nameSingular": "persn", "operation": "created"},
        "targetUrl": "https://x.test/",
    }
    with pytest.raises(ConnectorError, match="metadata: operations: unknown object 'persn'"):
        crm.run("trigger_record.performSubscribe", bundle)


@responses.activate
def test_unsubscribe_deletes_the_webhook_and_tolerates_one_already_gone(crm: Connector) -> None:
    graphql_call(
        "metadata", DELETE_WEBHOOK, {"id": "wh1"}, {"data": {"deleteWebhook": {"id": "wh1"}}}
    )
    bundle = {"authData": AUTH, "subscribeData": {"id": "wh1", "secret": "s"}}
    assert crm.run("trigger_record.performUnsubscribe", bundle) == {"id": "wh1"}
    gone = {"message": "webhook with id wh1 not found", "extensions": {"code": "NOT_FOUND"}}
    responses.replace(responses.POST, f"{URL}/metadata", json={"data": None, "errors": [gone]})
    assert crm.run("trigger_record.performUnsubscribe", bundle) == {"id": "wh1"}


SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
RECORD = {"id": "p1", "name": {"firstName": "Ada", "lastName": "Lovelace"}}


def delivery(
    event: dict[str, Any] | None = None,
    family: str = "standard",
    secret: str = SECRET,
    age: float = 0,
) -> dict[str, Any]:
    """A signed raw request, as the server sends it."""
    body = json.dumps(
        event or {"eventName": "person.created", "webhookId": "wh1", "record": RECORD}
    )
    now = time.time() - age
    if family == "standard":
        message = f"evt1.{int(now)}.{body}".encode()
        signature = base64.b64encode(hmac.new(b"k" * 32, message, hashlib.sha256).digest())
        headers = {
            "webhook-id": "evt1",
            "webhook-timestamp": str(int(now)),
            "webhook-signature": f"v1,{signature.decode()}",
        }
    else:
        millis = int(now * 1000)
        digest = hmac.new(secret.encode(), f"{millis}:{body}".encode(), hashlib.sha256)
        headers = {
            "X-Twenty-Webhook-Timestamp": str(millis),
            "X-Twenty-Webhook-Signature": digest.hexdigest(),
        }
    return {"method": "POST", "headers": headers, "content": body}


def hook_bundle(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "authData": AUTH,
        "inputData": {"nameSingular": "person", "operation": "created"},
        "subscribeData": {"id": "wh1", "secret": SECRET},
        "cleanedRequest": json.loads(raw["content"]),
        "rawRequest": raw,
    }


@pytest.mark.parametrize("family", ["standard", "twenty"])
def test_perform_returns_the_record_of_a_signed_delivery(crm: Connector, family: str) -> None:
    assert crm.run("trigger_record", hook_bundle(delivery(family=family))) == [RECORD]


def test_perform_adds_updated_fields_for_updates(crm: Connector) -> None:
    event = {
        "eventName": "person.updated",
        "webhookId": "wh1",
        "record": RECORD,
        "updatedFields": ["name"],
    }
    assert crm.run("trigger_record", hook_bundle(delivery(event))) == [
        {**RECORD, "updatedFields": ["name"]}
    ]


def _forged() -> dict[str, Any]:
    raw = delivery()
    raw["content"] = raw["content"].replace("Ada", "Eve")
    return raw


def _unsigned() -> dict[str, Any]:
    return {**delivery(), "headers": {"Content-Type": "application/json"}}


def _wrong_secret() -> dict[str, Any]:
    return delivery(family="twenty", secret="whsec_other")


# Factories, not values: a request signed at collection time would be stale by the time a
# long test run reaches these cases.
@pytest.mark.parametrize(
    ("make_raw", "message"),
    [
        (_forged, "forged request: webhook-signature does not match"),
        (_wrong_secret, "forged request: X-Twenty-Webhook-Signature does not match"),
        (_unsigned, "unsigned request"),
        (lambda: delivery(age=3600), "more than 300 s old"),
        (lambda: {"headers": {}}, r"rawRequest\.content"),
        (
            lambda: delivery({"eventName": "person.created", "webhookId": "wh9", "record": RECORD}),
            "names another webhook",
        ),
    ],
)
def test_perform_rejects_unsigned_forged_stale_and_foreign_hooks(
    crm: Connector, make_raw: Callable[[], dict[str, Any]], message: str
) -> None:
    bundle = hook_bundle(delivery()) | {"rawRequest": make_raw()}
    with pytest.raises(HaltedError, match=message):
        crm.run("trigger_record", bundle)


def test_perform_without_a_secret_asks_to_subscribe_again(crm: Connector) -> None:
    bundle = hook_bundle(delivery()) | {"subscribeData": {"id": "wh1"}}
    with pytest.raises(HaltedError, match="subscribe again"):
        crm.run("trigger_record", bundle)


@responses.activate
def test_perform_list_returns_the_latest_records(crm: Connector) -> None:
    expect_objects()
    document = (
        "query LatestRecords($first: Int) { people(first: $first, orderBy: [{createdAt: "
        f"DescNullsLast}}]) {{ edges {{ node {{ {PERSON_SELECTION} }} }} }} }}"
    )
    graphql_call(
        "graphql", document, {"first": 3}, {"data": {"people": {"edges": [{"node": RECORD}]}}}
    )
    bundle = {"authData": AUTH, "inputData": {"nameSingular": "person", "operation": "created"}}
    assert crm.run("trigger_record.performList", bundle) == [RECORD]


# crud_record


def test_metadata_becomes_input_fields_by_type() -> None:
    fields = {f["key"]: f for f in input_fields(PERSON, for_create=True)}
    server_filled = ("id", "createdAt", "searchVector", "createdBy", "createdBy__source")
    assert not set(server_filled) & set(fields)
    assert "mentors" not in fields and "mentorsId" not in fields  # the other side writes it
    assert fields["ownerPersonId"] == {
        "key": "ownerPersonId",
        "label": "Owner (person id)",
        "type": "string",
        "required": False,
        "helpText": "The id of a person.",
    }
    assert fields["ownerCompanyId"]["helpText"] == "The id of a company."
    assert fields["attachments"]["type"] == "json"
    assert fields["name__firstName"] == {
        "key": "name__firstName",
        "label": "Name (First name)",
        "type": "string",
        "required": False,
    }
    assert fields["emails__additionalEmails"]["list"] is True
    assert fields["phones__primaryPhoneCallingCode"]["type"] == "string"
    assert fields["phones__additionalPhones"]["type"] == "json"
    assert fields["address__addressPostcode"]["type"] == "string"
    assert fields["address__addressLat"]["type"] == "number"
    assert fields["companyId"]["helpText"] == "The id of a company."
    assert fields["stage"]["choices"] == [
        {"value": "NEW", "label": "New"},
        {"value": "WON", "label": "Won"},
    ]
    assert fields["stage"]["required"] is False  # it has a default
    assert fields["tags"]["list"] is True and fields["tags"]["choices"][0]["value"] == "VIP"
    assert fields["score"]["choices"] == [
        "RATING_1",
        "RATING_2",
        "RATING_3",
        "RATING_4",
        "RATING_5",
    ]
    assert fields["aliases"] == {
        "key": "aliases",
        "label": "Aliases",
        "type": "string",
        "required": False,
        "list": True,
        "helpText": "A list of texts.",
    }
    assert fields["extra"]["type"] == "json"
    assert fields["age"]["type"] == "number"
    assert fields["vip"]["type"] == "boolean"
    assert fields["birthday"]["helpText"].startswith("A date, YYYY-MM-DD")
    assert fields["metAt"]["type"] == "datetime"
    assert fields["code"]["required"] is True  # not nullable, no default
    assert not any(f["required"] for f in input_fields(PERSON, for_create=False))


@responses.activate
@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        (None, []),
        ("delete", ["id"]),
        ("update", ["id", "name__firstName"]),
        ("create", ["name__firstName"]),
    ],
)
def test_crud_fields_depend_on_object_and_operation(
    crm: Connector, operation: str | None, expected: list[str]
) -> None:
    expect_objects()
    inputs = {"nameSingular": "person", **({"operation": operation} if operation else {})}
    fields = crm.input_fields("crud_record", {"authData": AUTH, "inputData": inputs})
    keys = [f["key"] for f in fields][2:]
    assert keys[: len(expected)] == expected
    if operation in ("update", "delete"):
        assert fields[2]["dynamic"] == "list_record_ids.id.label" and fields[2]["required"]


CREATE = (
    "mutation CreateRecord($data: PersonCreateInput!) { createPerson(data: $data) "
    f"{{ {PERSON_SELECTION} }} }}"
)


@responses.activate
def test_create_sends_values_as_variables_with_composites_rebuilt(crm: Connector) -> None:
    expect_objects()  # the input fields, for coercion
    expect_objects()  # the mutation's types and selection
    variables = {
        "data": {
            "name": {"firstName": 'Robert"); drop', "lastName": "Tables"},
            "emails": {"additionalEmails": ["a@x.test", "b@x.test"]},
            "phones": {"primaryPhoneCallingCode": "+44"},
            "address": {"addressPostcode": "SW1A 1AA", "addressLat": 51.5},
            "companyId": "c1",
            "tags": ["VIP"],
            "age": 36,
            "vip": True,
            "extra": {"k": [1]},
            "code": "X",
        }
    }
    graphql_call("graphql", CREATE, variables, {"data": {"createPerson": {"id": "p9"}}})
    inputs = {
        "nameSingular": "person",
        "operation": "create",
        "name__firstName": 'Robert"); drop',
        "name__lastName": "Tables",
        "emails__additionalEmails": "a@x.test, b@x.test",
        "emails__primaryEmail": "",
        "phones__primaryPhoneCallingCode": "+44",
        "address__addressPostcode": "SW1A 1AA",
        "address__addressLat": "51.5",
        "companyId": "c1",
        "tags": "VIP",
        "age": "36",
        "vip": "true",
        "extra": '{"k": [1]}',
        "code": "X",
    }
    assert crm.run("crud_record", {"authData": AUTH, "inputData": inputs}) == {"id": "p9"}


@responses.activate
def test_update_and_delete_send_the_id_as_a_variable(crm: Connector) -> None:
    update = (
        "mutation UpdateRecord($id: UUID!, $data: PersonUpdateInput!) { updatePerson(id: $id, "
        f"data: $data) {{ {PERSON_SELECTION} }} }}"
    )
    delete = (
        f"mutation DeleteRecord($id: UUID!) {{ deletePerson(id: $id) {{ {PERSON_SELECTION} }} }}"
    )
    for _ in range(4):
        expect_objects()
    graphql_call(
        "graphql",
        update,
        {"id": "p1", "data": {"stage": "WON"}},
        {"data": {"updatePerson": {"id": "p1"}}},
    )
    graphql_call("graphql", delete, {"id": "p1"}, {"data": {"deletePerson": {"id": "p1"}}})
    base = {"nameSingular": "person", "id": "p1"}
    assert crm.run(
        "crud_record",
        {"authData": AUTH, "inputData": {**base, "operation": "update", "stage": "WON"}},
    ) == {"id": "p1"}
    assert crm.run(
        "crud_record", {"authData": AUTH, "inputData": {**base, "operation": "delete"}}
    ) == {"id": "p1"}


@responses.activate
def test_a_field_the_object_lacks_is_refused_before_any_write(crm: Connector) -> None:
    expect_objects()
    expect_objects()
    inputs = {"nameSingular": "person", "operation": "create", "code": "X", "nickname": "Al"}
    with pytest.raises(ConnectorError, match="inputData: nickname not a field of person"):
        crm.run("crud_record", {"authData": AUTH, "inputData": inputs})
    assert all("/graphql" not in call.request.url for call in responses.calls)


@responses.activate
def test_create_without_a_required_field_names_it(crm: Connector) -> None:
    expect_objects()
    inputs = {"nameSingular": "person", "operation": "create"}
    with pytest.raises(ConnectorError, match=r"inputData\.code: required"):
        crm.run("crud_record", {"authData": AUTH, "inputData": inputs})


def test_an_unknown_crud_operation_is_refused(crm: Connector) -> None:
    with pytest.raises(ConnectorError, match=r"inputData\.operation: 'upsert' is not one of"):
        crm.run(
            "crud_record",
            {"authData": AUTH, "inputData": {"nameSingular": "person", "operation": "upsert"}},
        )
