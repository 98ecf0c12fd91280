"""Alembic migrations (``bot/store/migrations``) on real SQLite: they build exactly the models,
and a database made before migrations existed is completed, with its rows kept."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from bot.store import Database
from bot.store.models import Base


def differences(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_the_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    try:
        assert revision(db) is not None
        # Fails when a model changes without a new revision: write one (see the package).
        assert differences(db) == []
    finally:
        db.close()


def test_a_database_from_before_migrations_is_completed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)  # how databases were made before migrations
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
