"""A simulated strategy with a known injected lift: instances, deliveries and AUM built directly (seeded)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import insert

from mofang.campaigns.benefits.models import BenefitDefinition, BenefitGrant
from mofang.platform.context import Platform
from mofang.reach.models import Delivery
from mofang.strategy.canvas.models import Strategy
from mofang.strategy.engine.repository.models import EngineInstance, EngineVersion

ENTRY = date(2026, 3, 1)
NOW = datetime(2026, 4, 20, 4, tzinfo=UTC)  # well after every 30-day AUM window ends
ORG_A, ORG_B = "GD-GZ-001", "GD-SZ-001"


@dataclass
class World:
    """What was injected, to compare what the evaluation recovers against."""

    strategy_id: int
    customer_id: np.ndarray
    holdout: np.ndarray
    converted: np.ndarray
    org: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    sms_cost_fen: int


def graph(*, holdout_percent: float = 10.0, ab: bool = False, business_line: str = "retail",
          goal_event: str | None = None) -> dict[str, Any]:
    """An engine graph: an entry, an A/B split when asked, a conversion goal when given, and the holdout setting."""
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "segment_entry"}]
    if goal_event is not None:
        nodes.append({"id": "goal", "type": "goal", "event": goal_event, "filters": []})
    if ab:
        nodes.append({"id": "ab", "type": "ab_split", "control": "A",
                      "variants": [{"label": "A", "percent": 50}, {"label": "B", "percent": 50}]})
    settings = {"holdout_percent": holdout_percent, "business_line": business_line, "timezone": "Asia/Shanghai"}
    return {"nodes": nodes, "edges": [], "settings": settings}


def build(platform: Platform, *, strategy_id: int = 1, n: int = 4000, seed: int = 1, holdout_percent: float = 10.0,
          holdout_share: float | None = None, p_control: float = 0.05, lift: float = 0.03, aum_effect: float = 5000.0,
          ab: bool = False, no_control: bool = False, days: int = 1, sms_cost_fen: int = 5,
          campaign_id: int | None = None, prefix: str = "c", goal_event: str | None = None) -> World:
    """Customers enter on ENTRY (+ up to `days`); treated ones convert `lift` more and gain `aum_effect` more AUM."""
    rng = np.random.default_rng(seed)
    share = holdout_percent / 100.0 if holdout_share is None else holdout_share
    ids = np.array([f"{prefix}{strategy_id}-{i:06d}" for i in range(n)], dtype=object)
    org = np.where(rng.random(n) < 0.5, ORG_A, ORG_B)
    if no_control:
        hold = np.zeros(n, dtype=bool)
        variant = np.array([None] * n, dtype=object)
    elif ab:
        hold = np.zeros(n, dtype=bool)
        variant = np.where(rng.random(n) < 0.5, "A", "B").astype(object)
    else:
        hold = rng.random(n) < share
        variant = np.array([None] * n, dtype=object)
    control = hold if not ab else variant == "A"
    treated = ~control
    conv = rng.random(n) < np.where(treated, p_control + lift, p_control)
    pre = rng.lognormal(11.0, 1.0, n)
    # The change grows with the AUM held before (returns): what CUPED's pre-period covariate explains away.
    post = pre * 1.03 + np.where(treated, aum_effect, 0.0) + rng.normal(0, 1500, n)
    day = rng.integers(0, days, n)
    entered = [datetime(ENTRY.year, ENTRY.month, ENTRY.day, 2, tzinfo=UTC) + timedelta(days=int(d)) for d in day]
    with platform.metadata.session() as s:
        if s.get(Strategy, strategy_id) is None:
            s.add(Strategy(id=strategy_id, name=f"策略{strategy_id}", owner_org="GD", status="published"))
        s.add(EngineVersion(strategy_id=strategy_id, version=1, org_code="GD", status="stopped",
                            graph=graph(holdout_percent=holdout_percent, ab=ab,
                                                                     goal_event=goal_event)))
        s.flush()
        s.execute(insert(EngineInstance), [
            {"strategy_id": strategy_id, "version": 1, "customer_id": ids[i], "org_code": org[i], "rm_id": None,
             "entry_node": "start", "entry_key": "once", "entered_at": entered[i], "node": "end", "status": "done",
             "seq": 1, "holdout": bool(hold[i]), "variant": variant[i], "context": {},
             "converted_at": entered[i] + timedelta(days=2) if conv[i] else None,
             "exit_reason": "converted" if conv[i] else "completed"} for i in range(n)])
        ids_inst = {r.customer_id: r.id for r in s.query(EngineInstance.id, EngineInstance.customer_id)
                    .filter(EngineInstance.strategy_id == strategy_id)}
        rows = []
        for i in np.flatnonzero(~hold):
            r = rng.random()
            status = "suppressed" if r < 0.1 else "accepted"
            rows.append({"idempotency_key": f"{strategy_id}:{ids[i]}", "customer_id": ids[i],
                         "customer_org_code": org[i], "channel": "sms", "status": status,
                         "reason": "cap_daily_channel" if status == "suppressed" else None,
                         "strategy_id": strategy_id, "instance_id": ids_inst[ids[i]], "campaign_id": campaign_id,
                         "cost_fen": sms_cost_fen if status == "accepted" else 0,
                         "delivered_at": NOW if status == "accepted" and r < 0.9 else None,
                         "opened_at": NOW if status == "accepted" and r < 0.5 else None,
                         "clicked_at": NOW if status == "accepted" and r < 0.2 else None})
        if rows:
            s.execute(insert(Delivery), rows)
        s.commit()
    d_pre = np.array([np.datetime64(ENTRY, "D") + int(d) - 1 for d in day])
    d_post = d_pre + 31
    tbl = pa.table({"customer_id": np.concatenate([ids, ids]).astype(str),
                    "date": np.concatenate([d_pre, d_post]), "aum": np.concatenate([pre, post])})
    with platform.store.write() as cur:
        cur.register("aum_in", tbl)
        cur.execute("INSERT INTO aum_daily SELECT customer_id, date, aum FROM aum_in")
        cur.unregister("aum_in")
    return World(strategy_id, ids, control, conv, org, pre, post, sms_cost_fen)


def add_benefits(platform: Platform, *, campaign_id: int, customers: list[tuple[str, str]], cost_fen: int) -> None:
    """Issue one cash benefit of `cost_fen` per (customer, org) in the campaign."""
    with platform.metadata.session() as s:
        d = BenefitDefinition(name="现金红包", kind="cash", params={}, per_customer_limit=1, stackable=False,
                              cost_fen=cost_fen, owner_org="HQ", status="active")
        s.add(d)
        s.flush()
        s.execute(insert(BenefitGrant), [
            {"idempotency_key": f"g:{campaign_id}:{c}", "benefit_id": d.id, "campaign_id": campaign_id,
             "customer_id": c, "org_code": org, "status": "issued", "cost_fen": cost_fen, "source": "engine",
             "issued_at": NOW} for c, org in customers])
        s.commit()
