"""customer identities (addresses per channel, encrypted) and customer profiles (what every worker reads)"""

import sqlalchemy as sa
from alembic import op

revision = "0015_identities_profiles"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "customer_identities",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=True),
        sa.Column("value_enc", sa.Text(), nullable=True),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("masked", sa.String(length=256), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        _ts("first_seen", True),
        _ts("last_seen", True),
        _ts("updated_at"),
        sa.UniqueConstraint("customer_id", "kind", "value_hash", name="uq_customer_identity"),
    )
    op.create_index("ix_customer_identities_customer_id", "customer_identities", ["customer_id"])
    op.create_index("ix_customer_identities_lookup", "customer_identities", ["kind", "value_hash"])
    op.create_table(
        "identity_batches",
        sa.Column("key", sa.String(length=128), primary_key=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        _ts("created_at"),
    )
    op.create_table(
        "customer_profiles",
        sa.Column("customer_id", sa.String(length=64), primary_key=True),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("rm_id", sa.String(length=64), nullable=True),
        sa.Column("kyc_level", sa.String(length=8), nullable=True),
        sa.Column("tier", sa.String(length=16), nullable=True),
        sa.Column("aum", sa.Float(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("consents", sa.JSON(), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=True),
        sa.Column("row_hash", sa.String(length=32), nullable=False),
        _ts("updated_at"),
    )
    op.create_index("ix_customer_profiles_org_code", "customer_profiles", ["org_code"])
    op.create_index("ix_customer_profiles_rm_id", "customer_profiles", ["rm_id"])


def downgrade() -> None:
    op.drop_table("customer_profiles")
    op.drop_table("identity_batches")
    op.drop_index("ix_customer_identities_lookup", "customer_identities")
    op.drop_index("ix_customer_identities_customer_id", "customer_identities")
    op.drop_table("customer_identities")
