"""The PostgreSQL backend: SQLAlchemy Core over psycopg 3, migrations with Alembic.

For organisations that outgrow one process: any number of instances share one database,
and every rule the flows rely on is a condition the database checks. See ``schema`` for
the tables and ``migrate`` for how the schema is kept current.
"""

from storage.sql.engine import make_engine, shown
from storage.sql.store import SQLStore

__all__ = ["SQLStore", "make_engine", "shown"]
