"""Relation fields come in pairs: created over ``/metadata`` (our ``settings`` or Twenty's
``relationCreationPayload``), both sides resolving over ``/graphql``, deleted together; morph
relations (one id per target object); unique fields as relation ``connect`` keys.
"""

from __future__ import annotations

from typing import Any

from conftest import Client
from graphql_support import create_field as add_field
from graphql_support import gql, ok

RELATION = """
    relation {
        type
        sourceObjectMetadata { nameSingular }
        targetObjectMetadata { nameSingular }
        sourceFieldMetadata { name }
        targetFieldMetadata { name }
    }
"""


# helpers


def objects(client: Client) -> dict[str, dict[str, Any]]:
    """Every object by nameSingular, with its fields by name."""
    edges = ok(
        client,
        "{ objects(paging: {first: 100}) { edges { node { id nameSingular "
        "fields(paging: {first: 100}) { edges { node { id name label icon type isUnique "
        f"settings {RELATION} "
        "morphRelations { type targetObjectMetadata { nameSingular } "
        "targetFieldMetadata { name } } } } } } } } }",
        path="/metadata",
    )["objects"]["edges"]
    return {
        edge["node"]["nameSingular"]: {
            "id": edge["node"]["id"],
            "fields": {f["node"]["name"]: f["node"] for f in edge["node"]["fields"]["edges"]},
        }
        for edge in edges
    }


def create_object(client: Client, singular: str, plural: str) -> str:
    label = singular.capitalize()
    return ok(
        client,
        "mutation O($input: CreateOneObjectInput!) { createOneObject(input: $input) { id } }",
        {
            "input": {
                "object": {
                    "nameSingular": singular,
                    "namePlural": plural,
                    "labelSingular": label,
                    "labelPlural": label + "s",
                }
            }
        },
        path="/metadata",
    )["createOneObject"]["id"]


def create_field(client: Client, object_name: str, **field: Any) -> dict[str, Any]:
    return add_field(client, object_name, f"id name type isUnique {RELATION}", **field)


def delete_field(client: Client, field_id: str) -> None:
    ok(
        client,
        f'mutation {{ deleteOneField(input: {{id: "{field_id}"}}) {{ id }} }}',
        path="/metadata",
    )


def create(client: Client, singular: str, data: dict[str, Any], fields: str = "id") -> Any:
    kind = singular[:1].upper() + singular[1:]
    query = f"mutation N($data: {kind}CreateInput!) {{ create{kind}(data: $data) {{ {fields} }} }}"
    return ok(client, query, {"data": data})[f"create{kind}"]


def refused(client: Client, query: str, variables: dict | None = None, *, naming: str) -> None:
    body = gql(client, "/graphql", query, variables)
    assert not any((body.get("data") or {}).values()), body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert naming in error["message"], error


def type_fields(client: Client, type_name: str) -> set[str]:
    found = ok(client, f'{{ __type(name: "{type_name}") {{ fields {{ name }} }} }}')["__type"]
    return {field["name"] for field in found["fields"]}


def input_fields(client: Client, type_name: str) -> set[str]:
    found = ok(client, f'{{ __type(name: "{type_name}") {{ inputFields {{ name }} }} }}')
    return {field["name"] for field in found["__type"]["inputFields"]}


def relation_of(
    kind: str, source: str, target: str, source_field: str, target_field: str
) -> dict[str, Any]:
    return {
        "type": kind,
        "sourceObjectMetadata": {"nameSingular": source},
        "targetObjectMetadata": {"nameSingular": target},
        "sourceFieldMetadata": {"name": source_field},
        "targetFieldMetadata": {"name": target_field},
    }


# RELATION fields


