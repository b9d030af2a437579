"""campaign centre: campaigns and their lifecycle, generic approvals and rules, MGM invites, customer API records"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0025_campaigns"
down_revision = "0001"  # references orgs, created by the governance core
branch_labels = None
depends_on = None

# Campaigns always need a checker; a budget above ¥100,000 needs head office (DESIGN: 审批 per type and amount).
DEFAULT_RULES = (("campaign", None, None), ("campaign", 100_000.0, "HQ"), ("benefit_budget", 100_000.0, "HQ"))


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("template_id", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("owner_org", sa.String(length=64), sa.ForeignKey("orgs.code"), nullable=False),
        sa.Column("budget", sa.Float(), nullable=True),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("products", sa.JSON(), nullable=False),
        _ts("starts_at"),
        _ts("ends_at"),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("approved_revision", sa.Integer(), nullable=True),
        sa.Column("reject_reason", sa.String(length=500), nullable=True),
        sa.Column("strategy_ids", sa.JSON(), nullable=False),
        sa.Column("analysis_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
    )
    op.create_index("ix_campaigns_owner_org", "campaigns", ["owner_org"])
    op.create_index("ix_campaigns_status", "campaigns", ["status"])
    op.create_table(
        "approval_rules",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("min_amount", sa.Float(), nullable=True),
        sa.Column("approver_org", sa.String(length=64), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _ts("created_at"),
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=True),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("owner_org", sa.String(length=64), nullable=False),
        sa.Column("approver_org", sa.String(length=64), nullable=True),
        sa.Column("maker", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        _ts("created_at"),
        _ts("decided_at", nullable=True),
        # One open request per object: a second submit while one is pending is refused by the database too.
        sa.Column("open_key", sa.String(length=100), nullable=True, unique=True),
    )
    op.create_index("ix_approvals_object", "approvals", ["object_type", "object_id"])
    op.create_index("ix_approvals_status", "approvals", ["status"])
    op.create_table(
        "campaign_invites",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False, unique=True),
        sa.Column("device_hash", sa.String(length=64), nullable=True),
        sa.Column("phone_hash", sa.String(length=64), nullable=True),
        sa.Column("id_hash", sa.String(length=64), nullable=True),
        _ts("created_at"),
        sa.UniqueConstraint("campaign_id", "customer_id"),
    )
    op.create_table(
        "campaign_referrals",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
        sa.Column("inviter", sa.String(length=64), nullable=False),
        sa.Column("invitee", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),  # pending|held|completed|refused|expired
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("device_hash", sa.String(length=64), nullable=True),
        sa.Column("ip_hash", sa.String(length=64), nullable=True),
        _ts("created_at"),
        _ts("completed_at", nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.UniqueConstraint("campaign_id", "invitee"),
    )
    op.create_index("ix_campaign_referrals_inviter", "campaign_referrals", ["campaign_id", "inviter"])
    op.create_table(
        "campaign_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),  # join|checkin|draw|action|reward
        sa.Column("slot", sa.String(length=64), nullable=False),  # the day, draw number, action or reward name
        sa.Column("result", sa.JSON(), nullable=False),
        _ts("created_at"),
        sa.UniqueConstraint("campaign_id", "customer_id", "kind", "slot"),
    )
    op.create_table(
        "campaign_api_responses",
        sa.Column("key", sa.String(length=200), primary_key=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        _ts("created_at"),
    )
    now = datetime.now(UTC)
    rules = sa.table("approval_rules", sa.column("object_type", sa.String), sa.column("min_amount", sa.Float),
                     sa.column("approver_org", sa.String), sa.column("enabled", sa.Boolean),
                     sa.column("created_at", sa.DateTime(timezone=True)))
    op.bulk_insert(rules, [{"object_type": t, "min_amount": a, "approver_org": org, "enabled": True,
                            "created_at": now} for t, a, org in DEFAULT_RULES])


def downgrade() -> None:
    for t in ("campaign_api_responses", "campaign_actions", "campaign_referrals", "campaign_invites", "approvals",
              "approval_rules", "campaigns"):
        op.drop_table(t)

