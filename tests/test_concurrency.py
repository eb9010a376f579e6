"""Concurrent writes over HTTP against live servers, on SQLite and PostgreSQL.

Issue 12, item 4: on SQLite two PATCHes of different fields of one record lost a field, and a
PATCH racing a DELETE was a 500 (``StaleDataError``). Here: 8 clients x 200 PATCHes of
distinct fields of the same records lose nothing; PATCH racing DELETE is 200 or 404, never
5xx; and ``If-Match`` gives optimistic concurrency to the clients that send it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from conftest import Client, Server
from metadata_support import add_fields, create_object

CLIENTS = 8
PATCHES = 200  # per client
RECORDS = 3
FIELDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]


def ok(response: requests.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def same_caller(client: Client, server: Server) -> Client:
    """Another connection (its own keep-alive session) of the same workspace and key."""
    return Client(server.base_url, client.token, client.workspace_id)


def custom_object(client: Client, fields: list[str]) -> None:
    """A ``tally``/``tallies`` object with a TEXT field per name in ``fields``."""
    add_fields(client, create_object(client, "tally", "tallies"), [(f, "TEXT", {}) for f in fields])


def create_tally(client: Client, **values: Any) -> str:
    return ok(client.post("/rest/tallies", json=values), 201)["data"]["createTally"]["id"]


def get_tally(client: Client, record_id: str) -> requests.Response:
    return client.get(f"/rest/tallies/{record_id}")


def in_parallel(tasks: list[Callable[[], Any]]) -> list[Any]:
    """Run ``tasks`` at once (each released by one barrier); their results, in order."""
    barrier = threading.Barrier(len(tasks))

    def run(task: Callable[[], Any]) -> Any:
        barrier.wait(timeout=30)
        return task()

    with ThreadPoolExecutor(len(tasks)) as pool:
        return list(pool.map(run, tasks))


def value(client_index: int, n: int) -> str:
    return f"c{client_index}-{n:04d}"  # increasing with n, as text


def test_concurrent_patches_of_distinct_fields_lose_nothing(client: Client, server: Server) -> None:
    """8 clients, each writing its own field of the same 3 records with increasing values,
    200 PATCHes each: at the end every field of every record holds the last value written."""
    custom_object(client, FIELDS)
    records = [create_tally(client) for _ in range(RECORDS)]

    def writer(index: int) -> Counter:
        http, field = same_caller(client, server), FIELDS[index]
        statuses: Counter = Counter()
        for n in range(PATCHES):
            record_id = records[n % RECORDS]
            response = http.patch(f"/rest/tallies/{record_id}", json={field: value(index, n)})
            statuses[response.status_code] += 1
            if response.status_code == 200:
                # The answer is the record as this write left it: its own field is there.
                assert response.json()["data"]["updateTally"][field] == value(index, n)
        return statuses

    results = in_parallel([lambda i=i: writer(i) for i in range(CLIENTS)])

    assert sum(results, Counter()) == Counter({200: CLIENTS * PATCHES})
    for k, record_id in enumerate(records):
        record = ok(get_tally(client, record_id))["data"]["tally"]
        last = max(n for n in range(PATCHES) if n % RECORDS == k)
        expected = {field: value(i, last) for i, field in enumerate(FIELDS)}
        assert {field: record[field] for field in FIELDS} == expected, (
            f"record {k}: a field lost its last write"
        )


@pytest.mark.parametrize("soft", [False, True], ids=["destroy", "soft-delete"])
def test_patch_racing_delete_is_200_or_404_never_500(
    client: Client, server: Server, soft: bool
) -> None:
    custom_object(client, FIELDS[:2])
    http = [same_caller(client, server) for _ in range(4)]
    delete_path = "?soft_delete=true" if soft else ""
    patches: Counter = Counter()
    deletes: Counter = Counter()
    for round_ in range(40):
        record_id = create_tally(client, alpha="start")
        path = f"/rest/tallies/{record_id}"
        answers = in_parallel(
            [
                lambda p=path, n=round_: http[0].patch(p, json={"alpha": f"a{n}"}),
                lambda p=path, n=round_: http[1].patch(p, json={"bravo": f"b{n}"}),
                lambda p=path: http[2].delete(p + delete_path),
                lambda p=path, n=round_: http[3].request("PUT", p, json={"alpha": f"p{n}"}),
            ]
        )
        for response in answers[:2] + answers[3:]:
            patches[response.status_code] += 1
            if response.status_code == 404:
                assert response.json()["statusCode"] == 404
        deletes[answers[2].status_code] += 1
        # Whatever the order, the record ends deleted: a PATCH never brings it back.
        after = get_tally(client, record_id)
        if soft:
            assert ok(after)["data"]["tally"]["deletedAt"] is not None
        else:
            assert after.status_code == 404, after.text
    assert set(patches) <= {200, 404}, patches
    assert deletes == Counter({200: 40}), deletes


def test_delete_racing_delete_one_wins(client: Client, server: Server) -> None:
    custom_object(client, FIELDS[:1])
    http = [same_caller(client, server) for _ in range(3)]
    for _ in range(20):
        path = f"/rest/tallies/{create_tally(client)}"
        statuses = Counter(
            r.status_code for r in in_parallel([lambda h=h, p=path: h.delete(p) for h in http])
        )
        assert statuses == Counter({200: 1, 404: 2}), statuses


# --- If-Match ----------------------------------------------------------------------------


def precondition_failed(response: requests.Response) -> str:
    assert response.status_code == 412, response.text
    body = response.json()
    assert (body["statusCode"], body["error"]) == (412, "PreconditionFailedException")
    assert body["messages"][0].startswith("If-Match:"), body
    return body["messages"][0]


def test_if_match_with_the_current_etag_updates_and_a_stale_one_is_412(
    client: Client, server: Server
) -> None:
    custom_object(client, FIELDS[:2])
    record_id = create_tally(client, alpha="one")
    path = f"/rest/tallies/{record_id}"

    read = get_tally(client, record_id)
    first = read.headers["ETag"]
    assert first.startswith('"') and first.endswith('"') and len(first) > 2
    assert get_tally(client, record_id).headers["ETag"] == first  # unchanged record, same tag

    updated = client.patch(path, json={"alpha": "two"}, headers={"If-Match": first})
    assert ok(updated)["data"]["updateTally"]["alpha"] == "two"
    second = updated.headers["ETag"]
    assert second != first
    assert get_tally(client, record_id).headers["ETag"] == second

    # A client still holding the first version is refused, and nothing is written.
    message = precondition_failed(
        client.patch(path, json={"bravo": "x"}, headers={"If-Match": first})
    )
    assert second in message
    record = ok(get_tally(client, record_id))["data"]["tally"]
    assert (record["alpha"], record["bravo"]) == ("two", None)

    # PUT is the same route; a list naming the current version matches; so does "*".
    put = client.request(
        "PUT", path, json={"bravo": "y"}, headers={"If-Match": f"{first}, {second}"}
    )
    third = ok(put) and put.headers["ETag"]
    assert ok(client.patch(path, json={"bravo": "z"}, headers={"If-Match": "*"}))
    # A weak tag never matches (If-Match compares strongly).
    precondition_failed(client.patch(path, json={"bravo": "w"}, headers={"If-Match": f"W/{third}"}))
    # Without If-Match a write applies whatever the version, as before.
    assert ok(client.patch(path, json={"bravo": "v"}))["data"]["updateTally"]["bravo"] == "v"
    assert "ETag" in client.post("/rest/tallies", json={}).headers


def test_if_match_on_delete_and_restore(client: Client, server: Server) -> None:
    custom_object(client, FIELDS[:1])
    record_id = create_tally(client, alpha="one")
    path = f"/rest/tallies/{record_id}"
    stale = get_tally(client, record_id).headers["ETag"]
    current = client.patch(path, json={"alpha": "two"}).headers["ETag"]

    precondition_failed(client.delete(path, headers={"If-Match": stale}))
    precondition_failed(client.delete(f"{path}?soft_delete=true", headers={"If-Match": stale}))
    assert get_tally(client, record_id).status_code == 200  # still there

    soft = client.delete(f"{path}?soft_delete=true", headers={"If-Match": current})
    assert ok(soft)["data"]["deleteTally"] == {"id": record_id}
    deleted = soft.headers["ETag"]
    assert deleted != current  # deletedAt is part of the version

    restore = f"/rest/restore/tallies/{record_id}"
    precondition_failed(client.patch(restore, headers={"If-Match": current}))
    restored = client.patch(restore, headers={"If-Match": deleted})
    assert ok(restored)["data"]["restoreTally"]["deletedAt"] is None
    assert restored.headers["ETag"] == get_tally(client, record_id).headers["ETag"]

    assert ok(client.delete(path, headers={"If-Match": restored.headers["ETag"]}))
    # A record that does not exist is a 404 whatever If-Match says ("*" included).
    assert client.patch(path, json={"alpha": "x"}, headers={"If-Match": "*"}).status_code == 404
    assert client.delete(path, headers={"If-Match": current}).status_code == 404


def test_if_match_must_name_a_version(client: Client, server: Server) -> None:
    custom_object(client, FIELDS[:1])
    path = f"/rest/tallies/{create_tally(client)}"
    response = client.patch(path, json={"alpha": "x"}, headers={"If-Match": ","})
    assert response.status_code == 400, response.text
    assert response.json()["messages"][0].startswith("If-Match:")
    # A tag sent without its quotes is read as the quoted one.
    bare = client.get(path).headers["ETag"].strip('"')
    assert ok(client.patch(path, json={"alpha": "y"}, headers={"If-Match": bare}))


def test_if_match_retry_loops_count_every_increment(client: Client, server: Server) -> None:
    """Read-modify-write of one field by several clients: with If-Match and a retry on 412,
    no increment is lost (without it, last-writer-wins would lose most of them)."""
    custom_object(client, FIELDS[:1])
    record_id = create_tally(client, alpha="0")
    workers, increments = 4, 10

    def incrementer() -> int:
        http, refused = same_caller(client, server), 0
        for _ in range(increments):
            while True:
                read = get_tally(http, record_id)
                count = int(ok(read)["data"]["tally"]["alpha"])
                response = http.patch(
                    f"/rest/tallies/{record_id}",
                    json={"alpha": str(count + 1)},
                    headers={"If-Match": read.headers["ETag"]},
                )
                if response.status_code == 200:
                    break
                precondition_failed(response)
                refused += 1
        return refused

    in_parallel([incrementer for _ in range(workers)])
    final = ok(get_tally(client, record_id))["data"]["tally"]["alpha"]
    assert int(final) == workers * increments