def test_relation_field_creates_its_inverse_and_both_sides_resolve(client: Client) -> None:
    create_object(client, "project", "projects")
    owner = create_field(
        client,
        "project",
        name="owner",
        label="Owner",
        type="RELATION",
        settings={"relationType": "MANY_TO_ONE", "targetObject": "person"},
    )
    assert owner["relation"] == relation_of("MANY_TO_ONE", "project", "person", "owner", "projects")
    inverse = objects(client)["person"]["fields"]["projects"]
    assert inverse["type"] == "RELATION"
    assert inverse["relation"] == relation_of(
        "ONE_TO_MANY", "person", "project", "projects", "owner"
    )

    ada = create(client, "person", {"name": {"firstName": "Ada", "lastName": "Lovelace"}})["id"]
    apollo = create(
        client,
        "project",
        {"name": "Apollo", "ownerId": ada},
        "ownerId owner { name { firstName } }",
    )
    assert apollo == {"ownerId": ada, "owner": {"name": {"firstName": "Ada"}}}
    create(client, "project", {"name": "Gemini", "owner": {"connect": {"where": {"id": ada}}}})
    create(client, "project", {"name": "Mercury"})
    found = ok(
        client,
        f'{{ person(filter: {{id: {{eq: "{ada}"}}}}) '
        "{ projects(orderBy: [{name: AscNullsFirst}]) "
        "{ totalCount edges { node { name ownerId } } } } }",
    )["person"]["projects"]
    assert found["totalCount"] == 2
    assert [edge["node"] for edge in found["edges"]] == [
        {"name": "Apollo", "ownerId": ada},
        {"name": "Gemini", "ownerId": ada},
    ]
    owned = ok(client, f'{{ projects(filter: {{ownerId: {{eq: "{ada}"}}}}) {{ totalCount }} }}')
    assert owned == {"projects": {"totalCount": 2}}
    assert {"owner", "ownerId"} <= input_fields(client, "ProjectCreateInput")
    assert "projects" not in input_fields(client, "PersonCreateInput")


def test_relation_creation_payload_as_twenty_sends_it(client: Client) -> None:
    project_id = create_object(client, "project", "projects")
    company_id = objects(client)["company"]["id"]
    sponsor = create_field(
        client,
        "project",
        name="sponsor",
        label="Sponsor",
        type="RELATION",
        relationCreationPayload={
            "type": "MANY_TO_ONE",
            "targetObjectMetadataId": company_id,
            "targetFieldLabel": "Sponsored Projects",
            "targetFieldIcon": "IconBuilding",
        },
    )
    assert sponsor["relation"] == relation_of(
        "MANY_TO_ONE", "project", "company", "sponsor", "sponsoredProjects"
    )
    inverse = objects(client)["company"]["fields"]["sponsoredProjects"]
    assert (inverse["label"], inverse["icon"]) == ("Sponsored Projects", "IconBuilding")

    # the one-to-many side first: the many-to-one side lands on the target object
    led = create_field(
        client,
        "company",
        name="ledProjects",
        label="Led Projects",
        type="RELATION",
        relationCreationPayload={
            "type": "ONE_TO_MANY",
            "targetObjectMetadataId": project_id,
            "targetFieldLabel": "Lead Company",
        },
    )
    assert led["relation"] == relation_of(
        "ONE_TO_MANY", "company", "project", "ledProjects", "leadCompany"
    )
    acme = create(client, "company", {"name": "Acme"})["id"]
    made = create(
        client,
        "project",
        {"name": "Apollo", "sponsorId": acme, "leadCompany": {"connect": {"where": {"id": acme}}}},
        "sponsor { name } leadCompanyId",
    )
    assert made == {"sponsor": {"name": "Acme"}, "leadCompanyId": acme}
    both = ok(
        client,
        f'{{ company(filter: {{id: {{eq: "{acme}"}}}}) {{ '
        "sponsoredProjects { edges { node { name } } } ledProjects { totalCount } } }",
    )["company"]
    assert both == {
        "sponsoredProjects": {"edges": [{"node": {"name": "Apollo"}}]},
        "ledProjects": {"totalCount": 1},
    }


def test_deleting_one_side_of_a_relation_deletes_both(client: Client) -> None:
    create_object(client, "project", "projects")
    owner = create_field(
        client,
        "project",
        name="owner",
        label="Owner",
        type="RELATION",
        settings={"targetObject": "person"},
    )
    ada = create(client, "person", {})["id"]
    create(client, "project", {"name": "Apollo", "ownerId": ada})
    inverse_id = objects(client)["person"]["fields"]["projects"]["id"]

    delete_field(client, inverse_id)
    after = objects(client)
    assert "projects" not in after["person"]["fields"]
    assert "owner" not in after["project"]["fields"]
    assert "projects" not in type_fields(client, "Person")
    assert not {"owner", "ownerId"} & type_fields(client, "Project")
    refused(
        client,
        f'mutation {{ createProject(data: {{ownerId: "{ada}"}}) {{ id }} }}',
        naming="ownerId",
    )
    # the other order: the many-to-one side
    again = create_field(
        client,
        "project",
        name="owner",
        label="Owner",
        type="RELATION",
        settings={"targetObject": "person"},
    )
    assert again["id"] != owner["id"]
    assert ok(client, "{ projects { edges { node { ownerId } } } }") == {
        "projects": {"edges": [{"node": {"ownerId": None}}]}
    }
    delete_field(client, again["id"])
    assert "projects" not in objects(client)["person"]["fields"]


