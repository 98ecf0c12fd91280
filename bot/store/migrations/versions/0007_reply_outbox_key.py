"""A caseworker's reply knows its outbox row (issue 13, item 7).

``replies.outbox_key`` holds the idempotency key of the outbox row that carries a
caseworker's reply, so the inbox shows what became of it (waiting, sent, failed,
cancelled, and why) instead of claiming it is on its way. Nullable: replies
recorded before, and the assistant's, have none; no row is touched.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("replies")}
    if "outbox_key" not in columns:
        with op.batch_alter_table("replies") as batch:
            batch.add_column(sa.Column("outbox_key", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("replies") as batch:
        batch.drop_column("outbox_key")
