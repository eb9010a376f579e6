"""``/graphql`` (records) and ``/metadata`` over HTTP: auth, parsing, limits, one transaction."""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    OverlappingFieldsCanBeMergedRule,
    ValueNode,
    ValuesOfCorrectTypeRule,
    VariableNode,
    Visitor,
    execute_sync,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
    visit,
)
from sqlmodel import Session

from hookwire.crm.catalog import Catalog
from hookwire.crm.graphql.answer_cache import AnswerCache, answer_key, root_fields
from hookwire.crm.graphql.context import GraphContext
from hookwire.crm.graphql.executor import RecordsExecutor
from hookwire.crm.graphql.field_scopes import check_field_scopes
from hookwire.crm.graphql.limits import QueryTooComplex, check_limits
from hookwire.crm.graphql.literals import StorableLiteralsRule
from hookwire.crm.graphql.metadata_schema import CATALOG_QUERIES
from hookwire.crm.graphql.multipart import multipart_operation
from hookwire.crm.graphql.records_schema import records_schema
from hookwire.crm.request_context import caller_actor
from hookwire.database import reader
from hookwire.errors import ApiError
from hookwire.identity.guard import authenticate
from hookwire.identity.scopes import METADATA_READ, METADATA_WRITE, RECORDS_READ, RECORDS_WRITE
from hookwire.inputs import InvalidJson, loads
from hookwire.request_ids import request_id
from hookwire.services import services

graphql_api = Blueprint("graphql_api", __name__)
log = logging.getLogger(__name__)

_ERROR_CODES = {
    400: "BAD_USER_INPUT",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
}


class DocumentCache:
    """Parsed and validated documents per (schema, query text): clients repeat their queries.

    Clients that inline their values (Twenty's connector does) never repeat a query text, so
    the cache also remembers which *shapes* (the text with its scalar literals blanked) passed
    full validation: a new document of a known shape only needs the rules that read values.
    """

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._entries: OrderedDict[
            tuple[int, str], tuple[DocumentNode | None, list[GraphQLError]]
        ] = OrderedDict()
        self._valid_shapes: OrderedDict[tuple[int, str], None] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, schema: GraphQLSchema, query: str
    ) -> tuple[DocumentNode | None, list[GraphQLError]]:
        key = (id(schema), query)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        try:
            document = parse(query)
        except GraphQLError as error:
            entry: tuple[DocumentNode | None, list[GraphQLError]] = (None, [error])
        else:
            entry = (document, self._validated(schema, query, document))
        self._remember(self._entries, key, entry)
        return entry

    def _validated(
        self, schema: GraphQLSchema, query: str, document: DocumentNode
    ) -> list[GraphQLError]:
        shape = (id(schema), shape_of(query))
        with self._lock:
            known = shape in self._valid_shapes
        if known:
            return _validate(schema, document, VALUE_RULES)
        errors = _validate(schema, document, FULL_RULES)
        if not errors:
            self._remember(self._valid_shapes, shape, None)
        return errors

    def _remember(self, entries: OrderedDict, key: tuple[int, str], value: Any) -> None:
        with self._lock:
            entries[key] = value
            entries.move_to_end(key)
            while len(entries) > self._size:
                entries.popitem(last=False)


# The standard rules that read literal values rather than the document's shape.
# Ours, StorableLiteralsRule, reads values too: finite numbers, storable text.
VALUE_RULES = (ValuesOfCorrectTypeRule, OverlappingFieldsCanBeMergedRule, StorableLiteralsRule)
FULL_RULES = (*specified_rules, StorableLiteralsRule)


# GraphQL's scalar literal tokens, and comments, as its lexer reads them: a block string
# before a string (``"""`` would otherwise read as an empty string), and a number where it
# does not continue a name (``$limit2``), while a minus sign starts one anywhere (``[A-1]``).
_LITERALS = re.compile(
    r'"""(?:\\"""|(?!""")[\s\S])*"""'
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|#[^\n\r]*"
    r"|(?:-|(?<!\w))\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
)


def shape_of(query: str) -> str:
    """The query text with every string literal read as ``""``, every number as ``0`` and the
    comments dropped: texts that parse and differ only in those literals share a shape."""
    return _LITERALS.sub(_blank, query)


def _blank(token: re.Match[str]) -> str:
    first = token.group()[0]
    return '""' if first == '"' else "" if first == "#" else "0"


_documents = DocumentCache()
_answers = AnswerCache()


