"""REST under ``/rest``, as Twenty serves it: records, their groups, and metadata.

``records`` has the routes, ``params`` reads their query parameters and bodies, ``shape`` and
``relations`` apply ``fields`` and ``depth`` to what a route answers, ``group_by`` serves
``/rest/{objects}/groupBy`` and ``metadata`` serves ``/rest/metadata``.
"""

from hookwire.crm.rest.group_by import group_by_api
from hookwire.crm.rest.metadata import metadata_api
from hookwire.crm.rest.records import records_api

__all__ = ["group_by_api", "metadata_api", "records_api"]
