"""Tag orchestration: definitions and versions, runs (daily and on demand), distributions, history, imports."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import sqlglot
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlglot import exp

from mofang.insight import catalogue as cat
from mofang.insight import segments
from mofang.insight.models import TagDef, TagRun
from mofang.insight.tags import compiler as comp
from mofang.insight.tags import figures, logic
from mofang.insight.tags import repository as repo
from mofang.insight.tags.contracts import (
    FAMILY_NAMES,
    Distribution,
    HistoryPoint,
    ImportedRule,
    ImportReport,
    ModelRule,
    RunReport,
    TagCreate,
    TagRead,
    TagRunRead,
    TagUpdate,
)
from mofang.insight.tags.defaults import default_tags
from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, Forbidden, Invalid, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.governance.logic import P_CAMPAIGN_EDIT
from mofang.platform.storage.models import as_utc, utcnow
from mofang.platform.storage.sql import Params, and_, col

log = logging.getLogger("mofang.insight.tags")
ALL = Scope(kind="all")


_DEFAULTS_LOCK = threading.Lock()


def ensure_defaults(*, platform: Platform) -> None:
    """Install the default tag catalogue once (owned by head office, editable there)."""
    if platform.extras.get("insight.tags.defaults") is platform.metadata:
        return
    # Concurrent first requests would all try to insert the same keys; one installs, the others wait.
    with _DEFAULTS_LOCK:
        if platform.extras.get("insight.tags.defaults") is platform.metadata:
            return
        cat.ensure_insight_schema(platform.store, platform.extras)
        # Another process may install them between our check and insert: theirs are as good as ours.
        with contextlib.suppress(IntegrityError):
            _install_defaults(platform)
        platform.extras["insight.tags.defaults"] = platform.metadata


def _install_defaults(platform: Platform) -> None:
    with platform.metadata.session() as session:
        gov.ensure_head_office(session=session)
        ctx = segments.context(platform=platform, session=session, who=None, tree=None,
                               today=segments.today_of(platform))
        for data in default_tags():
            if repo.tag_by_key(session, data.key) is None:
                _add(session, ctx.catalogue, data, owner="HQ", username="system", builtin=True)


def _add(session: Session, catalogue: cat.Catalogue, data: TagCreate, *, owner: str, username: str | None,
         builtin: bool) -> TagDef:
    t = TagDef(key=data.key, name=data.name, family=data.family, description=data.description, kind=data.rule.kind,
               value_type=comp.value_type(data.rule, catalogue), rule=data.rule.model_dump(mode="json",
                                                                                            exclude_none=True),
               version=1, owner_org=owner, builtin=builtin, enabled=data.enabled, created_by=username)
    session.add(t)
    session.flush()
    repo.add_version(session, t, username)
    return t


def _editable(who: Principal, t: TagDef) -> bool:
    return who.can(P_CAMPAIGN_EDIT) and who.scope.kind != "rm" and who.scope.allows_org(t.owner_org)


def _read(t: TagDef, who: Principal, last: TagRunRead | None) -> TagRead:
    return TagRead(
        id=t.id, key=t.key, name=t.name, family=t.family, family_name=FAMILY_NAMES.get(t.family, t.family),
        description=t.description, kind=t.kind, value_type=t.value_type, rule=logic.readable_rule(t.rule),
        version=t.version, owner_org=t.owner_org, builtin=t.builtin, enabled=t.enabled, editable=_editable(who, t),
        created_by=t.created_by, created_at=as_utc(t.created_at), updated_at=as_utc(t.updated_at),
        last_run=last,
    )


def _tag_or_404(session: Session, tag_id: int) -> TagDef:
    t = repo.tag(session, tag_id)
    if t is None:
        raise NotFound(f"tag {tag_id} not found")
    return t


def _check_editable(who: Principal, t: TagDef) -> None:
    if not _editable(who, t):
        raise Forbidden(f"tag '{t.key}' belongs to {t.owner_org}: only its owner or head office may change or run it",
                        field="tag_id", code="tag_not_owner", params={"tag": t.key, "owner": t.owner_org})


def _last_runs(platform: Platform, session: Session, who: Principal, tags: list[TagDef]) -> dict[int, TagRunRead]:
    """Tag id → its latest run, with figures counted inside the viewer's scope."""
    last = repo.last_runs(session)
    runs = [last[t.id] for t in tags if t.id in last]
    reads = figures.run_reads(platform=platform, scope=who.scope, owners={t.id: t.owner_org for t in tags}, runs=runs)
    return {r.tag_id: reads[r.id] for r in runs}


