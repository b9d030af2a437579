"""customer identities: drop the index on customer_id alone (the unique (customer, kind, hash) index starts with it)

Every lookup by customer is served by `uq_customer_identity`, whose first column is `customer_id`; the second
index only cost its upkeep (≈ 0.15 CPU-s per 233k identities a customers load inserts on SQLite).
"""

from alembic import op

revision = "0041_identity_customer_index"
down_revision = "0031_profile_render_facts"  # the identities/profiles line (off 0015): no new head
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_customer_identities_customer_id", "customer_identities")


def downgrade() -> None:
    op.create_index("ix_customer_identities_customer_id", "customer_identities", ["customer_id"])
