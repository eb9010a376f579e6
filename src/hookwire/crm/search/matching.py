"""Finding documents: the ``searchVector`` filter, and ranked matches for ``search``.

Every read joins ``record``, so soft-deleted records (whose documents stay) are left out by
the caller's conditions on it, as are records outside the caller's filter.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, select

from hookwire.crm.catalog import ObjectSpec
from hookwire.crm.search.index import DOCUMENTS, FTS_TABLE, OF_RECORD
from hookwire.crm.search.ranking import Ranker, f32
from hookwire.crm.search.terms import SearchQuery
from hookwire.models import Record

FTS = sa.table(FTS_TABLE, sa.column("rowid"))


def _tsquery(text: str) -> sa.ColumnElement:
    return sa.cast(sa.literal(text), postgresql.TSQUERY)


def _tsmatch(tsquery: sa.ColumnElement) -> sa.ColumnElement:
    """Documents matching a tsquery (uses the GIN index)."""
    return DOCUMENTS.c.terms.op("@@", return_type=sa.Boolean)(tsquery)


def _fts5_match(spec: ObjectSpec, expression: str) -> str:
    """``expression`` (over ``terms``) restricted to the documents of ``spec``."""
    return f'object_id : "{spec.id}" AND ({expression})'


def search_clause(spec: ObjectSpec, text: str, dialect: str) -> sa.ColumnElement:
    """The per-object ``searchVector: {search: text}`` filter, a predicate on ``record``:
    records whose document holds every word of ``text`` as a prefix (Twenty's AND query).
    Text without a word matches every record."""
    query = SearchQuery.parse(text)
    if query.is_empty:
        return sa.true()
    if dialect == "postgresql":
        # Inputs: an object, a tsquery. Answer: the ids of its records matching it.
        matching = select(DOCUMENTS.c.record_id).where(
            DOCUMENTS.c.object_id == spec.id,
            _tsmatch(_tsquery(query.tsquery(all_words=True))),
        )
    else:
        match = _fts5_match(spec, f"terms : ({query.fts5(all_words=True)})")
        # Inputs: an FTS5 expression scoped to one object. Answer: its matching records' ids.
        matching = (
            select(DOCUMENTS.c.record_id)
            .select_from(FTS.join(DOCUMENTS, DOCUMENTS.c.id == FTS.c.rowid))
            .where(sa.literal_column(FTS_TABLE).match(match))
        )
    return Record.id.in_(matching)


@dataclass(frozen=True)
class Candidate:
    """A matching record and its ranks, in single precision as PostgreSQL computes them."""

    record_id: str
    rank_cd: float
    rank: float


@dataclass(frozen=True)
class Scope:
    """One object searched, and the conditions its records must meet (on ``record``)."""

    spec: ObjectSpec
    conditions: list[sa.ColumnElement]

    def where(self) -> list[sa.ColumnElement]:
        """Documents in the object's workspace whose records meet the conditions (callers
        name the object: in SQL, or in the FTS5 expression)."""
        return [DOCUMENTS.c.workspace_id == self.spec.workspace_id, *self.conditions]


def _union(session: Session, statements: list[sa.Select]) -> list[sa.Row]:
    """The rows of ``statements`` (one per object, each with its own LIMIT), in one round trip."""
    if not statements:
        return []
    if len(statements) == 1:
        return list(session.execute(statements[0]))
    return list(session.execute(sa.union_all(*(s.subquery().select() for s in statements))))


@dataclass(frozen=True)
class Matcher:
    """Finds and ranks the records of each searched object matching a search query.

    Ranking every match of a very common prefix (``a``, or ``example`` in every address) would
    cost time in proportion to the object's size, so at most ``bound`` matches per object are
    ranked: first the records holding every word (the only ones with a tsRankCD above 0), then
    the others, each in index order. Below the bound, the ranking is exact and equal on both
    backends. Each of the two passes is one statement for all objects.
    """

    session: Session
    query: SearchQuery
    bound: int

    def candidates(self, scopes: list[Scope]) -> dict[str, list[Candidate]]:
        """Up to ``bound`` matching records of each scope's object, by object id."""
        found: dict[str, list[Candidate]] = {scope.spec.id: [] for scope in scopes}
        self._collect(found, [(scope, self.bound) for scope in scopes], all_words=True)
        if not self.query.is_single_word:
            short = [(s, self.bound - len(found[s.spec.id])) for s in scopes]
            self._collect(found, [(s, room) for s, room in short if room > 0], all_words=False)
        return found

    def _collect(
        self, found: dict[str, list[Candidate]], rooms: list[tuple[Scope, int]], *, all_words: bool
    ) -> None:
        """Add the records matching the AND query (``all_words``), or the OR query but not the
        AND one, up to each scope's room."""
        if self.session.get_bind().dialect.name == "postgresql":
            rows = self._postgres(rooms, all_words=all_words)
        else:
            rows = self._sqlite(rooms, all_words=all_words)
        for object_id, candidate in rows:
            found[object_id].append(candidate)

    def _postgres(
        self, rooms: list[tuple[Scope, int]], *, all_words: bool
    ) -> list[tuple[str, Candidate]]:
        and_query = _tsquery(self.query.tsquery(all_words=True))
        or_query = _tsquery(self.query.tsquery(all_words=False))
        matches_all = _tsmatch(and_query)
        wanted = matches_all if all_words else sa.and_(_tsmatch(or_query), sa.not_(matches_all))
        # Inputs: per object, its conditions and a bound; the AND and OR tsqueries. Answer: per
        # object, up to its bound of matching records with ts_rank_cd (AND) and ts_rank (OR).
        statements = [
            sa.select(
                DOCUMENTS.c.object_id,
                DOCUMENTS.c.record_id,
                sa.func.ts_rank_cd(DOCUMENTS.c.terms, and_query),
                sa.func.ts_rank(DOCUMENTS.c.terms, or_query),
            )
            .select_from(DOCUMENTS.join(Record, OF_RECORD))
            .where(DOCUMENTS.c.object_id == scope.spec.id, wanted, *scope.where())
            .limit(room)
            for scope, room in rooms
        ]
        return [
            (object_id, Candidate(record_id, f32(rank_cd), f32(rank)))
            for object_id, record_id, rank_cd, rank in _union(self.session, statements)
        ]

    def _sqlite(
        self, rooms: list[tuple[Scope, int]], *, all_words: bool
    ) -> list[tuple[str, Candidate]]:
        every_word = f"terms : ({self.query.fts5(all_words=True)})"
        expression = (
            every_word
            if all_words
            else f"(terms : ({self.query.fts5(all_words=False)})) NOT ({every_word})"
        )
        # Inputs: per object, an FTS5 expression scoped to it, its conditions and a bound.
        # Answer: per object, up to its bound of matching records with their terms. The object
        # is named only in the expression: given an index to seek by object instead, SQLite
        # may loop over the object's documents and run the expression for each.
        statements = [
            sa.select(DOCUMENTS.c.object_id, DOCUMENTS.c.record_id, DOCUMENTS.c.terms)
            .select_from(FTS.join(DOCUMENTS, DOCUMENTS.c.id == FTS.c.rowid).join(Record, OF_RECORD))
            .where(
                sa.literal_column(FTS_TABLE).match(_fts5_match(scope.spec, expression)),
                *scope.where(),
            )
            .limit(room)
            for scope, room in rooms
        ]
        ranker = Ranker(self.query)
        return [
            (object_id, Candidate(record_id, *ranker.ranks(terms.split())))
            for object_id, record_id, terms in _union(self.session, statements)
        ]


def first_records(
    session: Session, starts: list[tuple[Scope, str | None]], limit: int
) -> dict[str, list[Candidate]]:
    """An empty search's records of each scope's object: every indexed one meeting its
    conditions, by id after the given id, all ranked 0 (Twenty's ``searchVector IS NOT
    NULL``); by object id."""
    # Inputs: per object, its conditions and the last id seen. Answer: per object, its next
    # `limit` record ids by id.
    statements = [
        sa.select(DOCUMENTS.c.object_id, DOCUMENTS.c.record_id)
        .select_from(DOCUMENTS.join(Record, OF_RECORD))
        .where(
            DOCUMENTS.c.object_id == scope.spec.id,
            *scope.where(),
            *([DOCUMENTS.c.record_id > after_id] if after_id else []),
        )
        .order_by(DOCUMENTS.c.record_id)
        .limit(limit)
        for scope, after_id in starts
    ]
    found: dict[str, list[Candidate]] = {scope.spec.id: [] for scope, _ in starts}
    for object_id, record_id in _union(session, statements):
        found[object_id].append(Candidate(record_id, 0.0, 0.0))
    return found
