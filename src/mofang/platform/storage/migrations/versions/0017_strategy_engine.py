"""journey engine runtime: versions, instances, command outbox, step counts, local outbox, quotas, entry runs"""

import sqlalchemy as sa
from alembic import op

revision = "0017_strategy_engine"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "engine_versions",
        sa.Column("strategy_id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("graph", sa.JSON(), nullable=False),
        sa.Column("org_code", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        _ts("activated_at"),
        _ts("updated_at"),
    )
    op.create_index("ix_engine_versions_updated_at", "engine_versions", ["updated_at"])
    op.create_table(
        "engine_instances",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("org_code", sa.String(64), nullable=True),
        sa.Column("rm_id", sa.String(64), nullable=True),
        sa.Column("entry_node", sa.String(40), nullable=False),
        sa.Column("entry_key", sa.String(160), nullable=False),
        _ts("entered_at"),
        sa.Column("node", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("wake_at", nullable=True),
        sa.Column("waiting_for", sa.String(200), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("exit_reason", sa.String(32), nullable=True),
        sa.Column("variant", sa.String(40), nullable=True),
        sa.Column("holdout", sa.Boolean(), nullable=False),
        _ts("converted_at", nullable=True),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        _ts("lease_until", nullable=True),
        _ts("updated_at"),
        sa.UniqueConstraint("strategy_id", "customer_id", "entry_key", name="uq_engine_instances_entry"),
    )
    op.create_index("ix_engine_instances_due", "engine_instances", ["status", "wake_at"])
    op.create_index("ix_engine_instances_customer", "engine_instances", ["customer_id", "status"])
    op.create_index("ix_engine_instances_node", "engine_instances", ["strategy_id", "version", "node", "status"])
    op.create_table(
        "engine_commands",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("instance_id", sa.Integer(), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("next_attempt_at"),
        sa.Column("result", sa.JSON(), nullable=True),
        _ts("created_at"),
        _ts("done_at", nullable=True),
    )
    op.create_index("ix_engine_commands_due", "engine_commands", ["status", "next_attempt_at"])
    op.create_table(
        "engine_steps",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("instance_id", sa.Integer(), nullable=False, index=True),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(64), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(40), nullable=False),
        sa.Column("metric", sa.String(16), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        _ts("at"),
        sa.UniqueConstraint("instance_id", "seq", "node", "metric", "label", name="uq_engine_steps_once"),
    )
    op.create_index("ix_engine_steps_stats", "engine_steps", ["strategy_id", "version", "node", "metric"])
    op.create_table(
        "engine_outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("created_at"),
    )
    op.create_table(
        "engine_quota",
        sa.Column("strategy_id", sa.Integer(), primary_key=True),
        sa.Column("node", sa.String(40), primary_key=True),
        sa.Column("period_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_table(
        "engine_quota_grants",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("granted", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "engine_entry_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(40), nullable=False),
        sa.Column("run_key", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("entered", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _ts("lease_until"),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.UniqueConstraint("strategy_id", "version", "node", "run_key", name="uq_engine_entry_runs"),
    )
    op.create_table(
        "engine_secrets",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value_enc", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for name in ("engine_secrets", "engine_entry_runs", "engine_quota_grants", "engine_quota", "engine_outbox",
                 "engine_steps", "engine_commands", "engine_instances", "engine_versions"):
        op.drop_table(name)
