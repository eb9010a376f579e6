"""The ``Object``, ``Field`` and ``Relation`` nodes of ``/metadata``, in Twenty's shape.

Nodes are the outputs of ``hookwire.crm.metadata_output``. What a field points to (its object,
its relation's other side) comes from one ``WorkspaceMetadata`` per request, kept on the
request's session: a mutation that changes metadata drops it, so later reads see the change.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
)

from hookwire.crm.catalog import Catalog
from hookwire.crm.field_types import FieldType, RelationType
from hookwire.crm.graphql.limits import FAN_OUT
from hookwire.crm.graphql.metadata_filters import FieldFilter, matching
from hookwire.crm.graphql.metadata_paging import (
    DEFAULT_PAGE_SIZE,
    CursorPaging,
    connection,
    edge,
    page_bound,
    paginate,
)
from hookwire.crm.graphql.scalars import DateTimeScalar, JSONScalar, UUIDScalar
from hookwire.crm.metadata_output import WorkspaceMetadata

_VIEW_KEY = "hookwire.workspace_metadata"

FieldMetadataType = GraphQLEnumType(
    "FieldMetadataType", {t.value: t.value for t in FieldType}, description="Type of the field"
)
RelationTypeEnum = GraphQLEnumType(
    "RelationType", {t.value: t.value for t in RelationType}, description="Relation type"
)


def workspace_metadata(info: GraphQLResolveInfo) -> WorkspaceMetadata:
    """The caller's objects and fields: read once per metadata version and kept beside the
    catalog snapshot of that version; read afresh for the rest of a request whose mutation
    changed them."""
    context = info.context
    view = context.session.info.get(_VIEW_KEY)
    if view is not None:
        return view
    workspace_id = context.caller.workspace_id
    return context.catalog.cached(
        "metadata.view", lambda: WorkspaceMetadata.load(context.session, workspace_id)
    )


def metadata_changed(info: GraphQLResolveInfo) -> None:
    """A mutation just changed the metadata: the rest of this request reads it afresh."""
    context = info.context
    context.session.info[_VIEW_KEY] = WorkspaceMetadata.load(
        context.session, context.caller.workspace_id
    )


def most_fields(catalog: Catalog) -> int:
    return max((len(spec.fields) for spec in catalog.objects), default=0)


def all_fields(catalog: Catalog) -> int:
    return sum(len(spec.fields) for spec in catalog.objects)


def _most_morph_targets(_args: dict[str, Any], catalog: Catalog) -> int:
    return max((len(f.morph_targets) for spec in catalog.objects for f in spec.fields), default=0)


def _nullable(kind: Any) -> GraphQLField:
    return GraphQLField(kind)


def _required(kind: Any) -> GraphQLField:
    return GraphQLField(GraphQLNonNull(kind))


def _overrides(name: str, label_keys: tuple[str, ...]) -> GraphQLObjectType:
    """Twenty's translated labels of a standard object or field; never set here (null)."""
    return GraphQLObjectType(
        name,
        {
            **{key: _nullable(GraphQLString) for key in (*label_keys, "description", "icon")},
            "translations": _nullable(JSONScalar),
        },
    )


ObjectStandardOverrides = _overrides("ObjectStandardOverrides", ("labelSingular", "labelPlural"))
StandardOverrides = _overrides("StandardOverrides", ("label",))

PAGING_ARGUMENT = GraphQLArgument(
    CursorPaging, default_value={"first": DEFAULT_PAGE_SIZE}, description="Limit or page results."
)


def filter_argument(kind: Any) -> GraphQLArgument:
    return GraphQLArgument(
        kind, default_value={}, description="Specify to filter the records returned."
    )


