"""Replicas that share one database: leases, one open escalation, shared rate limits.

- ``messages`` and ``outbox`` gain ``leased_by`` and ``lease_until``: a row being
  answered or sent belongs to one process until its lease runs out, instead of
  every start putting all such rows back (which re-sent what live replicas sent).
- ``escalations``: at most one row per sender that is not closed (a partial unique
  index). Older databases may hold duplicates from concurrent flags: all but the
  oldest are closed first, their sealed addresses wiped as a close does.
- ``rate_events`` and ``rate_warnings``: the per-sender rate limit, counted in the
  database so that two replicas do not double it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NOT_CLOSED = sa.text("status != 'closed'")


def upgrade() -> None:
    for table in ("messages", "outbox"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("leased_by", sa.String(64)))
            batch.add_column(sa.Column("lease_until", sa.DateTime))

    escalations = sa.table("escalations", sa.column("id", sa.Integer),
                           sa.column("sender_id", sa.String), sa.column("status", sa.String),
                           sa.column("sealed_address", sa.LargeBinary),
                           sa.column("closed_at", sa.DateTime))
    older = sa.select(sa.func.min(escalations.c.id)).where(
        escalations.c.status != "closed").group_by(escalations.c.sender_id)
    op.execute(
        escalations.update()
        .where(escalations.c.status != "closed", escalations.c.id.not_in(older))
        .values(status="closed", sealed_address=None, closed_at=sa.func.current_timestamp())
    )
    op.create_index("uq_escalations_one_open", "escalations", ["sender_id"], unique=True,
                    sqlite_where=NOT_CLOSED, postgresql_where=NOT_CLOSED)

    op.create_table(
        "rate_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(64), nullable=False, index=True),
        sa.Column("message_sid", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    )
    op.create_table(
        "rate_warnings",
        sa.Column("sender_id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("rate_warnings")
    op.drop_table("rate_events")
    op.drop_index("uq_escalations_one_open", "escalations")
    for table in ("outbox", "messages"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("lease_until")
            batch.drop_column("leased_by")
