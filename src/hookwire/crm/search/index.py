"""Keeping the search index: each record's document written, replaced, dropped, rebuilt.

Every record has one row in ``search_document`` (see ``hookwire.models.SearchDocument``). On
PostgreSQL its ``terms`` column is a tsvector under a GIN index; on SQLite it is text that the
external-content FTS5 table ``search_fts`` indexes, kept in step by triggers. A row goes with
its record (``ON DELETE CASCADE``) and stays while the record is soft-deleted, so a restore
needs no reindex.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from hookwire.crm.catalog import Catalog, ObjectSpec
from hookwire.crm.documents import record_output
from hookwire.crm.search.terms import record_terms, vector_text
from hookwire.models import Record, SearchDocument

DOCUMENTS = SearchDocument.__table__
# A document belongs to the record with its (workspace_id, record_id): ids are per workspace.
OF_RECORD = sa.and_(
    Record.workspace_id == DOCUMENTS.c.workspace_id, Record.id == DOCUMENTS.c.record_id
)
FTS_TABLE = "search_fts"
GIN_INDEX = "ix_search_document_terms"
REINDEX_BATCH = 2_000


def is_search_storage(type_: str, name: str | None) -> bool:
    """Whether a reflected table or index is one migration 0005 made for one backend only
    (FTS5's table and its shadow tables, the GIN index): not drift from the models."""
    if type_ == "table":
        return name == FTS_TABLE or (name or "").startswith(f"{FTS_TABLE}_")
    return type_ == "index" and name == GIN_INDEX


def _stored(dialect: str, terms: list[str]) -> str:
    """Terms as the ``terms`` column takes them: tsvector text, or words for FTS5."""
    return vector_text(terms) if dialect == "postgresql" else " ".join(terms)


def index_records(session: Session, spec: ObjectSpec, records: list[dict[str, Any]]) -> None:
    """Insert or replace the search document of each API-shaped record of ``spec``."""
    if not records:
        return
    dialect = session.get_bind().dialect.name
    rows = [
        {
            "record_id": record["id"],
            "workspace_id": spec.workspace_id,
            "object_id": spec.id,
            "terms": _stored(dialect, record_terms(spec, record)),
        }
        for record in records
    ]
    session.execute(_upsert_statement(dialect), rows)


@functools.cache
def _upsert_statement(dialect: str) -> sa.Insert:
    """Built once per dialect: building it costs more than running it."""
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(DOCUMENTS)
    # Inputs: one row per record. Answer: none; each record's document is inserted, or its
    # terms replaced when they changed (an unchanged row is not rewritten, nor re-indexed).
    return insert.on_conflict_do_update(
        index_elements=[DOCUMENTS.c.workspace_id, DOCUMENTS.c.record_id],
        set_={"terms": insert.excluded.terms},
        where=DOCUMENTS.c.terms != insert.excluded.terms,
    )


def drop_records(session: Session, workspace_id: str, record_ids: list[str]) -> None:
    """Remove the search documents of a workspace's records ``record_ids`` (destroying a
    record removes its own)."""
    if record_ids:
        # Inputs: a workspace, record ids. Answer: none; their documents are deleted.
        session.execute(
            sa.delete(DOCUMENTS).where(
                DOCUMENTS.c.workspace_id == workspace_id, DOCUMENTS.c.record_id.in_(record_ids)
            )
        )


def reindex_object(session: Session, spec: ObjectSpec) -> None:
    """Rebuild the documents of every record of ``spec``, soft-deleted ones too: after the
    fields that feed them changed (a new label identifier), or to repair the index."""
    for rows in _record_batches(session, spec):
        index_records(session, spec, [record_output(spec, row) for row in rows])


def reindex_workspace(session: Session, catalog: Catalog) -> None:
    """Rebuild the documents of every record of every object of a workspace."""
    for spec in catalog.objects:
        reindex_object(session, spec)


def _record_batches(session: Session, spec: ObjectSpec) -> Iterator[list[Record]]:
    last_id = ""
    while True:
        # Inputs: an object, the last record id done. Answer: its next records by id.
        rows = session.exec(
            select(Record)
            .where(
                Record.workspace_id == spec.workspace_id,
                Record.object_id == spec.id,
                Record.id > last_id,
            )
            .order_by(Record.id)
            .limit(REINDEX_BATCH)
        ).all()
        if not rows:
            return
        yield list(rows)
        last_id = rows[-1].id
