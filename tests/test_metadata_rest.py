"""Metadata over REST (``/rest/metadata/objects``, ``/rest/metadata/fields``), Twenty's shapes.

Standard objects and their fields; custom objects and fields of every type, written and read
through ``/rest/<namePlural>``; validation; deactivation, deletion, and that every metadata
change is visible on the very next request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import APP_SECRET, Client, Server, new_workspace
from hookwire.crm.field_types import FieldType
from hookwire.crm.metadata import SERVER_FIELD_TYPES
from hookwire.database import transaction
from hookwire.identity import issue_api_key

SYSTEM_FIELDS = {
    "id": "UUID",
    "createdAt": "DATE_TIME",
    "updatedAt": "DATE_TIME",
    "deletedAt": "DATE_TIME",
    "position": "POSITION",
    "searchVector": "TS_VECTOR",
}
# Every object's records say who made and who last changed them; the server fills both.
ACTOR_FIELDS = {"createdBy": "ACTOR", "updatedBy": "ACTOR"}
STANDARD_OBJECTS = {
    # nameSingular: (namePlural, labelSingular, labelPlural, {field: type} beyond the system ones)
    "company": (
        "companies",
        "Company",
        "Companies",
        {
            "name": "TEXT",
            "domainName": "LINKS",
            "employees": "NUMBER",
            "address": "ADDRESS",
            "annualRecurringRevenue": "CURRENCY",
            "idealCustomerProfile": "BOOLEAN",
            "linkedinLink": "LINKS",
            "people": "RELATION",
            "opportunities": "RELATION",
            "attachments": "RELATION",
        },
    ),
    "person": (
        "people",
        "Person",
        "People",
        {
            "name": "FULL_NAME",
            "emails": "EMAILS",
            "phones": "PHONES",
            "jobTitle": "TEXT",
            "city": "TEXT",
            "linkedinLink": "LINKS",
            "company": "RELATION",
            "pointOfContactForOpportunities": "RELATION",
            "attachments": "RELATION",
        },
    ),
    "opportunity": (
        "opportunities",
        "Opportunity",
        "Opportunities",
        {
            "name": "TEXT",
            "amount": "CURRENCY",
            "closeDate": "DATE_TIME",
            "stage": "SELECT",
            "company": "RELATION",
            "pointOfContact": "RELATION",
            "attachments": "RELATION",
        },
    ),
    "note": (
        "notes",
        "Note",
        "Notes",
        {"title": "TEXT", "body": "RICH_TEXT", "attachments": "RELATION"},
    ),
    "task": (
        "tasks",
        "Task",
        "Tasks",
        {
            "title": "TEXT",
            "body": "RICH_TEXT",
            "dueAt": "DATE_TIME",
            "status": "SELECT",
            "attachments": "RELATION",
        },
    ),
    "attachment": (
        "attachments",
        "Attachment",
        "Attachments",
        {
            "name": "TEXT",
            "fullPath": "TEXT",
            "fileCategory": "SELECT",
            "file": "FILES",
            "person": "RELATION",
            "company": "RELATION",
            "opportunity": "RELATION",
            "note": "RELATION",
            "task": "RELATION",
        },
    ),
}
ATTACHMENT_TARGETS = ("person", "company", "opportunity", "note", "task")
OBJECT_KEYS = {
    "id", "nameSingular", "namePlural", "labelSingular", "labelPlural", "description", "icon",
    "standardOverrides", "shortcut", "isCustom", "isRemote", "isActive", "isSystem",
    "isUIReadOnly", "isSearchable", "applicationId", "labelIdentifierFieldMetadataId",
    "imageIdentifierFieldMetadataId", "isLabelSyncedWithName", "duplicateCriteria", "createdAt",
    "updatedAt", "fields",
}  # fmt: skip
FIELD_KEYS = {
    "id", "objectMetadataId", "type", "name", "label", "description", "icon",
    "standardOverrides", "isCustom", "isActive", "isSystem", "isUIReadOnly", "isNullable",
    "isUnique", "defaultValue", "options", "settings", "isLabelSyncedWithName", "applicationId",
    "morphId", "createdAt", "updatedAt", "relation",
}  # fmt: skip
EMPTY_PAGE = {"hasNextPage": False, "startCursor": None, "endCursor": None}
CAMEL_CASE_HINT = "expected a camelCase name (a lowercase letter, then letters or digits, 63 " + (
    "characters at most)"
)


# helpers


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def bad_request(response) -> list[str]:
    """The messages of a 400 in Twenty's error shape."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"statusCode", "error", "messages"}
    assert (body["statusCode"], body["error"]) == (400, "BadRequestException")
    return body["messages"]


def list_objects(client: Client) -> dict[str, dict]:
    body = ok(client.get("/rest/metadata/objects"))
    return {o["nameSingular"]: o for o in body["data"]["objects"]}


def get_object(client: Client, object_id: str) -> dict:
    return ok(client.get(f"/rest/metadata/objects/{object_id}"))["data"]["object"]


def field_count(client: Client) -> int:
    return ok(client.get("/rest/metadata/fields"))["totalCount"]


def create_object(client: Client, singular: str, plural: str, **extra: Any) -> dict:
    body = {
        "nameSingular": singular,
        "namePlural": plural,
        "labelSingular": singular.title(),
        "labelPlural": plural.title(),
        **extra,
    }
    return ok(client.post("/rest/metadata/objects", json=body), 201)["data"]["createOneObject"]


def create_field(client: Client, object_id: str, name: str, type_: str, **extra: Any) -> dict:
    body = {"objectMetadataId": object_id, "name": name, "label": name.title(), "type": type_}
    body.update(extra)
    return ok(client.post("/rest/metadata/fields", json=body), 201)["data"]["createOneField"]


def patch_field(client: Client, field_id: str, **changes: Any) -> dict:
    response = client.patch(f"/rest/metadata/fields/{field_id}", json=changes)
    return ok(response)["data"]["updateOneField"]


def field_of(obj: dict, name: str) -> dict:
    return next(f for f in obj["fields"] if f["name"] == name)


def capitalized(name: str) -> str:
    return name[:1].upper() + name[1:]


def create_record(client: Client, plural: str, singular: str, data: dict) -> dict:
    response = client.post(f"/rest/{plural}", json=data)
    return ok(response, 201)["data"][f"create{capitalized(singular)}"]


def get_record(client: Client, plural: str, singular: str, record_id: str) -> dict:
    return ok(client.get(f"/rest/{plural}/{record_id}"))["data"][singular]


def records_in_database(server: Server, object_id: str) -> int:
    with server.database.engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT count(*) FROM record WHERE object_id = :id"), {"id": object_id}
        ).scalar_one()


def options(*values: str) -> list[dict[str, str]]:
    return [{"value": value, "label": value.title()} for value in values]


# the standard objects


def test_objects_list_envelope_and_the_six_standard_objects(client: Client) -> None:
    body = ok(client.get("/rest/metadata/objects"))
    assert set(body) == {"data", "totalCount", "pageInfo"}
    assert body["pageInfo"] == EMPTY_PAGE
    objects = body["data"]["objects"]
    assert body["totalCount"] == len(objects) == 6
    assert {
        o["nameSingular"]: (o["namePlural"], o["labelSingular"], o["labelPlural"]) for o in objects
    } == {singular: spec[:3] for singular, spec in STANDARD_OBJECTS.items()}
    for obj in objects:
        assert set(obj) == OBJECT_KEYS
        assert (obj["isCustom"], obj["isActive"], obj["isSystem"], obj["isRemote"]) == (
            False,
            True,
            False,
            False,
        )
        assert (obj["isUIReadOnly"], obj["isSearchable"], obj["isLabelSyncedWithName"]) == (
            False,
            True,
            False,
        )
        assert obj["applicationId"] is obj["imageIdentifierFieldMetadataId"] is None
        label = "title" if obj["nameSingular"] in ("note", "task") else "name"
        assert obj["labelIdentifierFieldMetadataId"] == field_of(obj, label)["id"]
        assert obj["createdAt"].endswith("Z") and obj["updatedAt"].endswith("Z")
    by_name = {o["nameSingular"]: o for o in objects}
    assert by_name["person"]["duplicateCriteria"] == [
        ["nameFirstName", "nameLastName"],
        ["linkedinLinkPrimaryLinkUrl"],
        ["emailsPrimaryEmail"],
    ]
    assert by_name["company"]["duplicateCriteria"] == [["name"], ["domainNamePrimaryLinkUrl"]]