def _owner(session: Session, who: Principal, code: str | None) -> str:
    """The owning org of a tag being saved: the user's own by default, else one inside their scope."""
    if code is None:
        return who.org_code
    if code not in gov.org_names(session=session):
        raise Invalid(f"unknown org '{code}'", field="owner_org")
    if who.scope.kind == "rm" or not who.scope.allows_org(code):
        raise Invalid(f"org '{code}' is outside your scope ({who.org_code})", field="owner_org")
    return code


def _validate(platform: Platform, session: Session, rule: Any) -> cat.Catalogue:
    ctx = segments.context(platform=platform, session=session, who=None, tree=None, today=segments.today_of(platform))
    comp.validate(rule, ctx)
    return ctx.catalogue


# ---------------------------------------------------------------------------------------------- CRUD


def list_tags(*, platform: Platform, session: Session, who: Principal) -> list[TagRead]:
    """Every tag with its latest run (definitions are bank-wide; values are scoped where shown)."""
    ensure_defaults(platform=platform)
    tags = repo.tags(session)
    last = _last_runs(platform, session, who, tags)
    return [_read(t, who, last.get(t.id)) for t in tags]


def get_or_raise(*, platform: Platform, session: Session, who: Principal, tag_id: int) -> TagRead:
    """One tag."""
    ensure_defaults(platform=platform)
    t = _tag_or_404(session, tag_id)
    return _read(t, who, _last_runs(platform, session, who, [t]).get(t.id))


def create(*, platform: Platform, session: Session, who: Principal, data: TagCreate) -> TagRead:
    """Validate against the catalogue and save a tag owned by the user's org. Audited."""
    ensure_defaults(platform=platform)
    if repo.tag_by_key(session, data.key) is not None:
        raise Conflict(f"a tag with key '{data.key}' exists", field="key")
    owner = _owner(session, who, data.owner_org)
    catalogue = _validate(platform, session, data.rule)
    t = _add(session, catalogue, data, owner=owner, username=who.username, builtin=False)
    gov.record(session=session, username=who.username, action="tag.create", target_type="tag", target_id=t.key,
               detail={"name": t.name, "kind": t.kind, "family": t.family}, ip=who.ip)
    return _read(t, who, None)


def update(*, platform: Platform, session: Session, who: Principal, tag_id: int, data: TagUpdate) -> TagRead:
    """Change a tag; a new rule makes a new version (history before it stays). Audited."""
    t = _tag_or_404(session, tag_id)
    _check_editable(who, t)
    changes: dict[str, Any] = {}
    if data.owner_org is not None and data.owner_org != t.owner_org:
        t.owner_org = changes["owner_org"] = _owner(session, who, data.owner_org)
    # Saving the rule as it is (the editor sends the whole form) is not a new version.
    if data.rule is not None and data.rule.model_dump(mode="json", exclude_none=True) != t.rule:
        if data.rule.kind != t.kind and t.kind in ("model", "imported"):
            raise Invalid("a model or imported tag keeps its kind", field="rule.kind")
        catalogue = _validate(platform, session, data.rule)
        t.rule = data.rule.model_dump(mode="json", exclude_none=True)
        t.kind, t.value_type = data.rule.kind, comp.value_type(data.rule, catalogue)
        t.version += 1
        changes["version"] = t.version
    for name in ("name", "family", "description", "enabled"):
        value = getattr(data, name)
        if value is not None and value != getattr(t, name):
            setattr(t, name, value)
            changes[name] = value
    if changes:
        t.updated_at = utcnow()
    if "version" in changes or "name" in changes or "description" in changes or "family" in changes:
        if "version" not in changes:
            t.version += 1
            changes["version"] = t.version
        repo.add_version(session, t, who.username)
    if changes:  # a save without changes leaves no trace in the audit log either
        gov.record(session=session, username=who.username, action="tag.update", target_type="tag", target_id=t.key,
                   detail=changes, ip=who.ip)
    return _read(t, who, _last_runs(platform, session, who, [t]).get(t.id))


