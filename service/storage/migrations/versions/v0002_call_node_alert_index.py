"""Record which node runs a live call; index alerts by (agent_id, id) for agent feeds.

With many nodes on one PostgreSQL, a restarting node must mark only its own live calls as
interrupted, so calls remember the node that started them. Agent feeds poll
``agent_id = ? AND id > ?``, which the new index answers without a scan.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("node_id", sa.String(100), nullable=True))
    op.create_index("ix_alerts_agent_id_id", "alerts", ["agent_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_alerts_agent_id_id", table_name="alerts")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("node_id")
