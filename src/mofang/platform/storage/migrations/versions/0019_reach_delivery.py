"""reach centre: channels, the delivery log (idempotency key unique), event outbox, inbox, RM tasks, links,
callbacks taken and receipts waiting for their send"""

import sqlalchemy as sa
from alembic import op

revision = "0019_reach_delivery"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def _int(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "reach_channels",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        _str("channel", 16, False), _str("name", 64, False), _str("provider", 32, False),
        sa.Column("config", sa.JSON(), nullable=False), sa.Column("secrets_enc", sa.Text(), nullable=True),
        _int("unit_cost_fen", False), sa.Column("rate_per_second", sa.Float(), nullable=False),
        _int("burst", False), _int("max_attempts", False), sa.Column("active", sa.Boolean(), nullable=False),
        _str("created_by", 64), _ts("created_at", False), _str("updated_by", 64), _ts("updated_at", False),
    )
    op.create_index("ix_reach_channels_channel", "reach_channels", ["channel"])
    op.create_table(
        "reach_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        _str("idempotency_key", 191, False), _str("customer_id", 64, False), _str("customer_org_code", 64),
        _str("customer_rm_id", 64), _str("channel", 16, False), _int("channel_id"), _str("purpose", 16, False),
        _int("template_id"), _int("template_version"), _int("strategy_id"), _int("strategy_version"),
        _str("node_id", 64), _int("instance_id"), _int("campaign_id"), _str("org_code", 64),
        _str("status", 16, False), _str("reason", 64), sa.Column("dead", sa.Boolean(), nullable=False),
        _str("vendor_id", 128), _str("address_masked", 128), _int("cost_fen", False), _int("attempts", False),
        _ts("next_attempt_at"), sa.Column("request_enc", sa.Text(), nullable=True), _str("receipt", 16),
        _ts("delivered_at"), _ts("opened_at"), _ts("clicked_at"), _ts("replied_at"), _ts("unsubscribed_at"),
        _str("failed_reason", 64), _ts("created_at", False), _ts("updated_at", False),
        sa.UniqueConstraint("idempotency_key", name="uq_reach_deliveries_key"),
    )
    for column in ("customer_id", "customer_org_code", "strategy_id", "campaign_id", "status", "dead",
                   "vendor_id", "created_at"):
        op.create_index(f"ix_reach_deliveries_{column}", "reach_deliveries", [column])
    op.create_table(
        "reach_event_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        _str("message_id", 128, False), sa.Column("message", sa.JSON(), nullable=False), _ts("created_at", False),
        sa.UniqueConstraint("message_id", name="uq_reach_event_outbox_message"),
    )
    op.create_table(
        "reach_inbox",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        _str("delivery_key", 191, False), _str("customer_id", 64, False), _str("title", 256),
        sa.Column("body", sa.Text(), nullable=False), sa.Column("url", sa.Text(), nullable=True),
        _ts("created_at", False), _ts("read_at"), _ts("deleted_at"),
        sa.UniqueConstraint("delivery_key", name="uq_reach_inbox_delivery"),
    )
    op.create_index("ix_reach_inbox_customer_id", "reach_inbox", ["customer_id"])
    op.create_table(
        "reach_rm_tasks",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        _str("delivery_key", 191, False), _str("customer_id", 64, False), _str("customer_org_code", 64),
        _str("rm_id", 64),
        _str("title", 256), sa.Column("script", sa.Text(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False), _ts("due_at"), _str("outcome", 16),
        sa.Column("note", sa.Text(), nullable=True), _ts("outcome_at"), _str("outcome_by", 64),
        _ts("created_at", False),
        sa.UniqueConstraint("delivery_key", name="uq_reach_rm_tasks_delivery"),
    )
    for column in ("customer_id", "customer_org_code", "rm_id"):
        op.create_index(f"ix_reach_rm_tasks_{column}", "reach_rm_tasks", [column])
    op.create_table(
        "reach_links",
        _str("token", 64, False), _int("delivery_id"), sa.Column("url", sa.Text(), nullable=False),
        _ts("expires_at", False), _int("clicks", False), _ts("created_at", False),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_index("ix_reach_links_delivery_id", "reach_links", ["delivery_id"])
    op.create_table(
        "reach_callbacks_seen",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        _int("channel_id", False), _str("signature_hash", 64, False), _ts("seen_at", False),
        sa.UniqueConstraint("channel_id", "signature_hash", name="uq_reach_callbacks_seen"),
    )
    op.create_index("ix_reach_callbacks_seen_seen_at", "reach_callbacks_seen", ["seen_at"])
    op.create_table(
        "reach_pending_receipts",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        _int("channel_id", False), _str("vendor_id", 128, False), _str("status", 16, False), _ts("at", False),
        sa.Column("detail", sa.JSON(), nullable=False), _ts("created_at", False),
    )
    op.create_index("ix_reach_pending_receipts_vendor_id", "reach_pending_receipts", ["vendor_id"])
    op.create_index("ix_reach_pending_receipts_created_at", "reach_pending_receipts", ["created_at"])


def downgrade() -> None:
    for table in ("reach_pending_receipts", "reach_callbacks_seen", "reach_links", "reach_rm_tasks", "reach_inbox",
                  "reach_event_outbox", "reach_deliveries", "reach_channels"):
        op.drop_table(table)
