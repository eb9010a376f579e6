"""The client-generation test: a TypeScript client generated from a live server works unchanged.

A Twenty user generates a typed client with genql (`@genql/cli`, what Twenty's own SDK is built
with) from the server's `/graphql` and `/metadata`, and writes scripts against the types. So, per
backend, against a live `hookwire serve` and a fresh workspace:

1. `npm ci` in tests/genql (pinned @genql/cli, typescript, @types/node), once per session;
2. genql introspects `/graphql` and `/metadata` into generated/core and generated/metadata,
   mapping every custom scalar (Twenty's SDK maps UUID, DateTime and JSON as here);
3. the generated schema carries Twenty's type names and resolver signatures;
4. `tsc --strict` builds src/client.ts, which types its composite create/update inputs with
   those names; node runs it (list with a filter, create with a composite name and a company by
   `companyId` and by `connect`, update, soft delete, restore, `company.people`, metadata
   objects and fields) and its JSON output and the server's state over REST are checked;
5. src/control.ts, deliberately wrong, fails tsc with exactly the errors it marks: the
   generated files are `// @ts-nocheck`, so a setup that lost the types would pass silently.
   src/json_subfields.ts, lists where Twenty's schema has `RawJSONScalar`, must compile.

Each backend works in its own temporary directory (sources copied, node_modules linked), so
nothing is generated into the repository.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
)

from conftest import Client, Server, new_workspace, service_unavailable

PROJECT = Path(__file__).parent / "genql"
NODE_MODULES = PROJECT / "node_modules"
BIN = NODE_MODULES / ".bin"

# genql's `-S NAME:TYPE` for every custom scalar: Twenty's SDK maps the first three exactly so
# (packages/twenty-sdk, generate-sdk.ts); the others follow what Twenty's scalars carry. A name
# the schema lacks is ignored; a scalar the schema has and this lacks would be `any`, which
# test_generated_client_has_twenty_names refuses.
SCALARS = {
    "UUID": "string",
    "DateTime": "string",
    "JSON": "Record<string, unknown>",
    "Date": "string",
    "Time": "string",
    "BigFloat": "number",
    "Position": "number | 'first' | 'last'",
    "RawJSONScalar": "unknown",
    "TSVector": "string",
    "Cursor": "string",
    "ConnectionCursor": "string",
    "Upload": "unknown",  # a file part of a multipart request; genql's fetcher sends JSON only
}

SUBPROCESS_ENV = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}


def run(
    args: list[str], cwd: Path, *, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a command, print how long it took, fail with its output if it fails."""
    started = time.monotonic()
    result = subprocess.run(
        args, cwd=cwd, env=env or SUBPROCESS_ENV, capture_output=True, text=True, timeout=240
    )
    print(f"[genql] {Path(args[0]).name} {' '.join(args[1:3])}: {time.monotonic() - started:.2f}s")
    if check and result.returncode != 0:
        pytest.fail(
            f"`{' '.join(args)}` exited with {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}",
            pytrace=False,
        )
    return result


@pytest.fixture(scope="session")
def genql_project() -> Path:
    """tests/genql with its pinned packages installed: `npm ci`, at most once per session.

    A node_modules that this fixture installed from the same package files and node is reused;
    a lock serializes concurrent sessions on one checkout."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        service_unavailable("the genql client test needs npm and node (apt-get install npm)")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    stamp_text = hashlib.sha256(
        (PROJECT / "package.json").read_bytes()
        + (PROJECT / "package-lock.json").read_bytes()
        + node.encode()
    ).hexdigest()
    stamp = NODE_MODULES / ".hookwire-installed"
    with open(PROJECT / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == stamp_text:
            print("[genql] npm ci: node_modules is current, skipped")
        else:
            run(
                ["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"],
                PROJECT,
            )
            stamp.write_text(stamp_text)
    return PROJECT


@dataclass
class Generated:
    """One backend's generated clients, in a directory of their own, and its workspace."""

    directory: Path
    server: Server
    client: Client


