"""pupils: whether the roster writes the family name first (e.g. "Wang Xiaoming")

Revision ID: 0005
Revises: 0004

An optional "Name Order" roster column says so; the pupil_name detector then also
matches the name in that order in prose. Existing pupils keep forename-first order.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("family_name_first", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.drop_column("family_name_first")
