"""The ``/graphql`` schema of one workspace, generated from its catalog."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
)

from hookwire.crm.catalog import Catalog, FieldSpec, ObjectSpec
from hookwire.crm.field_types import FieldType, is_composite
from hookwire.crm.graphql.arguments import filter_node, list_query
from hookwire.crm.graphql.context import GraphContext, current_workspace
from hookwire.crm.graphql.scalars import DateTimeScalar, UUIDScalar
from hookwire.crm.graphql.types import (
    COMPOSITE_TYPES,
    SCALAR_TYPES,
    DateTimeFilter,
    FloatFilter,
    OrderByDirection,
    PageInfo,
    UUIDFilter,
    Workspace,
    enum_filter,
)
from hookwire.crm.records import ListQuery
from hookwire.crm.request_context import capitalized


def records_schema(catalog: Catalog) -> GraphQLSchema:
    """The workspace's records schema, built once per metadata version."""
    return catalog.cached("graphql.records", lambda: _SchemaBuilder(catalog).build())


class _SchemaBuilder:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.objects = [o for o in catalog.objects if o.is_active]
        self.output_types: dict[str, GraphQLObjectType] = {}

    def build(self) -> GraphQLSchema:
        queries: dict[str, GraphQLField] = {
            "currentWorkspace": GraphQLField(Workspace, resolve=current_workspace)
        }
        mutations: dict[str, GraphQLField] = {}
        for spec in self.objects:
            self.output_types[spec.name_singular] = self._object_type(spec)
        for spec in self.objects:
            queries.update(self._queries(spec))
            mutations.update(self._mutations(spec))
        return GraphQLSchema(
            query=GraphQLObjectType("Query", queries),
            mutation=GraphQLObjectType("Mutation", mutations) if mutations else None,
        )

    # types

    def _enum(self, spec: ObjectSpec, field: FieldSpec) -> GraphQLEnumType:
        key = f"enum.{field.id}"
        return spec.cached(
            key,
            lambda: GraphQLEnumType(
                f"{capitalized(spec.name_singular)}{capitalized(field.name)}Enum",
                {option["value"]: option["value"] for option in field.options or []},
            ),
        )

    def _output_type(self, spec: ObjectSpec, field: FieldSpec) -> Any:
        if is_composite(field.type):
            return COMPOSITE_TYPES[field.type]["output"]
        if field.type is FieldType.SELECT:
            return self._enum(spec, field)
        if field.type is FieldType.MULTI_SELECT:
            return GraphQLList(self._enum(spec, field))
        return SCALAR_TYPES[field.type][0]

    def _input_type(self, spec: ObjectSpec, field: FieldSpec) -> Any:
        if is_composite(field.type):
            return COMPOSITE_TYPES[field.type]["input"]
        if field.type in (FieldType.SELECT, FieldType.MULTI_SELECT):
            return self._output_type(spec, field)
        return SCALAR_TYPES[field.type][1]

    def _filter_type(self, spec: ObjectSpec, field: FieldSpec) -> Any:
        if is_composite(field.type):
            return COMPOSITE_TYPES[field.type]["filter"]
        if field.type in (FieldType.SELECT, FieldType.MULTI_SELECT):
            multi = field.type is FieldType.MULTI_SELECT
            return spec.cached(
                f"enum-filter.{field.id}", lambda: enum_filter(self._enum(spec, field), multi=multi)
            )
        return SCALAR_TYPES[field.type][2]

    def _object_type(self, spec: ObjectSpec) -> GraphQLObjectType:
        def fields() -> dict[str, GraphQLField]:
            result: dict[str, GraphQLField] = {
                "id": GraphQLField(GraphQLNonNull(UUIDScalar)),
                "createdAt": GraphQLField(DateTimeScalar),
                "updatedAt": GraphQLField(DateTimeScalar),
                "deletedAt": GraphQLField(DateTimeScalar),
                "position": GraphQLField(GraphQLFloat),
            }
            for field in spec.data_fields:
                result[field.storage_name] = GraphQLField(
                    self._output_type(spec, field), description=field.description
                )
                target = self.catalog.object_by_singular(field.relation_target or "")
                if field.type is FieldType.RELATION and target and target.is_active:
                    result[field.name] = GraphQLField(
                        self.output_types[target.name_singular],
                        resolve=_relation_resolver(field, target),
                    )
            return result

        return GraphQLObjectType(
            capitalized(spec.name_singular), fields, description=spec.description
        )

    def _filter_input(self, spec: ObjectSpec) -> GraphQLInputObjectType:
        name = f"{capitalized(spec.name_singular)}FilterInput"

        def fields() -> dict[str, GraphQLInputField]:
            result = {
                "id": GraphQLInputField(UUIDFilter),
                "createdAt": GraphQLInputField(DateTimeFilter),
                "updatedAt": GraphQLInputField(DateTimeFilter),
                "deletedAt": GraphQLInputField(DateTimeFilter),
                "position": GraphQLInputField(FloatFilter),
            }
            for field in spec.data_fields:
                result[field.storage_name] = GraphQLInputField(self._filter_type(spec, field))
            result["and"] = GraphQLInputField(GraphQLList(GraphQLNonNull(filter_type)))
            result["or"] = GraphQLInputField(GraphQLList(GraphQLNonNull(filter_type)))
            result["not"] = GraphQLInputField(filter_type)
            return result

        filter_type = GraphQLInputObjectType(name, fields)
        return filter_type

    def _order_input(self, spec: ObjectSpec) -> GraphQLInputObjectType:
        fields = {
            name: GraphQLInputField(OrderByDirection)
            for name in ("id", "createdAt", "updatedAt", "deletedAt", "position")
        }
        for field in spec.data_fields:
            if is_composite(field.type):
                fields[field.name] = GraphQLInputField(COMPOSITE_TYPES[field.type]["orderBy"])
            elif field.type not in (FieldType.ARRAY, FieldType.MULTI_SELECT, FieldType.RAW_JSON):
                fields[field.storage_name] = GraphQLInputField(OrderByDirection)
        return GraphQLInputObjectType(f"{capitalized(spec.name_singular)}OrderByInput", fields)

    def _data_input(self, spec: ObjectSpec, *, for_create: bool) -> GraphQLInputObjectType:
        suffix = "CreateInput" if for_create else "UpdateInput"
        fields = {"id": GraphQLInputField(UUIDScalar)} if for_create else {}
        if for_create:
            fields["position"] = GraphQLInputField(GraphQLFloat)
        for field in spec.data_fields:
            fields[field.storage_name] = GraphQLInputField(
                self._input_type(spec, field), description=field.description
            )
        return GraphQLInputObjectType(f"{capitalized(spec.name_singular)}{suffix}", fields)

    # root fields

    def _queries(self, spec: ObjectSpec) -> dict[str, GraphQLField]:
        node = self.output_types[spec.name_singular]
        edge = GraphQLObjectType(
            f"{capitalized(spec.name_singular)}Edge",
            {
                "node": GraphQLField(GraphQLNonNull(node)),
                "cursor": GraphQLField(GraphQLNonNull(GraphQLString)),
            },
        )
        connection = GraphQLObjectType(
            f"{capitalized(spec.name_singular)}Connection",
            {
                "edges": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(edge)))),
                "pageInfo": GraphQLField(GraphQLNonNull(PageInfo)),
                "totalCount": GraphQLField(GraphQLNonNull(GraphQLInt)),
            },
        )
        filter_input = self._filter_input(spec)
        order_input = self._order_input(spec)
        return {
            spec.name_plural: GraphQLField(
                connection,
                args={
                    "filter": GraphQLArgument(filter_input),
                    "orderBy": GraphQLArgument(GraphQLList(GraphQLNonNull(order_input))),
                    "first": GraphQLArgument(GraphQLInt),
                    "after": GraphQLArgument(GraphQLString),
                    "last": GraphQLArgument(GraphQLInt),
                    "before": GraphQLArgument(GraphQLString),
                },
                resolve=_list_resolver(spec),
            ),
            spec.name_singular: GraphQLField(
                node,
                args={"filter": GraphQLArgument(filter_input)},
                resolve=_one_resolver(spec),
            ),
        }

    def _mutations(self, spec: ObjectSpec) -> dict[str, GraphQLField]:
        node = self.output_types[spec.name_singular]
        singular, plural = capitalized(spec.name_singular), capitalized(spec.name_plural)
        create_input = self._data_input(spec, for_create=True)
        update_input = self._data_input(spec, for_create=False)
        by_id = {"id": GraphQLArgument(GraphQLNonNull(UUIDScalar))}
        return {
            f"create{singular}": GraphQLField(
                node,
                args={"data": GraphQLArgument(GraphQLNonNull(create_input))},
                resolve=lambda _, info, data: _store(info).create(spec, data),
            ),
            f"create{plural}": GraphQLField(
                GraphQLList(node),
                args={
                    "data": GraphQLArgument(
                        GraphQLNonNull(GraphQLList(GraphQLNonNull(create_input)))
                    )
                },
                resolve=lambda _, info, data: _store(info).create_many(spec, data),
            ),
            f"update{singular}": GraphQLField(
                node,
                args={**by_id, "data": GraphQLArgument(GraphQLNonNull(update_input))},
                resolve=lambda _, info, id, data: _store(info).update(spec, id, data),
            ),
            f"delete{singular}": GraphQLField(
                node,
                args=by_id,
                resolve=lambda _, info, id: _store(info).soft_delete(spec, id),
            ),
            f"destroy{singular}": GraphQLField(
                node,
                args=by_id,
                resolve=lambda _, info, id: _store(info).destroy(spec, id),
            ),
            f"restore{singular}": GraphQLField(
                node,
                args=by_id,
                resolve=lambda _, info, id: _store(info).restore(spec, id),
            ),
        }


def _store(info: GraphQLResolveInfo):
    context: GraphContext = info.context
    return context.store


def _list_resolver(spec: ObjectSpec):
    def resolve(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        page = _store(info).list(spec, list_query(spec, args))
        return {
            "edges": [
                {"node": record, "cursor": cursor}
                for record, cursor in zip(page.records, page.cursors, strict=True)
            ],
            "pageInfo": {
                "hasNextPage": page.has_next_page,
                "hasPreviousPage": page.has_previous_page,
                "startCursor": page.start_cursor,
                "endCursor": page.end_cursor,
            },
            "totalCount": page.total_count,
        }

    return resolve


def _one_resolver(spec: ObjectSpec):
    def resolve(_root: Any, info: GraphQLResolveInfo, filter: dict | None = None) -> Any:
        query = ListQuery(filter=filter_node(spec, filter) if filter else None, limit=1)
        page = _store(info).list(spec, query)
        return page.records[0] if page.records else None

    return resolve


def _relation_resolver(field: FieldSpec, target: ObjectSpec):
    def resolve(root: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        related_id = root.get(field.storage_name)
        return _store(info).find(target, related_id) if related_id else None

    return resolve
