"""Webhook subscriptions over ``/metadata`` in Twenty's shapes, and the target policy when saved."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conftest import Client
from graphql_support import gql
from hookwire.hooks.targets import TargetRefused, check_target

WEBHOOK_FIELDS = (
    "id targetUrl operations description secret applicationId deletedAt createdAt updatedAt"
)
PUBLIC_TARGET = "https://hooks.example.invalid/catch/1"  # .invalid never resolves


def meta(client: Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = gql(client, "/metadata", query, variables)
    assert "errors" not in body, body
    return body["data"]


def meta_error(client: Client, query: str, variables: dict[str, Any] | None = None) -> dict:
    body = gql(client, "/metadata", query, variables)
    assert body["data"] is None and len(body["errors"]) == 1, body
    return body["errors"][0]


def create(client: Client, **webhook: Any) -> dict[str, Any]:
    return meta(
        client,
        f"mutation New($input: CreateWebhookInput!) {{ createWebhook(input: $input) "
        f"{{ {WEBHOOK_FIELDS} }} }}",
        {"input": {"targetUrl": PUBLIC_TARGET, "operations": ["person.created"], **webhook}},
    )["createWebhook"]


UPDATE = (
    "mutation Edit($input: UpdateWebhookInput!) { updateWebhook(input: $input) "
    "{ id targetUrl operations description } }"
)


def test_webhook_node_has_twentys_fields(client: Client) -> None:
    created = create(client, description="Mine", secret="")
    assert created["applicationId"] is None and created["deletedAt"] is None
    assert created["secret"].startswith("whsec_")  # an empty secret asks for a generated one
    assert created["description"] == "Mine" and created["operations"] == ["person.created"]
    listed = meta(client, f"{{ webhooks {{ {WEBHOOK_FIELDS} }} }}")["webhooks"]
    assert listed == [{**created, "secret": None}]  # the secret is shown on creation only


def test_create_takes_the_id_the_client_chose(client: Client, other_client: Client) -> None:
    chosen = str(uuid.uuid4())
    assert create(client, id=chosen)["id"] == chosen
    for owner in (client, other_client):
        error = meta_error(
            owner,
            "mutation New($input: CreateWebhookInput!) { createWebhook(input: $input) { id } }",
            {"input": {"id": chosen, "targetUrl": PUBLIC_TARGET}},
        )
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["message"] == f"id: a webhook with id {chosen} already exists"


def test_update_takes_twentys_nested_shape_and_the_flat_one(client: Client) -> None:
    hook = create(client)
    nested = {
        "id": hook["id"],
        "update": {"operations": ["company.*"], "description": "Nested", "secret": "s3cret"},
    }
    assert meta(client, UPDATE, {"input": nested})["updateWebhook"] == {
        "id": hook["id"],
        "targetUrl": PUBLIC_TARGET,
        "operations": ["company.*"],
        "description": "Nested",
    }
    flat = {"id": hook["id"], "description": "Flat"}
    assert meta(client, UPDATE, {"input": flat})["updateWebhook"]["description"] == "Flat"

    both = {"id": hook["id"], "update": {"description": "A"}, "description": "B"}
    error = meta_error(client, UPDATE, {"input": both})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == (
        "input: give the changes in input.update or beside input.id, not both "
        "(got update and description)"
    )
    bad = {"id": hook["id"], "update": {"operations": ["nothing.created"]}}
    assert meta_error(client, UPDATE, {"input": bad})["message"].startswith("operations")


def test_delete_answers_the_webhook_it_deleted(client: Client) -> None:
    hook = create(client, description="Gone soon")
    deleted = meta(
        client,
        f'mutation {{ deleteWebhook(id: "{hook["id"]}") '
        "{ id targetUrl description deletedAt } }",
    )["deleteWebhook"]
    assert deleted == {
        "id": hook["id"],
        "targetUrl": PUBLIC_TARGET,
        "description": "Gone soon",
        "deletedAt": None,
    }
    assert meta(client, "{ webhooks { id } }") == {"webhooks": []}
    error = meta_error(client, f'mutation {{ deleteWebhook(id: "{hook["id"]}") {{ id }} }}')
    assert error["extensions"]["code"] == "NOT_FOUND"


def test_a_private_target_is_refused_when_saved(client: Client) -> None:
    error = meta_error(
        client,
        "mutation New($input: CreateWebhookInput!) { createWebhook(input: $input) { id } }",
        {"input": {"targetUrl": "http://10.1.2.3/hook"}},
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("targetUrl: 10.1.2.3 resolves to 10.1.2.3")
    hook = create(client)
    error = meta_error(
        client,
        UPDATE,
        {"input": {"id": hook["id"], "update": {"targetUrl": "http://192.168.0.1/"}}},
    )
    assert error["message"].startswith("targetUrl: 192.168.0.1 resolves to")


# the policy itself


@pytest.mark.parametrize(
    "url", ["https://hooks.zapier.invalid/catch/1", "http://not-yet.example.invalid:8080/x"]
)
def test_a_host_that_does_not_resolve_yet_is_accepted(url: str) -> None:
    check_target(url, ())  # each delivery resolves it again


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9/hook", "resolves to 127.0.0.1"),
        ("http://localhost/hook", "a loopback, private, link-local"),
        ("http://169.254.169.254/latest/meta-data", "resolves to 169.254.169.254"),
        ("http://[::1]/hook", "resolves to ::1"),
        ("ftp://example.com/hook", "expected an http:// or https:// URL"),
        ("https:///nohost", "has no host"),
    ],
)
def test_a_private_or_malformed_target_is_refused(url: str, message: str) -> None:
    with pytest.raises(TargetRefused, match=message):
        check_target(url, ())
