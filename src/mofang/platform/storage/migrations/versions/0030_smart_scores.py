"""smart nodes: propensity scores, their top-percent ranks and the best hour on customer profiles"""

import sqlalchemy as sa
from alembic import op

revision = "0030_smart_scores"
down_revision = "0015_identities_profiles"  # alters customer_profiles, so it must run after it exists
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("customer_profiles", sa.Column("scores", sa.JSON(), nullable=True))
    op.add_column("customer_profiles", sa.Column("score_ranks", sa.JSON(), nullable=True))
    op.add_column("customer_profiles", sa.Column("best_hour", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("customer_profiles", "best_hour")
    op.drop_column("customer_profiles", "score_ranks")
    op.drop_column("customer_profiles", "scores")
