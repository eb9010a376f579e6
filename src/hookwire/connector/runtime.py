"""The runtime: run one operation of a validated definition for a bundle."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import requests

from hookwire.connector.bundle import Bundle
from hookwire.connector.errors import (
    ConnectorError,
    ExpiredAuthError,
    RefreshAuthError,
    ResultError,
)
from hookwire.connector.fields import dropdown_choices, prepare_input
from hookwire.connector.oauth2 import authorize_url, fetch_access_token, refresh_access_token
from hookwire.connector.operations import Target, component_operation, parse_target
from hookwire.connector.references import UnresolvedReference, is_reference, resolve
from hookwire.connector.requester import DEFAULT_TIMEOUT, Request, Requester, RequestPolicy
from hookwire.connector.results import check_fields, check_result
from hookwire.connector.templates import render
from hookwire.connector.validation import validate_definition

Perform = Callable[[Requester, Bundle], Any]


class Connector:
    """A validated definition, ready to run; one keep-alive HTTP session for all its runs."""

    def __init__(
        self,
        definition: Mapping[str, Any],
        *,
        session: requests.Session | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.definition = validate_definition(definition)
        self.session = session or requests.Session()
        self.timeout = timeout
        self._functions: dict[str, Callable[..., Any]] = {}
        self.authentication: dict[str, Any] = self.definition.get("authentication", {})
        oauth2 = self.authentication.get("oauth2Config", {})
        self.policy = RequestPolicy(
            auth_type=self.authentication.get("type"),
            before=[self.function(name) for name in self.definition.get("beforeRequest", [])],
            after=[self.function(name) for name in self.definition.get("afterResponse", [])],
            auto_refresh=self.authentication.get("type") == "oauth2"
            and oauth2.get("autoRefresh", False),
            timeout=timeout,
        )

    @property
    def key(self) -> str:
        return self.definition["key"]

    def function(self, reference: str) -> Callable[..., Any]:
        """The callable a definition names, imported once."""
        if reference not in self._functions:
            try:
                self._functions[reference] = resolve(reference)
            except UnresolvedReference as error:
                raise ConnectorError(str(error)) from None
        return self._functions[reference]

    def requester(self, bundle: Bundle) -> Requester:
        return Requester(self.session, bundle, self.policy)

    def run(self, operation: str, bundle: Bundle | Mapping[str, Any] | None = None) -> Any:
        """Run ``operation`` (e.g. ``triggers.trigger_record.operation.perform``).

        When an oauth2 token is refreshed, the bundle's ``auth_data`` holds the new tokens
        afterwards: save them.
        """
        bundle = bundle if isinstance(bundle, Bundle) else Bundle.from_dict(bundle)
        target = parse_target(self.definition, operation)
        self._fill_auth_defaults(bundle)
        try:
            return self._execute(target, bundle)
        except RefreshAuthError:
            if not self._can_refresh(target):
                raise
            bundle.auth_data.update(self._refresh(bundle))
        try:
            return self._execute(target, bundle)
        except RefreshAuthError as error:
            raise ExpiredAuthError(
                f"{error}; a fresh token did not help either: connect the account again"
            ) from None

    def input_fields(
        self, component_key: str, bundle: Bundle | Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """A component's input fields: the static ones and those its callables return."""
        return self.run(f"{component_key}.inputFields", bundle)

    def choices(
        self, dynamic: str, bundle: Bundle | Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """``[{value, label}]`` for a field whose ``dynamic`` is ``trigger.idKey.labelKey``."""
        bundle = bundle if isinstance(bundle, Bundle) else Bundle.from_dict(bundle)
        trigger = dynamic.split(".")[0]
        if trigger not in self.definition.get("triggers", {}):
            raise ConnectorError(f"dynamic {dynamic!r}: no trigger named {trigger!r}")
        meta = replace(bundle.meta, is_filling_dynamic_dropdown=True)
        items = self.run(f"triggers.{trigger}.operation.perform", replace(bundle, meta=meta))
        return dropdown_choices(items, dynamic)

    # running

    def _execute(self, target: Target, bundle: Bundle) -> Any:
        if target.kind == "authentication":
            return self._authentication(target, bundle)
        if target.method in ("inputFields", "outputFields"):
            return self._fields(target, bundle)
        if target.method != "performUnsubscribe":
            fields = self._fields(replace(target, method="inputFields"), bundle)
            prepared = prepare_input(fields, bundle.input_data, "inputData", check_required=True)
            bundle = replace(bundle, input_data=prepared)
        entry = component_operation(self.definition, target)[target.method]
        return check_result(target, self.perform(entry, bundle, target.path))

    def perform(self, entry: Any, bundle: Bundle, where: str) -> Any:
        """Call a named callable, or send a declarative request and return its JSON."""
        if isinstance(entry, str):
            return self.function(entry)(self.requester(bundle), bundle)
        rendered = render(entry, bundle.to_dict())
        response = self.requester(bundle).send(Request.from_template(rendered))
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ResultError(
                f"{where}: {rendered['url']} did not answer JSON: {response.text[:200]!r}"
            ) from None

    def _fields(self, target: Target, bundle: Bundle) -> list[dict[str, Any]]:
        entries = component_operation(self.definition, target).get(target.method, [])
        fields: list[dict[str, Any]] = []
        for index, entry in enumerate(entries):
            if isinstance(entry, str):
                returned = self.function(entry)(self.requester(bundle), bundle)
                fields.extend(check_fields(f"{target.path}[{index}] ({entry})", returned))
            else:
                fields.append(entry)
        return fields

    def _authentication(self, target: Target, bundle: Bundle) -> Any:
        auth = self.authentication
        oauth2 = auth.get("oauth2Config", {})
        if target.method == "test":
            bundle = replace(bundle, meta=replace(bundle.meta, is_testing_auth=True))
            return self.perform(auth["test"], bundle, target.path)
        if target.method == "connectionLabel":
            tested = self._authentication(replace(target, method="test"), bundle)
            return self._label(auth["connectionLabel"], replace(bundle, input_data=tested or {}))
        if target.method == "authorizeUrl":
            return authorize_url(oauth2, bundle, self.timeout)
        if target.method == "getAccessToken":
            entry = oauth2["getAccessToken"]
            if isinstance(entry, str):
                return self.perform(entry, bundle, target.path)
            return fetch_access_token(entry, oauth2, bundle, self.timeout)
        fields = self._refresh(bundle)
        bundle.auth_data.update(fields)
        return fields

    def _label(self, label: str, bundle: Bundle) -> str:
        if is_reference(label):
            return str(self.function(label)(self.requester(bundle), bundle))
        return str(render(label, bundle.to_dict()) or "")

    def _can_refresh(self, target: Target) -> bool:
        return (
            self.authentication.get("type") == "oauth2"
            and "refreshAccessToken" in self.authentication.get("oauth2Config", {})
            and target.method != "refreshAccessToken"
        )

    def _refresh(self, bundle: Bundle) -> dict[str, Any]:
        oauth2 = self.authentication["oauth2Config"]
        entry = oauth2["refreshAccessToken"]
        if isinstance(entry, str):
            fields = self.function(entry)(self.requester(bundle), bundle)
            if not isinstance(fields, dict):
                raise ResultError("refreshAccessToken: must return an object of auth fields")
            return fields
        return refresh_access_token(entry, oauth2, bundle, self.timeout)

    def _fill_auth_defaults(self, bundle: Bundle) -> None:
        for field in self.authentication.get("fields", []):
            blank = isinstance(field, dict) and bundle.auth_data.get(field["key"]) in (None, "")
            if blank and "default" in field:
                bundle.auth_data[field["key"]] = field["default"]


def run(
    definition: Mapping[str, Any], operation: str, bundle: Bundle | Mapping[str, Any] | None = None
) -> Any:
    """Validate ``definition`` and run one operation: the one-call entry point."""
    return Connector(definition).run(operation, bundle)