@pytest.mark.parametrize("singular", list(STANDARD_OBJECTS))
def test_standard_object_fields_and_types(client: Client, singular: str) -> None:
    obj = list_objects(client)[singular]
    expected = {**SYSTEM_FIELDS, **ACTOR_FIELDS, **STANDARD_OBJECTS[singular][3]}
    assert {f["name"]: f["type"] for f in obj["fields"]} == expected
    assert len(obj["fields"]) == len(expected)
    for field in obj["fields"]:
        assert set(field) == FIELD_KEYS
        assert field["objectMetadataId"] == obj["id"]
        assert field["isCustom"] is False
        assert field["isActive"] is True
        assert field["isSystem"] is (field["name"] in SYSTEM_FIELDS)
        assert field["isUIReadOnly"] is (field["name"] in {**SYSTEM_FIELDS, **ACTOR_FIELDS})
        assert field["isUnique"] is (field["name"] in ("emails", "domainName"))
        assert (field["relation"] is None) is (field["type"] != "RELATION")
        if field["type"] not in ("SELECT", "MULTI_SELECT"):
            assert field["options"] is None


def test_system_fields_are_marked_and_not_nullable(client: Client) -> None:
    for obj in list_objects(client).values():
        system = {f["name"]: f for f in obj["fields"] if f["isSystem"]}
        assert {name: f["type"] for name, f in system.items()} == SYSTEM_FIELDS
        assert {name: f["isNullable"] for name, f in system.items()} == {
            "id": False,
            "createdAt": False,
            "updatedAt": False,
            "deletedAt": True,
            "position": False,
            "searchVector": True,
        }
        # What the server fills in, as Twenty reports it.
        assert {name: f["defaultValue"] for name, f in system.items()} == {
            "id": "uuid",
            "createdAt": "now",
            "updatedAt": "now",
            "deletedAt": None,
            "position": 0,
            "searchVector": None,
        }


def test_relation_fields_come_in_pairs_that_name_each_other(client: Client) -> None:
    objects = list_objects(client)
    relations = {
        (obj["nameSingular"], f["name"]): (f["settings"], f["relation"])
        for obj in objects.values()
        for f in obj["fields"]
        if f["type"] == "RELATION"
    }
    contact = "pointOfContactForOpportunities"
    pairs = [
        ("person", "company", "MANY_TO_ONE", "company", "people"),
        ("company", "people", "ONE_TO_MANY", "person", "company"),
        ("opportunity", "company", "MANY_TO_ONE", "company", "opportunities"),
        ("company", "opportunities", "ONE_TO_MANY", "opportunity", "company"),
        ("opportunity", "pointOfContact", "MANY_TO_ONE", "person", contact),
        ("person", contact, "ONE_TO_MANY", "opportunity", "pointOfContact"),
        *(("attachment", t, "MANY_TO_ONE", t, "attachments") for t in ATTACHMENT_TARGETS),
        *((t, "attachments", "ONE_TO_MANY", "attachment", t) for t in ATTACHMENT_TARGETS),
    ]
    assert sorted(relations) == sorted((source, field) for source, field, *_ in pairs)
    for source, field, kind, target, inverse in pairs:
        settings, relation = relations[(source, field)]
        assert settings == {
            "relationType": kind,
            "targetObject": target,
            "targetFieldName": inverse,
        }
        # Over REST a relation names both ends by id and name, as Twenty's REST metadata does.
        assert relation == {
            "type": kind,
            "sourceObjectMetadata": summary(objects[source]),
            "targetObjectMetadata": summary(objects[target]),
            "sourceFieldMetadata": {"id": field_of(objects[source], field)["id"], "name": field},
            "targetFieldMetadata": {
                "id": field_of(objects[target], inverse)["id"],
                "name": inverse,
            },
        }


def summary(obj: dict) -> dict:
    return {key: obj[key] for key in ("id", "nameSingular", "namePlural")}


def test_select_fields_have_twentys_options(client: Client) -> None:
    objects = list_objects(client)
    stage = field_of(objects["opportunity"], "stage")
    status = field_of(objects["task"], "status")
    assert [o["value"] for o in stage["options"]] == [
        "NEW",
        "SCREENING",
        "MEETING",
        "PROPOSAL",
        "CUSTOMER",
    ]
    assert [o["value"] for o in status["options"]] == ["TODO", "IN_PROGRESS", "DONE"]
    assert (stage["defaultValue"], status["defaultValue"]) == ("NEW", "TODO")
    for position, option in enumerate(stage["options"]):
        assert set(option) == {"id", "value", "label", "position", "color"}
        assert option["position"] == position
    assert [o["label"] for o in status["options"]] == ["Todo", "In Progress", "Done"]


def test_standard_records_use_the_select_default(client: Client) -> None:
    task = create_record(client, "tasks", "task", {"title": "Call back"})
    assert task["status"] == "TODO"
    opportunity = create_record(client, "opportunities", "opportunity", {"name": "Deal"})
    assert opportunity["stage"] == "NEW"
    assert opportunity["amount"] == {"amountMicros": None, "currencyCode": ""}


def test_one_object_and_one_field_envelopes(client: Client) -> None:
    person = list_objects(client)["person"]
    assert ok(client.get(f"/rest/metadata/objects/{person['id']}")) == {"data": {"object": person}}
    job_title = field_of(person, "jobTitle")
    assert ok(client.get(f"/rest/metadata/fields/{job_title['id']}")) == {
        "data": {"field": job_title}
    }
    assert job_title["type"] == "TEXT" and job_title["defaultValue"] == ""


def test_fields_list_has_every_field_of_every_object(client: Client) -> None:
    body = ok(client.get("/rest/metadata/fields"))
    assert set(body) == {"data", "totalCount", "pageInfo"}
    assert body["pageInfo"] == EMPTY_PAGE
    objects = list_objects(client)
    every = {f["id"]: f for obj in objects.values() for f in obj["fields"]}
    assert body["totalCount"] == len(body["data"]["fields"]) == len(every)
    assert {f["id"]: f for f in body["data"]["fields"]} == every


def test_unknown_ids_are_404(client: Client) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for path, what in [("objects", "object"), ("fields", "field")]:
        for method in ("GET", "PATCH", "DELETE"):
            response = client.request(
                method, f"/rest/metadata/{path}/{missing}", json={} if method == "PATCH" else None
            )
            assert response.status_code == 404, (method, path, response.text)
            assert response.json() == {
                "statusCode": 404,
                "error": "NotFoundException",
                "messages": [f"{what} with id {missing} not found"],
            }


def test_workspaces_see_only_their_own_metadata(client: Client, other_client: Client) -> None:
    ours = create_object(client, "invoice", "invoices")
    theirs = list_objects(other_client)
    assert "invoice" not in theirs
    assert not {o["id"] for o in theirs.values()} & {o["id"] for o in list_objects(client).values()}
    name_field = field_of(ours, "name")
    assert other_client.get(f"/rest/metadata/objects/{ours['id']}").status_code == 404
    assert other_client.get(f"/rest/metadata/fields/{name_field['id']}").status_code == 404
    assert (
        other_client.patch(
            f"/rest/metadata/objects/{ours['id']}", json={"labelSingular": "Stolen"}
        ).status_code
        == 404
    )
    assert other_client.delete(f"/rest/metadata/objects/{ours['id']}").status_code == 404
    assert other_client.delete(f"/rest/metadata/fields/{name_field['id']}").status_code == 404
    response = other_client.post(
        "/rest/metadata/fields",
        json={"objectMetadataId": ours["id"], "name": "spy", "label": "Spy", "type": "TEXT"},
    )
    assert response.status_code == 404
    assert get_object(client, ours["id"]) == ours
    assert other_client.get("/rest/invoices").status_code == 400


# custom objects


def test_create_custom_object(client: Client) -> None:
    response = client.post(
        "/rest/metadata/objects",
        json={
            "nameSingular": "invoice",
            "namePlural": "invoices",
            "labelSingular": "Invoice",
            "labelPlural": "Invoices",
            "description": "A bill we sent",
            "icon": "IconReceipt",
        },
    )
    body = ok(response, 201)
    assert list(body) == ["data"] and list(body["data"]) == ["createOneObject"]
    invoice = body["data"]["createOneObject"]
    assert set(invoice) == OBJECT_KEYS
    assert (invoice["nameSingular"], invoice["namePlural"]) == ("invoice", "invoices")
    assert (invoice["labelSingular"], invoice["labelPlural"]) == ("Invoice", "Invoices")
    assert (invoice["description"], invoice["icon"]) == ("A bill we sent", "IconReceipt")
    assert (invoice["isCustom"], invoice["isActive"]) == (True, True)
    assert {f["name"]: f["type"] for f in invoice["fields"]} == {
        **SYSTEM_FIELDS,
        **ACTOR_FIELDS,
        "name": "TEXT",
    }
    name_field = field_of(invoice, "name")
    assert invoice["labelIdentifierFieldMetadataId"] == name_field["id"]
    assert (name_field["isCustom"], name_field["isSystem"]) == (True, False)

    assert get_object(client, invoice["id"]) == invoice
    assert list_objects(client)["invoice"] == invoice
    assert ok(client.get("/rest/invoices")) == {
        "data": {"invoices": []},
        "totalCount": 0,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }
    record = create_record(client, "invoices", "invoice", {"name": "INV-1"})
    assert record["name"] == "INV-1"
    assert get_record(client, "invoices", "invoice", record["id"]) == record


