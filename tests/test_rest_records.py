"""Records over REST: envelopes, CRUD, restore, batch, as Twenty answers them."""

from __future__ import annotations

from conftest import Client


def create_person(client: Client, first: str, last: str, **extra) -> dict:
    response = client.post(
        "/rest/people", json={"name": {"firstName": first, "lastName": last}, **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]["createPerson"]


def test_create_get_update_delete_person(client: Client) -> None:
    person = create_person(client, "Ada", "Lovelace", emails={"primaryEmail": "ada@example.com"})
    assert person["name"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert person["emails"] == {"primaryEmail": "ada@example.com", "additionalEmails": None}
    assert person["deletedAt"] is None and person["createdAt"].endswith("Z")

    fetched = client.get(f"/rest/people/{person['id']}").json()["data"]["person"]
    assert fetched == person

    updated = client.patch(
        f"/rest/people/{person['id']}", json={"jobTitle": "Analyst", "name": {"lastName": "King"}}
    )
    assert updated.status_code == 200, updated.text
    body = updated.json()["data"]["updatePerson"]
    assert body["jobTitle"] == "Analyst"
    assert body["name"] == {"firstName": "Ada", "lastName": "King"}

    deleted = client.delete(f"/rest/people/{person['id']}")
    assert deleted.status_code == 200
    assert deleted.json() == {"data": {"deletePerson": {"id": person["id"]}}}
    assert client.get(f"/rest/people/{person['id']}").status_code == 404


def test_soft_delete_hides_from_list_and_restore_brings_back(client: Client) -> None:
    person = create_person(client, "Grace", "Hopper")
    response = client.delete(f"/rest/people/{person['id']}", params={"soft_delete": "true"})
    assert response.status_code == 200
    assert client.get("/rest/people").json()["totalCount"] == 0
    deleted = client.get("/rest/people", params={"filter": "deletedAt[is]:NOT_NULL"}).json()
    assert [p["id"] for p in deleted["data"]["people"]] == [person["id"]]

    restored = client.patch(f"/rest/restore/people/{person['id']}")
    assert restored.status_code == 200, restored.text
    assert restored.json()["data"]["restorePerson"]["deletedAt"] is None
    assert client.get("/rest/people").json()["totalCount"] == 1


def test_batch_create_is_all_or_nothing(client: Client) -> None:
    good = {"name": {"firstName": "A", "lastName": "B"}}
    response = client.post("/rest/batch/people", json=[good, {"jobTitle": 5}])
    assert response.status_code == 400
    assert "[1] field 'jobTitle'" in response.json()["messages"][0]
    assert client.get("/rest/people").json()["totalCount"] == 0

    response = client.post("/rest/batch/people", json=[good, good])
    assert response.status_code == 201
    assert len(response.json()["data"]["createPeople"]) == 2
    assert client.get("/rest/people").json()["totalCount"] == 2


def test_list_envelope_filter_and_order(client: Client) -> None:
    for first, last in [("Ada", "Lovelace"), ("Alan", "Turing"), ("Ada", "Byron")]:
        create_person(client, first, last)
    response = client.get(
        "/rest/people",
        params={"filter": "name.firstName[eq]:Ada", "order_by": "name.lastName[AscNullsFirst]"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totalCount"] == 2
    assert [p["name"]["lastName"] for p in body["data"]["people"]] == ["Byron", "Lovelace"]
    assert set(body["pageInfo"]) >= {"hasNextPage", "startCursor", "endCursor"}
    assert body["pageInfo"]["hasNextPage"] is False


def test_relation_is_written_as_id_and_checked(client: Client, other_client: Client) -> None:
    company = client.post("/rest/companies", json={"name": "Acme"}).json()["data"]["createCompany"]
    person = create_person(client, "Ada", "L", companyId=company["id"])
    assert person["companyId"] == company["id"]

    foreign = other_client.post("/rest/companies", json={"name": "Other"}).json()["data"][
        "createCompany"
    ]
    response = client.post("/rest/people", json={"companyId": foreign["id"]})
    assert response.status_code == 400
    assert "companyId" in response.json()["messages"][0]
