"""The part of a workspace's GraphQL schema the generated client is built from.

A workspace's records schema is large: every connection carries aggregate fields for every
field (``countEmptyName``, ``minCreatedAt``…), every object has group-by, duplicates and merge
inputs. ariadne-codegen parses and models all of it, which for 50 objects of 30 fields costs
most of the generation time and most of the package. The client's operations
(``hookwire.sdk.operations``) use far less, so the schema handed to ariadne-codegen keeps:
the root fields those operations call, every record type's own fields (relations to one
record included, connections left out), connections reduced to ``edges pageInfo
totalCount``, every enum, and the types those reach. It is rebuilt from the schema's own
objects (the inputs, enums and scalars as they are) and printed once.
"""

from __future__ import annotations

from collections.abc import Collection

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    print_schema,
)

from hookwire.sdk.operations import root_fields

CONNECTION_FIELDS = ("edges", "pageInfo", "totalCount")


def codegen_schema(schema: GraphQLSchema) -> str:
    """The SDL of ``schema`` reduced to what the operations documents and the models need."""
    used = root_fields(schema)
    reduced: dict[str, GraphQLObjectType] = {}

    def output(type_: GraphQLOutputType) -> GraphQLOutputType:
        if isinstance(type_, GraphQLNonNull):
            return GraphQLNonNull(output(type_.of_type))
        if isinstance(type_, GraphQLList):
            return GraphQLList(output(type_.of_type))
        return reduce(type_) if isinstance(type_, GraphQLObjectType) else type_

    def reduce(
        object_type: GraphQLObjectType, keep: Collection[str] | None = None
    ) -> GraphQLObjectType:
        if object_type.name in reduced:
            return reduced[object_type.name]
        fields = object_type.fields
        if keep is None:
            keep = (
                CONNECTION_FIELDS
                if {"edges", "pageInfo"} <= fields.keys()  # a connection
                else [name for name, field in fields.items() if not field.args]
            )
        reduced[object_type.name] = GraphQLObjectType(
            object_type.name,
            lambda: {
                name: GraphQLField(output(fields[name].type), fields[name].args)
                for name in keep
                if name in fields
            },
        )
        return reduced[object_type.name]

    query = reduce(schema.query_type, used["Query"]) if schema.query_type else None
    mutation = reduce(schema.mutation_type, used["Mutation"]) if schema.mutation_type else None
    enums: list[GraphQLNamedType] = [
        t
        for t in schema.type_map.values()
        if isinstance(t, GraphQLEnumType) and not t.name.startswith("__")
    ]
    return print_schema(GraphQLSchema(query=query, mutation=mutation, types=enums))