def _validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: Sequence[type[ASTValidationRule]] | None = None,
) -> list[GraphQLError]:
    """Validation errors, those about a value naming the argument or input field it is for."""
    errors = validate(schema, document, rules)
    if not errors:
        return errors
    paths = _input_paths(document)
    located = []
    for error in errors:
        where = paths.get(id(error.nodes[0])) if error.nodes else None
        # graphql-core's scalar messages say what is wrong ("String cannot represent a non
        # string value: 5") but not where; a client needs to know which field to fix.
        message = f"{where}: {error.message}" if where else error.message
        code = "BAD_USER_INPUT" if where else _validation_code(error.message)
        extensions = {**(error.extensions or {}), "code": code}
        located.append(GraphQLError(message, error.nodes, extensions=extensions))
    return located


def _input_paths(document: DocumentNode) -> dict[int, str]:
    """``data.name.firstName`` for every value node (and input field) in the arguments."""
    paths: dict[int, str] = {}

    def walk(value: ValueNode, path: str) -> None:
        if not isinstance(value, VariableNode):  # an undefined variable is a document error
            paths[id(value)] = path
        if isinstance(value, ObjectValueNode):
            for field in value.fields:
                paths[id(field)] = f"{path}.{field.name.value}"
                walk(field.value, f"{path}.{field.name.value}")
        elif isinstance(value, ListValueNode):
            for index, item in enumerate(value.values):
                walk(item, f"{path}[{index}]")

    class Arguments(Visitor):
        def enter_argument(self, node: Any, *_args: Any) -> None:
            walk(node.value, node.name.value)

    visit(document, Arguments())
    return paths


def _error(message: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **extra}}


def _format(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    while isinstance(original, GraphQLError):  # a bad variable value wraps the scalar's error
        original = original.original_error
    if isinstance(original, ApiError):
        formatted = _error(
            "; ".join(original.messages), _ERROR_CODES.get(original.status, original.error)
        )
    elif original is not None:
        identifier = request_id()
        log.error(
            "unhandled error in GraphQL field %s [request %s] %s",
            ".".join(map(str, error.path or ())) or "?",
            identifier,
            request.path,
            exc_info=(type(original), original, original.__traceback__),
        )
        formatted = _error(
            f"Internal server error; the server log has the details (request id {identifier}).",
            "INTERNAL_SERVER_ERROR",
            requestId=identifier,
        )
    else:
        formatted = error.formatted
        code = (error.extensions or {}).get("code") or _validation_code(error.message)
        formatted.setdefault("extensions", {})["code"] = code
    if error.path:
        formatted["path"] = error.path
    if error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations
        ]
    return formatted


def _validation_code(message: str) -> str:
    # Wrong values (inline or in variables) are the user's input; the rest is a bad document.
    value_markers = (
        "Expected value of type",
        "got invalid value",
        "has invalid value",  # a variable's value (graphql-core 3.3's wording)
        "Expected type",
        "cannot represent",
        "is not defined by type",  # an unknown input field
        "does not exist in",  # an unknown enum value (a bad SELECT option)
        "was not provided",  # a required argument or input field
        "it cannot be stored",  # a non-finite number or unstorable text (StorableLiteralsRule)
    )
    if any(marker in message for marker in value_markers):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


def _payload() -> tuple[str | None, dict[str, Any] | None, str | None]:
    """The query, variables and operation name; JSON that is nested too deeply or holds a
    non-finite number or unstorable text is a ``BadRequest`` naming where (``inputs``)."""
    if request.method == "GET":
        variables = request.args.get("variables")
        try:
            parsed = loads(variables, "variables") if variables else None
        except InvalidJson:
            parsed = "invalid"
        return request.args.get("query"), parsed, request.args.get("operationName")
    if request.mimetype == "multipart/form-data":  # an upload (crm.graphql.multipart)
        operation = multipart_operation(request.form, request.files)
        return operation.get("query"), operation.get("variables"), operation.get("operationName")
    try:
        body = loads(request.get_data() or b"null")
    except InvalidJson:
        return None, None, None
    if not isinstance(body, dict):
        return None, None, None
    return body.get("query"), body.get("variables"), body.get("operationName")


def _respond(result: dict[str, Any], status: int = 200) -> tuple[dict[str, Any], int]:
    return result, status