def delete(*, platform: Platform, session: Session, who: Principal, tag_id: int) -> None:
    """Delete a tag and its history (built-in tags can only be disabled). Audited."""
    t = _tag_or_404(session, tag_id)
    _check_editable(who, t)
    if t.builtin:
        raise Conflict(f"'{t.key}' is a built-in tag: disable it instead", field="tag_id")
    repo.drop_values(platform.store, t.id)
    session.delete(t)
    gov.record(session=session, username=who.username, action="tag.delete", target_type="tag", target_id=t.key,
               detail={"name": t.name}, ip=who.ip)


def versions(*, session: Session, tag_id: int) -> list[dict[str, Any]]:
    """A tag's saved versions, newest first."""
    _tag_or_404(session, tag_id)
    return [{"version": v.version, "definition": v.definition, "created_by": v.created_by,
             "created_at": as_utc(v.created_at)} for v in repo.versions(session, tag_id)]


# ---------------------------------------------------------------------------------------------- runs


def run_tags(*, platform: Platform, day: date, tag_ids: list[int] | None = None, trigger: str = "schedule"
             ) -> RunReport:
    """Compute tags for `day` (all enabled computed tags by default): one pass over the events per owning org."""
    ensure_defaults(platform=platform)
    started = time.perf_counter()
    with platform.metadata.session() as session:
        ctx = segments.context(platform=platform, session=session, who=None, tree=None, today=day)
        ctx = dataclasses.replace(ctx, past=day < segments.today_of(platform))
        chosen = [t for t in repo.tags(session) if (tag_ids is None and t.enabled) or (tag_ids and t.id in tag_ids)]
        owners = {t.id: t.owner_org for t in chosen}
        rules, unreadable = _rules_of(chosen)
        numbers = {t.id for t in chosen if t.value_type == "number"}
        rewind = any(d >= day for tid, _ in rules for d in repo.run_days(session, tid)[-1:])
    # A tag owned by a branch describes that branch's customers only: it is computed over its subtree, never
    # over customers its owner may not see (so its counts cannot reveal them).
    by_owner: dict[str, list[tuple[int, Any]]] = {}
    for tid, rule in rules:
        by_owner.setdefault(owners[tid], []).append((tid, rule))
    errors: dict[int, str] = dict(unreadable)
    timings = {"compute": 0.0, "write": 0.0}
    done: dict[int, dict[str, int]] = {}
    for owner, group in by_owner.items():
        scope = segments.owner_scope(owner)
        try:
            done |= _compute_and_merge(platform, group, numbers, day, ctx, rewind, timings, scope)
        except Exception as exc:  # one bad tag must not stop the others: isolate it by running one by one
            log.warning("batched tag run failed (%s); running tags one at a time", exc)
            for tid, rule in group:
                try:
                    done |= _compute_and_merge(platform, [(tid, rule)], numbers, day, ctx, rewind, timings, scope)
                except Exception as one:
                    errors[tid] = str(getattr(one, "message", one))[:2000]
    elapsed = int((time.perf_counter() - started) * 1000)
    totals = {owner: figures.owner_customers(platform, owner, ALL) for owner in set(owners.values())}
    out: list[TagRunRead] = []
    with platform.metadata.session() as session:
        for tid in [tid for tid, _rule in rules] + list(unreadable):
            stats = done.get(tid, {"customers": 0, "changed": 0})
            total = totals[owners[tid]]
            run = TagRun(tag_id=tid, day=day, trigger=trigger, status="error" if tid in errors else "ok",
                         duration_ms=elapsed, customers=stats["customers"],
                         coverage=round(stats["customers"] / total, 4) if total else 0.0, changed=stats["changed"],
                         error=errors.get(tid))
            session.add(run)
            session.flush()
            out.append(figures.run_read(run))
    return RunReport(day=day, runs=out, elapsed_ms=elapsed, compute_ms=int(timings["compute"] * 1000),
                     write_ms=int(timings["write"] * 1000))


