"""A list's ``totalCount``: exact while it is cheap, an estimate past ``COUNT_CAP``.

Why not an exact ``COUNT(*)`` on every list (what Twenty does): at a million people it is a
full scan, 248-379 ms on PostgreSQL, ten times the rest of the page. Why not a counter per
object kept by every write: it serializes every create and delete of an object on one row
until commit (measured on PostgreSQL, 8 writers inserting one row per transaction: 1,811/s
without the counter's UPDATE, 537/s with it, 0.30x; one writer alike), and it answers only
the unfiltered count: a filtered one still needs counting. A capped count answers every
filter: counting at most ``COUNT_CAP + 1`` matches costs a bounded amount whatever the
table's size (an index answers a selective filter exactly, and a filter no index serves
already costs the page's own scan), and past the cap PostgreSQL's planner estimates the
rest from its statistics in a fraction of a millisecond. SQLite keeps no statistics
(Hookwire never runs ``ANALYZE`` there), so past the cap it answers ``COUNT_CAP + 1``, a
lower bound. Clients that need the exact figure ask for it (REST ``exact_count=true``; a
GraphQL ``totalCount`` is always exact, and computed only when selected).
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable
from sqlmodel import Session

from hookwire.models import Record

# Matches counted exactly before the count becomes an estimate. Counting that many costs
# 3-5 ms on either database (0.3-0.5 us a row, measured at 1M people); 1,000 would cost a
# tenth, but would make SQLite's lower bound show in workspaces of a few thousand records.
COUNT_CAP = 10_000


class Count(StrEnum):
    """How a page's ``totalCount`` is computed."""

    NONE = "none"  # nobody asked for it: no count query at all
    BOUNDED = "bounded"  # exact up to COUNT_CAP matches, an estimate past it
    EXACT = "exact"  # exact, whatever it costs


class _Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON) <statement>``, its parameters bound as the statement's."""

    inherit_cache = False

    def __init__(self, statement: sa.Select) -> None:
        self.statement = statement


@compiles(_Explain, "postgresql")
def _compile_explain(element: _Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


def count_column(scope: list[sa.ColumnElement], mode: Count) -> sa.ScalarSelect | None:
    """The count as a scalar subquery, to select beside a page's rows: one statement reads
    one snapshot (PostgreSQL's READ COMMITTED gives each statement its own), so the count
    agrees with the page. None for ``Count.NONE``."""
    if mode is Count.NONE:
        return None
    matches = sa.select(sa.literal_column("1")).select_from(Record).where(*scope)
    if mode is Count.BOUNDED:
        matches = matches.limit(COUNT_CAP + 1)
    return sa.select(sa.func.count()).select_from(matches.subquery()).scalar_subquery()


def settled(session: Session, scope: list[sa.ColumnElement], counted: int) -> int:
    """``counted`` as ``totalCount``: itself up to ``COUNT_CAP``; past it, PostgreSQL's
    planner estimate (never below what was counted), on SQLite ``COUNT_CAP + 1``."""
    if counted <= COUNT_CAP or session.get_bind().dialect.name != "postgresql":
        return counted
    matches = sa.select(sa.literal_column("1")).select_from(Record).where(*scope)
    return max(counted, _estimate(session, matches))


def count_matches(session: Session, scope: list[sa.ColumnElement], mode: Count) -> int | None:
    """How many records ``scope`` selects, as ``mode`` says, in a statement of its own."""
    column = count_column(scope, mode)
    if column is None:
        return None
    counted = session.execute(sa.select(column)).scalar_one()
    return counted if mode is Count.EXACT else settled(session, scope, counted)


def _estimate(session: Session, matches: sa.Select) -> int:
    """PostgreSQL's planner estimate of the rows ``matches`` returns."""
    plan = session.execute(_Explain(matches)).scalar_one()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
