"""Webhook subscriptions over ``/metadata`` in Twenty's shapes, and the target policy when saved."""

from __future__ import annotations

import base64
import ipaddress
import uuid
from typing import Any

import pytest

from conftest import Client
from graphql_support import gql
from hookwire.hooks.targets import TargetRefused, check_target, is_allowed_address

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


SECRET_24 = "whsec_" + base64.b64encode(b"k" * 24).decode()  # Svix's size
SECRET_64 = "whsec_" + base64.b64encode(b"k" * 64).decode()
SECRET_ERROR = (
    'secret: expected "whsec_" followed by the base64 of 24 to 64 random bytes (the Standard '
    'Webhooks form, e.g. whsec_ + base64 of 32 bytes), or "" to have one generated'
)


@pytest.mark.parametrize("secret", [SECRET_24, SECRET_64])
def test_a_secret_of_the_standard_form_is_kept(client: Client, secret: str) -> None:
    assert create(client, secret=secret)["secret"] == secret


@pytest.mark.parametrize(
    "secret",
    [
        "s3cret",  # signed so that standardwebhooks could not verify it
        "whsec_not base64!",
        "whsec_" + base64.b64encode(b"k" * 16).decode(),  # too short a key
        "whsec_" + base64.b64encode(b"k" * 65).decode(),  # too long a key
        "whsec_" + base64.b64encode(b"k" * 32).decode().rstrip("="),  # unpadded
        "whsec_",
        "x" * 10_000,
    ],
)
def test_a_secret_of_another_form_is_refused(client: Client, secret: str) -> None:
    mutation = "mutation New($input: CreateWebhookInput!) { createWebhook(input: $input) { id } }"
    error = meta_error(client, mutation, {"input": {"targetUrl": PUBLIC_TARGET, "secret": secret}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == SECRET_ERROR
    response = client.post("/rest/webhooks", json={"targetUrl": PUBLIC_TARGET, "secret": secret})
    assert response.status_code == 400
    assert response.json()["messages"] == [SECRET_ERROR]
    hook = create(client)
    changed = client.patch(f"/rest/webhooks/{hook['id']}", json={"secret": secret})
    assert changed.status_code == 400
    assert changed.json()["messages"] == [SECRET_ERROR]
    assert len(meta(client, "{ webhooks { id } }")["webhooks"]) == 1


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
        "update": {"operations": ["company.*"], "description": "Nested", "secret": SECRET_64},
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


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("2002:7f00:1::1", False),  # 6to4 of 127.0.0.1
        ("2002:a00:1::", False),  # 6to4 of 10.0.0.1
        ("2002:a9fe:a9fe::1", False),  # 6to4 of 169.254.169.254
        ("2002:808:808::1", True),  # 6to4 of 8.8.8.8
        ("fec0::1", False),  # site-local
        ("fec0:1:2:3::4", False),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("64:ff9b::c0a8:1", False),  # NAT64 of 192.168.0.1
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),  # Teredo of 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo is refused whole
        ("::ffff:10.0.0.1", False),
        ("2606:4700:4700::1111", True),
        ("1.1.1.1", True),
    ],
)
def test_addresses_wrapping_an_ipv4_address_are_judged_by_it(address: str, allowed: bool) -> None:
    assert is_allowed_address(address, ()) is allowed


def test_an_allowed_network_does_not_extend_to_its_6to4_or_nat64_addresses() -> None:
    loopback = (ipaddress.ip_network("127.0.0.0/8"),)
    assert is_allowed_address("::ffff:127.0.0.1", loopback)  # the same host
    assert not is_allowed_address("2002:7f00:1::1", loopback)
    assert not is_allowed_address("64:ff9b::7f00:1", loopback)
