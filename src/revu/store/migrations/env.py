"""Alembic environment: revu runs migrations itself, on a connection it passes in."""

from __future__ import annotations

from alembic import context

from revu.store._models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("revu runs its migrations itself: use `revu.store.open_store()`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
