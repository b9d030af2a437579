"""data integration: the load history counts the behaviour events a load emitted from transactions"""

import sqlalchemy as sa
from alembic import op

revision = "0024_integration_quality"
down_revision = "0014_integration_sources"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("integration_loads") as batch:
        batch.add_column(sa.Column("events_emitted", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("integration_loads") as batch:
        batch.drop_column("events_emitted")
