"""Alembic environment: runs on the connection handed over by ``hookwire.database.migrate``."""

from alembic import context
from sqlmodel import SQLModel

from hookwire import models  # noqa: F401 - registers the tables on SQLModel.metadata
from hookwire.crm.indexes import is_field_index
from hookwire.crm.search import is_search_storage


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate ignores the expression indexes that fields create at runtime, and the
    search storage that exists on one backend only (FTS5 tables, the GIN index)."""
    if not reflected or compare_to is not None:
        return True
    return not ((type_ == "index" and is_field_index(name)) or is_search_storage(type_, name))


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
