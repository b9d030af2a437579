"""Segments keep their last daily-evaluation error: a segment that cannot be evaluated says so, the job goes on"""

import sqlalchemy as sa
from alembic import op

revision = "0013_segment_errors"
down_revision = "0002_insight"  # alters the segment table of the insight centre
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("insight_segments", sa.Column("last_error", sa.Text(), nullable=True))
    op.add_column("insight_segments", sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("insight_segments") as batch:
        batch.drop_column("last_error_at")
        batch.drop_column("last_error")
