"""contact policy: rules, settings (control group), decisions by key, suppressions, do-not-contact, opt-outs"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0018_contact_policy"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    settings = op.create_table(
        "policy_settings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("control_percent", sa.Float(), nullable=False),
        sa.Column("control_salt", sa.String(length=64), nullable=False),
        _ts("drawn_at", nullable=True),
        sa.Column("drawn_by", sa.String(length=64), nullable=True),
    )
    rules = op.create_table(
        "policy_rules",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        _ts("updated_at"),
    )
    op.create_table(
        "policy_decisions",
        sa.Column("key", sa.String(length=200), primary_key=True),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("business_line", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        _ts("until", nullable=True),
        _ts("at"),
        _ts("released_at", nullable=True),
    )
    op.create_index("ix_policy_decisions_customer_at", "policy_decisions", ["customer_id", "at"])
    op.create_table(
        "policy_suppressions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        _ts("until", nullable=True),
        _ts("at"),
    )
    op.create_index("ix_policy_suppressions_customer_id", "policy_suppressions", ["customer_id"])
    op.create_index("ix_policy_suppressions_strategy_id", "policy_suppressions", ["strategy_id"])
    op.create_table(
        "policy_dnc",
        sa.Column("customer_id", sa.String(length=64), primary_key=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=True),
        _ts("added_at"),
    )
    op.create_table(
        "policy_opt_outs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        _ts("at"),
        sa.UniqueConstraint("customer_id", "channel", "purpose", name="uq_policy_opt_outs"),
    )
    op.create_index("ix_policy_opt_outs_customer_id", "policy_opt_outs", ["customer_id"])
    now = datetime.now(UTC)
    op.bulk_insert(settings, [{"id": 1, "version": 1, "control_percent": 0.0,
                               "control_salt": secrets.token_hex(16), "drawn_at": None, "drawn_by": None}])
    # The default quiet hours: 21:00 – 09:00 bank time, deferred, service messages exempt.
    op.bulk_insert(rules, [{"name": "夜间勿扰", "kind": "quiet_hours", "enabled": True, "updated_by": "system",
                            "updated_at": now, "definition": {"kind": "quiet_hours", "start": "21:00", "end": "09:00",
                                                              "channel": None, "action": "defer",
                                                              "exempt_service": True}}])


def downgrade() -> None:
    for table in ("policy_opt_outs", "policy_dnc", "policy_suppressions", "policy_decisions", "policy_rules",
                  "policy_settings"):
        op.drop_table(table)