def test_inactive_at_creation_object_is_not_served(client: Client) -> None:
    draft = create_object(client, "draft", "drafts", isActive=False)
    assert draft["isActive"] is False
    assert bad_request(client.get("/rest/drafts")) == ["object 'drafts' not found"]


def test_update_object_labels_is_visible_next_request(client: Client) -> None:
    invoice = create_object(client, "invoice", "invoices")
    response = client.patch(
        f"/rest/metadata/objects/{invoice['id']}",
        json={"labelSingular": "Bill", "labelPlural": "Bills", "description": "Money owed"},
    )
    updated = ok(response)["data"]["updateOneObject"]
    assert (updated["labelSingular"], updated["labelPlural"], updated["description"]) == (
        "Bill",
        "Bills",
        "Money owed",
    )
    assert updated["nameSingular"] == "invoice"
    assert get_object(client, invoice["id"]) == updated
    assert updated["updatedAt"] >= invoice["updatedAt"]


def test_renaming_a_custom_object_moves_its_rest_path(client: Client) -> None:
    invoice = create_object(client, "invoice", "invoices")
    record = create_record(client, "invoices", "invoice", {"name": "INV-7"})
    response = client.patch(
        f"/rest/metadata/objects/{invoice['id']}",
        json={"nameSingular": "bill", "namePlural": "bills"},
    )
    assert ok(response)["data"]["updateOneObject"]["namePlural"] == "bills"
    assert bad_request(client.get("/rest/invoices")) == ["object 'invoices' not found"]
    assert get_record(client, "bills", "bill", record["id"])["name"] == "INV-7"
    assert bad_request(client.get("/rest/bill")) == [
        "object 'bill' not found. Did you mean 'bills'?"
    ]


def test_renaming_an_object_keeps_relations_to_it_working(client: Client) -> None:
    project = create_object(client, "project", "projects")
    invoice = create_object(client, "invoice", "invoices")
    relation = create_field(
        client, invoice["id"], "project", "RELATION", settings={"targetObject": "project"}
    )
    apollo = create_record(client, "projects", "project", {"name": "Apollo"})
    path = f"/rest/metadata/objects/{project['id']}"
    ok(client.patch(path, json={"nameSingular": "initiative", "namePlural": "initiatives"}))

    settings = ok(client.get(f"/rest/metadata/fields/{relation['id']}"))["data"]["field"]
    assert settings["settings"] == {
        "relationType": "MANY_TO_ONE",
        "targetObject": "initiative",
        "targetFieldName": "invoices",
    }
    record = create_record(client, "invoices", "invoice", {"projectId": apollo["id"]})
    assert record["projectId"] == apollo["id"]
    assert bad_request(client.delete(path)) == [
        "object 'initiative' is the target of relation fields project; delete them first"
    ]
    # Renaming only the plural leaves the relation alone.
    ok(client.patch(path, json={"namePlural": "programs"}))
    assert create_record(client, "invoices", "invoice", {"projectId": apollo["id"]})


def test_standard_object_names_cannot_change(client: Client) -> None:
    person = list_objects(client)["person"]
    for change in ({"nameSingular": "human"}, {"namePlural": "humans"}):
        messages = bad_request(client.patch(f"/rest/metadata/objects/{person['id']}", json=change))
        assert messages == ["the names of a standard object cannot change"]
    assert list_objects(client)["person"] == person
    relabelled = ok(
        client.patch(f"/rest/metadata/objects/{person['id']}", json={"labelPlural": "Contacts"})
    )["data"]["updateOneObject"]
    assert (relabelled["namePlural"], relabelled["labelPlural"]) == ("people", "Contacts")


def test_deactivated_object_disappears_from_rest_until_reactivated(client: Client) -> None:
    invoice = create_object(client, "invoice", "invoices")
    record = create_record(client, "invoices", "invoice", {"name": "INV-2"})
    path = f"/rest/metadata/objects/{invoice['id']}"
    assert (
        ok(client.patch(path, json={"isActive": False}))["data"]["updateOneObject"]["isActive"]
        is False
    )
    assert bad_request(client.get("/rest/invoices")) == ["object 'invoices' not found"]
    assert list_objects(client)["invoice"]["isActive"] is False
    ok(client.patch(path, json={"isActive": True}))
    assert get_record(client, "invoices", "invoice", record["id"])["name"] == "INV-2"


def test_standard_object_can_be_deactivated(client: Client) -> None:
    note = list_objects(client)["note"]
    ok(client.patch(f"/rest/metadata/objects/{note['id']}", json={"isActive": False}))
    assert bad_request(client.get("/rest/notes")) == ["object 'notes' not found"]
    ok(client.patch(f"/rest/metadata/objects/{note['id']}", json={"isActive": True}))
    assert ok(client.get("/rest/notes"))["totalCount"] == 0


# custom fields of every type, written and read through /rest


def field_name(field_type: FieldType) -> str:
    head, *rest = field_type.value.lower().split("_")
    return head + "".join(part.title() for part in rest) + "Field"


def storage_name(field_type: FieldType) -> str:
    name = field_name(field_type)
    if field_type is FieldType.MORPH_RELATION:
        return f"{name}CompanyId"  # one id per target; the sample's one target is company
    return f"{name}Id" if field_type is FieldType.RELATION else name


# What a client may create: the server keeps the values of the others (searchVector, …).
CREATABLE_TYPES = tuple(t for t in FieldType if t not in SERVER_FIELD_TYPES)


