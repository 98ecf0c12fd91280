"""Alembic migrations of the conversation store: SQLite now, PostgreSQL by URL, one history.

``migrate(engine)`` brings a database to the newest revision; ``Database``
calls it when it opens. Write a new revision for every change of
``bot/store/models.py`` (``tests/store/test_migrations.py`` fails until the
revisions match the models)::

    .venv/bin/alembic -c bot/store/migrations/alembic.ini revision -m "what changes"

Use ``op.batch_alter_table`` for changes SQLite cannot make in place (it
rebuilds the table there, and alters it in place on PostgreSQL).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

HERE = Path(__file__).resolve().parent


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (the newest by default), in one transaction."""
    cfg = config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
