"""Metadata over GraphQL (``/metadata``): objects, fields and API keys, as Twenty serves them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from conftest import Client
from graphql_support import gql

# Twenty's Zapier connector reads the schema with this document (DESIGN.md), verbatim.
GET_OBJECTS = (
    "query GetObjects { objects(paging: {first: 1000}, filter: {isActive: {is:true}}) "
    "{ edges { node { nameSingular namePlural labelSingular "
    "fields(paging: {first: 1000}, filter: {isActive: {is:true}}) "
    "{ edges { node { type name label description isNullable defaultValue options } } } "
    "} } } }"
)
SYSTEM_FIELDS = [
    ("UUID", "id"),
    ("DATE_TIME", "createdAt"),
    ("DATE_TIME", "updatedAt"),
    ("DATE_TIME", "deletedAt"),
    ("POSITION", "position"),
    ("TS_VECTOR", "searchVector"),
    ("ACTOR", "createdBy"),
    ("ACTOR", "updatedBy"),
]
FIELD_SELECTION = """
    id objectMetadataId name type label description icon standardOverrides { label }
    isCustom isSystem isActive isUIReadOnly isNullable isUnique isLabelSyncedWithName
    applicationId morphId defaultValue options settings
"""
OBJECT_SELECTION = f"""
    id nameSingular namePlural labelSingular labelPlural description icon shortcut
    standardOverrides {{ labelSingular }} isCustom isActive isSystem isRemote isUIReadOnly
    isSearchable isLabelSyncedWithName applicationId labelIdentifierFieldMetadataId
    imageIdentifierFieldMetadataId duplicateCriteria createdAt updatedAt
    fieldsList {{ {FIELD_SELECTION} }}
"""
RELATION_SELECTION = """
    type sourceObjectMetadata { nameSingular } targetObjectMetadata { nameSingular }
    sourceFieldMetadata { name } targetFieldMetadata { name }
"""


def fields_of(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The field nodes of an object's ``fields`` connection."""
    return [edge["node"] for edge in node["fields"]["edges"]]


