"""Date granularities for grouping (Twenty's ``GroupByDateGranularityInput``), in SQL on
SQLite and PostgreSQL.

A value is first moved to the wall clock of the requested time zone (an IANA name such as
``Europe/Paris``, ``UTC``, or a fixed offset such as ``+05:30``), then bucketed and written as
Twenty writes the dimension: ``2024-03-01`` for the first day of a DAY, WEEK, MONTH, QUARTER or
YEAR bucket, ``Monday``, ``March`` or ``Q1`` for the cyclic ones. DATE values have no time of
day and ignore the zone. PostgreSQL converts IANA zones itself; SQLite, which has no zone
database, calls a Python function registered on the connection (``register_functions``).

Every constant is inlined rather than bound, so an expression renders to the same SQL text in
SELECT and GROUP BY, which PostgreSQL requires of a grouped expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hookwire.errors import BadRequest


class Granularity(StrEnum):
    DAY = "DAY"
    DAY_OF_THE_WEEK = "DAY_OF_THE_WEEK"
    MONTH = "MONTH"
    MONTH_OF_THE_YEAR = "MONTH_OF_THE_YEAR"
    NONE = "NONE"
    QUARTER = "QUARTER"
    QUARTER_OF_THE_YEAR = "QUARTER_OF_THE_YEAR"
    WEEK = "WEEK"
    YEAR = "YEAR"


class WeekStart(StrEnum):
    """Twenty's ``FirstDayOfTheWeek``; the value is the day's ``strftime('%w')`` number."""

    MONDAY = "MONDAY"
    SUNDAY = "SUNDAY"
    SATURDAY = "SATURDAY"

    @property
    def weekday(self) -> int:
        return {"SUNDAY": 0, "MONDAY": 1, "SATURDAY": 6}[self.value]


# Buckets that start on a calendar day, which depends on the zone: Twenty requires one.
ZONED = frozenset(
    {Granularity.DAY, Granularity.WEEK, Granularity.MONTH, Granularity.QUARTER, Granularity.YEAR}
)
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_OFFSET = re.compile(r"(?:UTC|GMT)?([+-])([0-9]{2}):?([0-9]{2})?")
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-/]*")
_LOCAL_TIME_FUNCTION = "hookwire_local_time"


@dataclass(frozen=True)
class TimeZone:
    """A validated zone: an IANA ``name``, or a fixed offset east of UTC in minutes."""

    name: str | None
    offset_minutes: int = 0

    @classmethod
    def parse(cls, text: str, where: str) -> TimeZone:
        if text.upper() in ("UTC", "GMT", "Z", "ETC/UTC"):
            return cls(None)
        offset = _OFFSET.fullmatch(text)
        if offset:
            sign, hours, minutes = offset.groups()
            total = int(hours) * 60 + int(minutes or 0)
            if total <= 14 * 60 and int(minutes or 0) < 60:
                return cls(None, total if sign == "+" else -total)
        elif _ZONE_NAME.fullmatch(text):
            try:
                ZoneInfo(text)
                return cls(text)
            except (ZoneInfoNotFoundError, ValueError):
                pass
        raise BadRequest(
            f"{where}: unknown time zone '{text}'; expected an IANA name such as Europe/Paris, "
            "UTC, or an offset such as +05:30"
        )


def _lit(text: str) -> sa.ColumnElement:
    """A string constant inlined in the SQL (callers pass constants and validated names)."""
    return sa.literal_column("'" + text.replace("'", "''") + "'")


def _int(value: int) -> sa.ColumnElement:
    return sa.literal_column(str(value), sa.Integer)


_MULTIPLY = 8  # SQLAlchemy's precedence of * and /: a sum on the left gets parentheses


def _integer_division(dividend: sa.ColumnElement, divisor: int) -> sa.ColumnElement:
    """SQL's ``/`` on integers (SQLAlchemy's ``/`` would make it a true division)."""
    return dividend.op("/", precedence=_MULTIPLY)(_int(divisor))


def bucket(
    value: sa.ColumnElement,
    granularity: Granularity,
    *,
    is_date: bool,
    zone: TimeZone,
    week_start: WeekStart,
    dialect: str,
) -> sa.ColumnElement:
    """The dimension text of ``value`` (a timestamp column, or ISO text from a document)."""
    if granularity is Granularity.NONE:
        return value
    if dialect == "postgresql":
        return _postgres_bucket(_postgres_local(value, is_date, zone), granularity, week_start)
    return _sqlite_bucket(_sqlite_local(value, is_date, zone), granularity, week_start)


def _postgres_local(value: sa.ColumnElement, is_date: bool, zone: TimeZone) -> sa.ColumnElement:
    """The wall-clock ``timestamp`` of ``value`` in ``zone``."""
    if is_date:
        return sa.cast(value, sa.TIMESTAMP())
    instant = sa.cast(value, sa.TIMESTAMP(timezone=True))
    if zone.name is not None:
        return sa.func.timezone(_lit(zone.name), instant)
    local = sa.func.timezone(_lit("UTC"), instant)
    if zone.offset_minutes:
        local = local + sa.literal_column(f"INTERVAL '{zone.offset_minutes} minutes'")
    return local


def _postgres_bucket(
    local: sa.ColumnElement, granularity: Granularity, week_start: WeekStart
) -> sa.ColumnElement:
    day_format = _lit("YYYY-MM-DD")
    match granularity:
        case Granularity.DAY_OF_THE_WEEK:
            return sa.func.to_char(local, _lit("FMDay"))
        case Granularity.MONTH_OF_THE_YEAR:
            return sa.func.to_char(local, _lit("FMMonth"))
        case Granularity.QUARTER_OF_THE_YEAR:
            return sa.func.to_char(local, _lit('"Q"Q'))
        case Granularity.WEEK:
            # date_trunc('week') starts on Monday; shift to start on Sunday or Saturday.
            shift = (WeekStart.MONDAY.weekday - week_start.weekday) % 7
            if not shift:
                return sa.func.to_char(sa.func.date_trunc(_lit("week"), local), day_format)
            days = sa.literal_column(f"INTERVAL '{shift} days'")
            start = sa.func.date_trunc(_lit("week"), local + days) - days
            return sa.func.to_char(start, day_format)
    unit = _lit(granularity.value.lower())
    return sa.func.to_char(sa.func.date_trunc(unit, local), day_format)


def _sqlite_local(value: sa.ColumnElement, is_date: bool, zone: TimeZone) -> sa.ColumnElement:
    """The wall-clock ``YYYY-MM-DD HH:MM:SS`` text of ``value`` in ``zone``."""
    if is_date or (zone.name is None and not zone.offset_minutes):
        return sa.func.datetime(value)
    if zone.name is None:
        return sa.func.datetime(value, _lit(f"{zone.offset_minutes:+d} minutes"))
    return getattr(sa.func, _LOCAL_TIME_FUNCTION)(value, _lit(zone.name))


def _sqlite_bucket(
    local: sa.ColumnElement, granularity: Granularity, week_start: WeekStart
) -> sa.ColumnElement:
    def part(pattern: str) -> sa.ColumnElement:
        return sa.func.strftime(_lit(pattern), local)

    month = sa.cast(part("%m"), sa.Integer)
    quarter = _integer_division(month + _int(2), 3)
    match granularity:
        case Granularity.DAY:
            return part("%Y-%m-%d")
        case Granularity.MONTH:
            return part("%Y-%m-01")
        case Granularity.YEAR:
            return part("%Y-01-01")
        case Granularity.QUARTER:
            first_month = quarter * _int(3) - _int(2)
            return sa.func.printf(_lit("%s-%02d-01"), part("%Y"), first_month)
        case Granularity.WEEK:
            weekday = sa.cast(part("%w"), sa.Integer)
            back = (weekday + _int(7 - week_start.weekday)).op("%", precedence=_MULTIPLY)(_int(7))
            return sa.func.date(local, sa.func.printf(_lit("-%d days"), back))
        case Granularity.DAY_OF_THE_WEEK:
            return sa.case(*((part("%w") == _lit(str(i)), _lit(d)) for i, d in enumerate(_DAYS)))
        case Granularity.MONTH_OF_THE_YEAR:
            return sa.case(
                *((part("%m") == _lit(f"{i:02d}"), _lit(m)) for i, m in enumerate(_MONTHS, 1))
            )
    return sa.func.printf(_lit("Q%d"), quarter)


def _local_time(text: str | None, zone: str) -> str | None:
    """SQLite's missing ``AT TIME ZONE``: UTC text (``2024-01-31 09:00:00.000000`` or
    ``2024-01-31T09:00:00.000Z``) as wall-clock text in the IANA ``zone``."""
    if text is None:
        return None
    try:
        instant = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def register_functions(session: Session) -> None:
    """Give the session's SQLite connection the function that IANA zones need."""
    connection = session.connection().connection.driver_connection
    connection.create_function(_LOCAL_TIME_FUNCTION, 2, _local_time, deterministic=True)
