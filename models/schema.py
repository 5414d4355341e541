"""The database schema (SQLAlchemy Core). Alembic migrations in gateway/migrations
create and change it; the tables here must always equal the latest migration (a test
compares them)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
When = sa.DateTime(timezone=True)

journal = sa.Table(
    "journal",
    metadata,
    sa.Column("id", sa.String(26), primary_key=True),
    sa.Column("received_at", When, nullable=False, index=True),
    sa.Column("node", sa.String(255), nullable=False, server_default=""),
    sa.Column("client_address", sa.String(64), nullable=False, server_default=""),
    sa.Column("client_helo", sa.String(255), nullable=False, server_default=""),
    sa.Column("auth_user", sa.String(255)),
    sa.Column("mail_from", sa.String(512), nullable=False, server_default=""),
    sa.Column("recipients", Json, nullable=False),
    sa.Column("header_from", sa.String(512), nullable=False, server_default=""),
    sa.Column("subject", sa.String(1000), nullable=False, server_default=""),
    sa.Column("message_id", sa.String(998)),
    sa.Column("size", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("action", sa.String(16), index=True),
    sa.Column("audit_only", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("outcome", sa.String(16), nullable=False, index=True),
    sa.Column("smtp_reply", sa.String(1000), nullable=False, server_default=""),
    sa.Column("rules", Json, nullable=False),
    sa.Column("findings", Json, nullable=False),
    sa.Column("hold_id", sa.String(26)),
    sa.Column("scan_ms", sa.Float),
    sa.Column("total_ms", sa.Float),
    sa.Column("error", sa.String(1000)),
)

held_messages = sa.Table(
    "held_messages",
    metadata,
    sa.Column("id", sa.String(26), primary_key=True),
    sa.Column("journal_id", sa.String(26), nullable=False),
    sa.Column("created_at", When, nullable=False, index=True),
    sa.Column("expires_at", When, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("mail_from", sa.String(512), nullable=False),
    sa.Column("recipients", Json, nullable=False),
    sa.Column("mail_options", Json, nullable=False),
    sa.Column("subject", sa.String(1000), nullable=False, server_default=""),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("rules", Json, nullable=False),
    sa.Column("findings", Json, nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("nonce", sa.LargeBinary, nullable=False),
    sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    sa.Column("decided_at", When),
    sa.Column("decided_by", sa.String(320)),
    sa.Column("decision_reason", sa.String(2000)),
    sa.Column("severity", sa.String(8), nullable=False, server_default="medium"),
    sa.Column("confirm_by", When),
    sa.Column("release_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", When),
    sa.Column("released_at", When),
    sa.Column("delivery", Json),
    sa.Column("purged_at", When),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", When, nullable=False, index=True),
    sa.Column("actor", sa.String(320), nullable=False),
    sa.Column("role", sa.String(16)),
    sa.Column("action", sa.String(32), nullable=False, index=True),
    sa.Column("hold_id", sa.String(26), index=True),
    sa.Column("journal_id", sa.String(26)),
    sa.Column("detail", sa.String(2000), nullable=False, server_default=""),
    sa.Column("client_address", sa.String(64)),
)
"""Append-only record of every action on held mail and every view of message content."""

notice_outbox = sa.Table(
    "notice_outbox",
    metadata,
    sa.Column("id", sa.String(26), primary_key=True),
    sa.Column("created_at", When, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("hold_id", sa.String(26)),
    sa.Column("mail_from", sa.String(512), nullable=False),
    sa.Column("recipients", Json, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", When, nullable=False, index=True),
    sa.Column("sent_at", When),
    sa.Column("last_error", sa.String(1000)),
)
"""Notices, alerts and digests waiting to go out through the next hop (kept until sent)."""

app_state = sa.Table(
    "app_state",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
    sa.Column("updated_at", When, nullable=False),
)
"""Small shared facts between gateway nodes (e.g. when the last digest went out)."""

pupils = sa.Table(
    "pupils",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("legal_forename", sa.String(200), nullable=False),
    sa.Column("preferred_forename", sa.String(200), nullable=False, server_default=""),
    sa.Column("middle_names", sa.String(400), nullable=False, server_default=""),
    sa.Column("legal_surname", sa.String(200), nullable=False),
    sa.Column("preferred_surname", sa.String(200), nullable=False, server_default=""),
    sa.Column("year_group", sa.String(32), nullable=False, server_default=""),
    sa.Column("reg_group", sa.String(64), nullable=False, server_default=""),
    sa.Column("family_name_first", sa.Boolean, nullable=False, server_default=sa.false()),
)

staff = sa.Table(
    "staff",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("forename", sa.String(200), nullable=False),
    sa.Column("surname", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("personal_emails", Json, nullable=False),
)

directory_state = sa.Table(
    "directory_state",
    metadata,
    sa.Column("name", sa.String(16), primary_key=True),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("updated_at", When, nullable=False),
    sa.Column("source", sa.String(255), nullable=False, server_default=""),
    sa.Column("count", sa.Integer, nullable=False, server_default="0"),
)

console_users = sa.Table(
    "console_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("totp_secret", sa.String(255)),
    # sealed with a key derived from the web secret (gateway.web.totp.SecretBox)
    sa.Column("totp_last_step", sa.BigInteger),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", When),
    sa.Column("created_at", When, nullable=False),
    sa.Column("last_sign_in_at", When),
)
"""Web console accounts (admin, dsl, auditor); OIDC sign-ins map to these by email."""

console_sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("second_factor_due", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", When, nullable=False),
    sa.Column("last_seen_at", When, nullable=False),
    sa.Column("expires_at", When, nullable=False, index=True),
    sa.Column("client_address", sa.String(64)),
)
"""Signed-in console sessions; `id` is the SHA-256 of the cookie, never the cookie itself."""

incident_reviews = sa.Table(
    "incident_reviews",
    metadata,
    sa.Column("journal_id", sa.String(26), primary_key=True),
    sa.Column("grade", sa.String(16)),
    sa.Column("marking", sa.String(16), index=True),
    sa.Column("updated_at", When, nullable=False),
    sa.Column("updated_by", sa.String(320), nullable=False),
)
"""A DSL's current assessment of one journalled incident: severity grade, true/false positive."""

incident_events = sa.Table(
    "incident_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("journal_id", sa.String(26), nullable=False, index=True),
    sa.Column("at", When, nullable=False),
    sa.Column("actor", sa.String(320), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("text", sa.String(4000), nullable=False, server_default=""),
)
"""An incident's history, append-only: every note, grade and marking, with who and when."""
