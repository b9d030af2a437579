"""data integration: database sources (URL, encrypted password, query), watermarks and daily schedules"""

import sqlalchemy as sa
from alembic import op

revision = "0014_integration_sources"
down_revision = "0012_integration"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("kind", sa.String(length=16), "file"), ("url", sa.Text(), None), ("password_enc", sa.Text(), None),
    ("query", sa.Text(), None), ("watermark_column", sa.String(length=64), None), ("watermark", sa.JSON(), None),
    ("schedule", sa.String(length=16), None), ("reject_threshold", sa.Float(), None),
    ("last_scheduled", sa.Date(), None),
)


def upgrade() -> None:
    with op.batch_alter_table("integration_sources") as batch:
        for name, typ, default in _COLUMNS:
            batch.add_column(sa.Column(name, typ, nullable=default is None, server_default=default))


def downgrade() -> None:
    with op.batch_alter_table("integration_sources") as batch:
        for name, _, _ in reversed(_COLUMNS):
            batch.drop_column(name)
