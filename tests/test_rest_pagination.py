"""Cursor pagination over REST: every record exactly once, in order, both ways."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conftest import Client

LIMIT = 7
# Ties (Paris twice per cycle), nulls (twice per cycle) and a non-ASCII value.
CITIES = ["Paris", "Lyon", None, "Berlin", "Paris", None, "Zürich"]
LAST_NAMES = ["Martin", "Bernard", "Martin", "Dubois"]


@dataclass
class Page:
    ids: list[str]
    total_count: int
    page_info: dict[str, Any]


def fetch(client: Client, path: str, params: dict[str, str]) -> Page:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    plural = path.rsplit("/", 1)[-1]
    return Page([r["id"] for r in body["data"][plural]], body["totalCount"], body["pageInfo"])


def walk_forward(
    client: Client, path: str, params: dict[str, str] | None = None, limit: int = LIMIT
) -> list[Page]:
    """Follow endCursor from the first page until hasNextPage is false."""
    params = {**(params or {}), "limit": str(limit)}
    pages = [fetch(client, path, params)]
    while pages[-1].page_info["hasNextPage"]:
        assert len(pages) < 100, "pagination does not end"
        pages.append(
            fetch(client, path, {**params, "starting_after": pages[-1].page_info["endCursor"]})
        )
    return pages


def walk_backward(
    client: Client, path: str, before: str, params: dict[str, str] | None = None
) -> list[Page]:
    """Follow startCursor from ``before`` until hasPreviousPage is false."""
    params = {**(params or {}), "limit": str(LIMIT)}
    pages = [fetch(client, path, {**params, "ending_before": before})]
    while pages[-1].page_info["hasPreviousPage"]:
        assert len(pages) < 100, "pagination does not end"
        pages.append(
            fetch(client, path, {**params, "ending_before": pages[-1].page_info["startCursor"]})
        )
    return pages


def flat(pages: list[Page]) -> list[str]:
    return [record_id for page in pages for record_id in page.ids]


def create_people(client: Client, count: int, start: int = 0) -> list[dict[str, Any]]:
    people = [
        {
            "name": {"firstName": f"P{start + i:03d}", "lastName": LAST_NAMES[(start + i) % 4]},
            "city": CITIES[(start + i) % len(CITIES)],
        }
        for i in range(count)
    ]
    response = client.post("/rest/batch/people", json=people)
    assert response.status_code == 201, response.text
    return response.json()["data"]["createPeople"]


def sort_records(
    records: list[dict[str, Any]], keys: list[tuple[Any, bool, bool]]
) -> list[dict[str, Any]]:
    """Sort as the API does: each (getter, ascending, nulls_first) key, then by id ascending."""
    ordered = sorted(records, key=lambda r: r["id"])
    for getter, ascending, nulls_first in reversed(keys):
        null_rank = 0 if nulls_first == ascending else 2

        def key(record: dict[str, Any], getter=getter, null_rank=null_rank) -> tuple:
            value = getter(record)
            return (null_rank,) if value is None else (1, value)

        ordered = sorted(ordered, key=key, reverse=not ascending)
    return ordered


def assert_consistent_pages(
    pages: list[Page], expected_ids: list[str], total: int, limit: int = LIMIT
) -> None:
    assert flat(pages) == expected_ids
    sizes = [len(page.ids) for page in pages]
    full, rest = divmod(total, limit)
    assert sizes == [limit] * full + ([rest] if rest else [])
    assert all(page.total_count == total for page in pages)
    assert [page.page_info["hasNextPage"] for page in pages] == [True] * (len(pages) - 1) + [False]
    assert [page.page_info["hasPreviousPage"] for page in pages] == [False] + [True] * (
        len(pages) - 1
    )
    for page in pages:
        assert page.page_info["startCursor"] and page.page_info["endCursor"]


def assert_backward_mirrors(
    client: Client, path: str, forward: list[Page], params: dict[str, str] | None = None
) -> None:
    """From the last page's startCursor, ending_before visits the earlier pages in reverse."""
    backward = walk_backward(client, path, forward[-1].page_info["startCursor"], params)
    assert [page.ids for page in backward] == [page.ids for page in forward[:-1]][::-1]
    assert all(page.total_count == forward[0].total_count for page in backward)
    assert all(page.page_info["hasNextPage"] is True for page in backward)
    assert [page.page_info["hasPreviousPage"] for page in backward] == [True] * (
        len(backward) - 1
    ) + [False]
    # each backward page's cursors are those the forward walk gave for the same page
    for back, ahead in zip(backward, forward[:-1][::-1], strict=True):
        assert back.page_info["startCursor"] == ahead.page_info["startCursor"]
        assert back.page_info["endCursor"] == ahead.page_info["endCursor"]