def _rules_of(tags: list[Any]) -> tuple[list[tuple[int, Any]], dict[int, str]]:
    """The computed tags' rules, and why a stored rule that no longer reads was not run (the rest still are)."""
    rules: list[tuple[int, Any]] = []
    unreadable: dict[int, str] = {}
    for t in tags:
        try:
            rule = logic.rule_of(t.rule)
        except ValueError as exc:
            unreadable[t.id] = f"the stored rule is not valid: {exc}"[:2000]
            continue
        if comp.computed(rule):
            rules.append((t.id, rule))
    return rules, unreadable


def _compute_and_merge(platform: Platform, rules: list[tuple[int, Any]], numbers: set[int], day: date,
                       ctx: Any, rewind: bool, timings: dict[str, float], scope: Scope) -> dict[int, dict[str, int]]:
    if not rules:
        return {}
    params = Params()
    query = comp.wide_query(rules, ctx, params)
    where = scope.predicate(params, table=segments.CUSTOMER)
    if where is not None:
        query = query.where(where, copy=False)
    t0 = time.perf_counter()
    wide = repo.compute(platform.store, query, params)
    t1 = time.perf_counter()
    stats = repo.merge(platform.store, wide=wide, tag_ids=[tid for tid, _ in rules], number_ids=numbers, day=day,
                       rewind=rewind)
    timings["compute"] += t1 - t0
    timings["write"] += time.perf_counter() - t1
    return stats


def _check_history(session: Session, t: TagDef, day: date, today: date) -> None:
    """A past day already computed is refused: rewriting it would replace history others have relied on."""
    last = (repo.run_days(session, t.id) or [None])[-1]
    if logic.rewrites_history(day=day, today=today, last_day=last):
        raise Conflict(f"'{t.key}' already has history up to {last}: a past day on or before it cannot be recomputed",
                       field="day", code="tag_history_kept", params={"tag": t.key, "day": str(last)})


def run(*, platform: Platform, session: Session, who: Principal, tag_id: int, day: date | None) -> RunReport:
    """Compute one tag now (on demand; its owner or head office only); audited."""
    ensure_defaults(platform=platform)
    t = _tag_or_404(session, tag_id)
    _check_editable(who, t)
    rule = logic.readable_rule(t.rule)
    if rule is None:
        raise Invalid(f"the stored rule of '{t.key}' no longer reads: open the tag and save its rule again",
                      field="tag_id", code="tag_rule_unreadable", params={"tag": t.key})
    if not comp.computed(rule):
        raise Invalid(f"'{t.key}' is a {t.kind} tag: its values are written, not computed", field="tag_id")
    today = segments.today_of(platform)
    day = day or today
    if day > today:
        raise Invalid("cannot compute a day in the future", field="day")
    _check_history(session, t, day, today)
    gov.record(session=session, username=who.username, action="tag.run", target_type="tag", target_id=t.key,
               detail={"day": day.isoformat()}, ip=who.ip)
    return run_tags(platform=platform, day=day, tag_ids=[t.id], trigger="manual")


def list_runs(*, platform: Platform, session: Session, who: Principal, tag_id: int, limit: int = 30
              ) -> list[TagRunRead]:
    """A tag's latest runs, their figures counted inside the viewer's scope."""
    t = _tag_or_404(session, tag_id)
    runs = repo.runs(session, tag_id, limit)
    reads = figures.run_reads(platform=platform, scope=who.scope, owners={t.id: t.owner_org}, runs=runs)
    return [reads[r.id] for r in runs]


