"""data integration: saved sources, load history, one-load-per-source locks, declared customer attributes"""

import sqlalchemy as sa
from alembic import op

revision = "0012_integration"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "integration_sources",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        _ts("updated_at"),
    )
    op.create_table(
        "integration_loads",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_loaded", sa.Integer(), nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("rows_closed", sa.Integer(), nullable=False),
        sa.Column("reject_threshold", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
    )
    op.create_index("ix_integration_loads_source", "integration_loads", ["source"])
    op.create_table(
        "integration_locks",
        sa.Column("source", sa.String(length=64), primary_key=True),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=True),
        _ts("acquired_at"),
    )
    op.create_table(
        "integration_attributes",
        sa.Column("key", sa.String(length=40), primary_key=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("zh", sa.String(length=64), nullable=False),
        sa.Column("pii", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        _ts("created_at"),
    )


def downgrade() -> None:
    op.drop_table("integration_attributes")
    op.drop_table("integration_locks")
    op.drop_index("ix_integration_loads_source", table_name="integration_loads")
    op.drop_table("integration_loads")
    op.drop_table("integration_sources")
