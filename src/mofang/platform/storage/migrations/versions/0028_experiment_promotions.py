"""experiments: promoted winners of AB splits (who, when, the version published, the statistics seen)"""

import sqlalchemy as sa
from alembic import op

revision = "0028_experiment_promotions"
down_revision = "0016_strategies"  # references strategies
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experiment_promotions",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("strategy_id", sa.Integer(), sa.ForeignKey("strategies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("node_id", sa.String(length=40), nullable=False),
        sa.Column("variant", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("previous_version", sa.Integer(), nullable=True),
        sa.Column("promoted_by", sa.String(length=64), nullable=True),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("statistics", sa.JSON(), nullable=False),
    )
    op.create_index("ix_experiment_promotions_strategy_id", "experiment_promotions", ["strategy_id"])


def downgrade() -> None:
    op.drop_table("experiment_promotions")