@pytest.fixture(scope="session")
def generated(
    genql_project: Path, server: Server, tmp_path_factory: pytest.TempPathFactory
) -> Generated:
    workspace_id, token = new_workspace(server.database)
    directory = tmp_path_factory.mktemp(f"genql-{server.database.backend}")
    shutil.copytree(genql_project / "src", directory / "src")
    for config in genql_project.glob("tsconfig*.json"):
        shutil.copy(config, directory)
    (directory / "node_modules").symlink_to(NODE_MODULES)
    scalars = [arg for name, ts_type in SCALARS.items() for arg in ("-S", f"{name}:{ts_type}")]
    for name, path in (("core", "/graphql"), ("metadata", "/metadata")):
        run(
            [
                str(BIN / "genql"),
                "--endpoint",
                f"{server.base_url}{path}",
                "-H",
                f"Authorization: Bearer {token}",
                "--output",
                f"generated/{name}",
                *scalars,
            ],
            directory,
        )
    return Generated(directory, server, Client(server.base_url, token, workspace_id))


# --- 3. the generated schema names its types as Twenty does --------------------------------------

COMPOSITES = ("FullName", "Emails", "Phones", "Links", "Currency", "Address", "Actor")
# Person's composite fields, and the composite each one is.
PERSON_COMPOSITES = {"name": "FullName", "emails": "Emails", "phones": "Phones"}
# (input type, its variant of the composite input).
PERSON_INPUTS = {
    "PersonCreateInput": "CreateInput",
    "PersonUpdateInput": "UpdateInput",
    "PersonFilterInput": "FilterInput",
    "PersonOrderByInput": "OrderByInput",
}
# (root type, field): (argument types, result type), as Twenty's schema prints them.
SIGNATURES = {
    ("Mutation", "createPerson"): ({"data": "PersonCreateInput!", "upsert": "Boolean"}, "Person"),
    ("Mutation", "createPeople"): (
        {"data": "[PersonCreateInput!]!", "upsert": "Boolean"},
        "[Person!]",
    ),
    ("Mutation", "updatePerson"): ({"id": "UUID!", "data": "PersonUpdateInput!"}, "Person"),
    ("Mutation", "deletePerson"): ({"id": "UUID!"}, "Person"),
    ("Mutation", "restorePerson"): ({"id": "UUID!"}, "Person"),
    ("Query", "person"): ({"filter": "PersonFilterInput!"}, "Person"),
}
PEOPLE_ARGUMENTS = {"filter", "orderBy", "first", "after", "last", "before", "offset"}


def twenty_deviations(schema: GraphQLSchema) -> list[str]:
    """Every place where the records schema is not named or shaped as Twenty's."""
    problems: list[str] = []

    def named(name: str) -> GraphQLNamedType | None:
        found = schema.get_type(name)
        if found is None:
            problems.append(f"type {name} is missing")
        return found

    def field_type(type_name: str, field: str) -> str | None:
        holder = schema.get_type(type_name)
        if not isinstance(holder, (GraphQLObjectType, GraphQLInputObjectType)):
            return None
        if field not in holder.fields:
            problems.append(f"{type_name}.{field} is missing")
            return None
        return str(holder.fields[field].type)

    def expect_field(type_name: str, field: str, wanted: str) -> None:
        actual = field_type(type_name, field)
        if actual is not None and actual.strip("[]!") != wanted:
            problems.append(f"{type_name}.{field} is {actual}, Twenty's is {wanted}")

    for composite in COMPOSITES:
        for variant in ("CreateInput", "UpdateInput", "FilterInput", "OrderByInput"):
            named(f"{composite}{variant}")
    for input_name, variant in PERSON_INPUTS.items():
        if named(input_name) is not None:
            for field, composite in PERSON_COMPOSITES.items():
                expect_field(input_name, field, f"{composite}{variant}")
    for (root, field), (arguments, result) in SIGNATURES.items():
        holder = schema.get_type(root)
        assert isinstance(holder, GraphQLObjectType)
        if field not in holder.fields:
            problems.append(f"{root}.{field} is missing")
            continue
        actual_arguments = {name: str(arg.type) for name, arg in holder.fields[field].args.items()}
        actual = f"{field}({actual_arguments}): {holder.fields[field].type}"
        if actual_arguments != arguments or str(holder.fields[field].type) != result:
            problems.append(f"{root}.{actual}; Twenty's is {field}({arguments}): {result}")
    query = schema.query_type
    assert query is not None
    people = query.fields.get("people")
    if people is None:
        problems.append("Query.people is missing")
    else:
        if missing := PEOPLE_ARGUMENTS - set(people.args):
            problems.append(f"Query.people lacks the arguments {sorted(missing)}")
        if get_named_type(people.type).name != "PersonConnection":
            problems.append(f"Query.people is {people.type}, Twenty's is PersonConnection")
    for input_name in ("PersonCreateInput", "PersonUpdateInput"):
        expect_field(input_name, "company", "CompanyRelationInput")
    field_type("PersonCreateInput", "companyId")
    if named("CompanyRelationInput") is not None:
        expect_field("CompanyRelationInput", "connect", "CompanyConnectInput")
        expect_field("CompanyRelationInput", "disconnect", "Boolean")
    if named("CompanyConnectInput") is not None:
        expect_field("CompanyConnectInput", "where", "CompanyWhereUniqueInput")
    if named("CompanyWhereUniqueInput") is not None:
        field_type("CompanyWhereUniqueInput", "id")
    expect_field("Company", "people", "PersonConnection")
    return problems


