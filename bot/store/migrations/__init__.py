"""Alembic migrations of the conversation store: SQLite now, PostgreSQL by URL, one history.

``migrate(engine)`` brings a database to the newest revision; ``Database``
calls it when it opens. On PostgreSQL it runs under an advisory lock, in one
transaction: replicas starting together on a new database, or after a release
that adds a revision, wait for the first one and then find nothing to do (no
``UniqueViolation`` on a table two of them create, no ``DuplicateColumn``).
``bot db upgrade`` runs the same step by hand (a deploy job, before replicas).

Write a new revision for every change of ``bot/store/models.py``
(``tests/store/test_migrations.py`` fails until the revisions match the models)::

    .venv/bin/alembic -c bot/store/migrations/alembic.ini revision -m "what changes"

Use ``op.batch_alter_table`` for changes SQLite cannot make in place (it
rebuilds the table there, and alters it in place on PostgreSQL).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from bot.store.locks import file_lock, hold_in

HERE = Path(__file__).resolve().parent
LOCK = "migrate"


def config(location: Path = HERE) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(location))
    return cfg


@lru_cache
def head_revision(location: Path = HERE) -> str | None:
    """The newest revision this code knows."""
    return ScriptDirectory.from_config(config(location)).get_current_head()


def migrate(engine: Engine, revision: str = "head", location: Path = HERE) -> None:
    """Upgrade the database to ``revision`` (the newest by default), in one transaction,
    under the advisory lock ``migrate`` on PostgreSQL."""
    cfg = config(location)
    with _exclusive(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            hold_in(connection, LOCK)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def _exclusive(engine: Engine) -> AbstractContextManager[object]:
    """SQLite: a file lock beside the database (a command may migrate beside the service)."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return file_lock(Path(database).with_name(Path(database).name + ".migrate"))
    return nullcontext()
