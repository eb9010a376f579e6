"""Operation documents per record object, read off a workspace's GraphQL schema.

ariadne-codegen turns each named operation into a typed client method whose answer is a
pydantic model; these documents give every object (custom ones included) the same set:
``list``, ``get`` (by id), ``create``, ``update``, ``delete`` (soft) and ``destroy``, all
selecting one fragment of the object's own fields. (More per object would cost generation
time on wide workspaces for little: ``graphql()`` sends any other document.)
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
)

# The search vector is the server's full-text index, not data a client reads or writes.
SKIPPED_SCALARS = frozenset({"TSVector"})


@dataclass(frozen=True)
class RecordObject:
    """One record object as the schema shows it: ``Person`` read by ``person`` and ``people``."""

    type_name: str  # Person
    singular: str  # person
    plural: str  # people

    @property
    def one(self) -> str:
        return _capitalized(self.singular)

    @property
    def many(self) -> str:
        return _capitalized(self.plural)


@dataclass(frozen=True)
class Operation:
    """``{kind} {name}({variables}) { {field}({arguments}) { {selection} } }``."""

    kind: str  # query or mutation
    name: str  # ListPeople
    field: str  # people
    variables: str  # $filter: PersonFilterInput, …
    arguments: str  # filter: $filter, …
    selection: str

    def document(self) -> str:
        return (
            f"{self.kind} {self.name}({self.variables}) {{\n"
            f"  {self.field}({self.arguments}) {{ {self.selection} }}\n}}"
        )


def record_objects(schema: GraphQLSchema) -> list[RecordObject]:
    """Every object with a get-one query (``filter`` required) and a list query (a connection)."""
    query = schema.query_type
    if query is None:
        return []
    singular: dict[str, str] = {}
    plural: dict[str, str] = {}
    for name, field in query.fields.items():
        named = get_named_type(field.type)
        filter_arg = field.args.get("filter")
        if filter_arg is None or not isinstance(named, GraphQLObjectType):
            continue
        if _is_record(named) and filter_arg.type is not get_named_type(filter_arg.type):
            singular.setdefault(named.name, name)
        node = _connection_node(named)
        if node is not None and "first" in field.args:
            plural.setdefault(node.name, name)
    return [
        RecordObject(type_name, name, plural[type_name])
        for type_name, name in sorted(singular.items())
        if type_name in plural and plural[type_name] != name
    ]


def object_operations(schema: GraphQLSchema, record: RecordObject) -> list[Operation]:
    """The operations of one object, each selecting ``{Type}Fields`` (destroy: the id)."""
    queries = schema.query_type.fields if schema.query_type else {}
    mutations = schema.mutation_type.fields if schema.mutation_type else {}
    fields = f"...{record.type_name}Fields"
    lister = queries[record.plural]
    wanted = [name for name in ("filter", "orderBy", "first", "after") if name in lister.args]
    page = f"edges {{ node {{ {fields} }} }} pageInfo {{ hasNextPage endCursor }} totalCount"
    operations = [
        Operation(
            "query",
            f"List{record.many}",
            record.plural,
            _variables(lister, wanted),
            _arguments(wanted),
            page,
        )
    ]
    id_type = _id_filter_type(queries[record.singular])
    if id_type:
        operations.append(
            Operation(
                "query",
                f"Get{record.one}",
                record.singular,
                f"$id: {id_type}",
                "filter: {id: {eq: $id}}",
                fields,
            )
        )
    for verb, wanted in (
        ("create", ["data", "upsert"]),
        ("update", ["id", "data"]),
        ("delete", ["id"]),
        ("destroy", ["id"]),
    ):
        field_name = f"{verb}{record.one}"
        field = mutations.get(field_name)
        if field is None or any(name not in field.args for name in wanted):
            continue
        operations.append(
            Operation(
                "mutation",
                _capitalized(field_name),
                field_name,
                _variables(field, wanted),
                _arguments(wanted),
                "id" if verb == "destroy" else fields,
            )
        )
    return operations


def operations_document(schema: GraphQLSchema) -> str:
    """The fragments and operations of every record object, as one GraphQL document."""
    parts = []
    for record in record_objects(schema):
        node = schema.get_type(record.type_name)
        assert isinstance(node, GraphQLObjectType)
        parts.append(
            f"fragment {record.type_name}Fields on {record.type_name} {{\n{_fields_of(node)}\n}}"
        )
        parts.extend(operation.document() for operation in object_operations(schema, record))
    return "\n\n".join(parts) + "\n" if parts else ""


def root_fields(schema: GraphQLSchema) -> dict[str, set[str]]:
    """The root fields the operations call, by root type (``Query``, ``Mutation``)."""
    used: dict[str, set[str]] = {"Query": set(), "Mutation": set()}
    for record in record_objects(schema):
        for operation in object_operations(schema, record):
            used["Query" if operation.kind == "query" else "Mutation"].add(operation.field)
    return used


def _fields_of(node: GraphQLObjectType) -> str:
    """The object's own values: leaf fields and composite ones (``name { firstName … }``);
    relations and connections are left to the caller's ids (``companyId``)."""
    lines = []
    for name, field in node.fields.items():
        named = get_named_type(field.type)
        if field.args or named.name in SKIPPED_SCALARS:
            continue
        if is_leaf_type(named):
            lines.append(f"  {name}")
        elif _is_composite(named):
            assert isinstance(named, GraphQLObjectType)
            lines.append(f"  {name} {{ {' '.join(named.fields)} }}")
    return "\n".join(lines)


def _variables(field: GraphQLField, names: list[str]) -> str:
    return ", ".join(f"${name}: {field.args[name].type}" for name in names)


def _arguments(names: list[str]) -> str:
    return ", ".join(f"{name}: ${name}" for name in names)


def _id_filter_type(getter: GraphQLField) -> str | None:
    """``UUID!`` when the get-one filter reads ``{id: {eq: …}}``."""
    filter_type = get_named_type(getter.args["filter"].type)
    if not isinstance(filter_type, GraphQLInputObjectType) or "id" not in filter_type.fields:
        return None
    id_filter = get_named_type(filter_type.fields["id"].type)
    if not isinstance(id_filter, GraphQLInputObjectType) or "eq" not in id_filter.fields:
        return None
    return f"{get_named_type(id_filter.fields['eq'].type).name}!"


def _is_record(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType) and "id" in named.fields


def _is_composite(named: GraphQLNamedType) -> bool:
    """A value made of subfields (FullName, Emails, Actor…): no id, only leaf fields."""
    return (
        isinstance(named, GraphQLObjectType)
        and "id" not in named.fields
        and all(
            not field.args and is_leaf_type(get_named_type(field.type))
            for field in named.fields.values()
        )
    )


def _connection_node(named: GraphQLObjectType) -> GraphQLObjectType | None:
    """``Person`` for ``PersonConnection { edges { node: Person } }``."""
    edges = named.fields.get("edges")
    if edges is None:
        return None
    edge = get_named_type(edges.type)
    if not isinstance(edge, GraphQLObjectType) or "node" not in edge.fields:
        return None
    node = get_named_type(edge.fields["node"].type)
    return node if _is_record(node) else None


def _capitalized(name: str) -> str:
    return name[:1].upper() + name[1:]