def write_values(*, platform: Platform, key: str, day: date, values: dict[str, str | float], trigger: str = "model"
                 ) -> TagRunRead:
    """Store values of a model or imported tag for `day` (the entry point for models, §5)."""
    ensure_defaults(platform=platform)
    with platform.metadata.session() as session:
        t = repo.tag_by_key(session, key)
        if t is None:
            raise NotFound(f"tag '{key}' not found")
        if not isinstance(logic.readable_rule(t.rule), ModelRule | ImportedRule):
            raise Invalid(f"'{key}' is computed by its rule; only model and imported tags take values",
                          field="tag_id")
        tag_id, numeric = t.id, t.value_type == "number"
    started = time.perf_counter()
    ids = list(values)
    texts = [str(round(float(v), 4)) if numeric else str(v) for v in values.values()]
    wide = pa.table({"customer_id": pa.array(ids, pa.string()), f"t{tag_id}": pa.array(texts, pa.string())})
    stats = repo.merge(platform.store, wide=wide, tag_ids=[tag_id], number_ids={tag_id} if numeric else set(),
                       day=day)[tag_id]
    with platform.metadata.session() as session:
        total = figures.owner_customers(platform, repo.tag(session, tag_id).owner_org, ALL)  # type: ignore[union-attr]
        r = TagRun(tag_id=tag_id, day=day, trigger=trigger, status="ok",
                   duration_ms=int((time.perf_counter() - started) * 1000), customers=stats["customers"],
                   coverage=round(stats["customers"] / total, 4) if total else 0.0, changed=stats["changed"])
        session.add(r)
        session.flush()
        return figures.run_read(r)


def import_values(*, platform: Platform, session: Session, who: Principal, tag_id: int, content: bytes,
                  day: date | None) -> ImportReport:
    """Upload customer_id,value lines into an imported tag; unknown or out-of-scope customers rejected. Audited."""
    t = _tag_or_404(session, tag_id)
    _check_editable(who, t)
    if t.kind != "imported":
        raise Invalid(f"'{t.key}' is not an imported tag", field="tag_id")
    today = segments.today_of(platform)
    _check_history(session, t, day or today, today)
    values, rejects = logic.parse_values(content, numeric=t.value_type == "number")
    params = Params()
    ids = sqlglot.select(exp.Unnest(expressions=[params(list(values))]))
    given = exp.In(this=col("customer_id", "c"), query=exp.Subquery(this=ids))
    # The tag's owner describes its own subtree only, even when head office uploads for it.
    query = sqlglot.select(col("customer_id", "c")).from_(segments.customers()).where(
        and_(given, who.scope.predicate(params, table="c"),
             segments.owner_scope(t.owner_org).predicate(params, table="c")))
    known = {r["customer_id"] for r in repo.rows(platform.store, query, params)} if values else set()
    rejects += [{"line": 0, "value": c, "reason": "no such customer in your scope"} for c in values if c not in known]
    accepted = {c: v for c, v in values.items() if c in known}
    if not accepted:
        raise Invalid(f"no valid line in the file ({len(rejects)} rejected)", field="file")
    run_read = write_values(platform=platform, key=t.key, day=day or today,
                            values=accepted, trigger="import")  # type: ignore[arg-type]
    gov.record(session=session, username=who.username, action="tag.import", target_type="tag", target_id=t.key,
               detail={"accepted": len(accepted), "rejected": len(rejects)}, ip=who.ip)
    return ImportReport(accepted=len(accepted), rejected=len(rejects), rejects=rejects[:200], run=run_read)


# ---------------------------------------------------------------------------------------------- reading values


def _scoped_values(t: TagDef, day: date | None, who: Principal, params: Params) -> exp.Select:
    """This tag's rows valid on `day` (current when None) for customers inside the viewer's scope."""
    query = (
        sqlglot.select().from_(segments.table(cat.TAG_VALUES, "t"))
        .join(segments.customers(), on=exp.EQ(this=col("customer_id", "c"), expression=col("customer_id", "t")))
    )
    where = segments.tag_as_of(t.id, day, params)
    scope = who.scope.predicate(params, table="c")
    return query.where(exp.and_(where, scope) if scope is not None else where)


