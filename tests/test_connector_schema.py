"""Definition validation: every problem with its exact path and the fix; the import boundary."""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from hookwire.connector import DEFINITION_SCHEMA, DefinitionError, validate_definition
from hookwire.crm_connector import CRM_CONNECTOR, CRM_CONNECTOR_OAUTH2

SRC = Path(__file__).resolve().parents[1] / "src" / "hookwire"


def valid() -> dict[str, Any]:
    return {
        "key": "demo",
        "version": "1.2.3",
        "authentication": {
            "type": "custom",
            "fields": [{"key": "apiKey", "type": "password", "required": True}],
            "test": {"url": "https://x.test/me"},
        },
        "triggers": {
            "new_row": {
                "key": "new_row",
                "noun": "Row",
                "display": {"label": "New Row", "description": "Triggers on new rows."},
                "operation": {
                    "perform": {
                        "url": "https://x.test/rows",
                        "params": {"n": "{{bundle.meta.limit}}"},
                    },
                    "inputFields": [{"key": "sheet", "dynamic": "sheets.id.name"}],
                    "sample": {"id": 1},
                },
            },
            "sheets": {
                "key": "sheets",
                "noun": "Sheet",
                "display": {"label": "Sheets", "description": "For the dropdown.", "hidden": True},
                "operation": {"perform": "json:loads"},
            },
        },
    }


def problems(definition: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        validate_definition(definition)
    text = str(caught.value)
    assert "is not valid under any of the given schemas" not in text
    return caught.value.problems


def test_the_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(DEFINITION_SCHEMA)


def test_a_valid_definition_and_the_bundled_connector_validate() -> None:
    validate_definition(valid())
    manifest = validate_definition(CRM_CONNECTOR)
    operation = manifest["triggers"]["trigger_record"]["operation"]
    assert operation["perform"] == "hookwire.triggers.trigger_record:perform"
    assert json.loads(json.dumps(manifest)) == manifest
    assert validate_definition(manifest) == manifest
    oauth2 = validate_definition(CRM_CONNECTOR_OAUTH2)
    assert oauth2["authentication"]["type"] == "oauth2"
    assert oauth2["triggers"] == manifest["triggers"] and oauth2["creates"] == manifest["creates"]


def _set(definition: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    target = definition
    steps = path.split(".")
    for step in steps[:-1]:
        target = target[int(step)] if isinstance(target, list) else target[step]
    if value is DELETE:
        del target[steps[-1]]
    elif isinstance(target, list):
        target[int(steps[-1])] = value
    else:
        target[steps[-1]] = value
    return definition


DELETE = object()
NEW_ROW = "triggers.new_row"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("key", "My App", "key: 'My App' is not valid; write a letter, then letters, digits or _"),
        ("version", "1.0", "version: '1.0' is not valid; write a semantic version like '1.0.0'"),
        ("colour", "red", "colour: unknown property; remove it (allowed here:"),
        (
            "authentication.type",
            "oauth",
            "authentication.type: 'oauth' is not allowed; use one of 'custom', 'basic', "
            "'bearer', 'oauth2'",
        ),
        (
            "authentication.type",
            "oauth2",
            "authentication: missing required property 'oauth2Config'; add it",
        ),
        (
            "authentication.test",
            3,
            "authentication.test: expected a request object {method, url, headers, params, "
            "body} or a callable's name, like 'package.module:function', got an integer 3",
        ),
        (
            "authentication.test",
            "not a reference",
            "authentication.test: 'not a reference' is not valid; write a callable's name",
        ),
        (
            "authentication.test",
            {"method": "GET"},
            "authentication.test: missing required property 'url'; add it",
        ),
        (
            "authentication.test",
            {"url": "https://x", "method": "FETCH"},
            "authentication.test.method: 'FETCH' is not allowed; use one of 'GET'",
        ),
        (
            f"{NEW_ROW}.display.lable",
            "x",
            f"{NEW_ROW}.display.lable: unknown property; did you mean 'label'?",
        ),
        (
            f"{NEW_ROW}.display.label",
            DELETE,
            f"{NEW_ROW}.display: missing required property 'label'; add it",
        ),
        (
            f"{NEW_ROW}.operation.type",
            "webhook",
            f"{NEW_ROW}.operation.type: 'webhook' is not allowed; use one of 'polling', 'hook'",
        ),
        (
            f"{NEW_ROW}.operation.inputFields.0.type",
            "strng",
            f"{NEW_ROW}.operation.inputFields[0].type: 'strng' is not allowed; use one of 'string'",
        ),
        (
            f"{NEW_ROW}.operation.inputFields.0.required",
            "yes",
            f"{NEW_ROW}.operation.inputFields[0].required: expected true or false, got a "
            "string 'yes'",
        ),
        (
            f"{NEW_ROW}.operation.inputFields.0",
            42,
            f"{NEW_ROW}.operation.inputFields[0]: expected a field object {{key, label, type, "
            "...} or a callable's name",
        ),
        (
            f"{NEW_ROW}.operation.inputFields.0.choices",
            [{"value": "a"}],
            f"{NEW_ROW}.operation.inputFields[0].choices[0]: missing required property "
            "'label'; add it",
        ),
        (
            f"{NEW_ROW}.operation.inputFields.0.dynamic",
            "sheets",
            f"{NEW_ROW}.operation.inputFields[0].dynamic: 'sheets' is not valid; write "
            "'trigger_key.idKey' or 'trigger_key.idKey.labelKey'",
        ),
        (
            f"{NEW_ROW}.operation.perform.headers",
            {"X-Count": 3},
            f"{NEW_ROW}.operation.perform.headers.X-Count: expected a string, got an integer 3",
        ),
    ],
)
def test_schema_problems_name_the_path_and_the_fix(path: str, value: Any, expected: str) -> None:
    found = problems(_set(valid(), path, value))
    assert any(line.startswith(expected) for line in found), found


