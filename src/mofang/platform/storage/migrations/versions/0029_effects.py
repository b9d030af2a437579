"""effect evaluation: fixed costs owners enter for a strategy"""

import sqlalchemy as sa
from alembic import op

revision = "0029_effects"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "effect_fixed_costs",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_effect_fixed_costs_strategy_id", "effect_fixed_costs", ["strategy_id"])


def downgrade() -> None:
    op.drop_index("ix_effect_fixed_costs_strategy_id", table_name="effect_fixed_costs")
    op.drop_table("effect_fixed_costs")
