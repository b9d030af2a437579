"""strategy centre: strategies (owner org, lifecycle status) and their versioned graphs"""

import sqlalchemy as sa
from alembic import op

revision = "0016_strategies"
down_revision = "0001"  # references orgs, created by the governance core
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "strategies",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_org", sa.String(length=64), sa.ForeignKey("orgs.code"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
    )
    op.create_index("ix_strategies_owner_org", "strategies", ["owner_org"])
    op.create_table(
        "strategy_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("strategy_id", sa.Integer(), sa.ForeignKey("strategies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("graph", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        _ts("created_at"),
        _ts("published_at", nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.UniqueConstraint("strategy_id", "version"),
    )
    op.create_index("ix_strategy_versions_strategy_id", "strategy_versions", ["strategy_id"])


def downgrade() -> None:
    op.drop_table("strategy_versions")
    op.drop_table("strategies")
