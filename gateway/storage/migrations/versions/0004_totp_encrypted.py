"""console TOTP keys sealed at rest: a wider totp_secret column

Revision ID: 0004
Revises: 0003

The keys are now stored sealed (AES-256-GCM under a key derived from the web secret,
"v1:" + base64), which needs more room than a base32 key. A migration cannot seal the
keys already stored, since it does not have the web secret; there are no deployments
with enrolled keys yet, and a key stored in the clear is refused at sign-in with a log
message asking for it to be enrolled again (the account is never let in without a code).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("console_users", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret",
            existing_type=sa.String(length=64),
            type_=sa.String(length=255),
            existing_nullable=True,
        )


def downgrade() -> None:
    """Refused while sealed keys are stored: they do not fit the old column, and the old
    code cannot read them. Remove them first with `schoolgate users totp EMAIL --off`."""
    sealed = op.get_bind().execute(
        sa.text("SELECT count(*) FROM console_users WHERE totp_secret IS NOT NULL")
    )
    if sealed.scalar_one():
        raise RuntimeError(
            "console accounts have sealed one-time code keys, which the older schema cannot "
            "hold: remove them with `schoolgate users totp EMAIL --off`, then downgrade"
        )
    with op.batch_alter_table("console_users", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret",
            existing_type=sa.String(length=255),
            type_=sa.String(length=64),
            existing_nullable=True,
        )
