"""Monitoring: the metric library, alert rules and fired alerts"""

import sqlalchemy as sa
from alembic import op

revision = "0003_monitor"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_metrics",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("owner_org", sa.String(length=64), sa.ForeignKey("orgs.code"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_monitor_metrics_owner_org", "monitor_metrics", ["owner_org"])
    op.create_table(
        "monitor_alert_rules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("metric_id", sa.Integer(), sa.ForeignKey("monitor_metrics.id"), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("op", sa.String(length=16), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("emails", sa.JSON(), nullable=False),
        sa.Column("webhook_url", sa.String(length=512), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("owner_org", sa.String(length=64), sa.ForeignKey("orgs.code"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_monitor_alert_rules_metric_id", "monitor_alert_rules", ["metric_id"])
    op.create_index("ix_monitor_alert_rules_owner_org", "monitor_alert_rules", ["owner_org"])
    op.create_table(
        "monitor_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule_id", sa.Integer(), sa.ForeignKey("monitor_alert_rules.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("previous", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notifications", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rule_id", "day", name="uq_monitor_alerts_rule_day"),
    )
    op.create_index("ix_monitor_alerts_rule_id", "monitor_alerts", ["rule_id"])
    op.create_index("ix_monitor_alerts_day", "monitor_alerts", ["day"])
    op.create_index("ix_monitor_alerts_status", "monitor_alerts", ["status"])


def downgrade() -> None:
    op.drop_table("monitor_alerts")
    op.drop_table("monitor_alert_rules")
    op.drop_table("monitor_metrics")
