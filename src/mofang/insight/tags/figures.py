"""Run figures as a viewer may see them: stored when they see the owner's whole subtree, else recounted in scope.

A run stores its customers, coverage and changes over the tag owner's subtree (the bank, for head-office
tags). A viewer who sees only part of it (a branch looking at a head-office tag, an RM at their branch's)
gets the same figures recounted from the value history over the customers of their own scope.
"""

from __future__ import annotations

from collections.abc import Sequence

from mofang.insight import segments
from mofang.insight.models import TagRun
from mofang.insight.tags import repository as repo
from mofang.insight.tags.contracts import TagRunRead
from mofang.platform.context import Platform
from mofang.platform.governance.logic import Scope
from mofang.platform.storage.models import as_utc
from mofang.platform.storage.sql import Params, and_


def run_read(r: TagRun, *, customers: int | None = None, coverage: float | None = None,
             changed: int | None = None) -> TagRunRead:
    """A run as stored, or with the figures given."""
    return TagRunRead(id=r.id, tag_id=r.tag_id, day=r.day, trigger=r.trigger, status=r.status,
                      started_at=as_utc(r.started_at), duration_ms=r.duration_ms,
                      customers=r.customers if customers is None else customers,
                      coverage=r.coverage if coverage is None else coverage,
                      changed=r.changed if changed is None else changed, error=r.error)


def owner_customers(platform: Platform, owner_org: str, scope: Scope) -> int:
    """Customers of the owner's subtree inside a scope (the denominator of a coverage)."""
    params = Params()
    where = and_(segments.owner_scope(owner_org).predicate(params, table="c"), scope.predicate(params, table="c"))
    return repo.scoped_customer_count(platform.store, where=where, params=params)


def run_reads(*, platform: Platform, scope: Scope, owners: dict[int, str], runs: Sequence[TagRun]
              ) -> dict[int, TagRunRead]:
    """Run id → the run as this scope may see it (`owners`: tag id → owning org)."""
    # A failed run stored nothing: its zeros are everybody's.
    out = {r.id: run_read(r) for r in runs if r.status != "ok" or segments.covers(scope, owners[r.tag_id])}
    partial = [r for r in runs if r.id not in out]
    if not partial:
        return out
    params = Params()
    stats = repo.scoped_run_stats(platform.store, pairs=sorted({(r.tag_id, r.day) for r in partial}),
                                  where=scope.predicate(params, table="c"), params=params)
    totals: dict[str, int] = {}
    for r in partial:
        owner = owners[r.tag_id]
        if owner not in totals:
            totals[owner] = owner_customers(platform, owner, scope)
        got = stats.get((r.tag_id, r.day), {"customers": 0, "changed": 0})
        total = totals[owner]
        out[r.id] = run_read(r, customers=got["customers"], changed=got["changed"],
                             coverage=round(got["customers"] / total, 4) if total else 0.0)
    return out