def distribution(*, platform: Platform, session: Session, who: Principal, tag_id: int, day: date | None
                 ) -> Distribution:
    """Value distribution (categories, or a histogram for numbers) and coverage, inside the viewer's scope."""
    t = _tag_or_404(session, tag_id)
    cat.ensure_insight_schema(platform.store, platform.extras)
    params = Params()
    total_q = sqlglot.select(exp.alias_(exp.Count(this=exp.Star()), "n")).from_(segments.customers())
    scope = who.scope.predicate(params, table="c")
    customers = repo.rows(platform.store, total_q.where(scope) if scope is not None else total_q, params)[0]["n"]
    params = Params()
    base = _scoped_values(t, day, who, params)
    if t.value_type == "number":
        v = "v"
        inner = base.select(exp.alias_(col("num", "t"), "x"))
        sql = sqlglot.parse_one("""
            SELECT least(CAST(floor((x - lo) / nullif(hi - lo, 0) * 10) AS INTEGER), 9) AS bin,
                   count(*) AS n, min(x) AS lo, max(x) AS hi
            FROM v, (SELECT min(x) AS lo, max(x) AS hi FROM v) b WHERE x IS NOT NULL GROUP BY 1""", read="duckdb")
        query = sqlglot.select("bin", "n", "lo", "hi").from_(exp.Subquery(this=sql, alias=exp.TableAlias(
            this=exp.to_identifier("h")))).with_(v, as_=inner)
        rows = repo.rows(platform.store, query, params)
        for r in rows:
            r["bin"] = r["bin"] if r["bin"] is not None else 0
        covered = sum(r["n"] for r in rows)
        buckets = logic.histogram(rows, covered)
    else:
        query = base.select(exp.alias_(col("value", "t"), "value"), exp.alias_(exp.Count(this=exp.Star()), "n")
                            ).group_by(col("value", "t"))
        rows = repo.rows(platform.store, query, params)
        covered = sum(r["n"] for r in rows)
        buckets = logic.categorical(rows, covered)
    return Distribution(tag=t.key, day=day, customers=customers, covered=covered,
                        coverage=round(covered / customers, 4) if customers else 0.0, buckets=buckets)


def history(*, platform: Platform, session: Session, who: Principal, tag_id: int, days: list[date] | None
            ) -> list[HistoryPoint]:
    """Counts per value (numbers: covered and mean) on each run day, or on the days asked for; scoped."""
    t = _tag_or_404(session, tag_id)
    cat.ensure_insight_schema(platform.store, platform.extras)
    days = sorted(set(days or repo.run_days(session, tag_id)[-60:]))
    if not days:
        return []
    params = Params()
    day_list = sqlglot.select(exp.alias_(exp.Unnest(expressions=[params(days)]), "day"))
    on = exp.and_(exp.EQ(this=col("tag_id", "t"), expression=params(t.id)),
                  exp.LTE(this=col("valid_from", "t"), expression=col("day", "d")),
                  exp.GT(this=col("valid_to", "t"), expression=col("day", "d")))
    query = (
        sqlglot.select(col("day", "d")).from_(exp.Subquery(this=day_list, alias=exp.TableAlias(
            this=exp.to_identifier("d"))))
        .join(segments.table(cat.TAG_VALUES, "t"), on=on)
        .join(segments.customers(), on=exp.EQ(this=col("customer_id", "c"), expression=col("customer_id", "t")))
    )
    scope = who.scope.predicate(params, table="c")
    if scope is not None:
        query = query.where(scope)
    numeric = t.value_type == "number"
    if numeric:
        query = query.select(exp.alias_(exp.Count(this=exp.Star()), "n"),
                             exp.alias_(exp.Avg(this=col("num", "t")), "mean")).group_by(col("day", "d"))
    else:
        query = query.select(exp.alias_(col("value", "t"), "value"), exp.alias_(exp.Count(this=exp.Star()), "n")
                             ).group_by(col("day", "d"), col("value", "t"))
    rows = repo.rows(platform.store, query.order_by(col("day", "d")), params)
    return logic.history(rows, numeric=numeric)


def backfill(*, platform: Platform, start: date, end: date, step_days: int = 7) -> list[RunReport]:
    """Compute all tags on days from start to end (every `step_days`, end included), oldest first."""
    days, d = [], start
    while d < end:
        days.append(d)
        d += timedelta(days=step_days)
    days.append(end)
    return [run_tags(platform=platform, day=d, trigger="backfill") for d in days]


def customer_values(*, platform: Platform, customer_id: str) -> dict[str, str]:
    """A customer's current tag values by tag key (the caller has checked the customer is in scope)."""
    cat.ensure_insight_schema(platform.store, platform.extras)
    with platform.metadata.session() as session:
        keys = {t.id: t.key for t in repo.tags(session)}
    return {keys[r["tag_id"]]: r["value"] for r in repo.current_values(platform.store, customer_id)
            if r["tag_id"] in keys}
