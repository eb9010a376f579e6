"""``GET /open-api/core``: an OpenAPI 3.1 document of the REST API, per workspace.

``document`` assembles it; ``paths``, ``parameters`` and ``schemas`` describe the routes, their
parameters and the records of each object.
"""

from hookwire.crm.openapi.document import openapi_api, openapi_document

__all__ = ["openapi_api", "openapi_document"]
