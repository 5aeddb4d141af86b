"""Agent voice profiles: each agent's saved baseline, by agent id (issue 13).

The live service starts an agent's call from the baseline their earlier calls learnt and stores
the updated one when the call ends (models/tone/profile.py). One row per agent; the profile document
is the ``calltone.voice_profile/1`` JSON.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_profiles",
        sa.Column("agent_id", sa.String(100), nullable=False),
        sa.Column(
            "profile",
            sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("voiced_s", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("agent_id", name="pk_agent_profiles"),
    )


def downgrade() -> None:
    op.drop_table("agent_profiles")