def meta(client: Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``data`` of a /metadata document that must succeed."""
    body = gql(client, "/metadata", query, variables)
    assert "errors" not in body, body
    return body["data"]


def records(client: Client, query: str, variables: dict[str, Any] | None = None) -> dict:
    body = gql(client, "/graphql", query, variables)
    assert "errors" not in body, body
    return body["data"]


def meta_error(client: Client, query: str, variables: dict[str, Any] | None = None) -> dict:
    body = gql(client, "/metadata", query, variables)
    assert len(body.get("errors", [])) == 1, body
    assert not any((body.get("data") or {}).values()), body
    return body["errors"][0]


def objects_by_name(client: Client) -> dict[str, dict[str, Any]]:
    edges = meta(
        client,
        f"{{ objects(paging: {{first: 1000}}) {{ edges {{ node {{ {OBJECT_SELECTION} }} }} }} }}",
    )["objects"]["edges"]
    return {edge["node"]["nameSingular"]: edge["node"] for edge in edges}


def create_object(client: Client, **fields: Any) -> dict[str, Any]:
    return meta(
        client,
        f"mutation New($input: CreateOneObjectInput!) "
        f"{{ createOneObject(input: $input) {{ {OBJECT_SELECTION} }} }}",
        {"input": {"object": fields}},
    )["createOneObject"]


def create_field(client: Client, **field: Any) -> dict[str, Any]:
    return meta(
        client,
        "mutation New($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) "
        f"{{ {FIELD_SELECTION} }} }}",
        {"input": {"field": field}},
    )["createOneField"]


def query_fields(client: Client, type_name: str) -> set[str] | None:
    data = records(client, f'{{ __type(name: "{type_name}") {{ fields {{ name }} }} }}')
    return None if data["__type"] is None else {f["name"] for f in data["__type"]["fields"]}


def root_query_fields(client: Client) -> set[str]:
    return query_fields(client, "Query") or set()


# objects


def test_get_objects_document_lists_the_standard_objects_with_their_fields(
    client: Client,
) -> None:
    body = gql(client, "/metadata", GET_OBJECTS)
    assert "errors" not in body, body
    nodes = [edge["node"] for edge in body["data"]["objects"]["edges"]]
    assert [(n["nameSingular"], n["namePlural"], n["labelSingular"]) for n in nodes] == [
        ("company", "companies", "Company"),
        ("person", "people", "Person"),
        ("opportunity", "opportunities", "Opportunity"),
        ("note", "notes", "Note"),
        ("task", "tasks", "Task"),
        ("attachment", "attachments", "Attachment"),
    ]
    fields = {n["nameSingular"]: {f["name"]: f for f in fields_of(n)} for n in nodes}
    types = {n["nameSingular"]: [(f["type"], f["name"]) for f in fields_of(n)] for n in nodes}
    assert types["person"] == [
        *SYSTEM_FIELDS,
        ("FULL_NAME", "name"),
        ("EMAILS", "emails"),
        ("PHONES", "phones"),
        ("TEXT", "jobTitle"),
        ("TEXT", "city"),
        ("LINKS", "linkedinLink"),
        ("RELATION", "company"),
        ("RELATION", "pointOfContactForOpportunities"),
        ("RELATION", "attachments"),
    ]
    assert types["company"] == [
        *SYSTEM_FIELDS,
        ("TEXT", "name"),
        ("LINKS", "domainName"),
        ("NUMBER", "employees"),
        ("ADDRESS", "address"),
        ("CURRENCY", "annualRecurringRevenue"),
        ("BOOLEAN", "idealCustomerProfile"),
        ("LINKS", "linkedinLink"),
        ("RELATION", "people"),
        ("RELATION", "opportunities"),
        ("RELATION", "attachments"),
    ]
    assert types["opportunity"] == [
        *SYSTEM_FIELDS,
        ("TEXT", "name"),
        ("CURRENCY", "amount"),
        ("DATE_TIME", "closeDate"),
        ("SELECT", "stage"),
        ("RELATION", "company"),
        ("RELATION", "pointOfContact"),
        ("RELATION", "attachments"),
    ]
    assert types["note"] == [
        *SYSTEM_FIELDS,
        ("TEXT", "title"),
        ("RICH_TEXT", "body"),
        ("RELATION", "attachments"),
    ]
    assert types["task"] == [
        *SYSTEM_FIELDS,
        ("TEXT", "title"),
        ("RICH_TEXT", "body"),
        ("DATE_TIME", "dueAt"),
        ("SELECT", "status"),
        ("RELATION", "attachments"),
    ]
    assert types["attachment"] == [
        *SYSTEM_FIELDS,
        ("TEXT", "name"),
        ("TEXT", "fullPath"),
        ("SELECT", "fileCategory"),
        ("FILES", "file"),
        ("RELATION", "person"),
        ("RELATION", "company"),
        ("RELATION", "opportunity"),
        ("RELATION", "note"),
        ("RELATION", "task"),
    ]

    assert fields["person"]["id"] == {
        "type": "UUID",
        "name": "id",
        "label": "Id",
        "description": None,
        "isNullable": False,
        "defaultValue": "uuid",
        "options": None,
    }
    assert fields["person"]["createdAt"]["defaultValue"] == "now"
    assert fields["person"]["position"]["defaultValue"] == 0
    assert fields["company"]["name"] == {
        "type": "TEXT",
        "name": "name",
        "label": "Name",
        "description": None,
        "isNullable": True,
        "defaultValue": "",
        "options": None,
    }
    assert fields["company"]["idealCustomerProfile"]["defaultValue"] is False
    assert fields["person"]["company"]["label"] == "Company"
    assert fields["opportunity"]["stage"] == {
        "type": "SELECT",
        "name": "stage",
        "label": "Stage",
        "description": None,
        "isNullable": True,
        "defaultValue": "NEW",
        "options": [
            {"id": "option-new", "value": "NEW", "label": "New", "position": 0, "color": "blue"},
            {
                "id": "option-screening",
                "value": "SCREENING",
                "label": "Screening",
                "position": 1,
                "color": "green",
            },
            {
                "id": "option-meeting",
                "value": "MEETING",
                "label": "Meeting",
                "position": 2,
                "color": "orange",
            },
            {
                "id": "option-proposal",
                "value": "PROPOSAL",
                "label": "Proposal",
                "position": 3,
                "color": "purple",
            },
            {
                "id": "option-customer",
                "value": "CUSTOMER",
                "label": "Customer",
                "position": 4,
                "color": "red",
            },
        ],
    }
    assert [o["value"] for o in fields["task"]["status"]["options"]] == [
        "TODO",
        "IN_PROGRESS",
        "DONE",
    ]
    assert fields["task"]["status"]["defaultValue"] == "TODO"


def test_objects_filter_and_paging(client: Client) -> None:
    create_object(
        client,
        nameSingular="invoice",
        namePlural="invoices",
        labelSingular="Invoice",
        labelPlural="Invoices",
        isActive=False,
    )
    active = meta(client, GET_OBJECTS)["objects"]["edges"]
    assert [e["node"]["nameSingular"] for e in active] == [
        "company",
        "person",
        "opportunity",
        "note",
        "task",
        "attachment",
    ]
    inactive = meta(
        client,
        "{ objects(filter: {isActive: {is: false}}) { edges { node { nameSingular } } "
        "totalCount } }",
    )
    assert inactive == {
        "objects": {"edges": [{"node": {"nameSingular": "invoice"}}], "totalCount": 1}
    }
    custom = meta(client, "{ objects(filter: {isCustom: {is: true}}) { totalCount } }")
    assert custom == {"objects": {"totalCount": 1}}

    query = (
        "query Page($paging: CursorPaging) { objects(paging: $paging) { "
        "edges { node { nameSingular } cursor } "
        "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }"
    )
    first = meta(client, query, {"paging": {"first": 4}})["objects"]
    assert [e["node"]["nameSingular"] for e in first["edges"]] == [
        "company",
        "person",
        "opportunity",
        "note",
    ]
    assert first["totalCount"] == 7
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    rest = meta(client, query, {"paging": {"first": 4, "after": first["pageInfo"]["endCursor"]}})
    assert [e["node"]["nameSingular"] for e in rest["objects"]["edges"]] == [
        "task",
        "attachment",
        "invoice",
    ]
    assert rest["objects"]["pageInfo"]["hasNextPage"] is False
    assert rest["objects"]["pageInfo"]["hasPreviousPage"] is True
    last = meta(client, query, {"paging": {"last": 2}})["objects"]
    assert [e["node"]["nameSingular"] for e in last["edges"]] == ["attachment", "invoice"]
    before = meta(client, query, {"paging": {"last": 2, "before": last["edges"][0]["cursor"]}})
    assert [e["node"]["nameSingular"] for e in before["objects"]["edges"]] == ["note", "task"]


def object_names(client: Client, filter_: str) -> list[str]:
    edges = meta(
        client,
        f"{{ objects(paging: {{first: 1000}}, filter: {filter_}) "
        "{ edges { node { nameSingular } } } }",
    )["objects"]["edges"]
    return [e["node"]["nameSingular"] for e in edges]


def test_object_filters_take_twentys_flags_comparators_and_nesting(client: Client) -> None:
    objects = objects_by_name(client)
    person_id, note_id = objects["person"]["id"], objects["note"]["id"]
    assert object_names(client, "{isRemote: {is: false}, isSystem: {is: false}}") == list(objects)
    assert object_names(client, "{isUIReadOnly: {is: true}}") == []
    assert object_names(client, "{isSearchable: {isNot: false}}") == list(objects)
    assert object_names(client, f'{{id: {{in: ["{note_id}", "{person_id}"]}}}}') == [
        "person",
        "note",
    ]
    assert object_names(client, f'{{id: {{neq: "{person_id}"}}}}') == [
        "company",
        "opportunity",
        "note",
        "task",
        "attachment",
    ]
    assert object_names(client, f'{{id: {{notIn: ["{person_id}"], eq: "{note_id}"}}}}') == ["note"]
    either = f'{{or: [{{id: {{eq: "{person_id}"}}}}, {{id: {{eq: "{note_id}"}}}}]}}'
    assert object_names(client, either) == ["person", "note"]
    both = f'{{and: [{{id: {{eq: "{person_id}"}}}}, {{isActive: {{is: false}}}}]}}'
    assert object_names(client, both) == []
    assert object_names(client, "{or: []}") == list(objects)


def test_object_pages_default_to_ten_and_refuse_more_than_a_thousand(client: Client) -> None:
    """Twenty's metadata pages: 10 items unless asked, at most 1000 (refused, not capped)."""
    for n in range(5):
        create_object(
            client,
            nameSingular=f"thing{n}",
            namePlural=f"things{n}",
            labelSingular=f"Thing {n}",
            labelPlural=f"Things {n}",
        )
    page = meta(client, "{ objects { edges { node { nameSingular } } pageInfo { hasNextPage } } }")
    assert len(page["objects"]["edges"]) == 10
    assert page["objects"]["pageInfo"]["hasNextPage"] is True
    assert len(meta(client, GET_OBJECTS)["objects"]["edges"]) == 11

    for paging, message in [
        ("{first: 1001}", "paging: requested page size of 1001 exceeds the maximum size of 1000"),
        ("{last: 5000}", "paging: requested page size of 5000 exceeds the maximum size of 1000"),
        ("{first: -1}", "paging: page size cannot be negative"),
        ("{first: 2, last: 2}", "paging: cannot use both first and last"),
        ('{first: 2, before: "b2Zmc2V0OjE="}', "paging: cannot use first with before"),
        ('{last: 2, after: "b2Zmc2V0OjE="}', "paging: cannot use last with after"),
        ('{first: 2, after: "nonsense"}', "paging: invalid cursor 'nonsense'"),
    ]:
        error = meta_error(client, f"{{ objects(paging: {paging}) {{ totalCount }} }}")
        assert error["extensions"]["code"] == "BAD_USER_INPUT", paging
        assert error["message"] == message


def test_object_nodes_carry_twentys_fields(client: Client) -> None:
    objects = objects_by_name(client)
    person = objects["person"]
    fields = {f["name"]: f for f in person["fieldsList"]}
    assert {key: value for key, value in person.items() if key not in ("id", "fieldsList")} == {
        "nameSingular": "person",
        "namePlural": "people",
        "labelSingular": "Person",
        "labelPlural": "People",
        "description": "A person",
        "icon": None,
        "shortcut": None,
        "standardOverrides": None,
        "isCustom": False,
        "isActive": True,
        "isSystem": False,
        "isRemote": False,
        "isUIReadOnly": False,
        "isSearchable": True,
        "isLabelSyncedWithName": False,
        "applicationId": None,
        "labelIdentifierFieldMetadataId": fields["name"]["id"],
        "imageIdentifierFieldMetadataId": None,
        # Twenty names duplicate criteria by column: name.firstName is nameFirstName.
        "duplicateCriteria": [
            ["nameFirstName", "nameLastName"],
            ["linkedinLinkPrimaryLinkUrl"],
            ["emailsPrimaryEmail"],
        ],
        "createdAt": person["createdAt"],
        "updatedAt": person["updatedAt"],
    }
    assert objects["company"]["duplicateCriteria"] == [["name"], ["domainNamePrimaryLinkUrl"]]
    assert objects["note"]["duplicateCriteria"] is None
    assert objects["task"]["labelIdentifierFieldMetadataId"] == next(
        f["id"] for f in objects["task"]["fieldsList"] if f["name"] == "title"
    )
    assert {f["objectMetadataId"] for f in person["fieldsList"]} == {person["id"]}
    assert {key: value for key, value in fields["emails"].items() if key != "id"} == {
        "objectMetadataId": person["id"],
        "name": "emails",
        "type": "EMAILS",
        "label": "Emails",
        "description": None,
        "icon": None,
        "standardOverrides": None,
        "isCustom": False,
        "isSystem": False,
        "isActive": True,
        "isUIReadOnly": False,
        "isNullable": True,
        "isUnique": True,
        "isLabelSyncedWithName": False,
        "applicationId": None,
        "morphId": None,
        "defaultValue": None,
        "options": None,
        "settings": None,
    }
    read_only = sorted(f["name"] for f in person["fieldsList"] if f["isUIReadOnly"])
    assert read_only == sorted(
        ["id", "createdAt", "updatedAt", "deletedAt", "position", "searchVector", "createdBy",
         "updatedBy"]
    )  # fmt: skip
    assert fields["company"]["settings"] == {
        "relationType": "MANY_TO_ONE",
        "targetObject": "company",
        "targetFieldName": "people",
    }


def test_object_by_id_with_paged_fields(client: Client) -> None:
    person = objects_by_name(client)["person"]
    name_field = next(f for f in person["fieldsList"] if f["name"] == "name")
    query = (
        "query One($id: UUID!, $paging: CursorPaging) { object(id: $id) { id nameSingular "
        "fields(paging: $paging, filter: {isSystem: {is: false}}) { edges { node { name } } "
        "pageInfo { hasNextPage endCursor } totalCount } } }"
    )
    page = meta(client, query, {"id": person["id"], "paging": {"first": 3}})["object"]
    assert page["id"] == person["id"] and page["nameSingular"] == "person"
    assert [e["node"]["name"] for e in page["fields"]["edges"]] == [
        "createdBy",
        "updatedBy",
        "name",
    ]
    assert page["fields"]["totalCount"] == 11
    assert page["fields"]["pageInfo"]["hasNextPage"] is True
    after = page["fields"]["pageInfo"]["endCursor"]
    rest = meta(client, query, {"id": person["id"], "paging": {"first": 10, "after": after}})
    assert [e["node"]["name"] for e in rest["object"]["fields"]["edges"]] == [
        "emails",
        "phones",
        "jobTitle",
        "city",
        "linkedinLink",
        "company",
        "pointOfContactForOpportunities",
        "attachments",
    ]
    by_id = meta(
        client,
        f'{{ object(id: "{person["id"]}") {{ fields(filter: {{id: {{eq: "{name_field["id"]}"}}}})'
        " { edges { node { name type } } } } }",
    )
    assert by_id["object"]["fields"]["edges"] == [{"node": {"name": "name", "type": "FULL_NAME"}}]
    unpaged = meta(client, f'{{ object(id: "{person["id"]}") {{ fields {{ totalCount '
                   "edges { node { name } } } } }")["object"]["fields"]  # fmt: skip
    assert len(unpaged["edges"]) == 10 and unpaged["totalCount"] == 17


def test_field_and_fields_root_queries(client: Client, other_client: Client) -> None:
    objects = objects_by_name(client)
    person, company = objects["person"], objects["company"]
    city = next(f for f in person["fieldsList"] if f["name"] == "city")
    found = meta(
        client,
        f'{{ field(id: "{city["id"]}") {{ {FIELD_SELECTION} object {{ id nameSingular }} }} }}',
    )["field"]
    assert found == {**city, "object": {"id": person["id"], "nameSingular": "person"}}
    error = meta_error(other_client, f'{{ field(id: "{city["id"]}") {{ id }} }}')
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["message"] == f"field with id {city['id']} not found"

    query = (
        "query Fields($filter: FieldFilter, $paging: CursorPaging) { fields(filter: $filter, "
        "paging: $paging) { edges { node { name objectMetadataId } } pageInfo { hasNextPage } "
        "totalCount } }"
    )
    everything = meta(client, query, {"paging": {"first": 1000}})["fields"]
    assert everything["totalCount"] == sum(len(o["fieldsList"]) for o in objects.values())
    assert everything["pageInfo"]["hasNextPage"] is False
    first_page = meta(client, query)["fields"]
    assert len(first_page["edges"]) == 10 and first_page["pageInfo"]["hasNextPage"] is True
    company_user_fields = meta(
        client,
        query,
        {
            "filter": {
                "objectMetadataId": {"eq": company["id"]},
                "isSystem": {"is": False},
                "isUIReadOnly": {"is": True},
            }
        },
    )["fields"]
    assert [e["node"]["name"] for e in company_user_fields["edges"]] == ["createdBy", "updatedBy"]
    either = {"or": [{"id": {"eq": city["id"]}}, {"objectMetadataId": {"in": [company["id"]]}}]}
    matched = meta(client, query, {"filter": either, "paging": {"first": 1000}})["fields"]
    assert matched["totalCount"] == len(company["fieldsList"]) + 1


def test_relation_fields_show_both_sides(client: Client) -> None:
    person = objects_by_name(client)["person"]
    by_name = {f["name"]: f for f in person["fieldsList"]}
    query = (
        f"query Relations($id: UUID!) {{ object(id: $id) {{ fieldsList {{ name "
        f"relation {{ {RELATION_SELECTION} }} morphRelations {{ type }} }} }} }}"
    )
    relations = {
        f["name"]: f for f in meta(client, query, {"id": person["id"]})["object"]["fieldsList"]
    }
    assert relations["company"]["relation"] == {
        "type": "MANY_TO_ONE",
        "sourceObjectMetadata": {"nameSingular": "person"},
        "targetObjectMetadata": {"nameSingular": "company"},
        "sourceFieldMetadata": {"name": "company"},
        "targetFieldMetadata": {"name": "people"},
    }
    assert relations["pointOfContactForOpportunities"]["relation"] == {
        "type": "ONE_TO_MANY",
        "sourceObjectMetadata": {"nameSingular": "person"},
        "targetObjectMetadata": {"nameSingular": "opportunity"},
        "sourceFieldMetadata": {"name": "pointOfContactForOpportunities"},
        "targetFieldMetadata": {"name": "pointOfContact"},
    }
    assert relations["name"]["relation"] is None
    assert all(f["morphRelations"] is None for f in relations.values())

    # The ends are whole nodes: a client can walk from one side to the other.
    walk = meta(
        client,
        f'{{ field(id: "{by_name["company"]["id"]}") {{ relation {{ targetObjectMetadata '
        "{ labelPlural fieldsList { name } } targetFieldMetadata { type relation "
        "{ type targetFieldMetadata { id } } } } } }",
    )["field"]["relation"]
    assert walk["targetObjectMetadata"]["labelPlural"] == "Companies"
    assert "people" in [f["name"] for f in walk["targetObjectMetadata"]["fieldsList"]]
    assert walk["targetFieldMetadata"] == {
        "type": "RELATION",
        "relation": {
            "type": "ONE_TO_MANY",
            "targetFieldMetadata": {"id": by_name["company"]["id"]},
        },
    }


def test_morph_relation_shows_one_relation_per_target(client: Client) -> None:
    note = objects_by_name(client)["note"]
    created = meta(
        client,
        "mutation New($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) "
        f"{{ id morphId relation {{ type }} morphRelations {{ {RELATION_SELECTION} }} }} }}",
        {
            "input": {
                "field": {
                    "objectMetadataId": note["id"],
                    "name": "about",
                    "label": "About",
                    "type": "MORPH_RELATION",
                    "settings": {"targetObjects": ["person", "company"]},
                }
            }
        },
    )["createOneField"]
    assert created["morphId"] == created["id"] and created["relation"] is None
    assert [
        (r["type"], r["sourceObjectMetadata"], r["sourceFieldMetadata"], r["targetObjectMetadata"])
        for r in created["morphRelations"]
    ] == [
        ("MANY_TO_ONE", {"nameSingular": "note"}, {"name": "about"}, {"nameSingular": "person"}),
        ("MANY_TO_ONE", {"nameSingular": "note"}, {"name": "about"}, {"nameSingular": "company"}),
    ]
    inverse = created["morphRelations"][0]["targetFieldMetadata"]["name"]
    person = objects_by_name(client)["person"]
    back = next(f for f in person["fieldsList"] if f["name"] == inverse)
    answer = meta(
        client, f'{{ field(id: "{back["id"]}") {{ relation {{ {RELATION_SELECTION} }} }} }}'
    )["field"]["relation"]
    assert answer == {
        "type": "ONE_TO_MANY",
        "sourceObjectMetadata": {"nameSingular": "person"},
        "targetObjectMetadata": {"nameSingular": "note"},
        "sourceFieldMetadata": {"name": inverse},
        "targetFieldMetadata": {"name": "about"},
    }


def test_object_of_another_workspace_is_not_found(client: Client, other_client: Client) -> None:
    person = objects_by_name(client)["person"]
    assert objects_by_name(other_client)["person"]["id"] != person["id"]
    error = meta_error(other_client, f'{{ object(id: "{person["id"]}") {{ id }} }}')
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["message"] == f"object with id {person['id']} not found"


def test_create_update_delete_object(client: Client, other_client: Client) -> None:
    created = create_object(
        client,
        nameSingular="invoice",
        namePlural="invoices",
        labelSingular="Invoice",
        labelPlural="Invoices",
        description="A bill",
        icon="IconReceipt",
    )
    assert created["nameSingular"] == "invoice" and created["namePlural"] == "invoices"
    assert created["labelSingular"] == "Invoice" and created["labelPlural"] == "Invoices"
    assert created["description"] == "A bill" and created["icon"] == "IconReceipt"
    assert created["isCustom"] is True and created["isActive"] is True
    assert [(f["type"], f["name"]) for f in created["fieldsList"]] == [
        *SYSTEM_FIELDS,
        ("TEXT", "name"),
    ]
    assert "invoices" in root_query_fields(client)
    assert "invoices" not in root_query_fields(other_client)
    record = records(client, 'mutation { createInvoice(data: {name: "INV-1"}) { id name } }')
    assert record["createInvoice"]["name"] == "INV-1"

    updated = meta(
        client,
        "mutation Edit($input: UpdateOneObjectInput!) { updateOneObject(input: $input) "
        "{ id labelSingular labelPlural description isActive } }",
        {
            "input": {
                "id": created["id"],
                "update": {"labelPlural": "Bills", "description": "Money owed"},
            }
        },
    )["updateOneObject"]
    assert updated == {
        "id": created["id"],
        "labelSingular": "Invoice",
        "labelPlural": "Bills",
        "description": "Money owed",
        "isActive": True,
    }
    meta(
        client,
        f'mutation {{ updateOneObject(input: {{id: "{created["id"]}", '
        "update: {isActive: false}}) { isActive } }",
    )
    assert "invoices" not in root_query_fields(client)
    body = gql(client, "/graphql", "{ invoices { totalCount } }")
    assert body["errors"][0]["message"].startswith("Cannot query field 'invoices' on type 'Query'.")
    assert "invoice" not in [e["node"]["nameSingular"] for e in meta(client, GET_OBJECTS)[
        "objects"
    ]["edges"]]  # fmt: skip
    meta(
        client,
        f'mutation {{ updateOneObject(input: {{id: "{created["id"]}", '
        "update: {isActive: true}}) { isActive } }",
    )
    assert records(client, "{ invoices { totalCount } }") == {"invoices": {"totalCount": 1}}

    deleted = meta(
        client,
        f'mutation {{ deleteOneObject(input: {{id: "{created["id"]}"}}) {{ id nameSingular }} }}',
    )
    assert deleted == {"deleteOneObject": {"id": created["id"], "nameSingular": "invoice"}}
    assert "invoice" not in objects_by_name(client)
    assert "invoices" not in root_query_fields(client)
    error = meta_error(client, f'{{ object(id: "{created["id"]}") {{ id }} }}')
    assert error["extensions"]["code"] == "NOT_FOUND"


def test_object_validation_errors(client: Client) -> None:
    error = meta_error(
        client,
        'mutation { createOneObject(input: {object: {nameSingular: "Invoice", '
        'namePlural: "invoices", labelSingular: "Invoice", labelPlural: "Invoices"}}) { id } }',
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("nameSingular: expected a camelCase name")

    error = meta_error(
        client,
        'mutation { createOneObject(input: {object: {nameSingular: "webhook", '
        'namePlural: "hooks", labelSingular: "Hook", labelPlural: "Hooks"}}) { id } }',
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "nameSingular: 'webhook' is reserved; choose another name"

    error = meta_error(
        client,
        'mutation { createOneObject(input: {object: {nameSingular: "person", '
        'namePlural: "persons", labelSingular: "P", labelPlural: "Ps"}}) { id } }',
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "person" in error["message"]

    error = meta_error(
        client,
        'mutation { createOneObject(input: {object: {nameSingular: "invoice"}}) { id } }',
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "namePlural: required"

    company = objects_by_name(client)["company"]
    error = meta_error(
        client, f'mutation {{ deleteOneObject(input: {{id: "{company["id"]}"}}) {{ id }} }}'
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == ("standard objects cannot be deleted; deactivate them with isActive")
    assert sorted(objects_by_name(client)) == [
        "attachment",
        "company",
        "note",
        "opportunity",
        "person",
        "task",
    ]


# fields


def test_create_update_delete_field(client: Client, other_client: Client) -> None:
    person = objects_by_name(client)["person"]
    created = create_field(
        client,
        objectMetadataId=person["id"],
        name="seniority",
        label="Seniority",
        type="SELECT",
        description="How senior",
        defaultValue="JUNIOR",
        options=[
            {"value": "JUNIOR", "label": "Junior"},
            {"value": "SENIOR", "label": "Senior", "color": "red"},
        ],
    )
    assert created == {
        "id": created["id"],
        "objectMetadataId": person["id"],
        "name": "seniority",
        "type": "SELECT",
        "label": "Seniority",
        "description": "How senior",
        "icon": None,
        "standardOverrides": None,
        "isCustom": True,
        "isSystem": False,
        "isActive": True,
        "isUIReadOnly": False,
        "isNullable": True,
        "isUnique": False,
        "isLabelSyncedWithName": False,
        "applicationId": None,
        "morphId": None,
        "defaultValue": "JUNIOR",
        "options": [
            {
                "id": "option-junior",
                "value": "JUNIOR",
                "label": "Junior",
                "position": 0,
                "color": "gray",
            },
            {
                "id": "option-senior",
                "value": "SENIOR",
                "label": "Senior",
                "position": 1,
                "color": "red",
            },
        ],
        "settings": None,
    }
    assert "seniority" in (query_fields(client, "Person") or set())
    assert "seniority" not in (query_fields(other_client, "Person") or set())
    made = records(client, 'mutation { createPerson(data: {city: "Oslo"}) { seniority } }')
    assert made == {"createPerson": {"seniority": "JUNIOR"}}

    updated = meta(
        client,
        "mutation Edit($input: UpdateOneFieldMetadataInput!) { updateOneField(input: $input) "
        "{ id label options isNullable } }",
        {
            "input": {
                "id": created["id"],
                "update": {
                    "label": "Level",
                    "options": [
                        {"value": "JUNIOR", "label": "Junior"},
                        {"value": "SENIOR", "label": "Senior"},
                        {"value": "PRINCIPAL", "label": "Principal"},
                    ],
                },
            }
        },
    )["updateOneField"]
    assert updated["label"] == "Level"
    assert [o["value"] for o in updated["options"]] == ["JUNIOR", "SENIOR", "PRINCIPAL"]
    enum = records(client, '{ __type(name: "PersonSeniorityEnum") { enumValues { name } } }')
    assert enum["__type"]["enumValues"] == [
        {"name": "JUNIOR"},
        {"name": "SENIOR"},
        {"name": "PRINCIPAL"},
    ]
    made = records(client, "mutation { createPerson(data: {seniority: PRINCIPAL}) { seniority } }")
    assert made == {"createPerson": {"seniority": "PRINCIPAL"}}

    deleted = meta(
        client, f'mutation {{ deleteOneField(input: {{id: "{created["id"]}"}}) {{ id name }} }}'
    )
    assert deleted == {"deleteOneField": {"id": created["id"], "name": "seniority"}}
    assert "seniority" not in (query_fields(client, "Person") or set())
    assert "seniority" not in [f["name"] for f in objects_by_name(client)["person"]["fieldsList"]]
    assert records(client, "{ people { totalCount } }") == {"people": {"totalCount": 2}}


def test_deactivated_field_leaves_the_records_schema(client: Client) -> None:
    person = objects_by_name(client)["person"]
    city = next(f for f in person["fieldsList"] if f["name"] == "city")
    meta(
        client,
        f'mutation {{ updateOneField(input: {{id: "{city["id"]}", update: {{isActive: false}}}}) '
        "{ isActive } }",
    )
    assert "city" not in (query_fields(client, "Person") or set())
    inactive = meta(
        client,
        f'{{ object(id: "{person["id"]}") {{ fields(filter: {{isActive: {{is: false}}}}) '
        "{ edges { node { name isActive } } } } }",
    )
    assert inactive["object"]["fields"]["edges"] == [{"node": {"name": "city", "isActive": False}}]


def test_relation_field_between_custom_and_standard_objects(client: Client) -> None:
    invoice = create_object(
        client,
        nameSingular="invoice",
        namePlural="invoices",
        labelSingular="Invoice",
        labelPlural="Invoices",
    )
    field = create_field(
        client,
        objectMetadataId=invoice["id"],
        name="customer",
        label="Customer",
        type="RELATION",
        settings={"targetObject": "company"},
    )
    assert field["settings"] == {
        "relationType": "MANY_TO_ONE",
        "targetObject": "company",
        "targetFieldName": "invoices",
    }
    company = records(client, 'mutation { createCompany(data: {name: "Acme"}) { id } }')
    company_id = company["createCompany"]["id"]
    made = records(
        client,
        f'mutation {{ createInvoice(data: {{name: "INV-9", customerId: "{company_id}"}}) '
        "{ customerId customer { name } } }",
    )
    assert made == {"createInvoice": {"customerId": company_id, "customer": {"name": "Acme"}}}
    company_object = objects_by_name(client)["company"]
    back = create_field(
        client,
        objectMetadataId=company_object["id"],
        name="lastInvoice",
        label="Last invoice",
        type="RELATION",
        settings={"targetObject": "invoice"},
    )
    delete_invoice = f'mutation {{ deleteOneObject(input: {{id: "{invoice["id"]}"}}) {{ id }} }}'
    error = meta_error(client, delete_invoice)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == (
        "object 'invoice' is the target of relation fields lastInvoice; delete them first"
    )
    meta(client, f'mutation {{ deleteOneField(input: {{id: "{back["id"]}"}}) {{ id }} }}')
    assert meta(client, delete_invoice) == {"deleteOneObject": {"id": invoice["id"]}}
    assert "invoices" not in root_query_fields(client)


def test_field_validation_errors(client: Client) -> None:
    person = objects_by_name(client)["person"]
    missing_name = (
        "mutation { createOneField(input: {field: "
        f'{{objectMetadataId: "{person["id"]}", label: "X", type: TEXT}}}}) {{ id }} }}'
    )
    error = meta_error(client, missing_name)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("input.field: ")
    assert "required field 'name'" in error["message"]

    bad_type = (
        "mutation { createOneField(input: {field: "
        f'{{objectMetadataId: "{person["id"]}", name: "x", label: "X", type: STRING}}}}) '
        "{ id } }"
    )
    error = meta_error(client, bad_type)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "STRING" in error["message"] and "type" in error["message"]

    taken = (
        "mutation { createOneField(input: {field: "
        f'{{objectMetadataId: "{person["id"]}", name: "city", label: "City", type: TEXT}}}}) '
        "{ id } }"
    )
    error = meta_error(client, taken)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "name: object 'person' already has a field 'city'"

    no_options = (
        "mutation { createOneField(input: {field: "
        f'{{objectMetadataId: "{person["id"]}", name: "level", label: "Level", '
        "type: SELECT}}) { id } }"
    )
    error = meta_error(client, no_options)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("options: a SELECT field needs a non-empty list")

    city = next(f for f in person["fieldsList"] if f["name"] == "city")
    error = meta_error(
        client, f'mutation {{ deleteOneField(input: {{id: "{city["id"]}"}}) {{ id }} }}'
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == (
        "field 'city' is a standard field and cannot be deleted; deactivate it instead"
    )
    renamed = meta_error(
        client,
        f'mutation {{ updateOneField(input: {{id: "{city["id"]}", update: {{name: "town"}}}}) '
        "{ id } }",
    )
    assert renamed["extensions"]["code"] == "BAD_USER_INPUT"
    assert "name" in renamed["message"]
    assert [f["name"] for f in objects_by_name(client)["person"]["fieldsList"]] == [
        f["name"] for f in person["fieldsList"]
    ]


def test_metadata_mutation_document_is_all_or_nothing(client: Client) -> None:
    body = gql(
        client,
        "/metadata",
        "mutation Both { "
        'made: createOneObject(input: {object: {nameSingular: "invoice", namePlural: "invoices", '
        'labelSingular: "Invoice", labelPlural: "Invoices"}}) { id } '
        'again: createOneObject(input: {object: {nameSingular: "invoice", namePlural: "bills", '
        'labelSingular: "Bill", labelPlural: "Bills"}}) { id } }',
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["path"] == ["again"]
    assert "invoice" not in objects_by_name(client)
    assert "invoices" not in root_query_fields(client)


# API keys


API_KEY_FIELDS = "id name token expiresAt revokedAt createdAt"


def test_create_api_key_returns_a_working_token_once(client: Client) -> None:
    before = meta(client, f"{{ apiKeys {{ {API_KEY_FIELDS} }} }}")["apiKeys"]
    assert [(k["name"], k["token"], k["revokedAt"]) for k in before] == [("tests", None, None)]

    created = meta(
        client, f'mutation {{ createApiKey(input: {{name: "Zapier"}}) {{ {API_KEY_FIELDS} }} }}'
    )["createApiKey"]
    assert created["name"] == "Zapier"
    assert created["revokedAt"] is None
    assert isinstance(created["token"], str) and created["token"].count(".") == 2
    issued = Client(client.base_url, created["token"], client.workspace_id)
    assert meta(issued, "{ currentWorkspace { id } }") == {
        "currentWorkspace": {"id": client.workspace_id}
    }
    assert records(issued, "{ people { totalCount } }") == {"people": {"totalCount": 0}}
    assert issued.get("/rest/people").status_code == 200

    listed = meta(client, f"{{ apiKeys {{ {API_KEY_FIELDS} }} }}")["apiKeys"]
    assert [(k["name"], k["token"]) for k in listed] == [("tests", None), ("Zapier", None)]
    assert listed[1]["id"] == created["id"]
    assert listed[1]["expiresAt"] == created["expiresAt"]


def test_create_api_key_with_expiry(client: Client) -> None:
    expires = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    created = meta(
        client,
        "mutation New($input: CreateApiKeyInput!) { createApiKey(input: $input) "
        "{ name expiresAt token } }",
        {"input": {"name": "Short", "expiresAt": expires.isoformat().replace("+00:00", "Z")}},
    )["createApiKey"]
    stored = datetime.fromisoformat(created["expiresAt"].replace("Z", "+00:00"))
    assert abs(stored - expires) < timedelta(seconds=1)
    short = Client(client.base_url, created["token"], client.workspace_id)
    assert meta(short, "{ currentWorkspace { id } }")["currentWorkspace"]["id"] == (
        client.workspace_id
    )

    error = meta_error(
        client,
        'mutation { createApiKey(input: {name: "Old", expiresAt: "2001-01-01T00:00:00Z"}) { id } }',
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "input.expiresAt: must be in the future"
    error = meta_error(client, 'mutation { createApiKey(input: {name: "  "}) { id } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "input.name: expected a non-empty name for the key"
    names = [k["name"] for k in meta(client, "{ apiKeys { name } }")["apiKeys"]]
    assert names == ["tests", "Short"]


def test_revoked_key_is_forbidden_everywhere(client: Client, other_client: Client) -> None:
    created = meta(client, 'mutation { createApiKey(input: {name: "Temp"}) { id token } }')[
        "createApiKey"
    ]
    temp = Client(client.base_url, created["token"], client.workspace_id)
    assert records(temp, "{ currentWorkspace { id } }")["currentWorkspace"]["id"] == (
        client.workspace_id
    )

    error = meta_error(
        other_client, f'mutation {{ revokeApiKey(input: {{id: "{created["id"]}"}}) {{ id }} }}'
    )
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert records(temp, "{ currentWorkspace { id } }")["currentWorkspace"]["id"] == (
        client.workspace_id
    )

    revoked = meta(
        client,
        f'mutation {{ revokeApiKey(input: {{id: "{created["id"]}"}}) '
        "{ id name revokedAt token } }",
    )["revokeApiKey"]
    assert revoked["id"] == created["id"] and revoked["name"] == "Temp"
    assert revoked["revokedAt"].endswith("Z")
    assert revoked["token"] is None

    for path in ("/graphql", "/metadata"):
        body = gql(temp, path, "{ currentWorkspace { id } }")
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert body["errors"][0]["message"] == "This API key has been revoked."
        assert body.get("data") is None
    rest = temp.get("/rest/people")
    assert rest.status_code == 403
    listed = {k["name"]: k["revokedAt"] for k in meta(client, "{ apiKeys { name revokedAt } }")[
        "apiKeys"
    ]}  # fmt: skip
    assert listed == {"tests": None, "Temp": revoked["revokedAt"]}


def test_api_keys_are_per_workspace(client: Client, other_client: Client) -> None:
    meta(client, 'mutation { createApiKey(input: {name: "Mine"}) { id } }')
    mine = [k["name"] for k in meta(client, "{ apiKeys { name } }")["apiKeys"]]
    theirs = [k["name"] for k in meta(other_client, "{ apiKeys { name } }")["apiKeys"]]
    assert mine == ["tests", "Mine"]
    assert theirs == ["tests"]


# request shapes


def test_metadata_over_get(client: Client) -> None:
    response = client.get("/metadata", params={"query": "{ currentWorkspace { id } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"currentWorkspace": {"id": client.workspace_id}}}
    response = client.get(
        "/metadata",
        params={"query": 'mutation { createApiKey(input: {name: "Sneaky"}) { id } }'},
    )
    assert response.status_code == 405
    assert response.json()["errors"][0]["message"] == "Mutations must be sent with POST."
    assert [k["name"] for k in meta(client, "{ apiKeys { name } }")["apiKeys"]] == ["tests"]


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
def test_records_fields_are_not_on_metadata_and_back(client: Client, path: str) -> None:
    other = "{ objects { totalCount } }" if path == "/graphql" else "{ people { totalCount } }"
    body = gql(client, path, other)
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert body["errors"][0]["message"].startswith("Cannot query field")


def test_unauthenticated_metadata_mutation_writes_nothing(client: Client) -> None:
    response = requests.post(
        f"{client.base_url}/metadata",
        json={"query": 'mutation { createApiKey(input: {name: "Anon"}) { token } }'},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert [k["name"] for k in meta(client, "{ apiKeys { name } }")["apiKeys"]] == ["tests"]
