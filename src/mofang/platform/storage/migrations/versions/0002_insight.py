"""customer insight: tags, segments, lists, segment sets"""

import sqlalchemy as sa
from alembic import op

revision = "0002_insight"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "insight_tags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value_type", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("owner_org", sa.String(length=64), sa.ForeignKey("orgs.code"), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_insight_tags_family", "insight_tags", ["family"])
    op.create_index("ix_insight_tags_owner_org", "insight_tags", ["owner_org"])
    op.create_table(
        "insight_tag_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tag_id", sa.Integer(), sa.ForeignKey("insight_tags.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tag_id", "version"),
    )
    op.create_index("ix_insight_tag_versions_tag_id", "insight_tag_versions", ["tag_id"])
    op.create_table(
        "insight_tag_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tag_id", sa.Integer(), sa.ForeignKey("insight_tags.id", ondelete="CASCADE"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _ts("started_at"),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_insight_tag_runs_tag_id", "insight_tag_runs", ["tag_id"])
    op.create_index("ix_insight_tag_runs_day", "insight_tag_runs", ["day"])
    op.create_table(
        "insight_segments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("owner_org", sa.String(length=64), sa.ForeignKey("orgs.code"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.Column("last_count", sa.Integer(), nullable=True),
        sa.Column("last_evaluated_on", sa.Date(), nullable=True),
        sa.Column("frozen_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_insight_segments_owner_org", "insight_segments", ["owner_org"])
    op.create_table(
        "insight_segment_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("segment_id", sa.Integer(), sa.ForeignKey("insight_segments.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("segment_id", "day"),
    )
    op.create_index("ix_insight_segment_snapshots_segment_id", "insight_segment_snapshots", ["segment_id"])
    op.create_table(
        "insight_lists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("owner_org", sa.String(length=64), sa.ForeignKey("orgs.code"), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("rejects", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_insight_lists_owner_org", "insight_lists", ["owner_org"])
    op.create_table(
        "insight_segment_sets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("strategy", sa.Text(), nullable=False),
        sa.Column("owner_org", sa.String(length=64), sa.ForeignKey("orgs.code"), nullable=False),
        sa.Column("share_all", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_insight_segment_sets_owner_org", "insight_segment_sets", ["owner_org"])
    op.create_table(
        "insight_segment_set_items",
        sa.Column("set_id", sa.Integer(), sa.ForeignKey("insight_segment_sets.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("segment_id", sa.Integer(), sa.ForeignKey("insight_segments.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("set_id", "segment_id"),
    )
    op.create_table(
        "insight_segment_set_shares",
        sa.Column("set_id", sa.Integer(), sa.ForeignKey("insight_segment_sets.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("org_code", sa.String(length=64), sa.ForeignKey("orgs.code"), nullable=False),
        sa.PrimaryKeyConstraint("set_id", "org_code"),
    )
    op.create_table(
        "insight_segment_set_refs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("set_id", sa.Integer(), sa.ForeignKey("insight_segment_sets.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("org_code", sa.String(length=64), sa.ForeignKey("orgs.code"), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("set_id", "org_code"),
    )
    op.create_index("ix_insight_segment_set_refs_set_id", "insight_segment_set_refs", ["set_id"])


def downgrade() -> None:
    for table in ("insight_segment_set_refs", "insight_segment_set_shares", "insight_segment_set_items",
                  "insight_segment_sets", "insight_lists", "insight_segment_snapshots", "insight_segments",
                  "insight_tag_runs", "insight_tag_versions", "insight_tags"):
        op.drop_table(table)
