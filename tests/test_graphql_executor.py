"""``RecordsExecutor`` answers exactly as graphql-core's own executor: same data, same errors.

The short cut only changes how plain dict values are completed, so every document here runs
through both executors over the same values, including values the schema cannot represent.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import Executor, build_schema, execute_sync, parse

from hookwire.crm.graphql.executor import RecordsExecutor

SCHEMA = build_schema(
    """
    enum Stage { NEW WON }
    type Name { firstName: String lastName: String! }
    type Person {
      id: ID!
      name: Name
      stage: Stage
      score: Float
      tags: [String]
      nick(upper: Boolean): String
      shout: String
    }
    type Query { people: [Person!] person: Person nullablePeople: [Person] }
    """
)
SCHEMA.type_map["Person"].fields["shout"].resolve = lambda person, _info: (
    person["nick"].upper() if person.get("nick") else None
)

GOOD = {
    "id": "1",
    "name": {"firstName": "Ada", "lastName": "Lovelace"},
    "stage": "WON",
    "score": 9.5,
    "tags": ["math", "poetry"],
    "nick": "ada",
}
ROOT: dict[str, Any] = {
    "person": GOOD,
    "people": [GOOD, {**GOOD, "id": 2, "score": 3}],
    "nullablePeople": [
        GOOD,
        {**GOOD, "stage": "LOST"},  # not a Stage value
        {**GOOD, "name": {"firstName": "Grace", "lastName": None}},  # null for String!
        {**GOOD, "id": None},  # null for ID!: the item becomes null
        {**GOOD, "score": "high"},  # not a Float
        {**GOOD, "name": "Ada Lovelace"},  # a string where an object is expected
        {**GOOD, "nick": lambda _info, **_args: "called"},  # the default resolver calls it
        {**GOOD, "name": None, "tags": None},
    ],
}

DOCUMENTS = {
    "every field": "{ person { id name { firstName lastName } stage score tags nick shout } }",
    "aliases and typename": """{
        p: person { __typename key: id n1: name { firstName } n2: name { __typename lastName } }
        people { id score }
    }""",
    "merged selections": "{ person { name { firstName } name { lastName } id id } }",
    "fragments": """
        query { nullablePeople { ...Who ... on Person { stage } } }
        fragment Who on Person { id name { ...Names } }
        fragment Names on Name { firstName lastName }
    """,
    "directives": """query ($skip: Boolean!) {
        person { id @skip(if: $skip) name @include(if: $skip) { firstName } score }
    }""",
    "arguments and resolvers": "{ nullablePeople { nick(upper: true) shout } }",
    "values the schema cannot represent": """{
        nullablePeople { id name { firstName lastName } stage score tags nick }
    }""",
    "errors under a non-null list": "{ people { id } nullablePeople { id } }",
    "unknown field": "{ person { id } }",
}


def run(executor_class: type[Executor], document: str) -> tuple[Any, list[dict[str, Any]]]:
    result = execute_sync(
        SCHEMA,
        parse(document),
        root_value=ROOT,
        variable_values={"skip": True},
        executor_class=executor_class,
    )
    return result.data, [error.formatted for error in result.errors or []]


@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_records_executor_matches_graphql_core(document: str) -> None:
    assert run(RecordsExecutor, document) == run(Executor, document)


def test_the_comparison_covers_errors_and_data() -> None:
    data, errors = run(RecordsExecutor, DOCUMENTS["values the schema cannot represent"])
    messages = " ".join(error["message"] for error in errors)
    assert "Enum 'Stage' cannot represent value: 'LOST'" in messages
    assert "Cannot return null for non-nullable field Name.lastName." in messages
    assert "Cannot return null for non-nullable field Person.id." in messages
    assert "Float cannot represent non numeric value: 'high'" in messages
    people = data["nullablePeople"]
    assert people[0]["name"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert people[3] is None and people[2]["name"] is None
    assert people[6]["nick"] == "called"
