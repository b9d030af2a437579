"""engine: step counts kept as counters per (node, metric, label, org, RM), each instance's steps as a trail column

A segment entry wrote five `engine_steps` rows per customer; the monitoring canvas only ever summed them, and the
customer 360 page read one instance's rows. Counts now go to `engine_counts` (one upsert per key and batch), and
the per-instance list to `engine_instances.trail`. The old rows are folded into both, then the table is dropped
(with it the redundant `ix_engine_steps_instance_id`, which its unique index covered).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0039_engine_counts"
down_revision = "0017_strategy_engine"
branch_labels = None
depends_on = None

KEY = ["strategy_id", "version", "node", "metric", "label", "org_code", "rm_id", "slot"]
BATCH = 5_000

_steps = sa.table("engine_steps", sa.column("id", sa.Integer), sa.column("instance_id", sa.Integer),
                  sa.column("strategy_id", sa.Integer), sa.column("version", sa.Integer),
                  sa.column("org_code", sa.String), sa.column("seq", sa.Integer), sa.column("node", sa.String),
                  sa.column("metric", sa.String), sa.column("label", sa.String),
                  sa.column("at", sa.DateTime(timezone=True)))
_instances = sa.table("engine_instances", sa.column("id", sa.Integer), sa.column("org_code", sa.String),
                      sa.column("rm_id", sa.String), sa.column("trail", sa.Text))


def _iso(at: datetime) -> str:
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def upgrade() -> None:
    op.create_table(
        "engine_counts",
        sa.Column("strategy_id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("node", sa.String(40), primary_key=True),
        sa.Column("metric", sa.String(16), primary_key=True),
        sa.Column("label", sa.String(64), primary_key=True),
        sa.Column("org_code", sa.String(64), primary_key=True),  # "" when unknown: NULLs never collide in a key
        sa.Column("rm_id", sa.String(64), primary_key=True),
        sa.Column("slot", sa.Integer(), primary_key=True),  # spreads concurrent workers over rows (PostgreSQL)
        sa.Column("n", sa.BigInteger(), nullable=False),
    )
    with op.batch_alter_table("engine_instances") as batch:
        batch.add_column(sa.Column("trail", sa.Text(), nullable=False, server_default=""))
    conn = op.get_bind()
    conn.execute(sa.text(
        "INSERT INTO engine_counts (strategy_id, version, node, metric, label, org_code, rm_id, slot, n) "
        "SELECT s.strategy_id, s.version, s.node, s.metric, s.label, COALESCE(s.org_code, ''), "
        "COALESCE(i.rm_id, ''), 0, COUNT(*) FROM engine_steps s LEFT JOIN engine_instances i ON i.id = s.instance_id "
        "GROUP BY s.strategy_id, s.version, s.node, s.metric, s.label, COALESCE(s.org_code, ''), "
        "COALESCE(i.rm_id, '')"))
    trails: dict[int, list[str]] = {}
    rows = conn.execute(sa.select(_steps.c.instance_id, _steps.c.seq, _steps.c.node, _steps.c.metric,
                                  _steps.c.label, _steps.c.at).order_by(_steps.c.instance_id, _steps.c.seq,
                                                                        _steps.c.id))
    for iid, seq, node, metric, label, at in rows:
        trails.setdefault(iid, []).append("," + json.dumps([seq, node, metric, label or "", _iso(at)],
                                                           ensure_ascii=False, separators=(",", ":")))
    update = sa.update(_instances).where(_instances.c.id == sa.bindparam("iid")).values(trail=sa.bindparam("t"))
    items = [{"iid": iid, "t": "".join(parts)} for iid, parts in trails.items()]
    for start in range(0, len(items), BATCH):
        conn.execute(update, items[start:start + BATCH])
    op.drop_table("engine_steps")


def downgrade() -> None:
    op.create_table(
        "engine_steps",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("instance_id", sa.Integer(), nullable=False, index=True),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(64), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(40), nullable=False),
        sa.Column("metric", sa.String(16), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("instance_id", "seq", "node", "metric", "label", name="uq_engine_steps_once"),
    )
    op.create_index("ix_engine_steps_stats", "engine_steps", ["strategy_id", "version", "node", "metric"])
    conn = op.get_bind()
    inst = sa.table("engine_instances", sa.column("id", sa.Integer), sa.column("strategy_id", sa.Integer),
                    sa.column("version", sa.Integer), sa.column("org_code", sa.String),
                    sa.column("trail", sa.Text))
    rows = []
    for iid, sid, version, org, trail in conn.execute(sa.select(inst).where(inst.c.trail != "")):
        for seq, node, metric, label, at in json.loads("[" + trail[1:] + "]"):
            rows.append({"instance_id": iid, "strategy_id": sid, "version": version, "org_code": org, "seq": seq,
                         "node": node, "metric": metric, "label": label, "at": datetime.fromisoformat(at)})
    for start in range(0, len(rows), BATCH):
        conn.execute(_steps.insert(), rows[start:start + BATCH])
    with op.batch_alter_table("engine_instances") as batch:
        batch.drop_column("trail")
    op.drop_table("engine_counts")
