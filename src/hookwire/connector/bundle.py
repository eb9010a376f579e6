"""The bundle: everything one operation run knows about the user, the input and the platform."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hookwire.connector.errors import ConnectorError

_META_KEYS = {
    "isLoadingSample": "is_loading_sample",
    "isFillingDynamicDropdown": "is_filling_dynamic_dropdown",
    "isTestingAuth": "is_testing_auth",
    "page": "page",
    "limit": "limit",
}
_BUNDLE_KEYS = {
    "authData": "auth_data",
    "inputData": "input_data",
    "meta": "meta",
    "targetUrl": "target_url",
    "subscribeData": "subscribe_data",
    "cleanedRequest": "cleaned_request",
    "rawRequest": "raw_request",
}


@dataclass
class Meta:
    """What the platform is doing: loading a sample, filling a dropdown, testing auth, paging."""

    is_loading_sample: bool = False
    is_filling_dynamic_dropdown: bool = False
    is_testing_auth: bool = False
    page: int = 0
    limit: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Meta:
        unknown = set(data) - set(_META_KEYS)
        if unknown:
            raise ConnectorError(
                f"bundle.meta: unknown key(s) {', '.join(sorted(unknown))}; "
                f"use {', '.join(_META_KEYS)}"
            )
        values = {_META_KEYS[key]: value for key, value in data.items()}
        for name in ("is_loading_sample", "is_filling_dynamic_dropdown", "is_testing_auth"):
            if not isinstance(values.get(name, False), bool):
                raise ConnectorError(f"bundle.meta: {name} must be true or false")
        for name in ("page", "limit"):
            value = values.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ConnectorError(f"bundle.meta.{name}: expected an integer, got {value!r}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return {wire: getattr(self, name) for wire, name in _META_KEYS.items()}


@dataclass
class Bundle:
    """The argument every perform gets; ``auth_data`` may change when a token is refreshed."""

    auth_data: dict[str, Any] = field(default_factory=dict)
    input_data: dict[str, Any] = field(default_factory=dict)
    meta: Meta = field(default_factory=Meta)
    target_url: str | None = None
    subscribe_data: dict[str, Any] | None = None
    cleaned_request: Any = None
    raw_request: dict[str, Any] | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Bundle:
        """A bundle from its wire form (camelCase keys, as platforms send it)."""
        data = data or {}
        if not isinstance(data, Mapping):
            raise ConnectorError("bundle: expected an object")
        unknown = set(data) - set(_BUNDLE_KEYS)
        if unknown:
            raise ConnectorError(
                f"bundle: unknown key(s) {', '.join(sorted(unknown))}; "
                f"use {', '.join(_BUNDLE_KEYS)}"
            )
        for key in ("authData", "inputData", "subscribeData", "rawRequest"):
            if data.get(key) is not None and not isinstance(data[key], Mapping):
                raise ConnectorError(f"bundle.{key}: expected an object")
        return cls(
            auth_data=dict(data.get("authData") or {}),
            input_data=dict(data.get("inputData") or {}),
            meta=Meta.from_dict(data.get("meta") or {}),
            target_url=data.get("targetUrl"),
            subscribe_data=data.get("subscribeData"),
            cleaned_request=data.get("cleanedRequest"),
            raw_request=data.get("rawRequest"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The template namespace and wire form: ``{{bundle.authData.apiUrl}}`` reads it."""
        return {
            "authData": self.auth_data,
            "inputData": self.input_data,
            "meta": self.meta.to_dict(),
            "targetUrl": self.target_url,
            "subscribeData": self.subscribe_data,
            "cleanedRequest": self.cleaned_request,
            "rawRequest": self.raw_request,
        }


BUNDLE_PARTS = tuple(_BUNDLE_KEYS)