FIELD_EXTRAS: dict[FieldType, dict[str, Any]] = {
    FieldType.SELECT: {"options": options("LOW", "HIGH")},
    FieldType.MULTI_SELECT: {"options": options("RED", "GREEN", "BLUE")},
    FieldType.RELATION: {"settings": {"targetObject": "company"}},
    FieldType.MORPH_RELATION: {"settings": {"targetObjects": ["company"]}},
}
COMPANY_ID = "<company>"  # replaced by the id of a real company
# FieldType -> (value written, value read back)
GOOD_VALUES: dict[FieldType, tuple[Any, Any]] = {
    FieldType.TEXT: ("Plain text, ünïcode ✓", "Plain text, ünïcode ✓"),
    FieldType.NUMBER: (42, 42),
    FieldType.NUMERIC: (1234.5678, 1234.5678),
    FieldType.BOOLEAN: (True, True),
    FieldType.DATE: ("2024-02-29", "2024-02-29"),
    FieldType.DATE_TIME: ("2024-01-31T09:30:00+01:00", "2024-01-31T08:30:00.000Z"),
    FieldType.UUID: (
        "6f1c1f9e-6b43-4b8f-9a4e-6d3c1f0a2b11",
        "6f1c1f9e-6b43-4b8f-9a4e-6d3c1f0a2b11",
    ),
    FieldType.SELECT: ("HIGH", "HIGH"),
    FieldType.MULTI_SELECT: (["RED", "BLUE"], ["RED", "BLUE"]),
    FieldType.RATING: ("RATING_4", "RATING_4"),
    FieldType.ARRAY: (["alpha", "beta"], ["alpha", "beta"]),
    FieldType.RAW_JSON: (
        {"nested": {"list": [1, 2.5, None, True]}, "text": "é"},
        {"nested": {"list": [1, 2.5, None, True]}, "text": "é"},
    ),
    FieldType.RICH_TEXT: ("# Title\n\n**bold** text", "# Title\n\n**bold** text"),
    FieldType.RELATION: (COMPANY_ID, COMPANY_ID),
    FieldType.MORPH_RELATION: (COMPANY_ID, COMPANY_ID),
    FieldType.FILES: (
        [{"fileId": "6f1c1f9e-6b43-4b8f-9a4e-6d3c1f0a2b11", "label": "a.pdf", "extension": "pdf"}],
        [{"fileId": "6f1c1f9e-6b43-4b8f-9a4e-6d3c1f0a2b11", "label": "a.pdf", "extension": "pdf"}],
    ),
    FieldType.FULL_NAME: (
        {"firstName": "Ada", "lastName": "Lovelace"},
        {"firstName": "Ada", "lastName": "Lovelace"},
    ),
    FieldType.EMAILS: (
        {"primaryEmail": "ada@example.com", "additionalEmails": ["ada@work.example"]},
        {"primaryEmail": "ada@example.com", "additionalEmails": ["ada@work.example"]},
    ),
    FieldType.PHONES: (
        {
            "primaryPhoneNumber": "612345678",
            "primaryPhoneCountryCode": "FR",
            "primaryPhoneCallingCode": "+33",
            "additionalPhones": [{"number": "7911123456", "callingCode": "+44"}],
        },
        {
            "primaryPhoneNumber": "612345678",
            "primaryPhoneCountryCode": "FR",
            "primaryPhoneCallingCode": "+33",
            "additionalPhones": [{"number": "7911123456", "callingCode": "+44"}],
        },
    ),
    FieldType.LINKS: (
        {
            "primaryLinkUrl": "https://example.com",
            "primaryLinkLabel": "Home",
            "secondaryLinks": [{"url": "https://docs.example.com", "label": "Docs"}],
        },
        {
            "primaryLinkUrl": "https://example.com",
            "primaryLinkLabel": "Home",
            "secondaryLinks": [{"url": "https://docs.example.com", "label": "Docs"}],
        },
    ),
    FieldType.CURRENCY: (
        {"amountMicros": 1_500_000_000, "currencyCode": "EUR"},
        {"amountMicros": 1_500_000_000, "currencyCode": "EUR"},
    ),
    FieldType.ADDRESS: (
        {
            "addressStreet1": "10 Downing Street",
            "addressStreet2": "",
            "addressCity": "London",
            "addressState": "Greater London",
            "addressCountry": "United Kingdom",
            "addressPostcode": "SW1A 2AA",
            "addressLat": 51.5034,
            "addressLng": -0.1276,
        },
        {
            "addressStreet1": "10 Downing Street",
            "addressStreet2": "",
            "addressCity": "London",
            "addressState": "Greater London",
            "addressCountry": "United Kingdom",
            "addressPostcode": "SW1A 2AA",
            "addressLat": 51.5034,
            "addressLng": -0.1276,
        },
    ),
}
# The value of a field a record never set.
EMPTY_VALUES: dict[FieldType, Any] = {
    FieldType.FULL_NAME: {"firstName": "", "lastName": ""},
    FieldType.EMAILS: {"primaryEmail": "", "additionalEmails": None},
    FieldType.PHONES: {
        "primaryPhoneNumber": "",
        "primaryPhoneCountryCode": "",
        "primaryPhoneCallingCode": "",
        "additionalPhones": None,
    },
    FieldType.LINKS: {"primaryLinkUrl": "", "primaryLinkLabel": "", "secondaryLinks": None},
    FieldType.CURRENCY: {"amountMicros": None, "currencyCode": ""},
    FieldType.ADDRESS: {
        "addressStreet1": "",
        "addressStreet2": "",
        "addressCity": "",
        "addressState": "",
        "addressCountry": "",
        "addressPostcode": "",
        "addressLat": None,
        "addressLng": None,
    },
}
# FieldType -> (bad value written, the exact error message)
BAD_VALUES: dict[FieldType, tuple[Any, str]] = {
    FieldType.TEXT: (5, "field 'textField': expected string, got integer 5"),
    FieldType.NUMBER: ("42", "field 'numberField': expected number, got string '42'"),
    FieldType.NUMERIC: (True, "field 'numericField': expected number, got boolean True"),
    FieldType.BOOLEAN: ("yes", "field 'booleanField': expected boolean, got string 'yes'"),
    FieldType.DATE: (
        "2023-02-29",
        "field 'dateField': expected an ISO 8601 date such as 2024-01-31, got string '2023-02-29'",
    ),
    FieldType.DATE_TIME: (
        "yesterday",
        "field 'dateTimeField': expected an ISO 8601 date-time such as 2024-01-31T09:00:00Z, "
        "got string 'yesterday'",
    ),
    FieldType.UUID: ("not-a-uuid", "field 'uuidField': expected a UUID, got string 'not-a-uuid'"),
    FieldType.SELECT: (
        "MEDIUM",
        "field 'selectField': expected one of LOW, HIGH, got string 'MEDIUM'",
    ),
    FieldType.MULTI_SELECT: (
        ["RED", "PINK"],
        "field 'multiSelectField.1': expected one of RED, GREEN, BLUE, got string 'PINK'",
    ),
    FieldType.RATING: (
        "RATING_6",
        "field 'ratingField': expected one of RATING_1, RATING_2, RATING_3, RATING_4, RATING_5, "
        "got string 'RATING_6'",
    ),
    FieldType.ARRAY: (["ok", 3], "field 'arrayField.1': expected string, got integer 3"),
    FieldType.RICH_TEXT: ({"html": "<p/>"}, "field 'richTextField': expected string, got object"),
    FieldType.MORPH_RELATION: (
        "company-1",
        "field 'morphRelationFieldCompanyId': expected a UUID, got string 'company-1'",
    ),
    FieldType.FILES: ("x", "field 'filesField': expected array, got string 'x'"),
    FieldType.RELATION: (
        "company-1",
        "field 'relationFieldId': expected a UUID, got string 'company-1'",
    ),
    FieldType.FULL_NAME: (
        {"firstName": "Ada", "middleName": "B"},
        "field 'fullNameField': unknown subfield middleName; expected firstName, lastName",
    ),
    FieldType.EMAILS: (
        {"primaryEmail": 7},
        "field 'emailsField.primaryEmail': expected string or null, got integer 7",
    ),
    FieldType.PHONES: (
        "+33612345678",
        "field 'phonesField': expected object, got string '+33612345678'",
    ),
    FieldType.LINKS: (
        {"secondaryLinks": "https://x.example"},
        "field 'linksField.secondaryLinks': expected array or null, got string 'https://x.example'",
    ),
    FieldType.CURRENCY: (
        {"amountMicros": "1.5", "currencyCode": "EUR"},
        "field 'currencyField.amountMicros': expected number or null, got string '1.5'",
    ),
    FieldType.ADDRESS: (
        {"addressLat": "north"},
        "field 'addressField.addressLat': expected number or null, got string 'north'",
    ),
}
# RAW_JSON takes any JSON value, so it has no bad value.
NO_BAD_VALUE = {FieldType.RAW_JSON}


def test_the_samples_cover_every_field_type() -> None:
    assert set(GOOD_VALUES) == set(CREATABLE_TYPES)
    assert set(BAD_VALUES) | NO_BAD_VALUE == set(CREATABLE_TYPES)


@dataclass
class Gadgets:
    """A workspace with a custom object ``gadget`` holding one custom field of every type."""

    client: Client
    server: Server
    object: dict
    fields: dict[FieldType, dict]
    company_id: str

    def resolve(self, value: Any) -> Any:
        return self.company_id if value == COMPANY_ID else value

    def count(self) -> int:
        return ok(self.client.get("/rest/gadgets"))["totalCount"]


@pytest.fixture(scope="module")
def gadgets(server: Server) -> Iterator[Gadgets]:
    workspace_id, token = new_workspace(server.database)
    client = Client(server.base_url, token, workspace_id)
    company = create_record(client, "companies", "company", {"name": "Acme"})
    gadget = create_object(client, "gadget", "gadgets")
    fields = {
        field_type: create_field(
            client,
            gadget["id"],
            field_name(field_type),
            field_type.value,
            **FIELD_EXTRAS.get(field_type, {}),
        )
        for field_type in CREATABLE_TYPES
    }
    yield Gadgets(client, server, get_object(client, gadget["id"]), fields, company["id"])
    client.http.close()


def test_custom_fields_of_every_type_are_created(gadgets: Gadgets) -> None:
    assert [f["name"] for f in gadgets.object["fields"]] == [
        *SYSTEM_FIELDS,
        *ACTOR_FIELDS,
        "name",
        *(field_name(t) for t in CREATABLE_TYPES),
    ]
    for field_type, field in gadgets.fields.items():
        assert set(field) == FIELD_KEYS
        assert field["type"] == field_type.value
        assert field["name"] == field_name(field_type)
        assert field["objectMetadataId"] == gadgets.object["id"]
        assert (field["isCustom"], field["isSystem"], field["isActive"], field["isNullable"]) == (
            True,
            False,
            True,
            True,
        )
        assert field["defaultValue"] is None
        assert field_of(gadgets.object, field["name"]) == field
    select = gadgets.fields[FieldType.SELECT]
    assert [(o["value"], o["label"], o["position"]) for o in select["options"]] == [
        ("LOW", "Low", 0),
        ("HIGH", "High", 1),
    ]
    assert gadgets.fields[FieldType.RELATION]["settings"] == {
        "relationType": "MANY_TO_ONE",
        "targetObject": "company",
        "targetFieldName": "gadgets",
    }
    assert gadgets.fields[FieldType.MORPH_RELATION]["settings"] == {
        "relationType": "MANY_TO_ONE",
        "targetObjects": ["company"],
        "targetFieldNames": {"company": "morphRelationFieldForGadgets"},
    }
    assert gadgets.fields[FieldType.TEXT]["options"] is None


