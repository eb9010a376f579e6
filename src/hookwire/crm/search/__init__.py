"""Full-text search: the ``searchVector`` of every record and the root ``search`` query.

Writers call ``index_records`` and ``drop_records`` inside the writing transaction; the
records schema shows ``search_vector_text`` as ``searchVector``, filters lists with
``search_clause`` and serves ``search_field()``. ``reindex_object`` / ``reindex_workspace``
rebuild documents after the fields feeding them change. Migration 0005 creates the storage
and uses ``document_terms``, ``search_field_names`` and ``vector_text`` for its backfill.
"""

from hookwire.crm.search.graphql_field import search_field
from hookwire.crm.search.index import (
    drop_records,
    index_records,
    is_search_storage,
    reindex_object,
    reindex_workspace,
)
from hookwire.crm.search.matching import search_clause
from hookwire.crm.search.terms import (
    document_terms,
    search_field_names,
    search_vector_text,
    vector_text,
)

__all__ = [
    "document_terms",
    "drop_records",
    "index_records",
    "is_search_storage",
    "reindex_object",
    "reindex_workspace",
    "search_clause",
    "search_field",
    "search_field_names",
    "search_vector_text",
    "vector_text",
]
