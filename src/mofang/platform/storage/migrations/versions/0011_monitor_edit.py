"""Metric library editing: a metric can be disabled; each user's read state of alerts (the console's bell)"""

import sqlalchemy as sa
from alembic import op

revision = "0011_monitor_edit"
down_revision = "0006_alert_severity"  # alters the monitoring tables after their last change
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("monitor_metrics", sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "monitor_alert_reads",
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("monitor_alerts.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("username", sa.String(length=64), primary_key=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("monitor_alert_reads")
    with op.batch_alter_table("monitor_metrics") as batch:
        batch.drop_column("enabled")
