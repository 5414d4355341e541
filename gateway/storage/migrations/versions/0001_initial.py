"""journal, held messages, roster and staff

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_state",
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=255), server_default="", nullable=False),
        sa.Column("count", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_directory_state")),
    )
    op.create_table(
        "held_messages",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("journal_id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("mail_from", sa.String(length=512), nullable=False),
        sa.Column(
            "recipients",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "mail_options",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column(
            "rules",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "findings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=320), nullable=True),
        sa.Column("decision_reason", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_messages")),
    )
    with op.batch_alter_table("held_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_held_messages_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_held_messages_status"), ["status"], unique=False)

    op.create_table(
        "journal",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("node", sa.String(length=255), server_default="", nullable=False),
        sa.Column("client_address", sa.String(length=64), server_default="", nullable=False),
        sa.Column("client_helo", sa.String(length=255), server_default="", nullable=False),
        sa.Column("auth_user", sa.String(length=255), nullable=True),
        sa.Column("mail_from", sa.String(length=512), server_default="", nullable=False),
        sa.Column(
            "recipients",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("header_from", sa.String(length=512), server_default="", nullable=False),
        sa.Column("subject", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("size", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("action", sa.String(length=16), nullable=True),
        sa.Column("audit_only", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("smtp_reply", sa.String(length=1000), server_default="", nullable=False),
        sa.Column(
            "rules",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "findings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("hold_id", sa.String(length=26), nullable=True),
        sa.Column("scan_ms", sa.Float(), nullable=True),
        sa.Column("total_ms", sa.Float(), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal")),
    )
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journal_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_journal_outcome"), ["outcome"], unique=False)
        batch_op.create_index(batch_op.f("ix_journal_received_at"), ["received_at"], unique=False)

    op.create_table(
        "pupils",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("legal_forename", sa.String(length=200), nullable=False),
        sa.Column("preferred_forename", sa.String(length=200), server_default="", nullable=False),
        sa.Column("middle_names", sa.String(length=400), server_default="", nullable=False),
        sa.Column("legal_surname", sa.String(length=200), nullable=False),
        sa.Column("preferred_surname", sa.String(length=200), server_default="", nullable=False),
        sa.Column("year_group", sa.String(length=32), server_default="", nullable=False),
        sa.Column("reg_group", sa.String(length=64), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pupils")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("forename", sa.String(length=200), nullable=False),
        sa.Column("surname", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column(
            "personal_emails",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_email")),
    )


def downgrade() -> None:
    op.drop_table("staff")
    op.drop_table("pupils")
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journal_received_at"))
        batch_op.drop_index(batch_op.f("ix_journal_outcome"))
        batch_op.drop_index(batch_op.f("ix_journal_action"))

    op.drop_table("journal")
    with op.batch_alter_table("held_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_held_messages_status"))
        batch_op.drop_index(batch_op.f("ix_held_messages_created_at"))

    op.drop_table("held_messages")
    op.drop_table("directory_state")
