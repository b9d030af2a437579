"""Experiment queries: arm counts over the engine's instance rows (read-only), promotions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from mofang.platform.governance.contracts import Scope
from mofang.strategy.experiments.models import ExperimentPromotion

# The engine runtime owns this table; experiments only read the columns they need, on a metadata of their own so
# that nothing here can create, alter or write it.
_READ_ONLY = MetaData()
instances = Table(
    "engine_instances", _READ_ONLY,
    Column("id", Integer, primary_key=True),
    Column("strategy_id", Integer),
    Column("version", Integer),
    Column("customer_id", String(64)),
    Column("org_code", String(64)),
    Column("rm_id", String(64)),
    Column("variant", String(40)),
    Column("holdout", Boolean),
    Column("converted_at", DateTime(timezone=True)),
    Column("context", JSON),
)

Counts = list[tuple[object, str | None, int, int]]  # (arm key, org code, entered, converted)


def in_scope(scope: Scope) -> ColumnElement[bool]:
    """Instances of customers inside the viewer's data scope (unknown branch: head office only)."""
    if scope.kind == "all":
        return true()
    if scope.kind == "rm":
        return instances.c.rm_id == (scope.rm_id or "")
    org = instances.c.org_code
    return or_(org == scope.org_code, org.startswith(scope.org_code + "-", autoescape=True))


def ab_counts(session: Session, *, strategy_id: int, node_id: str, versions: Sequence[int], scope: Scope) -> Counts:
    """Per (variant the node assigned, org): instances and conversions, holdout customers left out."""
    if not versions:
        return []
    # The engine records each AB node's label in context.variants (the `variant` column keeps only the last one).
    label = instances.c.context[("variants", node_id)].as_string()
    rows = session.execute(
        select(label, instances.c.org_code, func.count(), func.count(instances.c.converted_at))
        .where(instances.c.strategy_id == strategy_id, instances.c.version.in_(list(versions)),
               instances.c.holdout == false(), label.is_not(None), in_scope(scope))
        .group_by(label, instances.c.org_code))
    return [(v, org, int(n), int(x)) for v, org, n, x in rows]


def holdout_counts(session: Session, *, strategy_id: int, versions: Sequence[int], scope: Scope) -> Counts:
    """Per (held out or treated, org): instances and conversions."""
    if not versions:
        return []
    rows = session.execute(
        select(instances.c.holdout, instances.c.org_code, func.count(), func.count(instances.c.converted_at))
        .where(instances.c.strategy_id == strategy_id, instances.c.version.in_(list(versions)), in_scope(scope))
        .group_by(instances.c.holdout, instances.c.org_code))
    return [(bool(h), org, int(n), int(x)) for h, org, n, x in rows]


def promotions(session: Session, strategy_id: int) -> list[ExperimentPromotion]:
    """A strategy's promotions, newest first."""
    return list(session.scalars(select(ExperimentPromotion).where(ExperimentPromotion.strategy_id == strategy_id)
                                .order_by(ExperimentPromotion.id.desc())))


def add(session: Session, row: ExperimentPromotion) -> None:
    """Insert a promotion and assign its id."""
    session.add(row)
    session.flush()


def delete(session: Session, row: ExperimentPromotion) -> None:
    """Remove a promotion whose publishing failed."""
    session.delete(row)
    session.flush()
