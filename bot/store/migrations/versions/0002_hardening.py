"""Hardening (issue 16): user names unique whatever their case, and where audited actions
came from.

``users.name_key`` is the name as sign-in compares it (NFKC, casefolded). A database
that already holds two names differing only in case ("CW1" and "cw1") keeps the older
account as it is; each newer one is disabled, gets a key no sign-in can match, and an
audit entry says so: an administrator decides whom it belonged to.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-20
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def upgrade() -> None:
    bind = op.get_bind()
    have = {c["name"] for c in sa.inspect(bind).get_columns("users")}
    if "name_key" not in have:
        with op.batch_alter_table("users") as batch:
            batch.add_column(sa.Column("name_key", sa.String(64), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("name_key", sa.String), sa.column("active", sa.Boolean))
    audit = sa.table("audit_log", sa.column("user_id", sa.Integer),
                     sa.column("user_name", sa.String), sa.column("action", sa.String),
                     sa.column("target", sa.String), sa.column("created_at", sa.DateTime))
    taken: set[str] = set()
    for user_id, name in bind.execute(sa.select(users.c.id, users.c.name).order_by(users.c.id)):
        key = _key(name)
        if key in taken:  # a newer account whose name clashes: disabled, for an admin
            bind.execute(users.update().where(users.c.id == user_id)
                         .values(name_key=f"{key[:40]}~clash~{user_id}", active=False))
            bind.execute(audit.insert().values(
                user_id=None, user_name="(migration)", action="user disabled",
                target=f"user:{name}"[:64], created_at=sa.func.current_timestamp()))
            continue
        taken.add(key)
        bind.execute(users.update().where(users.c.id == user_id).values(name_key=key))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("name_key", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint("uq_users_name_key", ["name_key"])
    have = {c["name"] for c in sa.inspect(bind).get_columns("audit_log")}
    if "address" not in have:
        with op.batch_alter_table("audit_log") as batch:
            batch.add_column(sa.Column("address", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("address")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_name_key", type_="unique")
        batch.drop_column("name_key")
