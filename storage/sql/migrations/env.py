"""Alembic's entry point for wi3's migrations: always run on the connection it is given.

``storage.sql.migrate`` opens the transaction, takes the migration lock and passes the
connection in; nothing here reads an ini file or the environment.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run wi3's migrations with `python -m storage migrate`")
context.configure(connection=connection)
with context.begin_transaction():
    context.run_migrations()
