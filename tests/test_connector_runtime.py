"""The connector runtime, with HTTP mocked by ``responses``: requests, auth, errors, results."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
import responses

from hookwire.connector import (
    Bundle,
    Connector,
    ConnectorError,
    Deduper,
    ExpiredAuthError,
    HaltedError,
    Request,
    Requester,
    RequestFailedError,
    ResponseError,
    ResultError,
    ThrottledError,
    run,
)
from hookwire.connector.requester import retry_after

API = "https://api.example.test"


def definition(**overrides: Any) -> dict[str, Any]:
    """A small valid definition; ``overrides`` replace top-level keys."""
    base: dict[str, Any] = {
        "key": "example",
        "version": "1.0.0",
        "authentication": {
            "type": "custom",
            "fields": [
                {"key": "token", "type": "password", "required": True},
                {"key": "baseUrl", "default": API},
            ],
            "test": {"url": "{{bundle.authData.baseUrl}}/me"},
            "connectionLabel": "{{bundle.inputData.name}} ({{bundle.inputData.id}})",
        },
        "triggers": {
            "new_item": {
                "key": "new_item",
                "noun": "Item",
                "display": {"label": "New Item", "description": "Triggers on new items."},
                "operation": {
                    "inputFields": [
                        {"key": "folder", "required": True},
                        {"key": "count", "type": "integer", "default": 2},
                        {"key": "tags", "list": True},
                    ],
                    "perform": {
                        "url": "{{bundle.authData.baseUrl}}/folders/{{bundle.inputData.folder}}",
                        "params": {
                            "limit": "{{bundle.inputData.count}}",
                            "page": "{{bundle.meta.page}}",
                        },
                        "headers": {"X-Token": "{{bundle.authData.token}}"},
                    },
                    "sample": {"id": 1},
                },
            }
        },
        "creates": {
            "add_item": {
                "key": "add_item",
                "noun": "Item",
                "display": {"label": "Add Item", "description": "Adds an item."},
                "operation": {
                    "inputFields": [
                        {"key": "title", "required": True},
                        {"key": "price", "type": "number"},
                        {"key": "done", "type": "boolean"},
                        {"key": "extra", "type": "json"},
                    ],
                    "perform": {
                        "method": "POST",
                        "url": "{{bundle.authData.baseUrl}}/items",
                        "body": {
                            "title": "{{bundle.inputData.title}}",
                            "price": "{{bundle.inputData.price}}",
                            "done": "{{bundle.inputData.done}}",
                            "extra": "{{bundle.inputData.extra}}",
                        },
                    },
                    "sample": {"id": 1},
                },
            }
        },
    }
    base.update(overrides)
    return base


AUTH = {"authData": {"token": "t0k"}}


# declarative requests


@responses.activate
def test_a_declarative_trigger_renders_url_params_headers_and_returns_the_json() -> None:
    responses.get(
        f"{API}/folders/inbox",
        json=[{"id": 1}, {"id": 2}],
        match=[
            responses.matchers.query_param_matcher({"limit": "2", "page": "0"}),
            responses.matchers.header_matcher({"X-Token": "t0k"}),
        ],
    )
    result = run(definition(), "new_item", {**AUTH, "inputData": {"folder": "inbox"}})
    assert result == [{"id": 1}, {"id": 2}]


@responses.activate
def test_a_whole_placeholder_keeps_the_value_type_after_coercion() -> None:
    responses.post(f"{API}/items", json={"id": 9})
    bundle = {
        **AUTH,
        "inputData": {"title": "Pen", "price": "2.5", "done": "yes", "extra": '{"a": [1]}'},
    }
    assert run(definition(), "creates.add_item.operation.perform", bundle) == {"id": 9}
    sent = json.loads(responses.calls[0].request.body)
    assert sent == {"title": "Pen", "price": 2.5, "done": True, "extra": {"a": [1]}}


def test_a_missing_required_input_names_the_field() -> None:
    with pytest.raises(ConnectorError, match=r"inputData\.folder: required"):
        run(definition(), "new_item", AUTH)


def test_a_value_that_is_not_a_number_names_the_field() -> None:
    with pytest.raises(ConnectorError, match=r"inputData\.count: expected a number, got 'lots'"):
        run(definition(), "new_item", {**AUTH, "inputData": {"folder": "x", "count": "lots"}})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a, b ,c", ["a", "b", "c"]), ('["x", "y"]', ["x", "y"]), (["z"], ["z"])],
)
@responses.activate
def test_list_fields_accept_comma_text_json_text_and_lists(text: Any, expected: list) -> None:
    connector = Connector(definition())
    seen = {}

    def capture(z: Requester, bundle: Bundle) -> list:
        seen.update(bundle.input_data)
        return []

    connector._functions["capture"] = capture
    connector.definition["triggers"]["new_item"]["operation"]["perform"] = "capture"
    connector.run("new_item", {**AUTH, "inputData": {"folder": "f", "tags": text}})
    assert seen["tags"] == expected
    assert seen["count"] == 2  # the default


@responses.activate
def test_non_2xx_raises_a_response_error_with_the_status_and_body() -> None:
    responses.get(f"{API}/folders/x", status=404, body="no such folder")
    with pytest.raises(ResponseError, match="answered 404: no such folder") as caught:
        run(definition(), "new_item", {**AUTH, "inputData": {"folder": "x"}})
    assert caught.value.status == 404


@responses.activate
def test_raise_for_status_false_returns_the_error_body() -> None:
    spec = definition()
    spec["triggers"]["new_item"]["operation"]["perform"]["raiseForStatus"] = False
    responses.get(f"{API}/folders/x", status=404, json=[])
    assert run(spec, "new_item", {**AUTH, "inputData": {"folder": "x"}}) == []


@responses.activate
def test_429_raises_throttled_with_the_retry_after_delay() -> None:
    responses.get(f"{API}/folders/x", status=429, headers={"Retry-After": "7"})
    with pytest.raises(ThrottledError) as caught:
        run(definition(), "new_item", {**AUTH, "inputData": {"folder": "x"}})
    assert caught.value.delay == 7.0
    assert caught.value.to_dict()["type"] == "ThrottledError"


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after("12") == 12.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after("soon") is None


@responses.activate
def test_an_unreachable_host_raises_request_failed_naming_the_url() -> None:
    responses.get(f"{API}/folders/x", body=requests.ConnectionError("Connection refused"))
    with pytest.raises(RequestFailedError, match=r"GET https://api.example.test/folders/x"):
        run(definition(), "new_item", {**AUTH, "inputData": {"folder": "x"}})


@responses.activate
def test_a_timeout_raises_request_failed_with_the_limit() -> None:
    responses.get(f"{API}/folders/x", body=requests.ReadTimeout())
    with pytest.raises(RequestFailedError, match="no answer within 30 s"):
        run(definition(), "new_item", {**AUTH, "inputData": {"folder": "x"}})


@responses.activate
def test_a_non_json_answer_is_a_result_error() -> None:
    responses.get(f"{API}/folders/x", body="<html>")
    with pytest.raises(ResultError, match="did not answer JSON"):
        run(definition(), "new_item", {**AUTH, "inputData": {"folder": "x"}})


# auth


@responses.activate
def test_test_and_connection_label_use_the_test_result() -> None:
    responses.get(f"{API}/me", json={"id": 7, "name": "Ada"})
    connector = Connector(definition())
    assert connector.run("test", AUTH) == {"id": 7, "name": "Ada"}
    assert connector.run("connectionLabel", AUTH) == "Ada (7)"


@pytest.mark.parametrize(
    ("auth_type", "auth_data", "header"),
    [
        ("basic", {"username": "u", "password": "p"}, "Basic dTpw"),
        ("bearer", {"access_token": "abc"}, "Bearer abc"),
        ("oauth2", {"access_token": "abc"}, "Bearer abc"),
    ],
)
@responses.activate
def test_each_auth_type_adds_its_header(auth_type: str, auth_data: dict, header: str) -> None:
    auth: dict[str, Any] = {"type": auth_type, "test": {"url": f"{API}/me"}}
    if auth_type == "oauth2":
        auth["oauth2Config"] = {"authorizeUrl": f"{API}/authorize", "getAccessToken": {"url": "x"}}
    responses.get(
        f"{API}/me", json={}, match=[responses.matchers.header_matcher({"Authorization": header})]
    )
    run(definition(authentication=auth), "test", {"authData": auth_data})


@responses.activate
def test_custom_auth_adds_no_header_and_explicit_headers_win() -> None:
    responses.get(f"{API}/me", json={})
    run(definition(), "test", AUTH)
    assert "Authorization" not in responses.calls[0].request.headers


def test_a_missing_token_is_an_expired_auth_error() -> None:
    auth = {"type": "bearer", "test": {"url": f"{API}/me"}}
    with pytest.raises(ExpiredAuthError, match="access_token is missing"):
        run(definition(authentication=auth), "test", {})


def _oauth2(**config: Any) -> dict[str, Any]:
    return {
        "type": "oauth2",
        "test": {"url": f"{API}/me"},
        "oauth2Config": {
            "authorizeUrl": f"{API}/authorize",
            "getAccessToken": {"method": "POST", "url": f"{API}/token"},
            "refreshAccessToken": {"method": "POST", "url": f"{API}/token"},
            "autoRefresh": True,
            "clientId": "cid",
            "clientSecret": "{{bundle.authData.client_secret}}",
            "scope": "read write",
            **config,
        },
    }


@responses.activate
def test_oauth2_refreshes_on_401_and_retries_once_with_the_new_token() -> None:
    responses.get(
        f"{API}/me",
        status=401,
        match=[responses.matchers.header_matcher({"Authorization": "Bearer old"})],
    )
    responses.get(
        f"{API}/me",
        json={"id": 1},
        match=[responses.matchers.header_matcher({"Authorization": "Bearer new"})],
    )
    responses.post(
        f"{API}/token", json={"access_token": "new", "token_type": "bearer", "expires_in": 60}
    )
    bundle = Bundle.from_dict(
        {"authData": {"access_token": "old", "refresh_token": "r1", "client_secret": "sec"}}
    )
    assert run(definition(authentication=_oauth2()), "test", bundle) == {"id": 1}
    sent = parse_qs(responses.calls[1].request.body)
    assert sent["grant_type"] == ["refresh_token"] and sent["refresh_token"] == ["r1"]
    assert bundle.auth_data["access_token"] == "new"
    assert bundle.auth_data["refresh_token"] == "r1"  # kept when the server sends none


@responses.activate
def test_oauth2_still_401_after_refresh_is_expired_auth() -> None:
    responses.get(f"{API}/me", status=401)
    responses.post(f"{API}/token", json={"access_token": "new", "token_type": "bearer"})
    bundle = {"authData": {"access_token": "old", "refresh_token": "r1"}}
    with pytest.raises(ExpiredAuthError, match="connect the account again"):
        run(definition(authentication=_oauth2()), "test", bundle)
    assert len(responses.calls) == 3


@responses.activate
def test_a_refused_refresh_is_expired_auth() -> None:
    responses.get(f"{API}/me", status=401)
    responses.post(f"{API}/token", status=400, json={"error": "invalid_grant"})
    with pytest.raises(ExpiredAuthError, match=r"token refresh .* failed"):
        run(
            definition(authentication=_oauth2()),
            "test",
            {"authData": {"access_token": "o", "refresh_token": "r"}},
        )


@responses.activate
def test_oauth2_code_exchange_and_authorize_url() -> None:
    responses.post(
        f"{API}/token", json={"access_token": "a", "refresh_token": "r", "token_type": "bearer"}
    )
    connector = Connector(definition(authentication=_oauth2()))
    bundle = {
        "inputData": {"code": "c0de", "redirect_uri": "https://platform.test/cb", "state": "s"}
    }
    assert connector.run("getAccessToken", bundle) == {
        "access_token": "a",
        "refresh_token": "r",
        "token_type": "bearer",
    }
    sent = parse_qs(responses.calls[0].request.body)
    assert sent["code"] == ["c0de"] and sent["grant_type"] == ["authorization_code"]
    url = connector.run("authorizeUrl", bundle)
    assert url.startswith(f"{API}/authorize?")
    query = parse_qs(url.split("?", 1)[1])
    assert query["client_id"] == ["cid"] and query["state"] == ["s"]
    assert query["scope"] == ["read write"] and query["redirect_uri"] == [
        "https://platform.test/cb"
    ]


# middleware and callables


def stamp_request(request: Request, z: Requester, bundle: Bundle) -> Request:
    request.headers["X-Stamp"] = bundle.auth_data["token"]
    return request


def tag_response(response: requests.Response, z: Requester, bundle: Bundle) -> requests.Response:
    if response.status_code == 418:
        raise HaltedError("teapot")
    return response


def perform_with_z(z: Requester, bundle: Bundle) -> list[dict[str, Any]]:
    return z.request(f"{API}/things", params={"q": "{{bundle.authData.token}}"}).json()


@responses.activate
def test_middleware_runs_around_callable_requests_and_strings_are_not_templates() -> None:
    spec = definition(
        beforeRequest=[stamp_request],
        afterResponse=[tag_response],
    )
    spec["triggers"]["new_item"]["operation"]["perform"] = perform_with_z
    responses.get(
        f"{API}/things",
        json=[{"id": "a"}],
        match=[
            responses.matchers.header_matcher({"X-Stamp": "t0k"}),
            responses.matchers.query_param_matcher({"q": "{{bundle.authData.token}}"}),
        ],
    )
    assert run(spec, "new_item", {**AUTH, "inputData": {"folder": "f"}}) == [{"id": "a"}]
    responses.replace(responses.GET, f"{API}/things", status=418)
    with pytest.raises(HaltedError, match="teapot"):
        run(spec, "new_item", {**AUTH, "inputData": {"folder": "f"}})


# results


def returns(value: Any):
    def perform(z: Requester, bundle: Bundle) -> Any:
        return value

    return perform


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"id": 1}, "must return a list of objects, got dict"),
        ([1], r"item \[0\] must be an object"),
        ([{"name": "x"}], r"item \[0\] has no 'id'"),
        ([{"id": 1}, {"id": "1"}], r"items \[0\] and \[1\] share the id"),
    ],
)
def test_trigger_results_must_be_objects_with_unique_ids(value: Any, message: str) -> None:
    connector = Connector(definition())
    connector._functions["fake"] = returns(value)
    connector.definition["triggers"]["new_item"]["operation"]["perform"] = "fake"
    with pytest.raises(ResultError, match=message):
        connector.run("new_item", {**AUTH, "inputData": {"folder": "f"}})


def test_an_action_must_return_an_object() -> None:
    connector = Connector(definition())
    connector._functions["fake"] = returns([{"id": 1}])
    connector.definition["creates"]["add_item"]["operation"]["perform"] = "fake"
    with pytest.raises(ResultError, match="must return an object, got list"):
        connector.run("add_item", {**AUTH, "inputData": {"title": "t"}})


def more_fields(z: Requester, bundle: Bundle) -> list[dict[str, Any]]:
    if bundle.input_data.get("folder") == "bad":
        return [{"key": "x", "type": "colour"}]
    return [{"key": f"in_{bundle.input_data['folder']}", "required": True}]


def item_dropdown(z: Requester, bundle: Bundle) -> list[dict[str, Any]]:
    assert bundle.meta.is_filling_dynamic_dropdown
    return [{"id": "a1", "name": "Alpha"}, {"id": "b2", "name": None}]


def test_dynamic_input_fields_are_resolved_checked_and_required() -> None:
    spec = definition()
    spec["triggers"]["new_item"]["operation"]["inputFields"].append(more_fields)
    connector = Connector(spec)
    keys = [
        f["key"] for f in connector.input_fields("new_item", {"inputData": {"folder": "inbox"}})
    ]
    assert keys == ["folder", "count", "tags", "in_inbox"]
    with pytest.raises(ResultError, match=r"inputFields\[3\] .*field \[0\]\.type"):
        connector.input_fields("new_item", {"inputData": {"folder": "bad"}})
    with pytest.raises(ConnectorError, match=r"inputData\.in_inbox: required"):
        connector.run("new_item", {**AUTH, "inputData": {"folder": "inbox"}})


def test_dropdown_choices_come_from_the_named_trigger() -> None:
    spec = definition()
    spec["triggers"]["items"] = {
        "key": "items",
        "noun": "Item",
        "display": {"label": "Items", "description": "For dropdowns.", "hidden": True},
        "operation": {"perform": item_dropdown},
    }
    choices = Connector(spec).choices("items.id.name", AUTH)
    assert choices == [{"value": "a1", "label": "Alpha"}, {"value": "b2", "label": "b2"}]
    with pytest.raises(ConnectorError, match="no trigger named 'nope'"):
        Connector(spec).choices("nope.id", AUTH)


# operations and bundles


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (
            "nothing",
            "unknown operation 'nothing'; use authentication.test, authentication.connectionLabel, "
            "or one of triggers.new_item,",
        ),
        ("new_item.performSubscribe", "is not defined"),
        ("new_item.explode", "unknown method 'explode'"),
        ("getAccessToken", "oauth2Config has no getAccessToken"),
        ("triggers.other.operation.perform", "no triggers named 'other'"),
    ],
)
def test_unknown_operations_say_what_exists(operation: str, message: str) -> None:
    with pytest.raises(ConnectorError, match=message):
        run(definition(), operation, AUTH)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"authdata": {}}, "unknown key.*authdata.*use authData"),
        ({"authData": []}, "bundle.authData: expected an object"),
        ({"meta": {"page": "2"}}, r"bundle\.meta\.page: expected an integer"),
        ({"meta": {"isLoading": True}}, "unknown key"),
    ],
)
def test_malformed_bundles_are_rejected_with_the_key(data: dict, message: str) -> None:
    with pytest.raises(ConnectorError, match=message):
        Bundle.from_dict(data)


def test_bundle_round_trips_its_wire_form() -> None:
    wire = {
        "authData": {"a": 1},
        "inputData": {"b": 2},
        "meta": {
            "isLoadingSample": True,
            "isFillingDynamicDropdown": False,
            "isTestingAuth": False,
            "page": 3,
            "limit": 10,
        },
        "targetUrl": "http://x",
        "subscribeData": {"id": "s"},
        "cleanedRequest": {"c": 3},
        "rawRequest": {"content": "{}"},
    }
    assert Bundle.from_dict(wire).to_dict() == wire


# dedupe


def test_deduper_primes_on_the_first_poll_then_returns_only_new_items() -> None:
    deduper = Deduper()
    assert deduper.new_items([{"id": 1}, {"id": 2}]) == []
    assert deduper.new_items([{"id": 3}, {"id": 2}]) == [{"id": 3}]
    resumed = Deduper(deduper.seen_ids(), capacity=2)
    assert resumed.new_items([{"id": 4}, {"id": 1}]) == [{"id": 4}, {"id": 1}]
    assert resumed.seen_ids() == ["4", "1"]