def test_default_order_pages_forward_and_back(client: Client) -> None:
    people = create_people(client, 25)
    forward = walk_forward(client, "/rest/people")
    assert_consistent_pages(forward, [p["id"] for p in people], 25)
    assert_backward_mirrors(client, "/rest/people", forward)


def test_starting_after_the_last_record_is_an_empty_page(client: Client) -> None:
    create_people(client, 10)
    last = walk_forward(client, "/rest/people")[-1]
    empty = fetch(
        client, "/rest/people", {"limit": str(LIMIT), "starting_after": last.page_info["endCursor"]}
    )
    assert empty.ids == []
    assert empty.total_count == 10
    assert empty.page_info == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": None,
        "endCursor": None,
    }


def test_ending_before_the_first_record_is_an_empty_page(client: Client) -> None:
    create_people(client, 10)
    first = fetch(client, "/rest/people", {"limit": str(LIMIT)})
    empty = fetch(
        client,
        "/rest/people",
        {"limit": str(LIMIT), "ending_before": first.page_info["startCursor"]},
    )
    assert empty.ids == []
    assert empty.total_count == 10
    assert empty.page_info["hasPreviousPage"] is False
    assert empty.page_info["startCursor"] is None and empty.page_info["endCursor"] is None


@pytest.mark.parametrize(
    ("direction", "ascending", "nulls_first"),
    [
        ("AscNullsFirst", True, True),
        ("AscNullsLast", True, False),
        ("DescNullsFirst", False, True),
        ("DescNullsLast", False, False),
    ],
)
def test_order_by_field_with_ties_and_nulls(
    client: Client, direction: str, ascending: bool, nulls_first: bool
) -> None:
    people = create_people(client, 25)
    params = {"order_by": f"city[{direction}]"}
    expected = sort_records(people, [(lambda r: r["city"], ascending, nulls_first)])
    cities = [p["city"] for p in expected]
    assert cities.count(None) == 7 and cities.count("Paris") == 7
    if nulls_first:
        assert cities[:7] == [None] * 7
    else:
        assert cities[-7:] == [None] * 7

    forward = walk_forward(client, "/rest/people", params)
    assert_consistent_pages(forward, [p["id"] for p in expected], 25)
    assert_backward_mirrors(client, "/rest/people", forward, params)


def test_order_by_several_keys_with_a_subfield(client: Client) -> None:
    people = create_people(client, 25)
    params = {"order_by": "name.lastName[DescNullsLast],city[AscNullsLast]"}
    expected = sort_records(
        people,
        [(lambda r: r["name"]["lastName"], False, False), (lambda r: r["city"], True, False)],
    )
    forward = walk_forward(client, "/rest/people", params, limit=4)
    assert_consistent_pages(forward, [p["id"] for p in expected], 25, limit=4)
    assert [p["name"]["lastName"] for p in expected][:7] == ["Martin"] * 7


def test_order_by_id_descending(client: Client) -> None:
    people = create_people(client, 25)
    params = {"order_by": "id[DescNullsLast]"}
    expected = sorted((p["id"] for p in people), reverse=True)
    forward = walk_forward(client, "/rest/people", params)
    assert_consistent_pages(forward, expected, 25)
    assert_backward_mirrors(client, "/rest/people", forward, params)


