"""Alembic environment: runs on the connection the ledger hands over (see edi.ledger.database.migrate)."""

from __future__ import annotations

from alembic import context

from edi.ledger.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
