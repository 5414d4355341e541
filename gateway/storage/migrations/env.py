"""Alembic environment: run against the connection schoolgate hands over."""

from __future__ import annotations

from alembic import context

from models.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations with `schoolgate db upgrade`, which supplies the database connection"
    )
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
