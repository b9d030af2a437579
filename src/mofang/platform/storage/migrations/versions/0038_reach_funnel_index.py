"""reach deliveries: a covering index for the effect page's delivery funnel (one index scan, no table lookups)"""

from alembic import op

revision = "0038_reach_funnel_index"
down_revision = "0019_reach_delivery"  # indexes the delivery log, so it must run after the table exists
branch_labels = None
depends_on = None

# Every column the funnel's GROUP BY reads, the strategy first: the effect page groups a million-row campaign's
# messages from the index alone (the RM's book last, so an RM's page is covered too).
COLUMNS = ["strategy_id", "channel", "customer_org_code", "status", "reason", "cost_fen", "delivered_at",
           "opened_at", "clicked_at", "customer_rm_id"]


def upgrade() -> None:
    op.create_index("ix_reach_deliveries_funnel", "reach_deliveries", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_reach_deliveries_funnel", table_name="reach_deliveries")
