"""Alembic environment: runs on the connection handed over by ``hookwire.database.migrate``."""

from alembic import context
from sqlmodel import SQLModel

from hookwire import models  # noqa: F401 - registers the tables on SQLModel.metadata
from hookwire.crm.indexes import is_field_index


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate ignores the expression indexes that fields create at runtime."""
    return not (type_ == "index" and reflected and compare_to is None and is_field_index(name))


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
