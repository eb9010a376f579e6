"""The CRM: metadata, records, and the REST and GraphQL APIs over them."""

from flask import Flask

from hookwire.crm.actors import SYSTEM, Actor
from hookwire.crm.catalog import Catalog, ObjectSpec, load_catalog
from hookwire.crm.counts import Count
from hookwire.crm.documents import iso_timestamp
from hookwire.crm.field_types import FieldType
from hookwire.crm.filters import Comparator, Condition, Conjunction
from hookwire.crm.graphql.endpoint import graphql_api
from hookwire.crm.graphql.field_scopes import requiring
from hookwire.crm.graphql.scalars import DateTimeScalar, UploadScalar, UUIDScalar
from hookwire.crm.openapi import openapi_api
from hookwire.crm.records import ChangeSink, ListQuery, RecordChange, RecordStore
from hookwire.crm.request_context import caller_actor, json_object, require_caller, require_scopes
from hookwire.crm.rest import group_by_api, metadata_api, records_api
from hookwire.crm.rest.params import ROUTE_CONVERTERS
from hookwire.crm.workspaces import install_connected_objects

# What other packages use of the CRM (files: uploads and their events; connected accounts:
# their REST routes; messaging and calendar: the records they import).
__all__ = [
    "SYSTEM",
    "Actor",
    "Catalog",
    "ChangeSink",
    "Comparator",
    "Condition",
    "Conjunction",
    "Count",
    "DateTimeScalar",
    "FieldType",
    "ListQuery",
    "ObjectSpec",
    "RecordChange",
    "RecordStore",
    "UUIDScalar",
    "UploadScalar",
    "caller_actor",
    "install_connected_objects",
    "iso_timestamp",
    "json_object",
    "load_catalog",
    "register_crm",
    "require_caller",
    "require_scopes",
    "requiring",
]


def register_crm(app: Flask) -> None:
    # Before the routes that use them: ``<object:…>`` and ``<record:…>`` leave the fixed
    # segments (batch, restore, duplicates, merge, groupBy) to their own routes.
    app.url_map.converters.update(ROUTE_CONVERTERS)
    app.register_blueprint(metadata_api)
    app.register_blueprint(records_api)
    app.register_blueprint(group_by_api)
    app.register_blueprint(graphql_api)
    app.register_blueprint(openapi_api)
