"""The conversation's session on the sender (issue 13).

``senders.session`` (JSON, redacted) and ``session_at`` hold what a follow-up,
CONTACTS and MORE need from the conversation so far. Both nullable: no row is
touched.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    senders = _columns("senders")
    with op.batch_alter_table("senders") as batch:
        if "session" not in senders:
            batch.add_column(sa.Column("session", sa.Text, nullable=True))
        if "session_at" not in senders:
            batch.add_column(sa.Column("session_at", sa.DateTime, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("senders") as batch:
        batch.drop_column("session_at")
        batch.drop_column("session")