def test_trigger_names_must_be_keys() -> None:
    definition = valid()
    definition["triggers"]["new row"] = definition["triggers"].pop("new_row")
    assert any(
        "'new row' is not valid; write a letter, then letters, digits or _" in line
        for line in problems(definition)
    )


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            f"{NEW_ROW}.key",
            "newRow",
            f"{NEW_ROW}.key: 'newRow' does not match the entry name 'new_row'; make them equal",
        ),
        (
            f"{NEW_ROW}.operation.sample",
            DELETE,
            f"{NEW_ROW}.operation: missing 'sample'; visible operations need one",
        ),
        (
            f"{NEW_ROW}.operation.type",
            "hook",
            f"{NEW_ROW}.operation: missing 'performSubscribe'; hook triggers need "
            "performSubscribe, performUnsubscribe, performList",
        ),
        (
            f"{NEW_ROW}.operation.performSubscribe",
            "json:loads",
            f"{NEW_ROW}.operation.performSubscribe: only hook triggers subscribe; set "
            f"{NEW_ROW}.operation.type to 'hook' or remove performSubscribe",
        ),
        (
            f"{NEW_ROW}.operation.inputFields.0.dynamic",
            "tabs.id.name",
            f"{NEW_ROW}.operation.inputFields[0].dynamic: 'tabs.id.name' names no trigger "
            "'tabs'; use an existing trigger key (new_row, sheets)",
        ),
        (
            f"{NEW_ROW}.operation.inputFields.1",
            {"key": "sheet"},
            f"{NEW_ROW}.operation.inputFields[1].key: 'sheet' is already used by "
            f"{NEW_ROW}.operation.inputFields[0]; field keys must be unique",
        ),
        (
            f"{NEW_ROW}.operation.perform.url",
            "{{bundle.authdata.base}}/rows",
            f"{NEW_ROW}.operation.perform.url: '{{{{bundle.authdata.base}}}}' reads an unknown "
            "bundle part 'authdata'; did you mean 'authData'?",
        ),
        (
            "triggers.sheets.operation.perform",
            "no_such_module_x:perform",
            "triggers.sheets.operation.perform: no_such_module_x:perform: cannot import "
            "no_such_module_x",
        ),
        (
            "triggers.sheets.operation.perform",
            "json:nothing_here",
            "triggers.sheets.operation.perform: json:nothing_here: 'nothing_here' not found "
            "in json",
        ),
    ],
)
def test_rules_beyond_the_schema_name_the_path_and_the_fix(
    path: str, value: Any, expected: str
) -> None:
    definition = valid()
    if path.endswith("inputFields.1"):
        definition["triggers"]["new_row"]["operation"]["inputFields"].append(None)
    found = problems(_set(definition, path, value))
    assert any(line.startswith(expected) for line in found), found


def test_a_callable_without_an_importable_name_is_reported_at_its_path() -> None:
    definition = valid()
    definition["triggers"]["sheets"]["operation"]["perform"] = lambda z, bundle: []
    [line] = problems(definition)
    assert line.startswith("triggers.sheets.operation.perform: <function")
    assert "define it at module level" in line


def test_every_problem_is_reported_at_once() -> None:
    definition = copy.deepcopy(valid())
    definition["triggers"]["new_row"]["display"]["hidden"] = "no"
    definition["authentication"]["fields"][0]["type"] = "secret"
    assert len(problems(definition)) == 2


# the boundary: the connector side reaches the CRM over HTTP only


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


CONNECTOR_SIDE = [
    *sorted((SRC / "connector").rglob("*.py")),
    *sorted((SRC / "triggers").rglob("*.py")),
    *sorted((SRC / "actions").rglob("*.py")),
    *sorted((SRC / "auth").rglob("*.py")),
    SRC / "crm_connector.py",
]


@pytest.mark.parametrize("path", CONNECTOR_SIDE, ids=lambda p: str(p.relative_to(SRC)))
def test_the_connector_side_never_imports_crm_or_hooks(path: Path) -> None:
    forbidden = {
        name
        for name in _imports(path)
        if name.split(".")[:2] in (["hookwire", "crm"], ["hookwire", "hooks"])
        or name in ("hookwire.models", "hookwire.services", "hookwire.database")
    }
    assert not forbidden, f"{path} imports {sorted(forbidden)}; reach the CRM over HTTP instead"


def test_the_framework_imports_nothing_outside_itself() -> None:
    for path in sorted((SRC / "connector").rglob("*.py")):
        outside = {
            name
            for name in _imports(path)
            if name.startswith("hookwire") and not name.startswith("hookwire.connector")
        }
        assert not outside, f"{path} imports {sorted(outside)}"