@pytest.mark.parametrize("direction", ["AscNullsFirst", "DescNullsLast"])
def test_order_by_created_at_across_batches(client: Client, direction: str) -> None:
    # Records of one batch share createdAt; the cursor must still tell them apart.
    batches = [create_people(client, 9), create_people(client, 9, 9), create_people(client, 7, 18)]
    assert all(len({p["createdAt"] for p in batch}) == 1 for batch in batches)
    batch_of = {p["id"]: index for index, batch in enumerate(batches) for p in batch}
    params = {"order_by": f"createdAt[{direction}]"}
    ascending = direction.startswith("Asc")
    people = [p for batch in batches for p in batch]
    expected = sort_records(people, [(lambda r: batch_of[r["id"]], ascending, True)])
    forward = walk_forward(client, "/rest/people", params)
    assert_consistent_pages(forward, [p["id"] for p in expected], 25)
    assert_backward_mirrors(client, "/rest/people", forward, params)


def test_paging_a_filtered_list(client: Client) -> None:
    people = create_people(client, 25)
    params = {"filter": "city[in]:[Paris,Berlin,Zürich]", "order_by": "city[DescNullsFirst]"}
    kept = [p for p in people if p["city"] in ("Paris", "Berlin", "Zürich")]
    assert len(kept) == 14
    expected = sort_records(kept, [(lambda r: r["city"], False, True)])
    forward = walk_forward(client, "/rest/people", params)
    assert_consistent_pages(forward, [p["id"] for p in expected], 14)
    assert_backward_mirrors(client, "/rest/people", forward, params)


def test_paging_by_number_and_boolean_with_nulls(client: Client) -> None:
    companies = [
        {
            "name": f"C{i:02d}",
            "employees": None if i % 4 == 0 else (i % 3) * 100,
            "idealCustomerProfile": i % 2 == 0,
        }
        for i in range(17)
    ]
    response = client.post("/rest/batch/companies", json=companies)
    assert response.status_code == 201, response.text
    created = response.json()["data"]["createCompanies"]
    params = {"order_by": "idealCustomerProfile[AscNullsFirst],employees[DescNullsFirst]"}
    expected = sort_records(
        created,
        [
            (lambda r: r["idealCustomerProfile"], True, True),
            (lambda r: r["employees"], False, True),
        ],
    )
    forward = walk_forward(client, "/rest/companies", params)
    assert_consistent_pages(forward, [c["id"] for c in expected], 17)
    assert_backward_mirrors(client, "/rest/companies", forward, params)


def test_soft_deleted_records_are_not_paged(client: Client) -> None:
    people = create_people(client, 12)
    for person in people[::3]:
        deleted = client.delete(f"/rest/people/{person['id']}", params={"soft_delete": "true"})
        assert deleted.status_code == 200, deleted.text
    forward = walk_forward(client, "/rest/people")
    kept = [p["id"] for i, p in enumerate(people) if i % 3]
    assert_consistent_pages(forward, kept, 8)


def test_default_limit_is_60_and_above_200_is_capped(client: Client) -> None:
    people = create_people(client, 200) + create_people(client, 1, 200)  # a batch is at most 200
    ids = [p["id"] for p in people]

    default = fetch(client, "/rest/people", {})
    assert default.ids == ids[:60]
    assert default.total_count == 201
    assert default.page_info["hasNextPage"] is True

    biggest = fetch(client, "/rest/people", {"limit": "200"})
    assert biggest.ids == ids[:200]
    assert biggest.page_info["hasNextPage"] is True
    rest = fetch(
        client,
        "/rest/people",
        {"limit": "200", "starting_after": biggest.page_info["endCursor"]},
    )
    assert rest.ids == ids[200:]
    assert rest.page_info["hasNextPage"] is False

    capped = fetch(client, "/rest/people", {"limit": "201"})
    assert capped.ids == ids[:200]
    assert capped.total_count == 201
    assert capped.page_info["hasNextPage"] is True
