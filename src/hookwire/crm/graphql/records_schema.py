"""The ``/graphql`` schema of one workspace, generated from its catalog with Twenty's names.

Per object (``company``/``companies``): the record type ``Company`` with both sides of its
relations, ``CompanyConnection`` (with Twenty's aggregate fields) and
``CompanyGroupByConnection``, the inputs ``CompanyCreateInput``, ``CompanyUpdateInput``,
``CompanyFilterInput``, ``CompanyOrderByInput``, ``CompanyRelationInput``,
``CompanyGroupByInput`` and ``CompanyOrderByWithGroupByInput``, and the root fields
``company``, ``companies``, ``createCompany``, ``createCompanies``, ``updateCompany``,
``updateCompanies``, ``deleteCompany``, ``deleteCompanies``, ``destroyCompany``,
``destroyCompanies``, ``restoreCompany``, ``restoreCompanies``, ``companyDuplicates``,
``mergeCompanies`` and ``companiesGroupBy``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    assert_valid_schema,
)

from hookwire.crm.aggregates import TOTAL_COUNT, Result, available
from hookwire.crm.catalog import Catalog, FieldSpec, JoinColumn, ObjectSpec
from hookwire.crm.field_types import FieldType, is_composite, unique_subfield
from hookwire.crm.graphql import record_resolvers as resolvers
from hookwire.crm.graphql.arguments import page_fan_out
from hookwire.crm.graphql.context import current_workspace
from hookwire.crm.graphql.field_scopes import SCOPE
from hookwire.crm.graphql.limits import FAN_OUT
from hookwire.crm.graphql.scalars import DateTimeScalar, UUIDScalar
from hookwire.crm.graphql.schema_build import fast_schema_build
from hookwire.crm.graphql.types import (
    COMPOSITE_TYPES,
    SCALAR_TYPES,
    CompositeTypes,
    DateTimeFilter,
    FloatFilter,
    GroupByDateGranularityInput,
    OrderByDateGranularityInput,
    OrderByDirection,
    PageInfo,
    TSVectorFilter,
    UUIDFilter,
    Workspace,
    enum_filter,
)
from hookwire.crm.group_by import RECORDS_PER_GROUP, group_limit
from hookwire.crm.records import MAX_BULK, MAX_LIMIT
from hookwire.crm.request_context import capitalized
from hookwire.crm.search import search_field

_SYSTEM_OUTPUTS = {
    "id": GraphQLNonNull(UUIDScalar),
    "createdAt": GraphQLNonNull(DateTimeScalar),
    "updatedAt": GraphQLNonNull(DateTimeScalar),
    "deletedAt": DateTimeScalar,
    "position": GraphQLFloat,
}
_SYSTEM_FILTERS = {
    "id": UUIDFilter,
    "createdAt": DateTimeFilter,
    "updatedAt": DateTimeFilter,
    "deletedAt": DateTimeFilter,
    "position": FloatFilter,
}
_SYSTEM_DATES = frozenset({"createdAt", "updatedAt", "deletedAt"})
_UNORDERED = frozenset({FieldType.ARRAY, FieldType.MULTI_SELECT, FieldType.RAW_JSON})
_UNORDERED |= {FieldType.FILES, FieldType.TS_VECTOR}
_DATES = frozenset({FieldType.DATE, FieldType.DATE_TIME})
# Shared definitions: a connection offers a few hundred aggregates, all alike but for their
# names, and building one field object each was a third of the schema's build time.
_AGGREGATE_FIELDS = {
    Result.INT: GraphQLField(GraphQLInt),
    Result.FLOAT: GraphQLField(GraphQLFloat),
    Result.DATE_TIME: GraphQLField(DateTimeScalar),
}
_DIRECTION_INPUT = GraphQLInputField(OrderByDirection)


def records_schema(
    catalog: Catalog, extra_mutations: Mapping[str, GraphQLField] | None = None
) -> GraphQLSchema:
    """The workspace's records schema, built once per metadata version, with the mutations
    other packages contribute (the same for every workspace of an app: file uploads)."""
    return catalog.cached("graphql.records", lambda: _built(catalog, extra_mutations or {}))


def _built(catalog: Catalog, extra_mutations: Mapping[str, GraphQLField]) -> GraphQLSchema:
    with fast_schema_build():
        schema = _SchemaBuilder(catalog, extra_mutations).build()
        assert_valid_schema(schema)  # once, here, rather than on the first request's clock
    return schema


def _list_of(kind: Any) -> GraphQLList:
    return GraphQLList(GraphQLNonNull(kind))


def _bulk_fan_out(_args: dict[str, Any], _catalog: Any) -> int:
    return MAX_BULK


def _duplicates_fan_out(args: dict[str, Any], _catalog: Any) -> int:
    return len(args.get("ids") or args.get("data") or ()) * MAX_LIMIT


def _group_by_fan_out(args: dict[str, Any], _catalog: Any) -> int:
    return group_limit(args.get("limit")) * RECORDS_PER_GROUP


class _SchemaBuilder:
    """Builds the types of every active object once, each on first use (relations cycle)."""

    def __init__(
        self, catalog: Catalog, extra_mutations: Mapping[str, GraphQLField] | None = None
    ) -> None:
        self.catalog = catalog
        self.extra_mutations = extra_mutations or {}
        self.objects = [o for o in catalog.objects if o.is_active]
        self._types: dict[tuple[str, str], Any] = {}

    def build(self) -> GraphQLSchema:
        queries: dict[str, GraphQLField] = {
            "currentWorkspace": GraphQLField(
                Workspace, resolve=current_workspace, extensions={SCOPE: None}
            ),
            "search": search_field(),
        }
        mutations: dict[str, GraphQLField] = {}
        for spec in self.objects:
            queries.update(self._queries(spec))
            mutations.update(self._mutations(spec))
        mutations.update(self.extra_mutations)
        return GraphQLSchema(
            query=GraphQLObjectType("Query", queries),
            mutation=GraphQLObjectType("Mutation", mutations) if mutations else None,
        )

    def _once(self, spec: ObjectSpec, kind: str, make: Callable[[], Any]) -> Any:
        key = (spec.name_singular, kind)
        if key not in self._types:
            self._types[key] = make()
        return self._types[key]

    # field types

    def _enum(self, spec: ObjectSpec, field: FieldSpec) -> GraphQLEnumType:
        return spec.cached(
            f"enum.{field.id}",
            lambda: GraphQLEnumType(
                f"{capitalized(spec.name_singular)}{capitalized(field.name)}Enum",
                {option["value"]: option["value"] for option in field.options or []},
            ),
        )

    def _output_type(self, spec: ObjectSpec, field: FieldSpec) -> Any:
        if is_composite(field.type):
            return COMPOSITE_TYPES[field.type].output
        if field.type is FieldType.SELECT:
            return self._enum(spec, field)
        if field.type is FieldType.MULTI_SELECT:
            return GraphQLList(self._enum(spec, field))
        return SCALAR_TYPES[field.type].output

    def _input_type(self, spec: ObjectSpec, field: FieldSpec, *, for_create: bool) -> Any:
        if is_composite(field.type):
            composite = COMPOSITE_TYPES[field.type]
            return composite.create if for_create else composite.update
        if field.type in (FieldType.SELECT, FieldType.MULTI_SELECT):
            return self._output_type(spec, field)
        return SCALAR_TYPES[field.type].input

    def _filter_type(self, spec: ObjectSpec, field: FieldSpec) -> Any:
        if is_composite(field.type):
            return COMPOSITE_TYPES[field.type].filter
        if field.type in (FieldType.SELECT, FieldType.MULTI_SELECT):
            multi = field.type is FieldType.MULTI_SELECT
            return spec.cached(
                f"enum-filter.{field.id}", lambda: enum_filter(self._enum(spec, field), multi=multi)
            )
        return SCALAR_TYPES[field.type].filter

    # object types

    def output(self, spec: ObjectSpec) -> GraphQLObjectType:
        return self._once(
            spec,
            "output",
            lambda: GraphQLObjectType(
                capitalized(spec.name_singular),
                lambda: self._output_fields(spec),
                description=spec.description,
            ),
        )

    def _output_fields(self, spec: ObjectSpec) -> dict[str, GraphQLField]:
        fields = {name: GraphQLField(kind) for name, kind in _SYSTEM_OUTPUTS.items()}
        for field in (f for f in spec.fields if f.is_active):
            if field.type is FieldType.TS_VECTOR:
                fields[field.name] = GraphQLField(
                    SCALAR_TYPES[field.type].output,
                    description=field.description,
                    resolve=resolvers.search_vector(spec),
                )
            elif field.to_many:
                target = self.catalog.active_object(field.relation_target)
                if target is not None:
                    fields[field.name] = self._to_many_field(spec, field, target)
            elif field.join_columns:
                for column in field.join_columns:
                    fields.update(self._join_fields(spec, field, column))
            elif not field.is_system:
                fields[field.storage_name] = GraphQLField(
                    self._output_type(spec, field), description=field.description
                )
        return fields

    def _join_fields(
        self, spec: ObjectSpec, field: FieldSpec, column: JoinColumn
    ) -> dict[str, GraphQLField]:
        fields = {column.key: GraphQLField(UUIDScalar, description=field.description)}
        target = self.catalog.active_object(column.target)
        if target is not None:
            fields[column.relation_name] = GraphQLField(
                self.output(target),
                description=field.description,
                resolve=resolvers.related_record(column, target),
            )
        return fields

    def _to_many_field(
        self, spec: ObjectSpec, field: FieldSpec, target: ObjectSpec
    ) -> GraphQLField:
        return GraphQLField(
            self.connection(target),
            args=self._list_args(target),
            description=field.description,
            resolve=resolvers.related_page(target, self.catalog.pointing_key(spec, field)),
            extensions={FAN_OUT: page_fan_out},
        )

    def connection(self, spec: ObjectSpec) -> GraphQLObjectType:
        def make() -> GraphQLObjectType:
            edge = GraphQLObjectType(
                f"{capitalized(spec.name_singular)}Edge",
                {
                    "node": GraphQLField(GraphQLNonNull(self.output(spec))),
                    "cursor": GraphQLField(GraphQLNonNull(GraphQLString)),
                },
            )
            aggregates = {
                name: _AGGREGATE_FIELDS[aggregate.result]
                for name, aggregate in available(spec).items()
                if name != TOTAL_COUNT
            }
            return GraphQLObjectType(
                f"{capitalized(spec.name_singular)}Connection",
                {
                    "edges": GraphQLField(GraphQLNonNull(_list_of(edge))),
                    "pageInfo": GraphQLField(GraphQLNonNull(PageInfo)),
                    "totalCount": GraphQLField(GraphQLNonNull(GraphQLInt)),
                    **aggregates,
                },
            )

        return self._once(spec, "connection", make)

    def group_by_connection(self, spec: ObjectSpec) -> GraphQLObjectType:
        """A group: every connection field, and the values the group's records share (null
        where they share an empty value)."""
        return self._once(
            spec,
            "group-by-connection",
            lambda: GraphQLObjectType(
                f"{capitalized(spec.name_singular)}GroupByConnection",
                lambda: {
                    **self.connection(spec).fields,
                    "groupByDimensionValues": GraphQLField(
                        GraphQLNonNull(GraphQLList(GraphQLString))
                    ),
                },
            ),
        )

    # input types

    def filter_input(self, spec: ObjectSpec) -> GraphQLInputObjectType:
        def fields() -> dict[str, GraphQLInputField]:
            result = {name: GraphQLInputField(kind) for name, kind in _SYSTEM_FILTERS.items()}
            for field in spec.data_fields:
                if field.join_columns:
                    result.update(
                        (c.key, GraphQLInputField(UUIDFilter)) for c in field.join_columns
                    )
                else:
                    result[field.storage_name] = GraphQLInputField(self._filter_type(spec, field))
            if spec.field_named("searchVector") is not None:
                result["searchVector"] = GraphQLInputField(TSVectorFilter)
            self_type = self.filter_input(spec)
            result["and"] = GraphQLInputField(_list_of(self_type))
            result["or"] = GraphQLInputField(_list_of(self_type))
            result["not"] = GraphQLInputField(self_type)
            return result

        return self._once(
            spec,
            "filter",
            lambda: GraphQLInputObjectType(f"{capitalized(spec.name_singular)}FilterInput", fields),
        )

    def _per_field_input(
        self,
        spec: ObjectSpec,
        suffix: str,
        *,
        scalar: Any,
        date: Any,
        composite: Callable[[CompositeTypes], GraphQLInputObjectType],
        extra: Callable[[], dict[str, GraphQLInputField]] = dict,
    ) -> GraphQLInputObjectType:
        """An input with one entry per sortable or groupable field: ``scalar`` for a plain
        value (and a relation's id), ``date`` for a date, ``composite(types)`` for a
        composite; then ``extra()``."""

        def fields() -> dict[str, GraphQLInputField]:
            result = {
                name: GraphQLInputField(date if name in _SYSTEM_DATES else scalar)
                for name in _SYSTEM_FILTERS
            }
            for field in spec.data_fields:
                if is_composite(field.type):
                    result[field.name] = GraphQLInputField(composite(COMPOSITE_TYPES[field.type]))
                elif field.type not in _UNORDERED:
                    kind = date if field.type in _DATES else scalar
                    result.update((key, GraphQLInputField(kind)) for key in field.stored_keys)
            return {**result, **extra()}

        name = f"{capitalized(spec.name_singular)}{suffix}"
        return self._once(spec, suffix, lambda: GraphQLInputObjectType(name, fields))

    def order_input(self, spec: ObjectSpec) -> GraphQLInputObjectType:
        return self._per_field_input(
            spec,
            "OrderByInput",
            scalar=OrderByDirection,
            date=OrderByDirection,
            composite=lambda types: types.order_by,
        )

    def group_by_input(self, spec: ObjectSpec) -> GraphQLInputObjectType:
        """``CompanyGroupByInput``: one field per item, ``{city: true}``, ``{name: {lastName:
        true}}``, ``{createdAt: {granularity: MONTH, timeZone: "UTC"}}``."""
        return self._per_field_input(
            spec,
            "GroupByInput",
            scalar=GraphQLBoolean,
            date=GroupByDateGranularityInput,
            composite=lambda types: types.group_by,
        )

    def order_with_group_by_input(self, spec: ObjectSpec) -> GraphQLInputObjectType:
        """``CompanyOrderByWithGroupByInput``: groups sorted by a dimension, a date dimension
        (``{orderBy, granularity}``) or an aggregate (``{aggregate: {totalCount: …}}``)."""
        name = capitalized(spec.name_singular)

        def aggregate() -> dict[str, GraphQLInputField]:
            by_aggregate = GraphQLInputObjectType(
                f"{name}AggregateOrderByInput",
                dict.fromkeys(available(spec), _DIRECTION_INPUT),
            )
            return {"aggregate": GraphQLInputField(by_aggregate)}

        return self._per_field_input(
            spec,
            "OrderByWithGroupByInput",
            scalar=OrderByDirection,
            date=OrderByDateGranularityInput,
            composite=lambda types: types.order_by,
            extra=aggregate,
        )

    def data_input(self, spec: ObjectSpec, *, for_create: bool) -> GraphQLInputObjectType:
        suffix = "CreateInput" if for_create else "UpdateInput"

        def fields() -> dict[str, GraphQLInputField]:
            result = {
                "id": GraphQLInputField(UUIDScalar),
                "position": GraphQLInputField(GraphQLFloat),
            }
            for field in spec.data_fields:
                if field.join_columns:
                    for column in field.join_columns:
                        result[column.key] = GraphQLInputField(UUIDScalar)
                        target = self.catalog.active_object(column.target)
                        if target is not None:
                            result[column.relation_name] = GraphQLInputField(
                                self.relation_input(target)
                            )
                    continue
                result[field.storage_name] = GraphQLInputField(
                    self._input_type(spec, field, for_create=for_create),
                    description=field.description,
                )
            return result

        return self._once(
            spec,
            suffix,
            lambda: GraphQLInputObjectType(f"{capitalized(spec.name_singular)}{suffix}", fields),
        )

    def relation_input(self, spec: ObjectSpec) -> GraphQLInputObjectType:
        """``CompanyRelationInput``: connect to a company found by id or a unique field, or
        disconnect."""

        def make() -> GraphQLInputObjectType:
            name = capitalized(spec.name_singular)
            where: dict[str, GraphQLInputField] = {"id": GraphQLInputField(UUIDScalar)}
            for field in spec.unique_fields:
                sub = unique_subfield(field.type) if is_composite(field.type) else None
                where[field.name] = GraphQLInputField(
                    GraphQLInputObjectType(
                        f"{name}{capitalized(field.name)}WhereInput",
                        {sub.name: GraphQLInputField(GraphQLString)},
                    )
                    if sub
                    else self._input_type(spec, field, for_create=True)
                )
            unique = GraphQLInputObjectType(f"{name}WhereUniqueInput", where)
            connect = GraphQLInputObjectType(
                f"{name}ConnectInput", {"where": GraphQLInputField(GraphQLNonNull(unique))}
            )
            return GraphQLInputObjectType(
                f"{name}RelationInput",
                {
                    "connect": GraphQLInputField(
                        connect, description=f"Connect to a {spec.name_singular} record"
                    ),
                    "disconnect": GraphQLInputField(
                        GraphQLBoolean, description=f"Disconnect from a {spec.name_singular} record"
                    ),
                },
            )

        return self._once(spec, "relation-input", make)

    def _list_args(self, spec: ObjectSpec) -> dict[str, GraphQLArgument]:
        return {
            "filter": GraphQLArgument(self.filter_input(spec)),
            "orderBy": GraphQLArgument(_list_of(self.order_input(spec))),
            "first": GraphQLArgument(GraphQLInt),
            "after": GraphQLArgument(GraphQLString),
            "last": GraphQLArgument(GraphQLInt),
            "before": GraphQLArgument(GraphQLString),
            "offset": GraphQLArgument(GraphQLInt),
        }

    # root fields

    def _queries(self, spec: ObjectSpec) -> dict[str, GraphQLField]:
        filter_input = self.filter_input(spec)
        return {
            spec.name_plural: GraphQLField(
                self.connection(spec),
                args=self._list_args(spec),
                resolve=resolvers.list_page(spec),
                extensions={FAN_OUT: page_fan_out},
            ),
            spec.name_singular: GraphQLField(
                self.output(spec),
                args={"filter": GraphQLArgument(GraphQLNonNull(filter_input))},
                resolve=resolvers.find_one(spec),
            ),
            f"{spec.name_plural}GroupBy": GraphQLField(
                _list_of(self.group_by_connection(spec)),
                args={
                    "groupBy": GraphQLArgument(GraphQLNonNull(_list_of(self.group_by_input(spec)))),
                    "filter": GraphQLArgument(filter_input),
                    "orderBy": GraphQLArgument(_list_of(self.order_with_group_by_input(spec))),
                    "orderByForRecords": GraphQLArgument(_list_of(self.order_input(spec))),
                    "viewId": GraphQLArgument(UUIDScalar),
                    "limit": GraphQLArgument(GraphQLInt),
                },
                resolve=resolvers.group_by(spec),
                # Each group's connection holds up to a sample of its records.
                extensions={FAN_OUT: _group_by_fan_out},
            ),
            f"{spec.name_singular}Duplicates": GraphQLField(
                _list_of(self.connection(spec)),
                args={
                    "ids": GraphQLArgument(_list_of(UUIDScalar)),
                    "data": GraphQLArgument(_list_of(self.data_input(spec, for_create=True))),
                },
                resolve=resolvers.duplicates(spec),
                # Each input's connection holds up to a page of duplicates.
                extensions={FAN_OUT: _duplicates_fan_out},
            ),
        }

    def _mutations(self, spec: ObjectSpec) -> dict[str, GraphQLField]:
        node = self.output(spec)
        singular, plural = capitalized(spec.name_singular), capitalized(spec.name_plural)
        create_input = self.data_input(spec, for_create=True)
        update_input = self.data_input(spec, for_create=False)
        by_id = {"id": GraphQLArgument(GraphQLNonNull(UUIDScalar))}
        by_filter = {"filter": GraphQLArgument(GraphQLNonNull(self.filter_input(spec)))}
        upsert = GraphQLArgument(GraphQLBoolean)

        def bulk(resolve: Callable[..., Any], args: dict[str, GraphQLArgument]) -> GraphQLField:
            return GraphQLField(
                _list_of(node), args=args, resolve=resolve, extensions={FAN_OUT: _bulk_fan_out}
            )

        return {
            f"create{singular}": GraphQLField(
                node,
                args={"data": GraphQLArgument(GraphQLNonNull(create_input)), "upsert": upsert},
                resolve=resolvers.create_one(spec),
            ),
            f"create{plural}": GraphQLField(
                _list_of(node),
                args={
                    "data": GraphQLArgument(GraphQLNonNull(_list_of(create_input))),
                    "upsert": upsert,
                },
                resolve=resolvers.create_many(spec),
                extensions={FAN_OUT: lambda args, _catalog: len(args.get("data") or ())},
            ),
            f"update{singular}": GraphQLField(
                node,
                args={**by_id, "data": GraphQLArgument(GraphQLNonNull(update_input))},
                resolve=resolvers.update_one(spec),
            ),
            f"update{plural}": bulk(
                resolvers.update_many(spec),
                {"data": GraphQLArgument(GraphQLNonNull(update_input)), **by_filter},
            ),
            f"delete{singular}": GraphQLField(
                node, args=by_id, resolve=resolvers.by_id(spec, "soft_delete")
            ),
            f"delete{plural}": bulk(resolvers.by_filter(spec, "soft_delete_many"), by_filter),
            f"destroy{singular}": GraphQLField(
                node, args=by_id, resolve=resolvers.by_id(spec, "destroy")
            ),
            f"destroy{plural}": bulk(resolvers.by_filter(spec, "destroy_many"), by_filter),
            f"restore{singular}": GraphQLField(
                node, args=by_id, resolve=resolvers.by_id(spec, "restore")
            ),
            f"restore{plural}": bulk(resolvers.by_filter(spec, "restore_many"), by_filter),
            f"merge{plural}": GraphQLField(
                node,
                args={
                    "ids": GraphQLArgument(GraphQLNonNull(_list_of(UUIDScalar))),
                    "conflictPriorityIndex": GraphQLArgument(GraphQLNonNull(GraphQLInt)),
                    "dryRun": GraphQLArgument(GraphQLBoolean),
                },
                resolve=resolvers.merge(spec),
            ),
        }