def _fields() -> dict[str, GraphQLField]:
    flags = ("isCustom", "isActive", "isSystem", "isUIReadOnly", "isNullable", "isUnique")
    return {
        "id": _required(UUIDScalar),
        "objectMetadataId": _required(UUIDScalar),
        "type": _required(FieldMetadataType),
        "name": _required(GraphQLString),
        "label": _required(GraphQLString),
        "description": _nullable(GraphQLString),
        "icon": _nullable(GraphQLString),
        "standardOverrides": _nullable(StandardOverrides),
        **{flag: _nullable(GraphQLBoolean) for flag in flags},
        "defaultValue": _nullable(JSONScalar),
        "options": _nullable(JSONScalar),
        "settings": _nullable(JSONScalar),
        "isLabelSyncedWithName": _nullable(GraphQLBoolean),
        "applicationId": _nullable(UUIDScalar),
        "morphId": _nullable(UUIDScalar),
        "createdAt": _required(DateTimeScalar),
        "updatedAt": _required(DateTimeScalar),
        "relation": GraphQLField(
            RelationNode,
            resolve=lambda field, info: workspace_metadata(info).relation(field),
        ),
        "morphRelations": GraphQLField(
            GraphQLList(GraphQLNonNull(RelationNode)),
            resolve=lambda field, info: workspace_metadata(info).morph_relations(field),
            extensions={FAN_OUT: _most_morph_targets},
        ),
        "object": GraphQLField(
            ObjectNode,
            resolve=lambda field, info: workspace_metadata(info).object(field["objectMetadataId"]),
        ),
    }


FieldNode = GraphQLObjectType("Field", _fields)
FieldEdge = edge("Field", FieldNode)
FieldConnection = connection("FieldConnection", FieldEdge)
ObjectFieldsConnection = connection("ObjectFieldsConnection", FieldEdge)

RelationNode = GraphQLObjectType(
    "Relation",
    lambda: {
        "type": _required(RelationTypeEnum),
        "sourceObjectMetadata": _required(ObjectNode),
        "targetObjectMetadata": _required(ObjectNode),
        "sourceFieldMetadata": _required(FieldNode),
        "targetFieldMetadata": _required(FieldNode),
    },
)


def _object_fields() -> dict[str, GraphQLField]:
    flags = ("isCustom", "isRemote", "isActive", "isSystem", "isUIReadOnly", "isSearchable")
    return {
        "id": _required(UUIDScalar),
        "nameSingular": _required(GraphQLString),
        "namePlural": _required(GraphQLString),
        "labelSingular": _required(GraphQLString),
        "labelPlural": _required(GraphQLString),
        "description": _nullable(GraphQLString),
        "icon": _nullable(GraphQLString),
        "standardOverrides": _nullable(ObjectStandardOverrides),
        "shortcut": _nullable(GraphQLString),
        **{flag: _required(GraphQLBoolean) for flag in flags},
        "applicationId": _nullable(UUIDScalar),
        "createdAt": _required(DateTimeScalar),
        "updatedAt": _required(DateTimeScalar),
        "labelIdentifierFieldMetadataId": _nullable(UUIDScalar),
        "imageIdentifierFieldMetadataId": _nullable(UUIDScalar),
        "isLabelSyncedWithName": _required(GraphQLBoolean),
        "duplicateCriteria": _nullable(
            GraphQLList(GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLString))))
        ),
        "fields": GraphQLField(
            GraphQLNonNull(ObjectFieldsConnection),
            args={"paging": PAGING_ARGUMENT, "filter": filter_argument(FieldFilter)},
            resolve=lambda node, _info, paging, filter: paginate(
                matching(node["fields"], filter), paging
            ),
            extensions={FAN_OUT: page_bound(most_fields)},
        ),
        "fieldsList": GraphQLField(
            GraphQLNonNull(GraphQLList(GraphQLNonNull(FieldNode))),
            resolve=lambda node, _info: node["fields"],
            extensions={FAN_OUT: lambda _args, catalog: most_fields(catalog)},
        ),
    }


ObjectNode = GraphQLObjectType("Object", _object_fields)
ObjectConnection = connection("ObjectConnection", edge("Object", ObjectNode))