def test_record_with_a_value_of_every_type_round_trips(gadgets: Gadgets) -> None:
    data = {"name": "Everything"}
    data.update({storage_name(t): gadgets.resolve(v) for t, (v, _) in GOOD_VALUES.items()})
    created = create_record(gadgets.client, "gadgets", "gadget", data)
    expected = {storage_name(t): gadgets.resolve(v) for t, (_, v) in GOOD_VALUES.items()}
    assert {key: created[key] for key in expected} == expected
    system = {"id", "position", "createdAt", "updatedAt", "deletedAt", *ACTOR_FIELDS}
    assert set(created) == {"name", *system, *expected}
    assert created["name"] == "Everything"
    fetched = get_record(gadgets.client, "gadgets", "gadget", created["id"])
    assert fetched == created
    listed = ok(gadgets.client.get("/rest/gadgets"))["data"]["gadgets"]
    assert [r for r in listed if r["id"] == created["id"]] == [created]


def test_record_without_values_reads_back_empty(gadgets: Gadgets) -> None:
    created = create_record(gadgets.client, "gadgets", "gadget", {})
    assert created["name"] == ""
    for field_type in CREATABLE_TYPES:
        assert created[storage_name(field_type)] == EMPTY_VALUES.get(field_type), field_type


def test_partial_composites_are_filled_and_patches_merge(gadgets: Gadgets) -> None:
    created = create_record(
        gadgets.client,
        "gadgets",
        "gadget",
        {"fullNameField": {"firstName": "Ada"}, "currencyField": {"currencyCode": "USD"}},
    )
    assert created["fullNameField"] == {"firstName": "Ada", "lastName": ""}
    assert created["currencyField"] == {"amountMicros": None, "currencyCode": "USD"}
    response = gadgets.client.patch(
        f"/rest/gadgets/{created['id']}",
        json={"fullNameField": {"lastName": "Lovelace"}, "addressField": {"addressCity": "Paris"}},
    )
    updated = ok(response)["data"]["updateGadget"]
    assert updated["fullNameField"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert updated["addressField"] == {**EMPTY_VALUES[FieldType.ADDRESS], "addressCity": "Paris"}
    assert updated["currencyField"] == {"amountMicros": None, "currencyCode": "USD"}


def test_every_field_can_be_cleared_with_null(gadgets: Gadgets) -> None:
    data = {storage_name(t): gadgets.resolve(v) for t, (v, _) in GOOD_VALUES.items()}
    created = create_record(gadgets.client, "gadgets", "gadget", data)
    response = gadgets.client.patch(
        f"/rest/gadgets/{created['id']}", json={storage_name(t): None for t in CREATABLE_TYPES}
    )
    cleared = ok(response)["data"]["updateGadget"]
    for field_type in CREATABLE_TYPES:
        assert cleared[storage_name(field_type)] == EMPTY_VALUES.get(field_type), field_type


@pytest.mark.parametrize("field_type", [t for t in CREATABLE_TYPES if t not in NO_BAD_VALUE])
def test_bad_value_is_rejected_naming_the_field(gadgets: Gadgets, field_type: FieldType) -> None:
    value, message = BAD_VALUES[field_type]
    before = gadgets.count()
    response = gadgets.client.post(
        "/rest/gadgets", json={"name": "bad", storage_name(field_type): value}
    )
    assert bad_request(response) == [message]
    assert gadgets.count() == before

    record = create_record(gadgets.client, "gadgets", "gadget", {"name": "kept"})
    response = gadgets.client.patch(
        f"/rest/gadgets/{record['id']}", json={storage_name(field_type): value}
    )
    assert bad_request(response) == [message]
    assert get_record(gadgets.client, "gadgets", "gadget", record["id"]) == record


def test_raw_json_takes_any_json_value(gadgets: Gadgets) -> None:
    for value in ["text", 3, [1, "two"], False, {"a": {"b": []}}]:
        record = create_record(gadgets.client, "gadgets", "gadget", {"rawJsonField": value})
        assert record["rawJsonField"] == value


def test_relation_to_a_missing_record_is_rejected(gadgets: Gadgets) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    before = gadgets.count()
    messages = bad_request(gadgets.client.post("/rest/gadgets", json={"relationFieldId": missing}))
    assert messages == [f"field 'relationFieldId': no company with id {missing} in this workspace"]
    assert gadgets.count() == before


def test_relation_is_written_by_its_id_name(gadgets: Gadgets) -> None:
    messages = bad_request(
        gadgets.client.post("/rest/gadgets", json={"relationField": gadgets.company_id})
    )
    assert messages == [
        "field 'relationField' does not exist on object 'gadget' "
        "(relations are written as 'relationFieldId')"
    ]


def test_every_bad_field_is_named_at_once(gadgets: Gadgets) -> None:
    before = gadgets.count()
    response = gadgets.client.post(
        "/rest/gadgets",
        json={"numberField": "x", "booleanField": 1, "unknownThing": 1, "createdAt": "now"},
    )
    assert sorted(bad_request(response)) == sorted(
        [
            "field 'unknownThing' does not exist on object 'gadget'",
            "field 'createdAt' does not exist on object 'gadget' (it is set by the server)",
            "field 'booleanField': expected boolean, got integer 1",
            "field 'numberField': expected number, got string 'x'",
        ]
    )
    assert gadgets.count() == before


# validation of objects


def object_body(**changes: Any) -> dict:
    body = {
        "nameSingular": "invoice",
        "namePlural": "invoices",
        "labelSingular": "Invoice",
        "labelPlural": "Invoices",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


OBJECT_KEYS_HINT = (
    "description, icon, isActive, labelPlural, labelSingular, namePlural, nameSingular"
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (object_body(nameSingular="Invoice"), f"nameSingular: {CAMEL_CASE_HINT}, got 'Invoice'"),
        (
            object_body(nameSingular="invoice_line"),
            f"nameSingular: {CAMEL_CASE_HINT}, got 'invoice_line'",
        ),
        (object_body(nameSingular="2fa"), f"nameSingular: {CAMEL_CASE_HINT}, got '2fa'"),
        (object_body(nameSingular=""), f"nameSingular: {CAMEL_CASE_HINT}, got ''"),
        (object_body(nameSingular=7), f"nameSingular: {CAMEL_CASE_HINT}, got 7"),
        (object_body(nameSingular="a" * 64), f"nameSingular: {CAMEL_CASE_HINT}, got '{'a' * 64}'"),
        (object_body(namePlural="in voices"), f"namePlural: {CAMEL_CASE_HINT}, got 'in voices'"),
        (
            object_body(nameSingular="event", namePlural="eventItems"),
            "nameSingular: 'event' is reserved; choose another name",
        ),
        (
            object_body(nameSingular="invoiceInput", namePlural="invoiceInputs"),
            "nameSingular: 'invoiceInput' is reserved; choose another name",
        ),
        (
            object_body(nameSingular="hook", namePlural="webhooks"),
            "namePlural: 'webhooks' is reserved; choose another name",
        ),
        (
            object_body(nameSingular="sheep", namePlural="sheep"),
            "nameSingular and namePlural must be different",
        ),
        (
            object_body(nameSingular="person", namePlural="persons"),
            "an object named 'person'/'people' already exists; choose other names",
        ),
        (
            object_body(nameSingular="human", namePlural="people"),
            "an object named 'person'/'people' already exists; choose other names",
        ),
        (
            object_body(nameSingular="companies", namePlural="companyList"),
            "an object named 'company'/'companies' already exists; choose other names",
        ),
        (
            object_body(color="red"),
            f"object: unknown property color; expected some of {OBJECT_KEYS_HINT}",
        ),
        (
            object_body(color="red", fields=[]),
            f"object: unknown properties color, fields; expected some of {OBJECT_KEYS_HINT}",
        ),
        (object_body(labelPlural=None), "labelPlural: required"),
        (object_body(nameSingular=None), "nameSingular: required"),
        (
            object_body(labelSingular="  "),
            "labelSingular: expected a non-empty string of at most 200 characters",
        ),
        (object_body(description=5), "description: expected a string or null"),
        (object_body(isActive="yes"), "isActive: expected true or false, got 'yes'"),
        (["invoice"], "object: expected a JSON object"),
    ],
)
def test_invalid_object_is_rejected_and_nothing_created(
    gadgets: Gadgets, body: Any, message: str
) -> None:
    before = list_objects(gadgets.client)
    fields_before = field_count(gadgets.client)
    assert bad_request(gadgets.client.post("/rest/metadata/objects", json=body)) == [message]
    assert list_objects(gadgets.client) == before
    assert field_count(gadgets.client) == fields_before


def test_body_must_be_json(client: Client) -> None:
    response = client.post(
        "/rest/metadata/objects", data="{nope", headers={"Content-Type": "application/json"}
    )
    [message] = bad_request(response)
    assert message.startswith("body: invalid JSON (")
    assert bad_request(client.post("/rest/metadata/fields")) == [
        "body: expected JSON, got an empty body"
    ]


def test_duplicate_custom_object_names_are_rejected(client: Client) -> None:
    create_object(client, "invoice", "invoices")
    for singular, plural in [("invoice", "bills"), ("bill", "invoices"), ("invoices", "bills")]:
        messages = bad_request(
            client.post(
                "/rest/metadata/objects", json=object_body(nameSingular=singular, namePlural=plural)
            )
        )
        assert messages == [
            "an object named 'invoice'/'invoices' already exists; choose other names"
        ]
    assert sorted(list_objects(client)) == sorted([*STANDARD_OBJECTS, "invoice"])


def test_renaming_onto_a_taken_name_is_rejected(client: Client) -> None:
    invoice = create_object(client, "invoice", "invoices")
    path = f"/rest/metadata/objects/{invoice['id']}"
    assert bad_request(client.patch(path, json={"namePlural": "people"})) == [
        "an object named 'person'/'people' already exists; choose other names"
    ]
    assert bad_request(client.patch(path, json={"nameSingular": "invoices"})) == [
        "nameSingular and namePlural must be different"
    ]
    assert bad_request(client.patch(path, json={"namePlural": "Invoices"})) == [
        f"namePlural: {CAMEL_CASE_HINT}, got 'Invoices'"
    ]
    assert bad_request(client.patch(path, json={"id": "x"})) == [
        f"object: unknown property id; expected some of {OBJECT_KEYS_HINT}"
    ]
    assert get_object(client, invoice["id"]) == invoice


# validation of fields


FIELD_KEYS_HINT = (
    "defaultValue, description, icon, isActive, isNullable, isUnique, label, name, "
    "objectMetadataId, options, relationCreationPayload, settings, type"
)
OPTION_KEYS_HINT = "color, id, label, position, value"
NEEDS_OPTIONS = (
    'a {type} field needs a non-empty list of {{"value": "UPPER_CASE", "label": "Shown name"}} '
    "objects"
)


def field_body(**changes: Any) -> dict:
    body = {"name": "rank", "label": "Rank", "type": "TEXT"}
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


RESERVED_FOR_SYSTEM = "is reserved for a system field; choose another name"
ALL_TYPES = ", ".join(t.value for t in FieldType)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (field_body(name="Rank"), f"name: {CAMEL_CASE_HINT}, got 'Rank'"),
        (field_body(name="due date"), f"name: {CAMEL_CASE_HINT}, got 'due date'"),
        (field_body(name="due-date"), f"name: {CAMEL_CASE_HINT}, got 'due-date'"),
        (
            field_body(name="createdAt"),
            "name: 'createdAt' is reserved for a system field; choose another name",
        ),
        (
            field_body(name="position"),
            "name: 'position' is reserved for a system field; choose another name",
        ),
        (field_body(name="id"), f"name: 'id' {RESERVED_FOR_SYSTEM}"),
        (field_body(name="and"), f"name: 'and' {RESERVED_FOR_SYSTEM}"),
        (field_body(name="name"), "name: object 'gadget' already has a field 'name'"),
        (field_body(name="textField"), "name: object 'gadget' already has a field 'textField'"),
        (
            field_body(name="relationFieldId"),
            "name: object 'gadget' already has a field 'relationFieldId'",
        ),
        (field_body(type="MONEY"), f"type: expected one of {ALL_TYPES}, got 'MONEY'"),
        (field_body(type="text"), f"type: expected one of {ALL_TYPES}, got 'text'"),
        (field_body(type=None), "type: required"),
        (field_body(label=None), "label: required"),
        (field_body(name=None), "name: required"),
        (field_body(type="SELECT"), "options: " + NEEDS_OPTIONS.format(type="SELECT")),
        (field_body(type="SELECT", options=[]), "options: " + NEEDS_OPTIONS.format(type="SELECT")),
        (
            field_body(type="MULTI_SELECT"),
            "options: " + NEEDS_OPTIONS.format(type="MULTI_SELECT"),
        ),
        (
            field_body(type="SELECT", options=options("LOW", "HIGH", "LOW")),
            "options[2].value: 'LOW' appears twice; values must be unique",
        ),
        (
            field_body(type="SELECT", options=options("low")),
            "options[0].value: expected UPPER_SNAKE_CASE (e.g. IN_PROGRESS), got 'low'",
        ),
        (
            field_body(type="MULTI_SELECT", options=[*options("HIGH"), {"value": "Mid"}]),
            "options[1].value: expected UPPER_SNAKE_CASE (e.g. IN_PROGRESS), got 'Mid'",
        ),
        (
            field_body(type="SELECT", options=[{"value": "LOW"}]),
            "options[0].label: expected a non-empty string of at most 200 characters",
        ),
        (
            field_body(type="SELECT", options=[{"label": "Low"}]),
            "options[0].value: expected UPPER_SNAKE_CASE (e.g. IN_PROGRESS), got None",
        ),
        (
            field_body(type="SELECT", options=[{"value": "LOW", "label": "Low", "emoji": ":)"}]),
            f"options[0]: unknown property emoji; expected some of {OPTION_KEYS_HINT}",
        ),
        (
            field_body(type="SELECT", options=["LOW"]),
            "options[0]: expected an object with value and label",
        ),
        (
            field_body(type="TEXT", options=options("LOW")),
            "options: only SELECT and MULTI_SELECT fields have options, not TEXT",
        ),
        (
            field_body(type="NUMBER", defaultValue="ten"),
            "defaultValue: 'ten' is not of type 'number' (for a NUMBER field)",
        ),
        (
            field_body(type="BOOLEAN", defaultValue="false"),
            "defaultValue: 'false' is not of type 'boolean' (for a BOOLEAN field)",
        ),
        (
            field_body(type="SELECT", options=options("LOW", "HIGH"), defaultValue="MAYBE"),
            "defaultValue: 'MAYBE' is not one of ['LOW', 'HIGH'] (for a SELECT field)",
        ),
        (
            field_body(type="MULTI_SELECT", options=options("LOW"), defaultValue="LOW"),
            "defaultValue: 'LOW' is not of type 'array' (for a MULTI_SELECT field)",
        ),
        (
            field_body(type="DATE", defaultValue="tomorrow"),
            "defaultValue: 'tomorrow' is not a 'date' (for a DATE field)",
        ),
        (
            field_body(type="CURRENCY", defaultValue={"amount": 5}),
            "defaultValue: Additional properties are not allowed ('amount' was unexpected) "
            "(for a CURRENCY field)",
        ),
        (
            field_body(type="RELATION", settings={"targetObject": "company"}, defaultValue="x"),
            "defaultValue: relation fields cannot have a default",
        ),
        (
            field_body(type="RELATION"),
            "settings.targetObject: expected the nameSingular of an existing object, got None",
        ),
        (
            field_body(type="RELATION", settings={"targetObject": "spaceship"}),
            "settings.targetObject: expected the nameSingular of an existing object, "
            "got 'spaceship'",
        ),
        (
            field_body(type="RELATION", settings={"targetObject": "companies"}),
            "settings.targetObject: expected the nameSingular of an existing object, "
            "got 'companies'",
        ),
        (
            field_body(type="RELATION", settings="company"),
            "settings.targetObject: expected the nameSingular of an existing object, got None",
        ),
        (
            field_body(unique=True),
            f"field: unknown property unique; expected some of {FIELD_KEYS_HINT}",
        ),
        (field_body(isNullable="no"), "isNullable: expected true or false, got 'no'"),
        (field_body(label=""), "label: expected a non-empty string of at most 200 characters"),
    ],
)
def test_invalid_field_is_rejected_and_nothing_created(
    gadgets: Gadgets, body: dict, message: str
) -> None:
    before = get_object(gadgets.client, gadgets.object["id"])
    fields_before = field_count(gadgets.client)
    response = gadgets.client.post(
        "/rest/metadata/fields", json={"objectMetadataId": gadgets.object["id"], **body}
    )
    assert bad_request(response) == [message]
    assert get_object(gadgets.client, gadgets.object["id"]) == before
    assert field_count(gadgets.client) == fields_before


