"""The CRM: metadata, records, and the REST and GraphQL APIs over them."""

from flask import Flask

from hookwire.crm.catalog import ObjectSpec
from hookwire.crm.documents import iso_timestamp
from hookwire.crm.field_types import FieldType
from hookwire.crm.graphql.endpoint import graphql_api
from hookwire.crm.graphql.field_scopes import requiring
from hookwire.crm.graphql.scalars import DateTimeScalar, UploadScalar, UUIDScalar
from hookwire.crm.openapi import openapi_api
from hookwire.crm.records import RecordChange
from hookwire.crm.request_context import caller_actor, json_object, require_caller, require_scopes
from hookwire.crm.rest import group_by_api, metadata_api, records_api
from hookwire.crm.rest.params import ROUTE_CONVERTERS
from hookwire.crm.workspaces import install_connected_objects

# What other packages use of the CRM (files: uploads and their events; connected accounts:
# their REST routes).
__all__ = [
    "DateTimeScalar",
    "FieldType",
    "ObjectSpec",
    "RecordChange",
    "UUIDScalar",
    "UploadScalar",
    "caller_actor",
    "install_connected_objects",
    "iso_timestamp",
    "json_object",
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
