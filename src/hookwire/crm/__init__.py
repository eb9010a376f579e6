"""The CRM: metadata, records, and the REST and GraphQL APIs over them."""

from flask import Flask

from hookwire.crm.graphql.endpoint import graphql_api
from hookwire.crm.openapi import openapi_api
from hookwire.crm.rest import group_by_api, metadata_api, records_api


def register_crm(app: Flask) -> None:
    app.register_blueprint(metadata_api)
    app.register_blueprint(records_api)
    app.register_blueprint(group_by_api)
    app.register_blueprint(graphql_api)
    app.register_blueprint(openapi_api)
