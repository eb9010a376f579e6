"""Workspace isolation: one workspace's key never reaches another workspace's data.

``client`` is workspace A (the intruder), ``other_client`` is workspace B (the victim).
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Client

EVERY_RECORD = "or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)"


def created(response, key: str) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()["data"][key]


def all_records(client: Client, plural: str) -> list[dict[str, Any]]:
    response = client.get(f"/rest/{plural}", params={"limit": "200", "filter": EVERY_RECORD})
    assert response.status_code == 200, response.text
    return response.json()["data"][plural]


def assert_not_found(response, what: str = "") -> None:
    assert response.status_code == 404, response.text
    body = response.json()
    assert body["statusCode"] == 404 and body["error"] == "NotFoundException"
    assert what in body["messages"][0]


@pytest.fixture
def victim(other_client: Client) -> dict[str, Any]:
    """Workspace B's records: a company, a person working there, an opportunity."""
    company = created(
        other_client.post("/rest/companies", json={"name": "Secret Corp", "employees": 7}),
        "createCompany",
    )
    person = created(
        other_client.post(
            "/rest/people",
            json={
                "name": {"firstName": "Bob", "lastName": "Hidden"},
                "city": "Paris",
                "companyId": company["id"],
            },
        ),
        "createPerson",
    )
    deal = created(
        other_client.post(
            "/rest/opportunities", json={"name": "Big deal", "companyId": company["id"]}
        ),
        "createOpportunity",
    )
    return {"company": company, "person": person, "opportunity": deal}


def test_foreign_records_cannot_be_read(client: Client, victim: dict[str, Any]) -> None:
    for plural, key, label in [
        ("people", "person", "Person"),
        ("companies", "company", "Company"),
        ("opportunities", "opportunity", "Opportunity"),
    ]:
        record_id = victim[key]["id"]
        assert_not_found(client.get(f"/rest/{plural}/{record_id}"), f"{label} with id {record_id}")


def test_foreign_records_are_never_listed(
    client: Client, other_client: Client, victim: dict[str, Any]
) -> None:
    mine = created(
        client.post("/rest/people", json={"name": {"firstName": "Ann"}, "city": "Paris"}),
        "createPerson",
    )
    person_id, company_id = victim["person"]["id"], victim["company"]["id"]
    queries = [
        {},
        {"filter": EVERY_RECORD},
        {"filter": f"id[eq]:{person_id}"},
        {"filter": f"id[in]:[{person_id},{mine['id']}]"},
        {"filter": "city[eq]:Paris"},
        {"filter": f"companyId[eq]:{company_id}"},
        {"filter": "name.firstName[eq]:Bob"},
        {"order_by": "city[DescNullsFirst]", "limit": "200"},
    ]
    for params in queries:
        response = client.get("/rest/people", params=params)
        assert response.status_code == 200, response.text
        ids = [p["id"] for p in response.json()["data"]["people"]]
        assert person_id not in ids, params
        assert response.json()["totalCount"] == len(ids)
    assert [p["id"] for p in all_records(client, "people")] == [mine["id"]]
    assert all_records(client, "companies") == []
    assert all_records(client, "opportunities") == []
    # and B still sees exactly its own
    assert [p["id"] for p in all_records(other_client, "people")] == [person_id]


def test_a_cursor_does_not_open_another_workspace(
    client: Client, other_client: Client, victim: dict[str, Any]
) -> None:
    created(
        other_client.post("/rest/batch/people", json=[{"city": f"C{i}"} for i in range(3)]),
        "createPeople",
    )
    foreign_page = other_client.get("/rest/people", params={"limit": "1"}).json()
    cursor = foreign_page["pageInfo"]["endCursor"]
    for params in ({"starting_after": cursor}, {"ending_before": cursor}):
        response = client.get("/rest/people", params=params)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["people"] == []
        assert response.json()["totalCount"] == 0


