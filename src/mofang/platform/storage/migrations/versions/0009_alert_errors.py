"""Alert rules keep their last evaluation error: a rule that cannot be judged says so, the job goes on"""

import sqlalchemy as sa
from alembic import op

revision = "0009_alert_errors"
down_revision = "0006_alert_severity"  # alters the alert rules again, after severity was added
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("monitor_alert_rules", sa.Column("last_error", sa.Text(), nullable=True))
    op.add_column("monitor_alert_rules", sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("monitor_alert_rules") as batch:
        batch.drop_column("last_error_at")
        batch.drop_column("last_error")
