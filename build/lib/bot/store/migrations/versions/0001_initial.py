"""The conversation store and the web app's accounts, as they were when migrations began.

Creates the tables of a new database. A database made before migrations
existed (the tables were created from the models directly) is completed
instead: missing tables are created and missing columns added, all of which
were nullable or had a default, so no row is touched.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

schema = sa.MetaData()
sa.Table(
    "senders", schema,
    sa.Column("sender_id", sa.String(64), primary_key=True),
    sa.Column("lang", sa.String(8)),
    sa.Column("country", sa.String(2)),
    sa.Column("last_question", sa.Text),
    sa.Column("last_question_at", sa.DateTime),
    sa.Column("pending_more", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False, index=True),
)
sa.Table(
    "opt_outs", schema,
    sa.Column("sender_id", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
sa.Table(
    "messages", schema,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sid", sa.String(64), nullable=False, unique=True),
    sa.Column("sender_id", sa.String(64), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("our_address", sa.String(64), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("sealed_address", sa.LargeBinary),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
)
sa.Table(
    "outbox", schema,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("idempotency_key", sa.String(128), nullable=False, unique=True),
    sa.Column("sender_id", sa.String(64), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("from_address", sa.String(64), nullable=False),
    sa.Column("sealed_to", sa.LargeBinary),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime, nullable=False, index=True),
    sa.Column("last_error", sa.String(200)),
    sa.Column("twilio_sid", sa.String(64)),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    sa.Column("done_at", sa.DateTime),
)
sa.Table(
    "escalations", schema,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(64), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    sa.Column("sealed_address", sa.LargeBinary),
    sa.Column("our_address", sa.String(64)),
    sa.Column("claimed_by", sa.Integer),
    sa.Column("closed_at", sa.DateTime),
)
sa.Table(
    "replies", schema,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(64), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("author", sa.String(16), nullable=False),
    sa.Column("user_id", sa.Integer),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
)
sa.Table(
    "questions", schema,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("sender_id", sa.String(64), index=True),
    sa.Column("user_id", sa.Integer),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("lang", sa.String(8)),
    sa.Column("country", sa.String(2)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(32)),
    sa.Column("urgent", sa.Boolean, nullable=False),
    sa.Column("doc_ids", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
)
sa.Table(
    "feedback", schema,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("question_id", sa.Integer, sa.ForeignKey("questions.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("helpful", sa.Boolean, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
)
sa.Table(
    "users", schema,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("failed_logins", sa.Integer, nullable=False),
    sa.Column("locked_until", sa.DateTime),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_login_at", sa.DateTime),
)
sa.Table(
    "web_sessions", schema,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
)
sa.Table(
    "audit_log", schema,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, index=True),
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False, index=True),
    sa.Column("target", sa.String(64)),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
)


def upgrade() -> None:
    bind = op.get_bind()
    existing = sa.inspect(bind)
    for table in schema.sorted_tables:
        if not existing.has_table(table.name):
            table.create(bind)
            continue
        # Made before migrations: add what the database lacks (nullable columns only).
        have = {c["name"] for c in existing.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:
                op.add_column(table.name, sa.Column(column.name, column.type, nullable=True))


def downgrade() -> None:
    for table in reversed(schema.sorted_tables):
        op.drop_table(table.name)