# MORPH_RELATION fields

NOTES = "notes { edges { node { title } } }"


def test_morph_relation_stores_one_id_per_target(client: Client) -> None:
    target = create_field(
        client,
        "note",
        name="target",
        label="Target",
        type="MORPH_RELATION",
        settings={"targetObjects": ["person", "company"]},
    )
    assert target["type"] == "MORPH_RELATION"
    fields = objects(client)
    morphs = fields["note"]["fields"]["target"]["morphRelations"]
    assert sorted(
        (m["type"], m["targetObjectMetadata"]["nameSingular"], m["targetFieldMetadata"]["name"])
        for m in morphs
    ) == [("MANY_TO_ONE", "company", "notes"), ("MANY_TO_ONE", "person", "notes")]
    assert fields["person"]["fields"]["notes"]["type"] == "RELATION"
    assert fields["company"]["fields"]["notes"]["type"] == "RELATION"
    assert {"targetPersonId", "targetPerson", "targetCompanyId", "targetCompany"} <= type_fields(
        client, "Note"
    )

    ada = create(client, "person", {"name": {"firstName": "Ada", "lastName": "Lovelace"}})["id"]
    acme = create(client, "company", {"name": "Acme"})["id"]
    shown = (
        "title targetPersonId targetPerson { name { firstName } } "
        "targetCompanyId targetCompany { name }"
    )
    call = create(client, "note", {"title": "Call", "targetPersonId": ada}, shown)
    assert call == {
        "title": "Call",
        "targetPersonId": ada,
        "targetPerson": {"name": {"firstName": "Ada"}},
        "targetCompanyId": None,
        "targetCompany": None,
    }
    deal = create(
        client,
        "note",
        {"title": "Deal", "targetCompany": {"connect": {"where": {"id": acme}}}},
        shown,
    )
    assert (deal["targetCompanyId"], deal["targetCompany"], deal["targetPersonId"]) == (
        acme,
        {"name": "Acme"},
        None,
    )
    inverses = ok(
        client,
        f'{{ person(filter: {{id: {{eq: "{ada}"}}}}) {{ {NOTES} }} '
        f'company(filter: {{id: {{eq: "{acme}"}}}}) {{ {NOTES} }} }}',
    )
    assert inverses == {
        "person": {"notes": {"edges": [{"node": {"title": "Call"}}]}},
        "company": {"notes": {"edges": [{"node": {"title": "Deal"}}]}},
    }
    refused(
        client,
        f'mutation {{ createNote(data: {{targetPersonId: "{acme}"}}) {{ id }} }}',
        naming="targetPersonId",
    )

    delete_field(client, target["id"])
    after = objects(client)
    assert "target" not in after["note"]["fields"]
    assert "notes" not in after["person"]["fields"]
    assert "notes" not in after["company"]["fields"]


# unique fields, as Twenty's `isUnique`


def test_unique_text_field_is_enforced_and_a_connect_key(client: Client) -> None:
    code = create_field(client, "company", name="code", label="Code", type="TEXT", isUnique=True)
    assert code["isUnique"] is True
    assert objects(client)["company"]["fields"]["code"]["isUnique"] is True
    assert input_fields(client, "CompanyWhereUniqueInput") == {"id", "domainName", "code"}

    acme = create(client, "company", {"name": "Acme", "code": "AC"})["id"]
    refused(client, 'mutation { createCompany(data: {code: "AC"}) { id } }', naming="code")
    made = create(
        client,
        "person",
        {"company": {"connect": {"where": {"code": "AC"}}}},
        "companyId",
    )
    assert made == {"companyId": acme}

    ok(
        client,
        f'mutation {{ updateOneField(input: {{id: "{code["id"]}", update: {{isUnique: false}}}}) '
        "{ id } }",
        path="/metadata",
    )
    create(client, "company", {"code": "AC"})
    body = gql(
        client,
        "/metadata",
        f'mutation {{ updateOneField(input: {{id: "{code["id"]}", update: {{isUnique: true}}}}) '
        "{ id } }",
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "code" in body["errors"][0]["message"]