def test_relation_storage_name_must_be_free(client: Client) -> None:
    invoice = create_object(client, "invoice", "invoices")
    create_field(client, invoice["id"], "ownerId", "TEXT")
    before = field_count(client)
    response = client.post(
        "/rest/metadata/fields",
        json={
            "objectMetadataId": invoice["id"],
            "name": "owner",
            "label": "Owner",
            "type": "RELATION",
            "settings": {"targetObject": "person"},
        },
    )
    assert bad_request(response) == ["name: object 'invoice' already has a field 'ownerId'"]
    assert field_count(client) == before


def test_field_on_an_unknown_object_is_404(client: Client) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    response = client.post(
        "/rest/metadata/fields", json={"objectMetadataId": missing, **field_body()}
    )
    assert response.status_code == 404
    assert response.json()["messages"] == [f"object with id {missing} not found"]


def test_required_field_without_default_needs_an_empty_object(client: Client) -> None:
    invoice = create_object(client, "invoice", "invoices")
    create_record(client, "invoices", "invoice", {"name": "INV-1"})
    before = field_count(client)
    response = client.post(
        "/rest/metadata/fields",
        json={"objectMetadataId": invoice["id"], **field_body(isNullable=False)},
    )
    assert bad_request(response) == [
        "isNullable: a non-nullable field added to an object with records needs a defaultValue"
    ]
    assert field_count(client) == before


