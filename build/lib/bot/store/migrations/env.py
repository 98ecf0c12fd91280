"""Alembic's entry point: run the revisions on the connection ``migrate`` hands over.

Run from the command line (``alembic -c bot/store/migrations/alembic.ini ...``)
it opens the database of the project's settings (``BOT_DATABASE_URL``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from bot.store.models import Base

config = context.config
connection = config.attributes.get("connection")


def run(conn: Connection) -> None:
    context.configure(connection=conn, target_metadata=Base.metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:  # the alembic command line
    from bot.config import get_settings

    engine = create_engine(get_settings().database)
    with engine.begin() as conn:
        run(conn)
    engine.dispose()
