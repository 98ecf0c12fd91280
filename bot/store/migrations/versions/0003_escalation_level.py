"""Escalations keep their triage level (issue 14): urgent, sensitive or routine.

The inbox sorts by it and raises an alarm for urgent ones. Rows flagged before
keep their meaning: one whose reasons include "urgent" is urgent, any other
(an AGENT request) routine.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("escalations")}
    if "level" not in columns:
        op.add_column("escalations", sa.Column("level", sa.String(16), nullable=False,
                                               server_default="routine"))
    op.execute("UPDATE escalations SET level = 'urgent' WHERE reason LIKE '%urgent%'")


def downgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("level")