def test_field_updates_are_validated(gadgets: Gadgets) -> None:
    select = gadgets.fields[FieldType.SELECT]
    path = f"/rest/metadata/fields/{select['id']}"
    for change, message in [
        ({"name": "other"}, "name and type of a field cannot change; create a new field instead"),
        ({"type": "TEXT"}, "name and type of a field cannot change; create a new field instead"),
        (
            {"settings": {}},
            "field: unknown property settings; expected some of defaultValue, description, "
            "icon, isActive, isNullable, isUnique, label, options",
        ),
        (
            {"options": options("low")},
            ("options[0].value: expected UPPER_SNAKE_CASE (e.g. IN_PROGRESS), got 'low'"),
        ),
        (
            {"defaultValue": "MEDIUM"},
            "defaultValue: 'MEDIUM' is not one of ['LOW', 'HIGH'] (for a SELECT field)",
        ),
        ({"label": ""}, "label: expected a non-empty string of at most 200 characters"),
        ({"isActive": "no"}, "isActive: expected true or false, got 'no'"),
    ]:
        assert bad_request(gadgets.client.patch(path, json=change)) == [message], change
    assert ok(gadgets.client.get(path))["data"]["field"] == select


def test_system_fields_cannot_change(client: Client) -> None:
    person = list_objects(client)["person"]
    for name in SYSTEM_FIELDS:
        field = field_of(person, name)
        response = client.patch(f"/rest/metadata/fields/{field['id']}", json={"label": "X"})
        assert bad_request(response) == [f"field '{name}' is a system field and cannot change"]


def test_select_options_and_default_can_change_together(client: Client) -> None:
    invoice = create_object(client, "invoice", "invoices")
    state_options = options("DRAFT", "SENT")
    field = create_field(
        client, invoice["id"], "state", "SELECT", options=state_options, defaultValue="DRAFT"
    )
    path = f"/rest/metadata/fields/{field['id']}"
    # Dropping the option the default uses is refused ...
    assert bad_request(client.patch(path, json={"options": options("SENT", "PAID")})) == [
        "defaultValue: 'DRAFT' is not one of ['SENT', 'PAID'] (for a SELECT field)"
    ]
    # ... unless the default moves with it.
    updated = patch_field(client, field["id"], options=options("SENT", "PAID"), defaultValue="SENT")
    assert [o["value"] for o in updated["options"]] == ["SENT", "PAID"]
    assert updated["defaultValue"] == "SENT"
    assert create_record(client, "invoices", "invoice", {})["state"] == "SENT"
    assert bad_request(client.post("/rest/invoices", json={"state": "DRAFT"})) == [
        "field 'state': expected one of SENT, PAID, got string 'DRAFT'"
    ]


def test_field_label_change_is_visible_next_request(client: Client) -> None:
    person = list_objects(client)["person"]
    job_title = field_of(person, "jobTitle")
    updated = patch_field(client, job_title["id"], label="Role", description="What they do")
    assert (updated["label"], updated["description"], updated["name"]) == (
        "Role",
        "What they do",
        "jobTitle",
    )
    assert field_of(list_objects(client)["person"], "jobTitle") == updated


# metadata changes reach records at once


def test_custom_field_on_a_standard_object(client: Client) -> None:
    person = list_objects(client)["person"]
    field = create_field(client, person["id"], "twitterHandle", "TEXT")
    assert field["isCustom"] is True
    created = create_record(
        client, "people", "person", {"name": {"firstName": "Ada"}, "twitterHandle": "@ada"}
    )
    assert created["twitterHandle"] == "@ada"
    listed = ok(client.get("/rest/people", params={"filter": "twitterHandle[eq]:@ada"}))
    assert [p["id"] for p in listed["data"]["people"]] == [created["id"]]


def test_metadata_changes_are_visible_in_the_very_next_request(
    client: Client, server: Server
) -> None:
    invoice = create_object(client, "invoice", "invoices")
    ok(client.get("/rest/invoices"))  # the server now caches this workspace's catalog
    assert bad_request(client.post("/rest/invoices", json={"total": 5})) == [
        "field 'total' does not exist on object 'invoice'"
    ]
    total = create_field(client, invoice["id"], "total", "NUMBER")
    record = create_record(client, "invoices", "invoice", {"total": 5})
    assert record["total"] == 5

    patch_field(client, total["id"], isActive=False)
    assert "total" not in get_record(client, "invoices", "invoice", record["id"])
    patch_field(client, total["id"], isActive=True)
    assert get_record(client, "invoices", "invoice", record["id"])["total"] == 5

    # Another key of the same workspace sees the same, current catalog.
    with transaction(server.database.engine) as session:
        token = issue_api_key(session, APP_SECRET, client.workspace_id, "second").token
    second = Client(client.base_url, token, client.workspace_id)
    assert ok(second.get("/rest/invoices"))["data"]["invoices"][0]["total"] == 5
    patch_field(second, total["id"], label="Sum")
    assert field_of(get_object(client, invoice["id"]), "total")["label"] == "Sum"

    ok(client.delete(f"/rest/metadata/fields/{total['id']}"))
    assert "total" not in get_record(client, "invoices", "invoice", record["id"])
    ok(client.delete(f"/rest/metadata/objects/{invoice['id']}"))
    assert bad_request(client.get("/rest/invoices")) == ["object 'invoices' not found"]


def test_deactivated_field_is_hidden_and_unwritable_until_reactivated(client: Client) -> None:
    invoice = create_object(client, "invoice", "invoices")
    nickname = create_field(client, invoice["id"], "nickname", "TEXT")
    budget = create_field(client, invoice["id"], "budget", "CURRENCY")
    record = create_record(
        client,
        "invoices",
        "invoice",
        {"nickname": "Big one", "budget": {"amountMicros": 5_000_000, "currencyCode": "EUR"}},
    )

    for field in (nickname, budget):
        assert patch_field(client, field["id"], isActive=False)["isActive"] is False
    hidden = get_record(client, "invoices", "invoice", record["id"])
    assert "nickname" not in hidden and "budget" not in hidden
    assert hidden["name"] == ""
    listed = ok(client.get("/rest/invoices"))["data"]["invoices"]
    assert "nickname" not in listed[0]
    assert field_of(get_object(client, invoice["id"]), "nickname")["isActive"] is False

    assert bad_request(client.post("/rest/invoices", json={"nickname": "New"})) == [
        "field 'nickname' does not exist on object 'invoice'"
    ]
    assert bad_request(
        client.patch(f"/rest/invoices/{record['id']}", json={"budget": {"currencyCode": "USD"}})
    ) == ["field 'budget' does not exist on object 'invoice'"]
    assert client.get("/rest/invoices", params={"filter": "nickname[eq]:Big one"}).status_code == (
        400
    )
    # Other writes keep the hidden values.
    ok(client.patch(f"/rest/invoices/{record['id']}", json={"name": "Renamed"}))

    for field in (nickname, budget):
        assert patch_field(client, field["id"], isActive=True)["isActive"] is True
    shown = get_record(client, "invoices", "invoice", record["id"])
    assert shown["name"] == "Renamed"
    assert shown["nickname"] == "Big one"
    assert shown["budget"] == {"amountMicros": 5_000_000, "currencyCode": "EUR"}


