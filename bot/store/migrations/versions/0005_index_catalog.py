"""The published knowledge index in the shared database (issue 17).

Three tables that replace, for replicas on a Chroma server, the ``CURRENT`` file
and the ``snapshot.json`` of one replica's data folder: every generation, its
snapshot in parts, and the pointer to the one served. A table that exists
already (a database made from the models) is left as it is.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

schema = sa.MetaData()
sa.Table(
    "index_generations", schema,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("embedder", sa.String(200)),
    sa.Column("embedder_key", sa.String(200)),
    sa.Column("documents", sa.Integer, nullable=False),
    sa.Column("passages", sa.Integer, nullable=False),
    sa.Column("referrals", sa.Integer, nullable=False),
    sa.Column("languages", sa.String(200), nullable=False),
    sa.Column("snapshot_sha256", sa.String(64)),
    sa.Column("snapshot_bytes", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("published_at", sa.DateTime),
    sa.Column("retired_at", sa.DateTime),
)
sa.Table(
    "index_snapshot_parts", schema,
    sa.Column("generation", sa.String(64),
              sa.ForeignKey("index_generations.name", ondelete="CASCADE"), primary_key=True),
    sa.Column("part", sa.Integer, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)
sa.Table(
    "index_pointer", schema,
    sa.Column("slot", sa.String(16), primary_key=True),
    sa.Column("generation", sa.String(64), nullable=False),
    sa.Column("switched_at", sa.DateTime, nullable=False),
)


def upgrade() -> None:
    bind = op.get_bind()
    existing = sa.inspect(bind)
    for table in schema.sorted_tables:
        if not existing.has_table(table.name):
            table.create(bind)


def downgrade() -> None:
    for table in reversed(schema.sorted_tables):
        op.drop_table(table.name)
