"""Alerts: rule severity and anomaly parameters; each alert keeps its severity, outcome and anomaly details"""

import sqlalchemy as sa
from alembic import op

revision = "0006_alert_severity"
down_revision = "0003_monitor"  # alters the monitoring tables, so it must run after they exist
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN with a server default works on SQLite and PostgreSQL alike (no table rebuild).
    op.add_column("monitor_alert_rules", sa.Column("params", sa.JSON(), nullable=True))
    op.add_column("monitor_alert_rules", sa.Column("severity", sa.String(length=16), nullable=False,
                                                   server_default="warning"))
    op.add_column("monitor_alerts", sa.Column("severity", sa.String(length=16), nullable=False,
                                              server_default="warning"))
    op.add_column("monitor_alerts", sa.Column("outcome", sa.String(length=24), nullable=False,
                                              server_default="fired"))
    op.add_column("monitor_alerts", sa.Column("details", sa.JSON(), nullable=True))
    op.create_index("ix_monitor_alerts_severity", "monitor_alerts", ["severity"])


def downgrade() -> None:
    op.drop_index("ix_monitor_alerts_severity", table_name="monitor_alerts")
    with op.batch_alter_table("monitor_alerts") as batch:
        batch.drop_column("details")
        batch.drop_column("outcome")
        batch.drop_column("severity")
    with op.batch_alter_table("monitor_alert_rules") as batch:
        batch.drop_column("severity")
        batch.drop_column("params")
