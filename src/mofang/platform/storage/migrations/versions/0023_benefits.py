"""campaign benefits (权益): definitions, stock/budget pools per campaign and branch, issue and redemption ledger"""

import sqlalchemy as sa
from alembic import op

revision = "0023_benefits"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "benefit_definitions",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_days", sa.Integer(), nullable=True),
        sa.Column("per_customer_limit", sa.Integer(), nullable=False),
        sa.Column("stackable", sa.Boolean(), nullable=False),
        sa.Column("cost_fen", sa.BigInteger(), nullable=False),
        sa.Column("owner_org", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
    )
    op.create_index("ix_benefit_definitions_owner_org", "benefit_definitions", ["owner_org"])
    op.create_table(
        "benefit_pools",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("benefit_id", sa.Integer(), sa.ForeignKey("benefit_definitions.id"), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),  # 0: the benefit's own pool, outside any campaign
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("benefit_pools.id"), nullable=True),
        sa.Column("stock_total", sa.BigInteger(), nullable=False),
        sa.Column("stock_remaining", sa.BigInteger(), nullable=False),
        sa.Column("budget_fen", sa.BigInteger(), nullable=False),
        sa.Column("budget_remaining_fen", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        _ts("created_at"),
        sa.UniqueConstraint("benefit_id", "campaign_id", "org_code", name="uq_benefit_pools_scope"),
        sa.CheckConstraint("stock_remaining >= 0", name="ck_benefit_pools_stock"),
        sa.CheckConstraint("budget_remaining_fen >= 0", name="ck_benefit_pools_budget"),
    )
    op.create_table(
        "benefit_grants",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False, unique=True),
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),  # issued | refused
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("customer_seq", sa.Integer(), nullable=True),  # 1..limit for issued rows; NULL when refused
        sa.Column("cost_fen", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),  # engine | claim | console
        _ts("issued_at"),
        _ts("expires_at", nullable=True),
        sa.UniqueConstraint("benefit_id", "campaign_id", "customer_id", "customer_seq",
                            name="uq_benefit_grants_customer_seq"),
    )
    op.create_index("ix_benefit_grants_customer", "benefit_grants", ["customer_id"])
    op.create_index("ix_benefit_grants_scope", "benefit_grants", ["benefit_id", "campaign_id", "org_code"])
    op.create_index("ix_benefit_grants_expires", "benefit_grants", ["expires_at"])
    op.create_table(
        "benefit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("grant_id", sa.Integer(), sa.ForeignKey("benefit_grants.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),  # redeemed | expired | shipped | delivered | returned
        # 1 for redeemed/expired: the unique pair lets a grant end exactly once, whoever races.
        sa.Column("terminal", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False, unique=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=True),
        _ts("ts"),
        sa.UniqueConstraint("grant_id", "terminal", name="uq_benefit_events_terminal"),
    )
    op.create_index("ix_benefit_events_grant", "benefit_events", ["grant_id"])
    op.create_index("ix_benefit_events_order", "benefit_events", ["order_id"])


def downgrade() -> None:
    op.drop_table("benefit_events")
    op.drop_table("benefit_grants")
    op.drop_table("benefit_pools")
    op.drop_table("benefit_definitions")