def unmapped_scalars(schema_ts: str) -> list[str]:
    """The custom scalars that the generated client types as `any`."""
    block = re.search(r"export type Scalars = \{(.*?)\n\}", schema_ts, re.S)
    assert block, "no Scalars type in the generated schema.ts"
    mapped = dict(re.findall(r"^\s*(\w+): (.*?),?$", block.group(1), re.M))
    return sorted(name for name, ts_type in mapped.items() if ts_type.strip() == "any")


def test_generated_client_has_twenty_names(generated: Generated) -> None:
    core = generated.directory / "generated" / "core"
    problems = twenty_deviations(build_schema((core / "schema.graphql").read_text()))
    for name in ("core", "metadata"):
        schema_ts = (generated.directory / "generated" / name / "schema.ts").read_text()
        if unmapped := unmapped_scalars(schema_ts):
            problems.append(f"/{name} scalars {unmapped} are `any`: add them to SCALARS")
    assert not problems, "the generated client differs from Twenty's:\n" + "\n".join(problems)


# --- 4. the script compiles under --strict and works against the live server ---------------------


def run_script(generated: Generated) -> dict[str, Any]:
    run([str(BIN / "tsc"), "-p", ".", "--pretty", "false"], generated.directory)
    env = {
        **SUBPROCESS_ENV,
        "HOOKWIRE_URL": generated.server.base_url,
        "HOOKWIRE_API_KEY": generated.client.token,
    }
    result = run(["node", "dist/src/client.js"], generated.directory, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_script_compiles_and_runs_against_the_server(generated: Generated) -> None:
    out = run_script(generated)
    company = out["company"]
    assert company["name"] == "Analytical Engines"
    ada = out["created"]
    assert out["before"] == {"totalCount": 0, "ids": [], "names": []}
    assert ada["name"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert ada["jobTitle"] == "Analyst"
    assert ada["emails"] == {"primaryEmail": "ada@engines.example"}
    assert ada["companyId"] == company["id"]
    assert ada["company"] == company
    charles = out["connected"]
    assert charles["companyId"] == company["id"]
    assert charles["company"] == {"id": company["id"]}
    assert out["afterCreate"] == {
        "totalCount": 1,
        "ids": [ada["id"]],
        "names": [{"firstName": "Ada", "lastName": "Lovelace"}],
    }
    assert out["updated"] == {
        "id": ada["id"],
        "name": {"firstName": "Ada", "lastName": "King"},
        "jobTitle": "Countess of Lovelace",
        "companyId": company["id"],
    }
    assert out["companyPeople"]["totalCount"] == 2
    assert sorted(out["companyPeople"]["ids"]) == sorted([ada["id"], charles["id"]])
    assert out["deleted"]["id"] == ada["id"] and out["deleted"]["deletedAt"]
    assert out["afterDelete"] == {"totalCount": 0, "ids": [], "names": []}
    assert out["restored"] == {
        "id": ada["id"],
        "deletedAt": None,
        "name": {"firstName": "Ada", "lastName": "King"},
    }
    assert out["afterRestore"] == {
        "totalCount": 1,
        "ids": [ada["id"]],
        "names": [{"firstName": "Ada", "lastName": "King"}],
    }
    person_fields, company_fields = out["fieldTypes"]["person"], out["fieldTypes"]["company"]
    assert (person_fields["name"], person_fields["emails"]) == ("FULL_NAME", "EMAILS")
    assert (person_fields["company"], company_fields["people"]) == ("RELATION", "RELATION")

    # The server's state, read over REST, is what the script left.
    rest = generated.client
    response = rest.get(f"/rest/people/{ada['id']}")
    assert response.status_code == 200, response.text
    stored = response.json()["data"]["person"]
    assert stored["name"] == {"firstName": "Ada", "lastName": "King"}
    assert stored["jobTitle"] == "Countess of Lovelace"
    assert stored["emails"]["primaryEmail"] == "ada@engines.example"
    assert (stored["companyId"], stored["deletedAt"]) == (company["id"], None)
    response = rest.get(f"/rest/people/{charles['id']}")
    assert response.status_code == 200, response.text
    assert response.json()["data"]["person"]["companyId"] == company["id"]
    response = rest.get(f"/rest/companies/{company['id']}")
    assert response.status_code == 200, response.text
    assert response.json()["data"]["company"]["name"] == "Analytical Engines"
    response = rest.get("/rest/people", params={"filter": "name.firstName[eq]:Ada"})
    assert response.status_code == 200, response.text
    assert response.json()["totalCount"] == 1
    assert [person["id"] for person in response.json()["data"]["people"]] == [ada["id"]]


# --- 5. the types are real: wrong code is refused ------------------------------------------------

EXPECT = re.compile(r"// expect-error (TS\d+) ?(.*)$")
DIAGNOSTIC = re.compile(r"^(src/[\w.]+)\((\d+),\d+\): error (TS\d+): (.*)$")


def test_wrongly_typed_code_is_refused(generated: Generated) -> None:
    """tsc reports exactly the errors marked in src/control.ts, and none in
    src/json_subfields.ts (lists in Twenty's RawJSONScalar subfields)."""
    expected: dict[tuple[str, int], tuple[str, str]] = {}
    for source in ("src/control.ts", "src/json_subfields.ts"):
        lines = (generated.directory / source).read_text().splitlines()
        for number, line in enumerate(lines, start=1):
            if marker := EXPECT.search(line):
                expected[(source, number)] = (marker.group(1), marker.group(2).strip())
    assert len(expected) >= 15, "the control lost its expectations"

    result = run(
        [str(BIN / "tsc"), "-p", "tsconfig.checks.json", "--pretty", "false"],
        generated.directory,
        check=False,
    )
    reported: dict[tuple[str, int], list[str]] = {}
    last: list[str] | None = None
    for line in result.stdout.splitlines():
        if diagnostic := DIAGNOSTIC.match(line):
            source, number, code, message = diagnostic.groups()
            last = reported.setdefault((source, int(number)), [])
            last.append(f"{code}: {message}")
        elif line.startswith(" ") and last:
            last[-1] += " " + line.strip()  # the continuation of the previous message
        elif line.strip():
            pytest.fail(f"unexpected tsc output:\n{result.stdout}\n{result.stderr}")

    problems = []
    for (source, number), (code, text) in sorted(expected.items()):
        messages = reported.pop((source, number), [])
        if not any(m.startswith(f"{code}:") and text in m for m in messages):
            got = "; ".join(messages) or "no error"
            problems.append(f"{source}:{number} should fail with {code} {text!r}; got {got}")
    for (source, number), messages in sorted(reported.items()):
        problems.append(f"{source}:{number} unexpected: {'; '.join(messages)}")
    assert not problems, "tsc did not judge the checks as marked:\n" + "\n".join(problems)
