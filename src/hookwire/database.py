"""Engine creation, transactions and schema migrations.

Transactions on SQLite. SQLite has one writer at a time, and pysqlite's own transaction
handling sends a deferred ``BEGIN`` only before the first INSERT/UPDATE/DELETE: two requests
could each read a record, change a field and write it back, the second undoing the first.
So pysqlite's handling is off (``isolation_level = None``) and the engine's ``begin`` event
starts every transaction itself:

* a write transaction, the default, with ``BEGIN IMMEDIATE``: it takes the write lock before
  its first statement (waiting up to ``BUSY_TIMEOUT``), so nothing it reads can be changed
  by another writer before it commits;
* a read-only transaction (``transaction(engine, write=False)``, or any session or connection
  of ``reader(engine)``) with a deferred ``BEGIN``: a consistent snapshot that never waits for
  writers (WAL). It must not write: a deferred transaction that has read cannot take the
  write lock once another writer has committed (SQLite answers "database is locked" at once,
  without waiting), so any INSERT/UPDATE/DELETE in one raises ``ReadOnlyTransaction``, on
  every backend alike so that tests on either find the mistake.

A transaction that needs no consistency across statements and writes nothing may use either;
hot read paths (REST and GraphQL reads, authentication, the catalog) are read-only so that
they never queue behind writers. On PostgreSQL both kinds are READ COMMITTED transactions, and
a read-modify-write locks its rows first (``SELECT … FOR UPDATE``, see ``crm.records``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Seconds a SQLite write transaction waits for the write lock before "database is locked".
BUSY_TIMEOUT = 30
# Seconds after which a pooled PostgreSQL connection is replaced rather than reused: shorter
# than the idle timeouts of proxies and firewalls between the server and the database.
POOL_RECYCLE = 1800
_READ_ONLY = "hookwire_read_only"  # the execution option that marks reader(engine)
_WRITE_MARK = "hookwire_write"  # connection.info: (thread, database) of an open write
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# (thread id, database file) of every SQLite write transaction open now.
_open_writes: set[tuple[int, str]] = set()


T = TypeVar("T")


class ReadOnlyTransaction(RuntimeError):
    """A statement that writes ran in a read-only transaction: a programming error."""


class NestedWriteTransaction(RuntimeError):
    """A thread that holds SQLite's write lock began another write transaction, which would
    wait for itself until the busy timeout: a programming error."""


def create_db_engine(database_url: str) -> Engine:
    """An engine tuned for the backend: WAL, a busy timeout and explicit BEGINs on SQLite (see
    the module's docstring), a pool on PostgreSQL."""
    if database_url.startswith("sqlite"):
        engine = sa.create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT}
        )
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
        sa.event.listen(engine, "commit", _sqlite_end)
        sa.event.listen(engine, "rollback", _sqlite_end)
        sa.event.listen(engine, "checkin", _sqlite_checkin)
    else:
        # No pre-ping (a round trip per checkout): a connection older than POOL_RECYCLE is
        # replaced at checkout, and one found dead by its first statement (a restarted server)
        # invalidates the whole pool; ``retry_on_disconnect`` runs that first statement again.
        engine = sa.create_engine(
            database_url, pool_size=10, max_overflow=20, pool_recycle=POOL_RECYCLE
        )
    sa.event.listen(engine, "before_cursor_execute", _refuse_writes_when_read_only)
    return engine


def reader(engine: Engine) -> Engine:
    """``engine`` for read-only transactions (the same pool): deferred on SQLite, and any
    statement that writes raises ``ReadOnlyTransaction``."""
    if engine.get_execution_options().get(_READ_ONLY):
        return engine
    found = engine.__dict__.get("_hookwire_reader")
    if found is None:
        found = engine.execution_options(**{_READ_ONLY: True})
        engine.__dict__["_hookwire_reader"] = found
    return found


