"""customer profiles: what a send needs of a customer (names encrypted, master contact copies already encrypted)"""

import sqlalchemy as sa
from alembic import op

revision = "0031_profile_render_facts"
down_revision = "0015_identities_profiles"  # alters the profile table, so it must run after it exists
branch_labels = None
depends_on = None

COLUMNS = ("personal_enc", "phone_enc", "email_enc")


def upgrade() -> None:
    with op.batch_alter_table("customer_profiles") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Text(), nullable=True))
    # Every stored hash is now stale: the next refresh rewrites each profile with the new columns filled.
    op.execute("UPDATE customer_profiles SET row_hash = ''")


def downgrade() -> None:
    with op.batch_alter_table("customer_profiles") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
