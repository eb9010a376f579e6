"""REST list filters and ordering: every comparator on every kind of field, exact results.

One workspace per backend is seeded once (the tests only read). Results come back in the
default order (``position``), which the seed sets explicitly, so lists compare exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from conftest import Client, Server, new_workspace


@dataclass
class Seed:
    client: Client
    ids: dict[str, str] = field(default_factory=dict)
    opportunities_created_at: tuple[str, str] = ("", "")


def created(response, key: str) -> Any:
    assert response.status_code == 201, response.text
    return response.json()["data"][key]


def object_id(client: Client, name_singular: str) -> str:
    response = client.get("/rest/metadata/objects")
    assert response.status_code == 200, response.text
    objects = response.json()["data"]["objects"]
    return next(o["id"] for o in objects if o["nameSingular"] == name_singular)


def person(first: str, last: str, position: int, **fields: Any) -> dict[str, Any]:
    return {"name": {"firstName": first, "lastName": last}, "position": position, **fields}


@pytest.fixture(scope="module")
def seed(server: Server) -> Iterator[Seed]:
    workspace_id, token = new_workspace(server.database)
    client = Client(server.base_url, token, workspace_id)
    result = Seed(client)
    ids = result.ids

    companies = created(
        client.post(
            "/rest/batch/companies",
            json=[
                {
                    "name": "Acme",
                    "employees": 10,
                    "address": {"addressCity": "Paris", "addressCountry": "France"},
                    "idealCustomerProfile": True,
                    "position": 1,
                },
                {
                    "name": "Globex",
                    "employees": 250,
                    "address": {"addressCity": "Berlin"},
                    "idealCustomerProfile": False,
                    "position": 2,
                },
                {"name": "Initech", "address": {"addressCity": "Paris"}, "position": 3},
                {
                    "name": "Umbrella",
                    "employees": 5000,
                    "idealCustomerProfile": True,
                    "position": 4,
                },
                {
                    "name": "Hooli",
                    "employees": 0,
                    "address": {"addressCity": "Lyon"},
                    "idealCustomerProfile": False,
                    "position": 5,
                },
            ],
        ),
        "createCompanies",
    )
    ids.update({c["name"]: c["id"] for c in companies})

    first_deals = created(
        client.post(
            "/rest/batch/opportunities",
            json=[
                {
                    "name": "Deal A",
                    "closeDate": "2024-01-15T09:00:00Z",
                    "companyId": ids["Acme"],
                    "position": 1,
                },
                {
                    "name": "Deal B",
                    "closeDate": "2024-03-01T00:00:00.000Z",
                    "stage": "MEETING",
                    "companyId": ids["Globex"],
                    "position": 2,
                },
            ],
        ),
        "createOpportunities",
    )

    person_object = object_id(client, "person")
    for body in (
        {
            "objectMetadataId": person_object,
            "name": "tags",
            "label": "Tags",
            "type": "MULTI_SELECT",
            "options": [
                {"value": "VIP", "label": "VIP"},
                {"value": "LEAD", "label": "Lead"},
                {"value": "PARTNER", "label": "Partner"},
            ],
        },
        {"objectMetadataId": person_object, "name": "skills", "label": "Skills", "type": "ARRAY"},
    ):
        assert client.post("/rest/metadata/fields", json=body).status_code == 201

    people = created(
        client.post(
            "/rest/batch/people",
            json=[
                person(
                    "Ada",
                    "Lovelace",
                    1,
                    city="Paris",
                    jobTitle="Engineer",
                    emails={"primaryEmail": "ada@example.com", "additionalEmails": ["ada@work.io"]},
                    companyId=ids["Acme"],
                    tags=["VIP", "LEAD"],
                    skills=["math", "poetry"],
                ),
                person(
                    "Alan",
                    "Turing",
                    2,
                    city="London",
                    jobTitle="Mathematician",
                    emails={"primaryEmail": "alan@example.org"},
                    companyId=ids["Globex"],
                    tags=["PARTNER"],
                    skills=["math"],
                ),
                person(
                    "Grace",
                    "Hopper",
                    3,
                    city="Paris, TX",
                    jobTitle="Rear Admiral (ret.)",
                    emails={"primaryEmail": "grace@navy.mil"},
                    tags=["VIP"],
                    skills=["cobol"],
                ),
                person(
                    "Linus",
                    "Torvalds",
                    4,
                    city=None,
                    jobTitle="Engineer",
                    emails={"primaryEmail": "linus@example.com"},
                    companyId=ids["Acme"],
                    tags=[],
                    skills=[],
                ),
                # No emails, tags or skills at all.
                person("Margaret", "Hamilton", 5, city="Boston", jobTitle="1000sure"),
                person(
                    "Edsger",
                    "Dijkstra",
                    6,
                    city="Amsterdam",
                    jobTitle="100%_sure",
                    emails={"primaryEmail": "edsger@example.org"},
                    companyId=ids["Globex"],
                    tags=["LEAD"],
                    skills=["algorithms"],
                ),
                # city and jobTitle left out (their default is ""), tags and skills null.
                person(
                    "Barbara",
                    "Liskov",
                    7,
                    emails={"primaryEmail": "barbara@EXAMPLE.com"},
                    tags=None,
                    skills=None,
                ),
            ],
        ),
        "createPeople",
    )
    ids.update({p["name"]["firstName"]: p["id"] for p in people})
    assert len({p["createdAt"] for p in people}) == 1
    ids["peopleCreatedAt"] = people[0]["createdAt"]

    second_deals = created(
        client.post(
            "/rest/batch/opportunities",
            json=[
                {
                    "name": "Deal C",
                    "stage": "PROPOSAL",
                    "companyId": ids["Acme"],
                    "pointOfContactId": ids["Alan"],
                    "position": 3,
                },
                {
                    "name": "Deal D",
                    "closeDate": "2024-06-30T23:59:59.999Z",
                    "stage": "CUSTOMER",
                    "pointOfContactId": ids["Ada"],
                    "position": 4,
                },
            ],
        ),
        "createOpportunities",
    )
    result.opportunities_created_at = (first_deals[0]["createdAt"], second_deals[0]["createdAt"])
    # The batches are apart by several requests, so even millisecond values differ.
    assert result.opportunities_created_at[0] < result.opportunities_created_at[1]
    ids["secondDealsCreatedAt"] = second_deals[0]["createdAt"]
    ids["secondDealsCreatedAtPlus2"] = (
        datetime.fromisoformat(second_deals[0]["createdAt"].replace("Z", "+00:00"))
        .astimezone(timezone(timedelta(hours=2)))
        .isoformat()
    )
    yield result


def label(object_plural: str, record: dict[str, Any]) -> str:
    return record["name"]["firstName"] if object_plural == "people" else record["name"]


def listed(seed: Seed, object_plural: str, **params: str) -> list[str]:
    response = seed.client.get(f"/rest/{object_plural}", params={"limit": "200", **params})
    assert response.status_code == 200, response.text
    body = response.json()
    records = body["data"][object_plural]
    assert body["totalCount"] == len(records)
    return [label(object_plural, r) for r in records]


ALL_PEOPLE = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Edsger", "Barbara"]
ALL_COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]
ALL_DEALS = ["Deal A", "Deal B", "Deal C", "Deal D"]


def without(names: list[str], *dropped: str) -> list[str]:
    return [n for n in names if n not in dropped]


PEOPLE_FILTERS = [
    # TEXT: city
    ("city[eq]:Paris", ["Ada"]),
    ('city[eq]:"Paris, TX"', ["Grace"]),
    ('city[eq]:""', ["Barbara"]),
    ("city[neq]:Paris", without(ALL_PEOPLE, "Ada")),  # neq keeps records with no value
    ("city[in]:[Paris,London]", ["Ada", "Alan"]),
    ('city[in]:["Paris, TX",Boston]', ["Grace", "Margaret"]),
    ('city[in]:["Paris, TX","Paris"]', ["Ada", "Grace"]),
    ("city[is]:NULL", ["Linus"]),
    ("city[is]:NOT_NULL", without(ALL_PEOPLE, "Linus")),
    ("city[gt]:London", ["Ada", "Grace"]),
    ("city[gte]:London", ["Ada", "Alan", "Grace"]),
    ("city[lt]:Boston", ["Edsger", "Barbara"]),
    ("city[lte]:Boston", ["Margaret", "Edsger", "Barbara"]),
    ("city[startsWith]:Par", ["Ada", "Grace"]),
    ("city[endsWith]:TX", ["Grace"]),
    ("city[like]:%on%", ["Alan", "Margaret"]),
    ("city[like]:par%", []),  # like is case-sensitive on both backends
    ("city[ilike]:par%", ["Ada", "Grace"]),
    ("city[ilike]:%DON", ["Alan"]),
    # TEXT: jobTitle; startsWith/endsWith take % and _ literally, like does not
    ("jobTitle[eq]:Engineer", ["Ada", "Linus"]),
    ("jobTitle[neq]:Engineer", ["Alan", "Grace", "Margaret", "Edsger", "Barbara"]),
    ('jobTitle[eq]:"Rear Admiral (ret.)"', ["Grace"]),
    ("jobTitle[startsWith]:100%", ["Edsger"]),
    ("jobTitle[like]:100%", ["Margaret", "Edsger"]),
    ("jobTitle[endsWith]:%_sure", ["Edsger"]),
    ("jobTitle[like]:%_sure", ["Margaret", "Edsger"]),
    ("jobTitle[ilike]:%ENGINEER%", ["Ada", "Linus"]),
    # FULL_NAME and EMAILS subfields
    ("name.firstName[eq]:Ada", ["Ada"]),
    ('name.firstName[eq]:"Ada"', ["Ada"]),
    ("name.firstName[in]:[Ada,Grace]", ["Ada", "Grace"]),
    ("name.lastName[startsWith]:T", ["Alan", "Linus"]),
    ("name.lastName[gte]:Lovelace", ["Ada", "Alan", "Linus"]),
    ("name.lastName[neq]:Turing", without(ALL_PEOPLE, "Alan")),
    ("emails.primaryEmail[endsWith]:@example.org", ["Alan", "Edsger"]),
    ("emails.primaryEmail[like]:%@example.com", ["Ada", "Linus"]),
    ("emails.primaryEmail[ilike]:%@example.com", ["Ada", "Linus", "Barbara"]),
    ('emails.primaryEmail[eq]:""', ["Margaret"]),  # a left-out subfield is "", not null
    ("emails.primaryEmail[is]:NULL", []),
    ("emails.additionalEmails[containsAny]:[ada@work.io,nobody@x.io]", ["Ada"]),
    ("emails.additionalEmails[is]:NOT_NULL", ["Ada"]),
    ("emails.additionalEmails[is]:NULL", without(ALL_PEOPLE, "Ada")),
    # MULTI_SELECT and ARRAY custom fields
    ("tags[containsAny]:[VIP]", ["Ada", "Grace"]),
    ("tags[containsAny]:[LEAD,PARTNER]", ["Ada", "Alan", "Edsger"]),
    ("tags[containsAny]:[]", []),
    ("tags[is]:NULL", ["Margaret", "Barbara"]),
    ("tags[is]:NOT_NULL", ["Ada", "Alan", "Grace", "Linus", "Edsger"]),
    ("skills[containsAny]:[math]", ["Ada", "Alan"]),
    ("skills[containsAny]:[cobol,algorithms]", ["Grace", "Edsger"]),
    # RELATION, by storage name and by field name
    ("companyId[eq]:{Acme}", ["Ada", "Linus"]),
    ("company[eq]:{Acme}", ["Ada", "Linus"]),
    ("companyId[in]:[{Acme},{Globex}]", ["Ada", "Alan", "Linus", "Edsger"]),
    ("companyId[neq]:{Acme}", ["Alan", "Grace", "Margaret", "Edsger", "Barbara"]),
    ("companyId[is]:NULL", ["Grace", "Margaret", "Barbara"]),
    ("companyId[is]:NOT_NULL", ["Ada", "Alan", "Linus", "Edsger"]),
    # system columns
    ("id[eq]:{Grace}", ["Grace"]),
    ("id[in]:[{Ada},{Grace},{Acme}]", ["Ada", "Grace"]),
    ("id[neq]:{Ada}", without(ALL_PEOPLE, "Ada")),
    ("position[lte]:2", ["Ada", "Alan"]),
    ("position[gt]:5.5", ["Edsger", "Barbara"]),
    ("position[in]:[1,7]", ["Ada", "Barbara"]),
    ("position[eq]:3", ["Grace"]),
    ("createdAt[gte]:{peopleCreatedAt}", ALL_PEOPLE),
    ("createdAt[lt]:{peopleCreatedAt}", []),
    ("updatedAt[is]:NOT_NULL", ALL_PEOPLE),
    ("deletedAt[is]:NOT_NULL", []),
    # and / or / not, nested, and an unwrapped list meaning and
    ("jobTitle[eq]:Engineer,city[eq]:Paris", ["Ada"]),
    ("jobTitle[eq]:Engineer,companyId[eq]:{Acme}", ["Ada", "Linus"]),
    ("and(jobTitle[eq]:Engineer, city[eq]:Paris)", ["Ada"]),
    (
        "and(city[in]:[Paris,London,Boston],or(jobTitle[eq]:Engineer,name.lastName[startsWith]:H))",
        ["Ada", "Margaret"],
    ),
    (
        "or(city[eq]:London,and(jobTitle[eq]:Engineer,companyId[eq]:{Acme}))",
        ["Ada", "Alan", "Linus"],
    ),
    ('or(jobTitle[eq]:"Rear Admiral (ret.)",city[eq]:London)', ["Alan", "Grace"]),
    ("not(jobTitle[eq]:Engineer)", ["Alan", "Grace", "Margaret", "Edsger", "Barbara"]),
    ("not(name.firstName[in]:[Ada,Alan])", ["Grace", "Linus", "Margaret", "Edsger", "Barbara"]),
    # several operands in not(...) mean not(and(...))
    ("not(jobTitle[eq]:Engineer,name.lastName[eq]:Lovelace)", without(ALL_PEOPLE, "Ada")),
    ("or(not(jobTitle[eq]:Engineer),name.firstName[eq]:Linus)", without(ALL_PEOPLE, "Ada")),
    (
        'or(or(name.firstName[eq]:Ada,name.firstName[eq]:Alan),and(not(city[is]:NULL),city[startsWith]:"Paris,"))',
        ["Ada", "Alan", "Grace"],
    ),
    ("and(tags[containsAny]:[VIP,LEAD],not(skills[containsAny]:[math]))", ["Grace", "Edsger"]),
]

COMPANY_FILTERS = [
    # NUMBER
    ("employees[eq]:250", ["Globex"]),
    ("employees[neq]:10", ["Globex", "Initech", "Umbrella", "Hooli"]),
    ("employees[gt]:10", ["Globex", "Umbrella"]),
    ("employees[gte]:10", ["Acme", "Globex", "Umbrella"]),
    ("employees[lt]:250", ["Acme", "Hooli"]),
    ("employees[lte]:0", ["Hooli"]),
    ("employees[lt]:10.5", ["Acme", "Hooli"]),
    ("employees[gt]:-1", ["Acme", "Globex", "Umbrella", "Hooli"]),
    ("employees[in]:[0,10,11]", ["Acme", "Hooli"]),
    ("employees[is]:NULL", ["Initech"]),
    ("employees[is]:NOT_NULL", ["Acme", "Globex", "Umbrella", "Hooli"]),
    # BOOLEAN
    ("idealCustomerProfile[eq]:true", ["Acme", "Umbrella"]),
    ("idealCustomerProfile[eq]:TRUE", ["Acme", "Umbrella"]),
    ("idealCustomerProfile[eq]:false", ["Globex", "Initech", "Hooli"]),
    ("idealCustomerProfile[neq]:true", ["Globex", "Initech", "Hooli"]),
    ("idealCustomerProfile[is]:NULL", []),
    ("idealCustomerProfile[gt]:false", ["Acme", "Umbrella"]),
    ("idealCustomerProfile[lte]:false", ["Globex", "Initech", "Hooli"]),
    ("idealCustomerProfile[in]:[true]", ["Acme", "Umbrella"]),
    # ADDRESS subfields
    ("address.addressCity[eq]:Paris", ["Acme", "Initech"]),
    ("address.addressCity[in]:[Berlin,Lyon]", ["Globex", "Hooli"]),
    ('address.addressCity[eq]:""', ["Umbrella"]),
    ("address.addressCity[startsWith]:L", ["Hooli"]),
    ("address.addressCity[neq]:Paris", ["Globex", "Umbrella", "Hooli"]),
    ("address.addressCountry[eq]:France", ["Acme"]),
    ("address.addressLat[is]:NULL", ALL_COMPANIES),
    # TEXT name
    ("name[startsWith]:U", ["Umbrella"]),
    ("name[gt]:Hooli", ["Initech", "Umbrella"]),
    ("and(address.addressCity[eq]:Paris,idealCustomerProfile[eq]:true)", ["Acme"]),
    ("or(employees[gte]:1000,employees[is]:NULL)", ["Initech", "Umbrella"]),
]

DEAL_FILTERS = [
    # DATE_TIME; values are compared as instants whatever their ISO 8601 spelling
    ("closeDate[gt]:2024-02-01T00:00:00.000Z", ["Deal B", "Deal D"]),
    ("closeDate[lt]:2024-03-01T00:00:00.000Z", ["Deal A"]),
    ("closeDate[lte]:2024-03-01T00:00:00.000Z", ["Deal A", "Deal B"]),
    ("closeDate[gte]:2024-03-01T00:00:00Z", ["Deal B", "Deal D"]),
    ("closeDate[eq]:2024-01-15T09:00:00.000Z", ["Deal A"]),
    ("closeDate[eq]:2024-01-15T09:00:00Z", ["Deal A"]),
    ("closeDate[eq]:2024-01-15T10:00:00+01:00", ["Deal A"]),
    ("closeDate[lt]:2024-01-15T09:00:00.001Z", ["Deal A"]),
    ("closeDate[gt]:2024-06-30", ["Deal D"]),
    (
        "closeDate[in]:[2024-01-15T09:00:00.000Z,2024-06-30T23:59:59.999Z]",
        ["Deal A", "Deal D"],
    ),
    ("closeDate[neq]:2024-01-15T09:00:00.000Z", ["Deal B", "Deal C", "Deal D"]),
    ("closeDate[is]:NULL", ["Deal C"]),
    ("closeDate[startsWith]:2024-0", ["Deal A", "Deal B", "Deal D"]),
    # SELECT
    ("stage[eq]:NEW", ["Deal A"]),
    ("stage[eq]:MEETING", ["Deal B"]),
    ("stage[in]:[NEW,PROPOSAL]", ["Deal A", "Deal C"]),
    ("stage[neq]:NEW", ["Deal B", "Deal C", "Deal D"]),
    ("not(stage[in]:[NEW,MEETING])", ["Deal C", "Deal D"]),
    # RELATION to two different objects
    ("companyId[eq]:{Acme}", ["Deal A", "Deal C"]),
    ("companyId[is]:NULL", ["Deal D"]),
    ("pointOfContactId[in]:[{Ada},{Alan}]", ["Deal C", "Deal D"]),
    ("pointOfContactId[eq]:{Ada}", ["Deal D"]),
    ("pointOfContactId[is]:NULL", ["Deal A", "Deal B"]),
    # createdAt: the two batches
    ("createdAt[gte]:{secondDealsCreatedAt}", ["Deal C", "Deal D"]),
    ("createdAt[lt]:{secondDealsCreatedAt}", ["Deal A", "Deal B"]),
    ('createdAt[gte]:"{secondDealsCreatedAtPlus2}"', ["Deal C", "Deal D"]),
]


@pytest.mark.parametrize(("expression", "expected"), PEOPLE_FILTERS)
def test_people_filter(seed: Seed, expression: str, expected: list[str]) -> None:
    assert listed(seed, "people", filter=expression.format_map(seed.ids)) == expected


@pytest.mark.parametrize(("expression", "expected"), COMPANY_FILTERS)
def test_company_filter(seed: Seed, expression: str, expected: list[str]) -> None:
    assert listed(seed, "companies", filter=expression.format_map(seed.ids)) == expected


@pytest.mark.parametrize(("expression", "expected"), DEAL_FILTERS)
def test_opportunity_filter(seed: Seed, expression: str, expected: list[str]) -> None:
    assert listed(seed, "opportunities", filter=expression.format_map(seed.ids)) == expected


ORDERINGS = [
    ("people", "", ALL_PEOPLE),
    ("people", "position[DescNullsLast]", ALL_PEOPLE[::-1]),
    (
        "people",
        "city[AscNullsFirst]",
        ["Linus", "Barbara", "Edsger", "Margaret", "Alan", "Ada", "Grace"],
    ),
    (
        "people",
        "city[AscNullsLast]",
        ["Barbara", "Edsger", "Margaret", "Alan", "Ada", "Grace", "Linus"],
    ),
    (
        "people",
        "city[DescNullsFirst]",
        ["Linus", "Grace", "Ada", "Alan", "Margaret", "Edsger", "Barbara"],
    ),
    (
        "people",
        "city[DescNullsLast]",
        ["Grace", "Ada", "Alan", "Margaret", "Edsger", "Barbara", "Linus"],
    ),
    (
        "people",
        "name.lastName[AscNullsFirst]",
        ["Edsger", "Margaret", "Grace", "Barbara", "Ada", "Linus", "Alan"],
    ),
    (
        "people",
        "name.lastName[DescNullsLast]",
        ["Alan", "Linus", "Ada", "Barbara", "Grace", "Margaret", "Edsger"],
    ),
    ("companies", "employees[AscNullsFirst]", ["Initech", "Hooli", "Acme", "Globex", "Umbrella"]),
    ("companies", "employees[AscNullsLast]", ["Hooli", "Acme", "Globex", "Umbrella", "Initech"]),
    ("companies", "employees[DescNullsFirst]", ["Initech", "Umbrella", "Globex", "Acme", "Hooli"]),
    ("companies", "employees[DescNullsLast]", ["Umbrella", "Globex", "Acme", "Hooli", "Initech"]),
    ("opportunities", "closeDate[AscNullsFirst]", ["Deal C", "Deal A", "Deal B", "Deal D"]),
    ("opportunities", "closeDate[AscNullsLast]", ["Deal A", "Deal B", "Deal D", "Deal C"]),
    ("opportunities", "closeDate[DescNullsFirst]", ["Deal C", "Deal D", "Deal B", "Deal A"]),
    ("opportunities", "closeDate[DescNullsLast]", ["Deal D", "Deal B", "Deal A", "Deal C"]),
    # several keys, dotted subfields among them
    (
        "companies",
        "address.addressCity[AscNullsFirst],name[DescNullsLast]",
        ["Umbrella", "Globex", "Hooli", "Initech", "Acme"],
    ),
    (
        "companies",
        "address.addressCity[DescNullsLast],name[AscNullsFirst]",
        ["Acme", "Initech", "Hooli", "Globex", "Umbrella"],
    ),
    (
        "companies",
        "idealCustomerProfile[DescNullsLast],employees[AscNullsFirst]",
        ["Acme", "Umbrella", "Initech", "Hooli", "Globex"],
    ),
    (
        "opportunities",
        "companyId[AscNullsLast],closeDate[DescNullsFirst],name",
        None,  # computed in the test: depends on the companies' random ids
    ),
]


@pytest.mark.parametrize(("object_plural", "order_by", "expected"), ORDERINGS)
def test_order_by(seed: Seed, object_plural: str, order_by: str, expected: list[str] | None):
    if expected is None:
        acme_first = seed.ids["Acme"] < seed.ids["Globex"]
        acme = ["Deal C", "Deal A"]  # closeDate null first, then descending
        expected = [*acme, "Deal B"] if acme_first else ["Deal B", *acme]
        expected.append("Deal D")  # no company: nulls last
    params = {"order_by": order_by} if order_by else {}
    assert listed(seed, object_plural, **params) == expected


def test_order_by_with_filter_and_direction_words(seed: Seed) -> None:
    names = listed(
        seed,
        "people",
        filter="jobTitle[in]:[Engineer,Mathematician]",
        order_by="jobTitle[DescNullsLast],name.firstName[DescNullsFirst]",
    )
    assert names == ["Alan", "Linus", "Ada"]


def test_order_by_without_direction_is_ascending_nulls_first(seed: Seed) -> None:
    assert listed(seed, "people", order_by="city") == [
        "Linus",
        "Barbara",
        "Edsger",
        "Margaret",
        "Alan",
        "Ada",
        "Grace",
    ]


def test_order_by_id_and_equal_keys_fall_back_to_id(seed: Seed) -> None:
    by_id = sorted(ALL_PEOPLE, key=lambda name: seed.ids[name])
    assert listed(seed, "people", order_by="id[AscNullsFirst]") == by_id
    assert listed(seed, "people", order_by="id[DescNullsLast]") == by_id[::-1]
    # every person shares one createdAt: the order is then by id
    assert listed(seed, "people", order_by="createdAt[DescNullsLast]") == by_id