def test_foreign_records_cannot_be_changed(
    client: Client, other_client: Client, victim: dict[str, Any]
) -> None:
    person = victim["person"]
    path = f"/rest/people/{person['id']}"
    before = all_records(other_client, "people")

    assert_not_found(client.patch(path, json={"city": "Hacked"}), "not found")
    assert_not_found(client.delete(path, params={"soft_delete": "true"}), "not found")
    assert_not_found(client.delete(path), "not found")
    assert all_records(other_client, "people") == before

    # B soft-deletes its record: A can neither restore nor destroy it
    assert other_client.delete(path, params={"soft_delete": "true"}).status_code == 200
    deleted = all_records(other_client, "people")
    assert deleted[0]["deletedAt"] is not None
    assert_not_found(client.patch(f"/rest/restore/people/{person['id']}"), "not found")
    assert_not_found(client.delete(path), "not found")
    assert_not_found(client.patch(path, json={"city": "Hacked"}), "not found")
    assert all_records(other_client, "people") == deleted

    # B restores it itself: untouched by A's attempts
    restored = other_client.patch(f"/rest/restore/people/{person['id']}")
    assert restored.status_code == 200, restored.text
    unchanged = {k: v for k, v in person.items() if k != "updatedAt"}
    after = restored.json()["data"]["restorePerson"]
    assert {k: v for k, v in after.items() if k != "updatedAt"} == unchanged


def test_foreign_records_cannot_be_relation_targets(
    client: Client, other_client: Client, victim: dict[str, Any]
) -> None:
    company_id, person_id = victim["company"]["id"], victim["person"]["id"]
    own_company = created(client.post("/rest/companies", json={"name": "Mine"}), "createCompany")
    own_person = created(
        client.post("/rest/people", json={"name": {"firstName": "Ann"}}), "createPerson"
    )
    writes = [
        ("POST", "/rest/people", {"companyId": company_id}, "companyId"),
        (
            "POST",
            "/rest/batch/people",
            [{"companyId": own_company["id"]}, {"companyId": company_id}],
            "companyId",
        ),
        ("PATCH", f"/rest/people/{own_person['id']}", {"companyId": company_id}, "companyId"),
        ("POST", "/rest/opportunities", {"pointOfContactId": person_id}, "pointOfContactId"),
        (
            "POST",
            "/rest/opportunities",
            {"companyId": own_company["id"], "pointOfContactId": person_id},
            "pointOfContactId",
        ),
    ]
    for method, path, body, field in writes:
        response = client.request(method, path, json=body)
        assert response.status_code == 400, (method, path, response.text)
        message = response.json()["messages"][0]
        assert f"field '{field}'" in message and "in this workspace" in message, message

    assert [p["id"] for p in all_records(client, "people")] == [own_person["id"]]
    assert all_records(client, "people")[0]["companyId"] is None
    assert all_records(client, "opportunities") == []
    # B's records gained no new references either
    b_deals = all_records(other_client, "opportunities")
    assert [d["id"] for d in b_deals] == [victim["opportunity"]["id"]]
    assert [p["id"] for p in all_records(other_client, "people")] == [person_id]


def test_a_record_id_from_another_workspace_is_another_record_here(
    client: Client, other_client: Client, victim: dict[str, Any]
) -> None:
    """Ids are per workspace: whether an id is taken says nothing about other workspaces
    (no "already exists" oracle), and a record with the same id here leaves theirs alone."""
    person = victim["person"]
    response = client.post("/rest/people", json={"id": person["id"], "city": "Lyon"})
    assert response.status_code == 201, response.text
    assert [p["id"] for p in all_records(client, "people")] == [person["id"]]
    assert all_records(client, "people")[0]["city"] == "Lyon"
    assert client.delete(f"/rest/people/{person['id']}").status_code == 200
    assert other_client.get(f"/rest/people/{person['id']}").json()["data"]["person"] == person


def object_by_name(client: Client, name_singular: str) -> dict[str, Any] | None:
    response = client.get("/rest/metadata/objects")
    assert response.status_code == 200, response.text
    objects = response.json()["data"]["objects"]
    return next((o for o in objects if o["nameSingular"] == name_singular), None)