def _serve(
    schema_for: Callable[[Catalog], GraphQLSchema],
    scopes: tuple[str, str],
    catalog_only: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any], int] | Response:
    """Answer a GraphQL request; queries whose root fields are all in ``catalog_only`` (they
    read nothing but the workspace's metadata) are answered once per metadata version. A root
    field needs the scope its schema marks it with, else ``scopes``' first (a query's) or
    second (a mutation's)."""
    try:
        query, variables, operation_name = _payload()
    except ApiError as error:
        return _respond({"errors": [_error(error.messages[0], "BAD_USER_INPUT")]}, 400)
    if not isinstance(query, str) or not query.strip():
        return _respond(
            {"errors": [_error("Expected a JSON body with a 'query' string.", "BAD_REQUEST")]}, 400
        )
    if variables is not None and not isinstance(variables, dict):
        return _respond(
            {"errors": [_error("'variables' must be a JSON object.", "BAD_REQUEST")]}, 400
        )
    try:
        caller = authenticate()
    except ApiError as error:
        return _respond({"errors": [_error(error.messages[0], error.error)]})
    g.caller = caller
    app_services = services()
    catalog = app_services.catalogs.get(caller.workspace_id, caller.metadata_version)
    schema = schema_for(catalog)
    document, errors = _documents.get(schema, query)
    if errors:
        return _respond({"errors": [_format(e) for e in errors]})
    assert document is not None
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return _respond(
            {
                "errors": [
                    _error(
                        "Could not determine which operation to run; pass operationName.",
                        "BAD_USER_INPUT",
                    )
                ]
            }
        )
    if request.method == "GET" and operation.operation is not OperationType.QUERY:
        return _respond(
            {"errors": [_error("Mutations must be sent with POST.", "BAD_REQUEST")]}, 405
        )
    fragments = _fragments(document)
    mutation = operation.operation is OperationType.MUTATION
    try:
        check_field_scopes(
            caller,
            schema.mutation_type if mutation else schema.query_type,
            root_fields(operation.selection_set, fragments),
            scopes[1] if mutation else scopes[0],
        )
    except ApiError as error:
        return _respond({"errors": [_error(error.messages[0], error.error)]})
    try:
        check_limits(schema, operation, fragments, variables, catalog)
    except QueryTooComplex as error:
        return _respond({"errors": [_format(error)]})
    # An upload's variables hold files: never an answer to keep (nor one its key could name).
    reads_catalog_only = (
        not request.files
        and operation.operation is OperationType.QUERY
        and all(
            name in catalog_only or name.startswith("__")
            for name in root_fields(operation.selection_set, fragments)
        )
    )
    if not reads_catalog_only:
        return _respond(
            _execute(schema, document, operation, variables, operation_name, caller, catalog)
        )
    key = answer_key(request.path, catalog, query, variables, operation_name)
    body = _answers.get(key)
    if body is None:
        result = _execute(schema, document, operation, variables, operation_name, caller, catalog)
        body = current_app.json.dumps(result).encode()
        if "errors" not in result:
            _answers.put(key, body)
    return current_app.response_class(body, mimetype="application/json")


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _execute(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    caller: Any,
    catalog: Catalog,
) -> dict[str, Any]:
    """Run the operation in one transaction; a mutation with any error writes nothing.

    A mutation's transaction is a write one (on SQLite it holds the write lock from its first
    statement, so what it reads and changes no one else writes meanwhile); a query's is
    read-only."""
    app_services = services()
    is_mutation = operation.operation is OperationType.MUTATION
    engine = app_services.engine if is_mutation else reader(app_services.engine)
    with Session(engine, expire_on_commit=False) as session:
        context = GraphContext(
            caller,
            catalog,
            session,
            app_services.record_store(session, catalog, caller_actor(caller)),
            app_services.config,
        )
        try:
            result: ExecutionResult = execute_sync(
                schema,
                document,
                variable_values=variables,
                operation_name=operation_name,
                context_value=context,
                executor_class=RecordsExecutor,
            )
            if is_mutation and not result.errors:
                session.commit()
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise
    output: dict[str, Any] = {}
    if result.errors:
        output["errors"] = [_format(error) for error in result.errors]
    output["data"] = None if is_mutation and result.errors else result.data
    return output


@graphql_api.route("/graphql", methods=["GET", "POST"])
def graphql_records() -> tuple[dict[str, Any], int]:
    extra = services().records_mutations  # other packages' root mutations (file uploads)
    return _serve(lambda catalog: records_schema(catalog, extra), (RECORDS_READ, RECORDS_WRITE))


@graphql_api.route("/metadata", methods=["GET", "POST"])
def graphql_metadata() -> tuple[dict[str, Any], int] | Response:
    return _serve(
        lambda _catalog: services().metadata_schema,
        (METADATA_READ, METADATA_WRITE),
        CATALOG_QUERIES,
    )
