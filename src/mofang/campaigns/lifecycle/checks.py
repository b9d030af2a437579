"""The checks at submit, shown to maker and approver: sensitive words, suitability, budget and stock, audience
size, overlapping campaigns and whether the compiled strategies validate."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mofang.campaigns.lifecycle import logic
from mofang.campaigns.lifecycle import repository as repo
from mofang.campaigns.lifecycle.contracts import Check
from mofang.campaigns.lifecycle.models import Campaign
from mofang.campaigns.templates import compile_template
from mofang.campaigns.templates.contracts import Compiled
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Scope
from mofang.platform.storage.models import as_utc


def compiled_of(c: Campaign) -> Compiled:
    """The strategies a campaign's parameters compile into."""
    return compile_template(c.template_id, c.params, segment_id=c.segment_id)[1]


def _audience(platform: Platform, session: Session, c: Campaign) -> list[Any]:
    """Profiles of the campaign's audience inside its owner's subtree (a branch campaign never reaches beyond)."""
    from mofang.insight.profiles import get_profiles, scoped_customers

    select_ids, _ = scoped_customers(Scope.for_user(role="operator", org_code=c.owner_org, rm_id=None))
    ids = [str(i) for i in session.execute(select_ids).scalars()]
    profiles = get_profiles(session=session, customer_ids=ids).values()
    return [p for p in profiles if c.segment_id is None or c.segment_id in (p.segments or [])]


def _product_risks(platform: Platform, ids: list[str]) -> dict[str, str | None]:
    if not ids:
        return {}
    rows = platform.store.query("SELECT product_id, risk_level FROM products WHERE product_id IN ("
                                + ",".join("?" for _ in ids) + ")", ids)
    return {r["product_id"]: r["risk_level"] for r in rows}


def run(*, platform: Platform, session: Session, c: Campaign) -> list[Check]:
    """The checks at submit: sensitive words, suitability, budget and stock, audience size, overlaps."""
    compiled = compiled_of(c)
    out: list[Check] = []
    from mofang.reach.content import sensitive_hits

    hits = sensitive_hits(session=session, template_ids=compiled.content_ids,
                          texts=[("name", c.name), ("description", c.description)])
    out.append(Check(code="check.sensitive_words", ok=not hits, severity="error" if hits else "info",
                     params={"hits": hits[:20], "count": len(hits)}))
    audience = _audience(platform, session, c)
    products = list(c.products or [])
    from mofang.reach.content import get_template

    for tid in compiled.content_ids:
        t = get_template(session=session, template_id=tid)
        products += list(t.products) if t is not None else []
    risks = _product_risks(platform, sorted(set(products)))
    suppressed = {pid: sum(1 for p in audience if logic.unsuitable(risk or "", p.kyc_level))
                  for pid, risk in risks.items() if risk}
    worst = max(suppressed.values(), default=0)
    out.append(Check(code="check.suitability", ok=worst == 0, severity="warning" if worst else "info",
                     params={"products": {pid: {"risk": risks[pid], "suppressed": n} for pid, n in suppressed.items()},
                             "suppressed": worst, "audience": len(audience)}))
    budget_ok = c.budget is not None and c.budget > 0 and c.stock is not None and c.stock > 0
    out.append(Check(code="check.budget_stock", ok=budget_ok, severity="info" if budget_ok else "error",
                     params={"budget": c.budget if c.budget is not None else "", "stock": c.stock
                             if c.stock is not None else "", "benefits": compiled.benefit_ids}))
    out.append(Check(code="check.audience", ok=len(audience) > 0, severity="info" if audience else "warning",
                     params={"size": len(audience), "segment_id": c.segment_id or ""}))
    broken = graph_problems(platform, session, c, compiled)
    out.append(Check(code="check.strategies", ok=not broken, severity="error" if broken else "info",
                     params={"count": len(broken), "first": broken[0]["code"] if broken else "",
                             "problems": broken[:10]}))
    mine = logic.Slot(c.id, c.owner_org, c.segment_id, as_utc(c.starts_at), as_utc(c.ends_at))
    others = [o for o in repo.campaigns(session) if o.id != c.id and o.status not in ("archived", "rejected", "ended")
              and logic.overlaps(mine, logic.Slot(o.id, o.owner_org, o.segment_id, as_utc(o.starts_at),
                                                  as_utc(o.ends_at)))]
    out.append(Check(code="check.overlap", ok=not others, severity="warning" if others else "info",
                     params={"count": len(others), "names": "、".join(o.name for o in others[:10]),
                             "ids": [o.id for o in others[:20]]}))
    return out


def graph_problems(platform: Platform, session: Session, c: Campaign, compiled: Compiled) -> list[dict[str, Any]]:
    """Errors of the compiled strategies against the owner's catalogue (unknown events, segments, templates)."""
    from mofang.strategy.canvas import problems_of

    return [{"strategy": g.key, **p} for g in compiled.graphs
            for p in problems_of(platform=platform, session=session, owner_org=c.owner_org, graph=g.graph)]