def is_read_only(engine_or_connection: Engine | Connection) -> bool:
    return bool(engine_or_connection.get_execution_options().get(_READ_ONLY))


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # No BEGIN from pysqlite: _sqlite_begin sends it (SQLAlchemy's recipe for pysqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Twenty's `like` is case-sensitive; `ilike` is the case-insensitive one.
    cursor.execute("PRAGMA case_sensitive_like=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return
    if options.get(_READ_ONLY):
        connection.exec_driver_sql("BEGIN")
        return
    database = connection.engine.url.database or ""
    mark = (threading.get_ident(), database)
    if database not in ("", ":memory:") and mark in _open_writes:
        raise NestedWriteTransaction(
            f"this thread already holds the write lock of {database}: a second write "
            "transaction would wait for it until the busy timeout; use the open one"
        )
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    _open_writes.add(mark)
    connection.info[_WRITE_MARK] = mark


def _sqlite_end(connection: Connection) -> None:
    mark = connection.info.pop(_WRITE_MARK, None)
    if mark is not None:
        _open_writes.discard(mark)


def _sqlite_checkin(_dbapi_connection: Any, record: Any) -> None:
    """A connection back in the pool without its commit or rollback (garbage collected)."""
    mark = record.info.pop(_WRITE_MARK, None)
    if mark is not None:
        _open_writes.discard(mark)


def _refuse_writes_when_read_only(
    connection: Connection, _cursor: Any, statement: str, *_args: Any
) -> None:
    if not connection.get_execution_options().get(_READ_ONLY):
        return
    if statement.lstrip()[:7].upper().startswith(_WRITES):
        raise ReadOnlyTransaction(
            f"a read-only transaction may not write ({statement.strip()[:60]}...); "
            "run the write in transaction(engine) instead"
        )


def new_session(engine: Engine, *, write: bool = True) -> Session:
    """A session on ``engine``; ``write=False`` makes it read-only: on SQLite it then neither
    takes nor waits for the write lock, and a statement that writes raises
    ``ReadOnlyTransaction``."""
    return Session(engine if write else reader(engine), expire_on_commit=False)


@contextmanager
def committing(session: Session) -> Iterator[Session]:
    """``session``, its work committed on success and rolled back on any exception; closed
    after."""
    with session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


_AFTER_COMMIT = "hookwire.after_commit"  # session.info: callbacks for the next commit


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Call ``callback`` once ``session``'s transaction has committed (never after a
    rollback): how a write wakes the thread that acts on it. A callback registered twice in
    one transaction runs once."""
    pending = session.info.setdefault(_AFTER_COMMIT, [])
    if callback not in pending:
        pending.append(callback)
    if not sa.event.contains(session, "after_commit", _run_after_commit):
        sa.event.listen(session, "after_commit", _run_after_commit)
        sa.event.listen(session, "after_rollback", _forget_after_commit)


def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop(_AFTER_COMMIT, []):
        callback()


def _forget_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def transaction(engine: Engine, *, write: bool = True) -> AbstractContextManager[Session]:
    """A session whose work is committed on success and rolled back on any exception
    (read-only unless ``write``, see ``new_session``)."""
    return committing(new_session(engine, write=write))


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest migration, in one write transaction.

    On SQLite, foreign keys are off while the migrations run (a table rebuilt by a batch
    operation is dropped and renamed, which they would refuse or cascade) and checked before
    the commit: SQLite's own procedure for schema changes. The pragma only takes effect
    outside a transaction, so it is sent before the BEGIN.
    """
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migrations left broken foreign keys: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def is_disconnect(error: BaseException) -> bool:
    """Whether ``error`` is a connection found dead (SQLAlchemy has invalidated it and the
    pool's older connections): the statement never ran, so it may run again on a new one."""
    return isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated


def retry_on_disconnect(run: Callable[[], T], reset: Callable[[], None] = lambda: None) -> T:
    """``run()``, run once more (after ``reset()``) if it met a dead connection. ``run`` must
    be the start of its transaction (nothing before it to lose): what the pool's pre-ping did,
    paid only after a database restart instead of on every checkout."""
    try:
        return run()
    except sa.exc.DBAPIError as error:
        if not is_disconnect(error):
            raise
    reset()
    return run()


def ping(engine: Engine) -> None:
    """Raise if the database does not answer."""

    def select_one() -> None:
        with reader(engine).connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    retry_on_disconnect(select_one)
