"""effect evaluation: targets owners state for a strategy or campaign (goal tracking)"""

import sqlalchemy as sa
from alembic import op

revision = "0033_effect_goals"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "effect_goals",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("strategy_ids", sa.JSON(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_strategy_id", sa.Integer(), nullable=False),
    )
    op.create_index("ix_effect_goals_first_strategy_id", "effect_goals", ["first_strategy_id"])
    op.create_index("ix_effect_goals_campaign_id", "effect_goals", ["campaign_id"])


def downgrade() -> None:
    op.drop_index("ix_effect_goals_campaign_id", table_name="effect_goals")
    op.drop_index("ix_effect_goals_first_strategy_id", table_name="effect_goals")
    op.drop_table("effect_goals")
