"""Alembic migrations (``bot/store/migrations``) on real SQLite and PostgreSQL: they build
exactly the models, a database made before migrations existed is completed with its rows
kept, and replicas that start together migrate once (no ``UniqueViolation`` on a new
database, no ``DuplicateColumn`` after a release that adds a column)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect, text

from bot.store import Database
from bot.store.migrations import HERE, head_revision
from bot.store.models import Base
from tests.conftest import ROOT
from tests.databases import PostgresCluster

REPLICAS = 4


def differences(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet, of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.sqlite3'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    url = cluster.create(empty=True)
    yield url
    cluster.drop(url)


def test_the_migrations_build_exactly_the_models(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        assert revision(db) == head_revision()
        # Fails when a model changes without a new revision: write one (see the package).
        assert differences(db) == []
        assert db.check() is None
    finally:
        db.close()


def _schema_before_migrations() -> MetaData:
    """The tables as the first revision describes them (how databases were made before)."""
    path = next((HERE / "versions").glob("0001_*.py"))
    spec = importlib.util.spec_from_file_location("initial_revision", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.schema  # type: ignore[no-any-return]


def test_a_database_from_before_migrations_is_completed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    _schema_before_migrations().create_all(engine)  # how databases were made before
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE escalations DROP COLUMN closed_at"))
        conn.execute(text("INSERT INTO senders (sender_id, created_at, last_seen_at) "
                          "VALUES ('kept', '2026-11-01', '2026-11-01')"))
    engine.dispose()

    db = Database(url)
    try:
        assert "closed_at" in {c["name"] for c in inspect(db.engine).get_columns("escalations")}
        assert differences(db) == []
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT sender_id FROM senders")).scalars().all() == ["kept"]
        first = revision(db)
    finally:
        db.close()
    reopened = Database(url)  # opening again changes nothing
    try:
        assert revision(reopened) == first
    finally:
        reopened.close()


REPLICA = """
import sys
from pathlib import Path
from sqlalchemy import create_engine
from bot.store.migrations import migrate

engine = create_engine(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()  # all start at once
try:
    migrate(engine, location=Path(sys.argv[2]))
except Exception as exc:
    print(f"{type(exc).__name__}: {exc}", flush=True)
    sys.exit(1)
"""


def _start_together(url: str, location: Path = HERE) -> list[str]:
    """``REPLICAS`` processes migrating one database at the same moment; their errors."""
    procs = [subprocess.Popen([sys.executable, "-c", REPLICA, url, str(location)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              cwd=ROOT) for _ in range(REPLICAS)]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    errors = []
    for p in procs:
        out, _ = p.communicate(timeout=120)
        if p.returncode != 0:
            errors.append(out.strip())
    return errors


def test_replicas_starting_on_a_new_postgresql_database_migrate_once(
    postgres: PostgresCluster,
) -> None:
    url = postgres.create(empty=True)
    try:
        assert _start_together(url) == []
        db = Database(url)
        assert revision(db) == head_revision() and differences(db) == []
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        db.close()
    finally:
        postgres.drop(url)


NEW_COLUMN = '''
"""A release that adds a column (only in this test)."""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("senders", sa.Column("added_later", sa.String(8)))


def downgrade() -> None:
    op.drop_column("senders", "added_later")
'''


def test_replicas_upgrading_together_add_a_new_column_once(
    database_url: str, tmp_path: Path
) -> None:
    Database(database_url).close()  # the database as the running release left it
    location = tmp_path / "migrations"
    shutil.copytree(HERE, location, ignore=shutil.ignore_patterns("__pycache__"))
    (location / "versions" / "9001_added_later.py").write_text(
        NEW_COLUMN.format(head=head_revision()))

    assert _start_together(database_url, location) == []
    engine = create_engine(database_url)
    try:
        columns = [c["name"] for c in inspect(engine).get_columns("senders")]
        assert columns.count("added_later") == 1
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                == "9001"
    finally:
        engine.dispose()
