"""reach content library: templates, versions, shares and the sensitive-word list (seeded)"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0020_reach_content"
down_revision = "0001"  # references orgs, created by the governance core
branch_labels = None
depends_on = None

# Words no financial marketing message may carry (guaranteed returns are forbidden by the CBIRC/NFRA rules on
# selling wealth products); the exceptions are the disclosures that contain them.
SEED_WORDS = (
    ("保本", ["不保本", "非保本", "不承诺保本"]), ("稳赚", []), ("无风险", []), ("零风险", []),
    ("100%收益", []), ("最高收益", []), ("保收益", ["不保收益"]), ("刚性兑付", ["打破刚性兑付", "不刚性兑付"]),
)


def _ts(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "reach_templates",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("products", sa.JSON(), nullable=False),
        sa.Column("scenes", sa.JSON(), nullable=False),
        sa.Column("personas", sa.JSON(), nullable=False),
        sa.Column("owner_org", sa.String(length=64), sa.ForeignKey("orgs.code"), nullable=False),
        sa.Column("share_all", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
    )
    op.create_index("ix_reach_templates_channel", "reach_templates", ["channel"])
    op.create_index("ix_reach_templates_owner_org", "reach_templates", ["owner_org"])
    op.create_table(
        "reach_template_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("template_id", sa.Integer(), sa.ForeignKey("reach_templates.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        _ts("created_at"),
        sa.UniqueConstraint("template_id", "version"),
    )
    op.create_table(
        "reach_template_shares",
        sa.Column("template_id", sa.Integer(), sa.ForeignKey("reach_templates.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("org_code", sa.String(length=64), sa.ForeignKey("orgs.code"), primary_key=True),
    )
    words = op.create_table(
        "reach_sensitive_words",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("word", sa.String(length=32), nullable=False, unique=True),
        sa.Column("exceptions", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        _ts("created_at"),
    )
    now = datetime.now(UTC)
    op.bulk_insert(words, [{"word": w, "exceptions": e, "created_by": None, "created_at": now} for w, e in SEED_WORDS])


def downgrade() -> None:
    op.drop_table("reach_sensitive_words")
    op.drop_table("reach_template_shares")
    op.drop_table("reach_template_versions")
    op.drop_index("ix_reach_templates_owner_org", "reach_templates")
    op.drop_index("ix_reach_templates_channel", "reach_templates")
    op.drop_table("reach_templates")
