"""Custom GraphQL scalars, named as Twenty names them."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from graphql import GraphQLError, GraphQLScalarType, ValueNode, value_from_ast_untyped
from graphql.language import FloatValueNode, IntValueNode, StringValueNode
from werkzeug.datastructures import FileStorage


def _literal_string(node: ValueNode, _variables: Any = None) -> str:
    if not isinstance(node, StringValueNode):
        raise GraphQLError(
            f"expected a string, got {type(node).__name__.removesuffix('ValueNode')}"
        )
    return node.value


def _literal(parse: Callable[[Any], Any]) -> Callable[..., Any]:
    """``parse_literal`` for a string scalar; graphql-core reports a ValueError with the
    value's location and expected type, which a GraphQLError raised here would lack."""

    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        try:
            return parse(_literal_string(node))
        except GraphQLError as error:
            raise ValueError(error.message) from None

    return parse_literal


def _uuid(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise GraphQLError(f"expected a UUID, got {value!r}") from None


def _datetime(value: Any) -> str:
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise GraphQLError(
            f"expected an ISO 8601 date-time such as 2024-01-31T09:00:00Z, got {value!r}"
        ) from None
    return str(value)


def _date(value: Any) -> str:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        raise GraphQLError(f"expected an ISO 8601 date such as 2024-01-31, got {value!r}") from None
    return str(value)


def _big_float(value: Any) -> int | float:
    if isinstance(value, bool):
        raise GraphQLError(f"expected a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise GraphQLError(f"expected a number, got {value!r}") from None
    if not math.isfinite(number):
        raise GraphQLError(f"expected a finite number, got {value!r}")
    return int(number) if number.is_integer() and abs(number) < 2**63 else number


def _big_float_literal(node: ValueNode, _variables: Any = None) -> int | float:
    if not isinstance(node, (IntValueNode, FloatValueNode, StringValueNode)):
        raise ValueError("expected a number")
    try:
        return _big_float(node.value)
    except GraphQLError as error:
        raise ValueError(error.message) from None


UUIDScalar = GraphQLScalarType(
    "UUID",
    description="A UUID such as 20202020-0000-4000-8000-000000000000.",
    serialize=str,
    parse_value=_uuid,
    parse_literal=_literal(_uuid),
)
DateTimeScalar = GraphQLScalarType(
    "DateTime",
    description="An ISO 8601 date-time in UTC, e.g. 2024-01-31T09:00:00.000Z.",
    serialize=str,
    parse_value=_datetime,
    parse_literal=_literal(_datetime),
)
DateScalar = GraphQLScalarType(
    "Date",
    description="An ISO 8601 calendar date, e.g. 2024-01-31.",
    serialize=str,
    parse_value=_date,
    parse_literal=_literal(_date),
)
BigFloatScalar = GraphQLScalarType(
    "BigFloat",
    description="A number that may exceed 32-bit integers (amounts in micros).",
    serialize=_big_float,
    parse_value=_big_float,
    parse_literal=_big_float_literal,
)


def _any_json(name: str, description: str) -> GraphQLScalarType:
    """A scalar that carries any JSON value as it is."""
    return GraphQLScalarType(
        name,
        description=description,
        serialize=lambda value: value,
        parse_value=lambda value: value,
        parse_literal=lambda node, variables=None: value_from_ast_untyped(node, variables),
    )


JSONScalar = _any_json("JSON", "Any JSON value.")
# Twenty's name for list subfields (additional e-mails, phones, links): its SDK leaves them
# untyped, where JSON would type them as objects.
RawJSONScalar = _any_json("RawJSONScalar", "Any JSON value (lists of additional e-mails, …).")
TSVectorScalar = GraphQLScalarType(
    "TSVector",
    description="The words a record is found by, as a text search vector ('ada':1 'lovelace':2).",
    serialize=str,
    parse_value=str,
    parse_literal=_literal(str),
)


_UPLOAD_EXPECTED = (
    "expected a file: send the request as multipart/form-data with the file in a part that "
    "'map' places here (the GraphQL multipart request spec)"
)


def _upload(value: Any) -> FileStorage:
    if not isinstance(value, FileStorage):
        raise GraphQLError(_UPLOAD_EXPECTED)
    return value


def _no_upload_literal(_node: ValueNode, _variables: Any = None) -> Any:
    raise ValueError(_UPLOAD_EXPECTED)


def _no_upload_output(_value: Any) -> Any:
    raise GraphQLError("Upload is an input type; no field answers one")


# A file part of a multipart request, placed in the variables by crm.graphql.multipart.
UploadScalar = GraphQLScalarType(
    "Upload",
    description="A file sent in a multipart request (the GraphQL multipart request spec).",
    serialize=_no_upload_output,
    parse_value=_upload,
    parse_literal=_no_upload_literal,
)