def test_deactivated_standard_field_is_hidden(client: Client) -> None:
    job_title = field_of(list_objects(client)["person"], "jobTitle")
    person = create_record(client, "people", "person", {"jobTitle": "Engineer"})
    patch_field(client, job_title["id"], isActive=False)
    assert "jobTitle" not in get_record(client, "people", "person", person["id"])
    patch_field(client, job_title["id"], isActive=True)
    assert get_record(client, "people", "person", person["id"])["jobTitle"] == "Engineer"


def test_required_field_with_default_fills_new_and_existing_records(client: Client) -> None:
    invoice = create_object(client, "invoice", "invoices")
    older = create_record(client, "invoices", "invoice", {"name": "older"})
    state = create_field(
        client,
        invoice["id"],
        "state",
        "SELECT",
        options=options("DRAFT", "SENT"),
        isNullable=False,
        defaultValue="DRAFT",
    )
    assert (state["isNullable"], state["defaultValue"]) == (False, "DRAFT")
    assert get_record(client, "invoices", "invoice", older["id"])["state"] == "DRAFT"
    assert create_record(client, "invoices", "invoice", {})["state"] == "DRAFT"
    sent = create_record(client, "invoices", "invoice", {"state": "SENT"})
    assert sent["state"] == "SENT"

    before = ok(client.get("/rest/invoices"))["totalCount"]
    for response in (
        client.post("/rest/invoices", json={"state": None}),
        client.patch(f"/rest/invoices/{sent['id']}", json={"state": None}),
    ):
        messages = bad_request(response)
        assert messages[0] == "field 'state': expected string, got null"
        assert all(message.startswith("field 'state': ") for message in messages)
    assert ok(client.get("/rest/invoices"))["totalCount"] == before
    assert get_record(client, "invoices", "invoice", sent["id"])["state"] == "SENT"


def test_required_field_without_default_must_be_given(client: Client) -> None:
    invoice = create_object(client, "invoice", "invoices")
    create_field(client, invoice["id"], "number", "TEXT", isNullable=False)
    assert bad_request(client.post("/rest/invoices", json={"name": "x"})) == [
        "field 'number' is required on object 'invoice'"
    ]
    assert create_record(client, "invoices", "invoice", {"number": "INV-1"})["number"] == "INV-1"


def test_making_a_field_required_needs_every_record_to_have_it(client: Client) -> None:
    invoice = create_object(client, "invoice", "invoices")
    number = create_field(client, invoice["id"], "number", "TEXT")
    record = create_record(client, "invoices", "invoice", {"name": "no number"})
    path = f"/rest/metadata/fields/{number['id']}"
    assert bad_request(client.patch(path, json={"isNullable": False})) == [
        "isNullable: some records have no value for 'number'; "
        "fill them before making the field required"
    ]
    ok(client.patch(f"/rest/invoices/{record['id']}", json={"number": "INV-9"}))
    assert patch_field(client, number["id"], isNullable=False)["isNullable"] is False


# deleting fields and objects


@pytest.mark.parametrize(
    ("type_", "extra", "value", "empty", "key"),
    [
        ("NUMBER", {}, 7, None, "score"),
        (
            "CURRENCY",
            {},
            {"amountMicros": 1, "currencyCode": "EUR"},
            EMPTY_VALUES[FieldType.CURRENCY],
            "score",
        ),
        ("RELATION", {"settings": {"targetObject": "company"}}, COMPANY_ID, None, "scoreId"),
    ],
    ids=["scalar", "composite", "relation"],
)
def test_deleting_a_custom_field_removes_its_data(
    client: Client, server: Server, type_: str, extra: dict, value: Any, empty: Any, key: str
) -> None:
    company = create_record(client, "companies", "company", {"name": "Acme"})
    value = company["id"] if value == COMPANY_ID else value
    invoice = create_object(client, "invoice", "invoices")
    score = create_field(client, invoice["id"], "score", type_, **extra)
    record = create_record(client, "invoices", "invoice", {key: value})
    assert record[key] == value

    response = client.delete(f"/rest/metadata/fields/{score['id']}")
    assert ok(response) == {"data": {"deleteOneField": {"id": score["id"]}}}
    assert client.get(f"/rest/metadata/fields/{score['id']}").status_code == 404
    assert "score" not in [f["name"] for f in get_object(client, invoice["id"])["fields"]]
    assert key not in get_record(client, "invoices", "invoice", record["id"])
    with server.database.engine.connect() as connection:
        data = connection.execute(
            sa.select(sa.column("data", sa.JSON))
            .select_from(sa.table("record"))
            .where(sa.column("id") == record["id"])
        ).scalar_one()
    assert key not in data

    create_field(client, invoice["id"], "score", type_, **extra)
    assert get_record(client, "invoices", "invoice", record["id"])[key] == empty


def test_standard_fields_cannot_be_deleted(client: Client) -> None:
    objects = list_objects(client)
    for singular, obj in objects.items():
        for field in obj["fields"]:
            messages = bad_request(client.delete(f"/rest/metadata/fields/{field['id']}"))
            assert messages == [
                f"field '{field['name']}' is a standard field and cannot be deleted; "
                "deactivate it instead"
            ], (singular, field["name"])
    assert list_objects(client) == objects


def test_system_fields_of_custom_objects_cannot_be_deleted(client: Client) -> None:
    invoice = create_object(client, "invoice", "invoices")
    for name in SYSTEM_FIELDS:
        field = field_of(invoice, name)
        assert client.delete(f"/rest/metadata/fields/{field['id']}").status_code == 400
    assert get_object(client, invoice["id"]) == invoice


def test_standard_objects_cannot_be_deleted(client: Client) -> None:
    objects = list_objects(client)
    for obj in objects.values():
        assert bad_request(client.delete(f"/rest/metadata/objects/{obj['id']}")) == [
            "standard objects cannot be deleted; deactivate them with isActive"
        ]
    assert list_objects(client) == objects


def test_deleting_a_custom_object_removes_its_records(client: Client, server: Server) -> None:
    invoice = create_object(client, "invoice", "invoices")
    create_field(client, invoice["id"], "total", "NUMBER")
    for total in (1, 2):
        create_record(client, "invoices", "invoice", {"total": total})
    assert records_in_database(server, invoice["id"]) == 2
    fields_before = field_count(client)

    response = client.delete(f"/rest/metadata/objects/{invoice['id']}")
    assert ok(response) == {"data": {"deleteOneObject": {"id": invoice["id"]}}}
    assert client.get(f"/rest/metadata/objects/{invoice['id']}").status_code == 404
    assert "invoice" not in list_objects(client)
    assert field_count(client) == fields_before - len(SYSTEM_FIELDS) - len(ACTOR_FIELDS) - 2
    assert records_in_database(server, invoice["id"]) == 0
    assert bad_request(client.get("/rest/invoices")) == ["object 'invoices' not found"]

    again = create_object(client, "invoice", "invoices")
    assert ok(client.get("/rest/invoices"))["totalCount"] == 0
    assert "total" not in [f["name"] for f in again["fields"]]


def test_object_targeted_by_a_relation_cannot_be_deleted(client: Client) -> None:
    project = create_object(client, "project", "projects")
    invoice = create_object(client, "invoice", "invoices")
    relation = create_field(
        client, invoice["id"], "project", "RELATION", settings={"targetObject": "project"}
    )
    target = create_record(client, "projects", "project", {"name": "Apollo"})
    record = create_record(client, "invoices", "invoice", {"projectId": target["id"]})
    assert record["projectId"] == target["id"]

    assert bad_request(client.delete(f"/rest/metadata/objects/{project['id']}")) == [
        "object 'project' is the target of relation fields project; delete them first"
    ]
    assert ok(client.get("/rest/projects"))["totalCount"] == 1

    ok(client.delete(f"/rest/metadata/fields/{relation['id']}"))
    ok(client.delete(f"/rest/metadata/objects/{project['id']}"))
    assert "project" not in list_objects(client)
    assert "projectId" not in get_record(client, "invoices", "invoice", record["id"])


def test_object_with_a_relation_to_itself_can_be_deleted(client: Client, server: Server) -> None:
    employee = create_object(client, "employee", "employees")
    self_relation = {"targetObject": "employee"}
    create_field(client, employee["id"], "manager", "RELATION", settings=self_relation)
    boss = create_record(client, "employees", "employee", {"name": "Boss"})
    create_record(client, "employees", "employee", {"name": "Worker", "managerId": boss["id"]})
    ok(client.delete(f"/rest/metadata/objects/{employee['id']}"))
    assert records_in_database(server, employee["id"]) == 0
