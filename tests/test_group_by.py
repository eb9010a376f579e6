"""GROUP BY with aggregates, as Twenty serves it: ``companiesGroupBy`` on ``/graphql``,
``GET /rest/{objects}/groupBy`` (a bare JSON array), and aggregate fields on connections."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlmodel import select

from conftest import Client, Server, new_workspace
from graphql_support import gql, ok
from hookwire.database import transaction
from hookwire.models import Record

# helpers


def rest_groups(client: Client, plural: str, group_by: list, **params: Any) -> list[dict]:
    """``GET /rest/{plural}/groupBy``; JSON-valued parameters are given as Python values."""
    query = {"group_by": json.dumps(group_by)}
    for name, value in params.items():
        query[name] = value if isinstance(value, str) else json.dumps(value)
    response = client.get(f"/rest/{plural}/groupBy", params=query)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list), body
    return body


def rest_error(client: Client, plural: str, **params: str) -> str:
    """The single message of a groupBy request that must be refused with 400."""
    response = client.get(f"/rest/{plural}/groupBy", params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["statusCode"] == 400 and body["error"] == "BadRequestException", body
    assert len(body["messages"]) == 1, body
    return body["messages"][0]


def gql_groups(
    client: Client,
    singular: str,
    plural: str,
    group_by: list,
    selection: str = "totalCount",
    **args: Any,
) -> list[dict]:
    """``<plural>GroupBy`` with its arguments as variables."""
    name = singular[:1].upper() + singular[1:]
    types = {
        "groupBy": f"[{name}GroupByInput!]!",
        "filter": f"{name}FilterInput",
        "orderBy": f"[{name}OrderByWithGroupByInput!]",
        "orderByForRecords": f"[{name}OrderByInput!]",
        "limit": "Int",
    }
    variables = {"groupBy": group_by, **args}
    declared = ", ".join(f"${key}: {types[key]}" for key in variables)
    passed = ", ".join(f"{key}: ${key}" for key in variables)
    document = (
        f"query G({declared}) {{ {plural}GroupBy({passed}) "
        f"{{ groupByDimensionValues {selection} }} }}"
    )
    return ok(client, document, variables)[f"{plural}GroupBy"]


def counted(groups: list[dict]) -> list[tuple[list, int]]:
    return [(group["groupByDimensionValues"], group["totalCount"]) for group in groups]


def graphql_error(client: Client, query: str) -> dict[str, Any]:
    body = gql(client, "/graphql", query)
    assert body.get("data") in (None, {}) or not any(body["data"].values()), body
    assert len(body["errors"]) == 1, body
    return body["errors"][0]


def create(client: Client, plural: str, items: list[dict]) -> list[dict]:
    response = client.post(f"/rest/batch/{plural}", json=items)
    assert response.status_code == 201, response.text
    return next(iter(response.json()["data"].values()))


def set_created_at(server: Server, moments: dict[str, str]) -> None:
    """Back-date records: the API sets ``createdAt`` itself."""
    with transaction(server.database.engine) as session:
        for record_id, moment in moments.items():
            # Ids are per workspace; these are random, so one record has each.
            row = session.exec(select(Record).where(Record.id == record_id)).one()
            row.created_at = datetime.fromisoformat(moment)


# one workspace of companies, people and opportunities, read by most tests


@pytest.fixture(scope="module")
def crm(server: Server) -> Iterator[Client]:
    workspace_id, token = new_workspace(server.database)
    crm = Client(server.base_url, token, workspace_id)
    acme, globex, _initech = create(
        crm,
        "companies",
        [
            {"name": "Acme", "employees": 10, "idealCustomerProfile": True,
             "domainName": {"primaryLinkUrl": "https://acme.example"}},
            {"name": "Globex", "employees": 30},
            {"name": "Initech"},
        ],
    )  # fmt: skip
    people = create(
        crm,
        "people",
        [
            {"name": {"firstName": "Ada", "lastName": "Lovelace"}, "city": "Paris",
             "companyId": acme["id"]},
            {"name": {"firstName": "Alan", "lastName": "Turing"}, "city": "Paris",
             "companyId": globex["id"]},
            {"name": {"firstName": "Grace", "lastName": "Hopper"}, "city": "London"},
            {"name": {"firstName": "Augusta", "lastName": "Lovelace"}, "city": "",
             "companyId": acme["id"]},
            {"name": {"firstName": "Tim", "lastName": "Lee"}, "city": "London"},
        ],
    )  # fmt: skip
    moments = ["2024-01-15T10:00:00+00:00", "2024-01-15T23:30:00+00:00",
               "2024-02-03T09:00:00+00:00", "2024-03-20T12:00:00+00:00",
               "2024-03-21T12:00:00+00:00"]  # fmt: skip
    set_created_at(server, {p["id"]: m for p, m in zip(people, moments, strict=True)})
    create(
        crm,
        "opportunities",
        [
            {"name": "o1", "closeDate": "2024-01-31T23:30:00Z",
             "amount": {"amountMicros": 1_000_000, "currencyCode": "EUR"}},
            {"name": "o2", "closeDate": "2024-02-01T10:00:00Z",
             "amount": {"amountMicros": 3_000_000, "currencyCode": "EUR"}},
            {"name": "o3", "closeDate": "2024-04-07T22:30:00Z"},
        ],
    )  # fmt: skip
    crm.ids = {"acme": acme["id"], "globex": globex["id"]}  # type: ignore[attr-defined]
    yield crm


# dimensions


def test_people_by_city_with_aggregates(crm: Client) -> None:
    aggregates = ["totalCount", "countNotEmptyCompany", "percentageEmptyCity"]
    message = rest_error(
        crm, "people", group_by='[{"city": true}]', aggregate=json.dumps(aggregates)
    )
    assert "unknown aggregate 'countNotEmptyCompany'" in message  # relations have none

    aggregates = ["totalCount", "countNotEmptyName", "percentageEmptyCity", "countUniqueValuesCity"]
    groups = rest_groups(crm, "people", [{"city": True}], aggregate=aggregates)
    assert groups == [
        {"totalCount": 1, "countNotEmptyName": 1, "percentageEmptyCity": 1,
         "countUniqueValuesCity": 0, "groupByDimensionValues": [""]},
        {"totalCount": 2, "countNotEmptyName": 2, "percentageEmptyCity": 0,
         "countUniqueValuesCity": 1, "groupByDimensionValues": ["London"]},
        {"totalCount": 2, "countNotEmptyName": 2, "percentageEmptyCity": 0,
         "countUniqueValuesCity": 1, "groupByDimensionValues": ["Paris"]},
    ]  # fmt: skip
    assert gql_groups(crm, "person", "people", [{"city": True}], " ".join(aggregates)) == groups


def test_people_by_last_name_a_composite_subfield(crm: Client) -> None:
    expected = [(["Hopper"], 1), (["Lee"], 1), (["Lovelace"], 2), (["Turing"], 1)]
    group_by = [{"name": {"lastName": True}}]
    assert counted(rest_groups(crm, "people", group_by, aggregate=["totalCount"])) == expected
    assert counted(gql_groups(crm, "person", "people", group_by)) == expected


def test_people_by_company_id_with_a_null_group(crm: Client) -> None:
    acme, globex = crm.ids["acme"], crm.ids["globex"]  # type: ignore[attr-defined]
    group_by = [{"companyId": True}]
    order = [{"companyId": "AscNullsLast"}]
    rest = counted(rest_groups(crm, "people", group_by, aggregate=["totalCount"], order_by=order))
    assert sorted(rest[:2]) == sorted([([acme], 2), ([globex], 1)])
    assert rest[2] == ([None], 2)
    assert counted(gql_groups(crm, "person", "people", group_by, orderBy=order)) == rest


def test_two_dimensions_and_no_dimension(crm: Client) -> None:
    two = rest_groups(
        crm, "people", [{"city": True}, {"name": {"lastName": True}}], aggregate=["totalCount"]
    )
    assert counted(two) == [
        (["", "Lovelace"], 1), (["London", "Hopper"], 1), (["London", "Lee"], 1),
        (["Paris", "Lovelace"], 1), (["Paris", "Turing"], 1),
    ]  # fmt: skip
    everything = rest_groups(crm, "people", [], aggregate=["totalCount", "countEmptyCity"])
    assert everything == [{"totalCount": 5, "countEmptyCity": 1, "groupByDimensionValues": []}]


def test_people_by_created_at_day_and_month(crm: Client) -> None:
    cases = [
        ({"granularity": "DAY", "timeZone": "UTC"},
         [(["2024-01-15"], 2), (["2024-02-03"], 1), (["2024-03-20"], 1), (["2024-03-21"], 1)]),
        ({"granularity": "DAY", "timeZone": "+02:00"},
         [(["2024-01-15"], 1), (["2024-01-16"], 1), (["2024-02-03"], 1), (["2024-03-20"], 1),
          (["2024-03-21"], 1)]),
        ({"granularity": "MONTH", "timeZone": "UTC"},
         [(["2024-01-01"], 2), (["2024-02-01"], 1), (["2024-03-01"], 2)]),
    ]  # fmt: skip
    for granularity, expected in cases:
        group_by = [{"createdAt": granularity}]
        rest = rest_groups(crm, "people", group_by, aggregate=["totalCount"])
        assert counted(rest) == expected, granularity
        assert counted(gql_groups(crm, "person", "people", group_by)) == expected, granularity


CLOSE_DATES = ["2024-01-31T23:30:00.000Z", "2024-02-01T10:00:00.000Z", "2024-04-07T22:30:00.000Z"]
GRANULARITY_CASES = [
    ("DAY", "UTC", None, [("2024-01-31", 1), ("2024-02-01", 1), ("2024-04-07", 1)]),
    # Paris is +01:00 in winter and +02:00 in summer; a fixed +01:00 is not.
    ("DAY", "Europe/Paris", None, [("2024-02-01", 2), ("2024-04-08", 1)]),
    ("DAY", "+01:00", None, [("2024-02-01", 2), ("2024-04-07", 1)]),
    ("DAY", "America/New_York", None, [("2024-01-31", 1), ("2024-02-01", 1), ("2024-04-07", 1)]),
    ("WEEK", "UTC", None, [("2024-01-29", 2), ("2024-04-01", 1)]),
    ("WEEK", "Europe/Paris", None, [("2024-01-29", 2), ("2024-04-08", 1)]),
    ("WEEK", "UTC", "SUNDAY", [("2024-01-28", 2), ("2024-04-07", 1)]),
    ("WEEK", "UTC", "SATURDAY", [("2024-01-27", 2), ("2024-04-06", 1)]),
    ("MONTH", "UTC", None, [("2024-01-01", 1), ("2024-02-01", 1), ("2024-04-01", 1)]),
    ("MONTH", "Europe/Paris", None, [("2024-02-01", 2), ("2024-04-01", 1)]),
    ("QUARTER", "UTC", None, [("2024-01-01", 2), ("2024-04-01", 1)]),
    ("YEAR", "-05:00", None, [("2024-01-01", 3)]),
    ("DAY_OF_THE_WEEK", None, None, [("Sunday", 1), ("Thursday", 1), ("Wednesday", 1)]),
    ("DAY_OF_THE_WEEK", "Europe/Paris", None, [("Monday", 1), ("Thursday", 2)]),
    ("MONTH_OF_THE_YEAR", None, None, [("April", 1), ("February", 1), ("January", 1)]),
    ("QUARTER_OF_THE_YEAR", None, None, [("Q1", 2), ("Q2", 1)]),
    ("NONE", None, None, [(moment, 1) for moment in CLOSE_DATES]),
]


@pytest.mark.parametrize(("granularity", "zone", "week_start", "expected"), GRANULARITY_CASES)
def test_date_granularities_on_both_transports(
    crm: Client, granularity: str, zone: str | None, week_start: str | None, expected: list
) -> None:
    spec = {"granularity": granularity}
    if zone:
        spec["timeZone"] = zone
    if week_start:
        spec["weekStartDay"] = week_start
    group_by = [{"closeDate": spec}]
    wanted = [([value], count) for value, count in expected]
    assert counted(rest_groups(crm, "opportunities", group_by, aggregate=["totalCount"])) == wanted
    assert counted(gql_groups(crm, "opportunity", "opportunities", group_by)) == wanted


# aggregates


def test_number_boolean_and_percentage_aggregates_per_group(crm: Client) -> None:
    aggregates = [
        "totalCount", "sumEmployees", "avgEmployees", "minEmployees", "maxEmployees",
        "countEmptyEmployees", "percentageNotEmptyEmployees", "countTrueIdealCustomerProfile",
        "countNotEmptyDomainName",
    ]  # fmt: skip
    groups = rest_groups(crm, "companies", [{"idealCustomerProfile": True}], aggregate=aggregates)
    assert groups == [
        {"totalCount": 2, "sumEmployees": 30, "avgEmployees": 30, "minEmployees": 30,
         "maxEmployees": 30, "countEmptyEmployees": 1, "percentageNotEmptyEmployees": 0.5,
         "countTrueIdealCustomerProfile": 0, "countNotEmptyDomainName": 0,
         "groupByDimensionValues": ["false"]},
        {"totalCount": 1, "sumEmployees": 10, "avgEmployees": 10, "minEmployees": 10,
         "maxEmployees": 10, "countEmptyEmployees": 0, "percentageNotEmptyEmployees": 1,
         "countTrueIdealCustomerProfile": 1, "countNotEmptyDomainName": 1,
         "groupByDimensionValues": ["true"]},
    ]  # fmt: skip
    overall = rest_groups(
        crm, "companies", [], aggregate=["avgEmployees", "percentageEmptyEmployees"]
    )
    assert overall[0]["avgEmployees"] == 20
    assert overall[0]["percentageEmptyEmployees"] == pytest.approx(1 / 3)


def test_date_and_currency_aggregates(crm: Client) -> None:
    groups = rest_groups(
        crm,
        "people",
        [{"createdAt": {"granularity": "MONTH", "timeZone": "UTC"}}],
        aggregate=["minCreatedAt", "maxCreatedAt"],
        order_by=[{"createdAt": {"orderBy": "DescNullsLast", "granularity": "MONTH"}}],
        limit="1",
    )
    assert groups == [
        {"minCreatedAt": "2024-03-20T12:00:00.000Z", "maxCreatedAt": "2024-03-21T12:00:00.000Z",
         "groupByDimensionValues": ["2024-03-01"]}
    ]  # fmt: skip
    selection = (
        "minCloseDate maxCloseDate sumAmountAmountMicros avgAmountAmountMicros "
        "maxAmountAmountMicros countEmptyAmount"
    )
    [everything] = gql_groups(crm, "opportunity", "opportunities", [], selection)
    assert everything == {
        "groupByDimensionValues": [], "minCloseDate": CLOSE_DATES[0],
        "maxCloseDate": CLOSE_DATES[2], "sumAmountAmountMicros": 4_000_000,
        "avgAmountAmountMicros": 2_000_000, "maxAmountAmountMicros": 3_000_000,
        "countEmptyAmount": 1,
    }  # fmt: skip


def test_composite_emptiness_follows_twenty(client: Client) -> None:
    create(
        client,
        "people",
        [
            {"name": {"firstName": "Ada", "lastName": ""}},  # one name is enough
            {"name": {"firstName": "", "lastName": ""}},
            {},
            {"emails": {"primaryEmail": "", "additionalEmails": ["x@example.com"]}},
            {"emails": {"primaryEmail": "ada@example.com"}},
        ],
    )
    [everything] = rest_groups(
        client,
        "people",
        [],
        aggregate=["countEmptyName", "countNotEmptyName", "countNotEmptyEmails",
                   "countUniqueValuesName"],
    )  # fmt: skip
    assert everything == {
        "countEmptyName": 4, "countNotEmptyName": 1, "countNotEmptyEmails": 1,
        "countUniqueValuesName": 1, "groupByDimensionValues": [],
    }  # fmt: skip


def test_connection_aggregates_cover_the_filter_not_the_page(crm: Client) -> None:
    data = ok(
        crm,
        """{ companies(first: 1, filter: {name: {neq: "Initech"}}) {
              totalCount countNotEmptyName sumEmployees percentageEmptyEmployees
              edges { node { name } } } }""",
    )["companies"]
    assert data == {
        "totalCount": 2, "countNotEmptyName": 2, "sumEmployees": 40,
        "percentageEmptyEmployees": 0, "edges": [{"node": {"name": "Acme"}}],
    }  # fmt: skip
    plain = ok(crm, "{ companies { totalCount countNotEmptyName sumEmployees } }")["companies"]
    assert plain == {"totalCount": 3, "countNotEmptyName": 3, "sumEmployees": 40}


def test_aggregates_on_a_relation_connection_and_through_fragments(crm: Client) -> None:
    data = ok(
        crm,
        """query { companies(filter: {name: {eq: "Acme"}}) { edges { node {
              people { ...Counts } } } } }
           fragment Counts on PersonConnection { totalCount countEmptyCity countNotEmptyCity }""",
    )
    people = data["companies"]["edges"][0]["node"]["people"]
    assert people == {"totalCount": 2, "countEmptyCity": 1, "countNotEmptyCity": 1}


# filters, ordering, limits


def test_filter_narrows_the_groups(crm: Client) -> None:
    expected = [([""], 1), (["Paris"], 1)]
    rest = rest_groups(
        crm, "people", [{"city": True}], aggregate=["totalCount"],
        filter="name.lastName[eq]:Lovelace",
    )  # fmt: skip
    assert counted(rest) == expected
    over_graphql = gql_groups(
        crm, "person", "people", [{"city": True}], filter={"name": {"lastName": {"eq": "Lovelace"}}}
    )
    assert counted(over_graphql) == expected


def test_order_by_aggregate_then_dimension_with_a_limit(crm: Client) -> None:
    order = [{"aggregate": {"totalCount": "DescNullsLast"}}, {"city": "DescNullsLast"}]
    expected = [(["Paris"], 2), (["London"], 2)]
    rest = rest_groups(
        crm, "people", [{"city": True}], aggregate=["totalCount"], order_by=order, limit="2"
    )
    assert counted(rest) == expected
    assert (
        counted(gql_groups(crm, "person", "people", [{"city": True}], orderBy=order, limit=2))
        == expected
    )
    by_name = [{"name": {"lastName": "DescNullsFirst"}}]
    groups = gql_groups(crm, "person", "people", [{"name": {"lastName": True}}], orderBy=by_name)
    assert [g["groupByDimensionValues"][0] for g in groups] == [
        "Turing",
        "Lovelace",
        "Lee",
        "Hopper",
    ]


def test_group_limit_defaults_to_fifty_and_is_capped(client: Client) -> None:
    create(client, "companies", [{"name": f"Company {i:02d}"} for i in range(55)])
    for limit, expected in ((None, 50), ("0", 50), ("7", 7), ("500", 55)):
        params = {"aggregate": ["totalCount"], **({"limit": limit} if limit else {})}
        assert len(rest_groups(client, "companies", [{"name": True}], **params)) == expected
    assert len(gql_groups(client, "company", "companies", [{"name": True}])) == 50
    assert len(gql_groups(client, "company", "companies", [{"name": True}], limit=500)) == 55


def test_a_full_page_of_groups_with_samples_is_within_the_cost_limit(crm: Client) -> None:
    groups = ok(
        crm,
        """{ peopleGroupBy(groupBy: [{city: true}], limit: 200) {
              groupByDimensionValues totalCount countNotEmptyName percentageEmptyCity
              edges { cursor node { id city name { firstName lastName } company { name } } }
              pageInfo { hasNextPage } } }""",
    )["peopleGroupBy"]
    assert [len(group["edges"]) for group in groups] == [1, 2, 2]


# records sample


def test_records_sample_per_group(client: Client) -> None:
    create(
        client,
        "people",
        [{"name": {"firstName": f"P{i:02d}", "lastName": "X"}, "city": "Oslo"} for i in range(12)]
        + [{"name": {"firstName": "Solo", "lastName": "Y"}, "city": "Rome"}],
    )
    groups = rest_groups(
        client, "people", [{"city": True}], include_records_sample="true",
        order_by_for_records="name.firstName[DescNullsLast]",
    )  # fmt: skip
    oslo, rome = groups
    assert oslo["groupByDimensionValues"] == ["Oslo"]
    assert [r["name"]["firstName"] for r in oslo["records"]] == [
        f"P{i:02d}" for i in range(11, 1, -1)
    ]
    assert [r["name"]["firstName"] for r in rome["records"]] == ["Solo"]
    assert "records" not in rest_groups(client, "people", [{"city": True}])[0]

    selection = (
        "totalCount edges { node { name { firstName } } cursor } pageInfo { hasNextPage endCursor }"
    )
    oslo, rome = gql_groups(
        client, "person", "people", [{"city": True}], selection,
        orderByForRecords=[{"name": {"firstName": "DescNullsLast"}}],
    )  # fmt: skip
    assert oslo["totalCount"] == 12 and oslo["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["name"]["firstName"] for e in oslo["edges"]] == [
        f"P{i:02d}" for i in range(11, 1, -1)
    ]
    assert rome["pageInfo"]["hasNextPage"] is False and len(rome["edges"]) == 1

    # A sample's cursor continues the group's records in a plain list with the same order.
    rest = client.get(
        "/rest/people",
        params={"filter": "city[eq]:Oslo", "order_by": "name.firstName[DescNullsLast]",
                "starting_after": oslo["pageInfo"]["endCursor"]},
    ).json()  # fmt: skip
    assert [p["name"]["firstName"] for p in rest["data"]["people"]] == ["P01", "P00"]


# both transports, one answer


def test_rest_and_graphql_give_the_same_numbers(crm: Client) -> None:
    group_by = [{"city": True}, {"createdAt": {"granularity": "MONTH", "timeZone": "Asia/Tokyo"}}]
    aggregates = ["totalCount", "countNotEmptyEmails", "percentageNotEmptyCity", "maxCreatedAt",
                  "countUniqueValuesName"]  # fmt: skip
    order = [{"aggregate": {"countUniqueValuesName": "DescNullsLast"}}]
    rest = rest_groups(crm, "people", group_by, aggregate=aggregates, order_by=order)
    over_graphql = gql_groups(
        crm, "person", "people", group_by, " ".join(aggregates), orderBy=order
    )
    assert counted(rest) == [
        (["Paris", "2024-01-01"], 2), (["", "2024-03-01"], 1), (["London", "2024-02-01"], 1),
        (["London", "2024-03-01"], 1),
    ]  # fmt: skip
    assert over_graphql == rest


# the route


def test_group_by_route_wins_over_a_record_id(crm: Client) -> None:
    assert crm.get("/rest/people/groupBy", params={"group_by": "[]"}).json() == [
        {"groupByDimensionValues": []}
    ]
    acme = crm.get(f"/rest/companies/{crm.ids['acme']}")  # type: ignore[attr-defined]
    assert acme.status_code == 200 and acme.json()["data"]["company"]["name"] == "Acme"
    assert crm.get("/rest/company/groupBy", params={"group_by": "[]"}).status_code == 400


# bad input

GROUP_BY_EXPECTED = (
    "Invalid group_by query parameter - should be a valid array of objects - ex: "
    '[{"firstField": true}, {"secondField": {"subField": true}}, '
    '{"dateField": {"granularity": \'DAY\'}}]'
)
REST_BAD_INPUT = [
    ({}, GROUP_BY_EXPECTED),
    ({"group_by": "[{city: true"}, GROUP_BY_EXPECTED),
    ({"group_by": '{"city": true}'}, GROUP_BY_EXPECTED),
    ({"group_by": '[{"town": true}]'},
     "group_by[0].town: field 'town' does not exist on object 'person'"),
    ({"group_by": '[{"city": true, "jobTitle": true}]'},
     "group_by[0]: expected an object with exactly one field"),
    ({"group_by": '[{"name": true}]'}, "group_by[0].name: field 'name' is composite"),
    ({"group_by": '[{"name": {"middleName": true}}]'},
     "group_by[0].name: field 'name' is composite"),
    ({"group_by": '[{"company": true}]'},
     "group_by[0].company: field 'company' is a relation; group by its id with "
     '{"companyId": true}'),
    ({"group_by": '[{"createdAt": {"granularity": "HOUR", "timeZone": "UTC"}}]'},
     "group_by[0].createdAt.granularity: expected one of DAY, DAY_OF_THE_WEEK, MONTH"),
    ({"group_by": '[{"createdAt": {"granularity": "DAY"}}]'},
     "group_by[0].createdAt.timeZone: required for granularity DAY"),
    ({"group_by": '[{"createdAt": {"granularity": "DAY", "timeZone": "Mars/Olympus"}}]'},
     "group_by[0].createdAt.timeZone: unknown time zone 'Mars/Olympus'"),
    ({"group_by": '[{"createdAt": {"granularity": "WEEK", "timeZone": "UTC", '
                  '"weekStartDay": "FRIDAY"}}]'},
     "group_by[0].createdAt.weekStartDay: expected one of MONDAY, SUNDAY, SATURDAY"),
    ({"group_by": '[{"city": true}]', "aggregate": '["sumCity"]'},
     "aggregate: unknown aggregate 'sumCity' on object 'person'; expected any of totalCount,"),
    ({"group_by": '[{"city": true}]', "aggregate": "countEmptyCity"},
     'Invalid aggregate query parameter - should be a valid array of string - ex: '
     '["countNotEmptyId", "countEmptyField"]'),
    ({"group_by": '[{"city": true}]', "order_by": "city[AscNullsFirst]"},
     "Invalid order_by query parameter - should be a valid array of objects"),
    ({"group_by": '[{"city": true}]', "order_by": '[{"jobTitle": "AscNullsFirst"}]'},
     "order_by[0].jobTitle: groups can be ordered by their dimensions (city) or by an aggregate"),
    ({"group_by": '[{"city": true}]', "order_by": '[{"city": "Upwards"}]'},
     "order_by[0].city: expected one of AscNullsFirst, AscNullsLast"),
    ({"group_by": '[{"city": true}]', "order_by": '[{"aggregate": {"sumCity": "AscNullsFirst"}}]'},
     "order_by[0].aggregate: unknown aggregate 'sumCity'"),
    ({"group_by": '[{"city": true}]', "order_by_for_records": "city[Sideways]"},
     "order_by_for_records: unknown direction 'Sideways'"),
    ({"group_by": '[{"city": true}]', "filter": "city[near]:Paris"},
     "filter: unknown comparator 'near'"),
    ({"group_by": '[{"city": true}]', "limit": "-1"},
     "limit '-1' is invalid. Should be an integer"),
    ({"group_by": '[{"city": true}]', "view_id": "not-a-uuid"},
     "view_id: 'not-a-uuid' is not a valid UUID"),
]  # fmt: skip


@pytest.mark.parametrize(("params", "message"), REST_BAD_INPUT)
def test_bad_rest_input_is_a_400_naming_it(crm: Client, params: dict, message: str) -> None:
    assert rest_error(crm, "people", **params).startswith(message)


def test_unknown_aggregate_lists_the_valid_ones(crm: Client) -> None:
    message = rest_error(crm, "companies", group_by="[]", aggregate='["sumName"]')
    valid = ("sumEmployees", "countTrueIdealCustomerProfile", "percentageEmptyDomainName",
             "minAnnualRecurringRevenueAmountMicros", "maxCreatedAt")  # fmt: skip
    assert all(name in message for name in valid), message


GRAPHQL_BAD_INPUT = [
    ("{ peopleGroupBy(groupBy: [{town: true}]) { totalCount } }", "BAD_USER_INPUT", "town"),
    ("{ peopleGroupBy(groupBy: [{createdAt: {granularity: HOUR, timeZone: \"UTC\"}}]) "
     "{ totalCount } }", "BAD_USER_INPUT", "HOUR"),
    ("{ peopleGroupBy(groupBy: [{createdAt: {granularity: MONTH}}]) { totalCount } }",
     "BAD_USER_INPUT", "groupBy[0].createdAt.timeZone: required for granularity MONTH"),
    ("{ peopleGroupBy(groupBy: [{city: true, jobTitle: true}]) { totalCount } }",
     "BAD_USER_INPUT", "groupBy[0]: expected an object with exactly one field"),
    ("{ peopleGroupBy(groupBy: [{city: true}], orderBy: [{aggregate: {sumCity: AscNullsFirst}}]) "
     "{ totalCount } }", "BAD_USER_INPUT", "sumCity"),
    ("{ peopleGroupBy(groupBy: [{city: true}], orderBy: [{jobTitle: AscNullsFirst}]) "
     "{ totalCount } }", "BAD_USER_INPUT", "orderBy[0].jobTitle: groups can be ordered by"),
    ("{ peopleGroupBy(groupBy: [{city: true}]) { sumCity } }", "GRAPHQL_VALIDATION_FAILED",
     "sumCity"),
]  # fmt: skip


@pytest.mark.parametrize(("query", "code", "fragment"), GRAPHQL_BAD_INPUT)
def test_bad_graphql_input_names_it(crm: Client, query: str, code: str, fragment: str) -> None:
    error = graphql_error(crm, query)
    assert error["extensions"]["code"] == code, error
    assert fragment in error["message"], error