def test_foreign_metadata_is_invisible_and_untouchable(
    client: Client, other_client: Client
) -> None:
    secret = created(
        other_client.post(
            "/rest/metadata/objects",
            json={
                "nameSingular": "secret",
                "namePlural": "secrets",
                "labelSingular": "Secret",
                "labelPlural": "Secrets",
            },
        ),
        "createOneObject",
    )
    b_person = object_by_name(other_client, "person")
    assert b_person is not None
    clearance = created(
        other_client.post(
            "/rest/metadata/fields",
            json={
                "objectMetadataId": b_person["id"],
                "name": "clearance",
                "label": "Clearance",
                "type": "TEXT",
            },
        ),
        "createOneField",
    )
    created(other_client.post("/rest/secrets", json={"name": "launch codes"}), "createSecret")

    # A's metadata: standard objects only, with their standard fields
    objects = client.get("/rest/metadata/objects").json()["data"]["objects"]
    assert sorted(o["nameSingular"] for o in objects) == [
        "attachment",
        "company",
        "note",
        "opportunity",
        "person",
        "task",
    ]
    a_person = object_by_name(client, "person")
    assert a_person is not None and a_person["id"] != b_person["id"]
    assert "clearance" not in {f["name"] for f in a_person["fields"]}
    field_ids = {f["id"] for f in client.get("/rest/metadata/fields").json()["data"]["fields"]}
    assert clearance["id"] not in field_ids
    assert not field_ids & {f["id"] for f in b_person["fields"]}

    # direct access by id: 404, and nothing changes
    assert_not_found(client.get(f"/rest/metadata/objects/{secret['id']}"), "not found")
    assert_not_found(client.get(f"/rest/metadata/objects/{b_person['id']}"), "not found")
    assert_not_found(client.get(f"/rest/metadata/fields/{clearance['id']}"), "not found")
    assert_not_found(
        client.patch(f"/rest/metadata/objects/{secret['id']}", json={"labelSingular": "Mine"}),
        "not found",
    )
    assert_not_found(
        client.patch(f"/rest/metadata/fields/{clearance['id']}", json={"label": "Mine"}),
        "not found",
    )
    assert_not_found(client.delete(f"/rest/metadata/fields/{clearance['id']}"), "not found")
    assert_not_found(client.delete(f"/rest/metadata/objects/{secret['id']}"), "not found")
    assert_not_found(
        client.post(
            "/rest/metadata/fields",
            json={
                "objectMetadataId": b_person["id"],
                "name": "planted",
                "label": "Planted",
                "type": "TEXT",
            },
        ),
        "not found",
    )

    # B's names mean nothing in A's record API
    response = client.get("/rest/secrets")
    assert response.status_code == 400
    assert response.json()["messages"] == ["object 'secrets' not found"]
    response = client.post("/rest/people", json={"clearance": "top"})
    assert response.status_code == 400
    assert "field 'clearance' does not exist on object 'person'" in response.json()["messages"]
    response = client.get("/rest/people", params={"filter": "clearance[eq]:top"})
    assert response.status_code == 400
    assert "field 'clearance' does not exist" in response.json()["messages"][0]

    # B's metadata is intact
    assert (
        other_client.get(f"/rest/metadata/objects/{secret['id']}").json()["data"]["object"][
            "labelSingular"
        ]
        == "Secret"
    )
    b_field = other_client.get(f"/rest/metadata/fields/{clearance['id']}").json()["data"]["field"]
    assert b_field["label"] == "Clearance"
    b_person_after = object_by_name(other_client, "person")
    assert b_person_after is not None
    assert "planted" not in {f["name"] for f in b_person_after["fields"]}
    secrets = other_client.get("/rest/secrets").json()
    assert [s["name"] for s in secrets["data"]["secrets"]] == ["launch codes"]


def test_same_names_in_two_workspaces_stay_apart(client: Client, other_client: Client) -> None:
    for who in (client, other_client):
        created(
            who.post(
                "/rest/metadata/objects",
                json={
                    "nameSingular": "gadget",
                    "namePlural": "gadgets",
                    "labelSingular": "Gadget",
                    "labelPlural": "Gadgets",
                },
            ),
            "createOneObject",
        )
    mine = created(client.post("/rest/gadgets", json={"name": "A's"}), "createGadget")
    theirs = created(other_client.post("/rest/gadgets", json={"name": "B's"}), "createGadget")
    assert [g["id"] for g in all_records(client, "gadgets")] == [mine["id"]]
    assert [g["id"] for g in all_records(other_client, "gadgets")] == [theirs["id"]]
    assert_not_found(client.get(f"/rest/gadgets/{theirs['id']}"), "not found")
    assert_not_found(client.patch(f"/rest/gadgets/{theirs['id']}", json={"name": "x"}))
