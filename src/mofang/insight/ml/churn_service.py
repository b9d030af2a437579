"""Churn warning orchestration: editable rules, training with held-out metrics, daily scoring, the warning list."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from mofang.insight import segments
from mofang.insight.catalogue import OPEN_END, TAG_VALUES, ensure_insight_schema
from mofang.insight.ml import churn as ch
from mofang.insight.ml import features as F
from mofang.insight.ml import repository as repo
from mofang.insight.ml import tree as tr
from mofang.insight.ml.contracts import (
    ChurnCustomer,
    ChurnCustomerPage,
    ChurnMetrics,
    ChurnRead,
    ChurnRules,
    RiskBucket,
    ScoreReport,
)
from mofang.insight.ml.models import MlModel
from mofang.insight.ml.service import LOOKBACK_DAYS, SYSTEM
from mofang.insight.segments import service as seg_service
from mofang.insight.segments.contracts import SegmentCreate, SegmentRead, TagCondition
from mofang.insight.tags import service as tag_service
from mofang.insight.tags.contracts import TagCreate
from mofang.platform.context import Platform
from mofang.platform.errors import Forbidden, Invalid, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import Scope, mask_name
from mofang.platform.storage.models import as_utc
from mofang.platform.storage.sql import Params

log = logging.getLogger("mofang.insight.ml")

RULES_KEY = "churn_rules"
SCORED_KEY = "churn_scored"
RISK_TAG, SCORE_TAG = "churn_risk", "churn_score"


def hq_or_403(who: Principal) -> None:
    """The churn model is one bank-wide model: only head-office users train it or change its rules."""
    if who.scope.kind != "all":
        raise Forbidden("the churn model is bank-wide: only head-office users may train it or change its rules",
                        code="churn_head_office_only")


def get_rules(*, session: Session) -> ChurnRules:
    """The churn definition in force (defaults until edited)."""
    row = repo.setting(session, RULES_KEY)
    return ChurnRules.model_validate(row.value) if row else ChurnRules()


def update_rules(*, session: Session, who: Principal, rules: ChurnRules) -> ChurnRules:
    """Change what counts as churn (takes effect at the next training). Audited."""
    hq_or_403(who)
    if not (rules.use_aum_rule or rules.use_login_rule):
        raise Invalid("keep at least one of the AUM rule and the login rule", field="use_aum_rule")
    repo.put_setting(session, RULES_KEY, rules.model_dump(mode="json"), who.username)
    gov.record(session=session, username=who.username, action="ml.churn.rules", target_type="ml_setting",
               target_id=RULES_KEY, detail=rules.model_dump(mode="json"), ip=who.ip)
    return rules


def _matrix(platform: Platform, cutoff: date, keys: list[str], scope: Scope) -> tuple[np.ndarray, np.ndarray]:
    return F.matrix(platform.store, cutoff=cutoff, keys=keys, scope=scope)


def train_churn(*, platform: Platform, session: Session, who: Principal) -> ChurnRead:
    """Train the bank-wide churn model on earlier cutoffs, evaluate on the held-out last window, score today."""
    hq_or_403(who)
    store = platform.store
    configured = get_rules(session=session)
    start, end = F.data_start(store), F.data_end(store)
    if start is None or end is None:
        raise Invalid("there is no customer data to learn from yet", field="window_days")
    span = (end - start).days + 1
    if span < 2 * configured.window_days + LOOKBACK_DAYS:
        raise Invalid(f"window_days={configured.window_days} needs {2 * configured.window_days + LOOKBACK_DAYS} "
                      f"days of data, the store has {span}", field="window_days")
    rules, notes = ch.effective_rules(configured, span_days=span)
    if not (rules.use_aum_rule or rules.use_login_rule):
        raise Invalid(f"with {span} days of data only the AUM rule can be labelled, and it is switched off",
                      field="use_aum_rule")
    keys = ch.feature_keys(F.event_names(store))
    cutoffs, holdout_cut = ch.train_cutoffs(start=start, end=end, window_days=rules.window_days,
                                               lookback_days=LOOKBACK_DAYS)
    xs, ys = [], []
    for cut in cutoffs:
        ids, x = _matrix(platform, cut, keys, Scope(kind="all"))
        at_risk, y = ch.population_and_labels(store, cutoff=cut, ids=ids, rules=rules)
        xs.append(x[at_risk])
        ys.append(y[at_risk])
    x_train, y_train = np.vstack(xs), np.concatenate(ys)
    if len(np.unique(y_train)) < 2:
        raise Invalid("the churn rules mark nobody (or everybody) as churned in the training period",
                      field="aum_drop_pct")
    model = ch.fit(x_train, y_train)
    ids, x = _matrix(platform, holdout_cut, keys, Scope(kind="all"))
    at_risk, y = ch.population_and_labels(store, cutoff=holdout_cut, ids=ids, rules=rules)
    x_hold, y_hold = x[at_risk], y[at_risk]
    score = ch.predict(model, x_hold)
    top = ch.top_share_metrics(y_hold, score)
    high, medium = ch.cuts(score)
    metrics = ChurnMetrics(
        train_cutoffs=cutoffs, holdout_cutoff=holdout_cut, holdout_end=holdout_cut + timedelta(days=rules.window_days),
        train_rows=len(y_train), train_churners=int(y_train.sum()), holdout_rows=len(y_hold),
        holdout_churners=int(y_hold.sum()), base_rate=round(float(y_hold.mean()), 4) if len(y_hold) else 0.0,
        auc=tr.auc(y_hold, score), precision_top5=top["precision"], lift_top5=top["lift"], recall_top5=top["recall"],
        high_cut=round(high, 6), medium_cut=round(medium, 6), top_features=ch.importances(model, x_hold, y_hold, keys),
        rules_used=rules, notes=notes,
    )
    for old in repo.models(session, "churn"):
        old.active = False
    row = MlModel(kind="churn", name="流失预警模型", owner_org="HQ",
                  spec={"features": keys, "rules": rules.model_dump(mode="json")},
                  metrics=metrics.model_dump(mode="json"), nodes=[], active=True, created_by=who.username)
    session.add(row)
    session.flush()
    row.path = repo.save_binary(platform.settings.data_dir, f"churn-{row.id}.joblib", model)
    gov.record(session=session, username=who.username, action="ml.churn.train", target_type="ml_model",
               target_id=str(row.id), detail={"auc": metrics.auc, "precision_top5": metrics.precision_top5},
               ip=who.ip)
    session.commit()  # scoring reads the active model in sessions of its own
    score_churn(platform=platform, day=seg_service.today_of(platform))
    return get_churn(platform=platform, session=session, who=who)


def ensure_churn_tags(*, platform: Platform) -> None:
    """Create the model tags churn_risk (高/中/低) and churn_score once."""
    tag_service.ensure_defaults(platform=platform)
    specs = [
        TagCreate(key=RISK_TAG, name="流失风险", family="model", description="流失预警模型：高/中/低",
                  rule={"kind": "model", "model": "churn", "value_type": "string"}),
        TagCreate(key=SCORE_TAG, name="流失概率", family="model", description="流失预警模型给出的流失概率",
                  rule={"kind": "model", "model": "churn", "value_type": "number"}),
    ]
    with platform.metadata.session() as session:
        known = {t.key for t in segments.get_catalogue(platform=platform, session=session).tags}
        for spec in specs:
            if spec.key not in known:
                tag_service.create(platform=platform, session=session, who=SYSTEM, data=spec)


def score_churn(*, platform: Platform, day: date) -> ScoreReport | None:
    """Score every customer with the active churn model as of `day` into the churn_risk / churn_score tags."""
    with platform.metadata.session() as session:
        row = repo.active(session, "churn")
        if row is None:
            return None
        model_id, path, keys, metrics = row.id, row.path, list(row.spec["features"]), dict(row.metrics)
    model = repo.load_binary(platform.settings.data_dir, path)
    ids, x = _matrix(platform, day, keys, Scope(kind="all"))
    score = ch.predict(model, x)
    level = ch.levels(score, high=metrics["high_cut"], medium=metrics["medium_cut"])
    ensure_churn_tags(platform=platform)
    tag_service.write_values(platform=platform, key=RISK_TAG, day=day,
                             values=dict(zip(ids.tolist(), level.tolist(), strict=True)))
    tag_service.write_values(platform=platform, key=SCORE_TAG, day=day,
                             values={c: round(float(s), 4) for c, s in zip(ids.tolist(), score, strict=True)})
    with platform.metadata.session() as session:
        repo.put_setting(session, SCORED_KEY, {"day": day.isoformat(), "model_id": model_id}, "system")
    counts = {v: int((level == v).sum()) for v in (ch.HIGH, ch.MEDIUM, ch.LOW)}
    log.info("churn scores for %s: %s", day, counts)
    return ScoreReport(day=day, model_id=model_id, scored=len(ids), high=counts[ch.HIGH], medium=counts[ch.MEDIUM],
                       low=counts[ch.LOW])


def _tag_ids(platform: Platform, session: Session) -> tuple[int | None, int | None]:
    catalogue = segments.get_catalogue(platform=platform, session=session)
    risk, score = catalogue.tag(RISK_TAG), catalogue.tag(SCORE_TAG)
    return (risk.id if risk else None), (score.id if score else None)


def _scoped(who: Principal, params: Params) -> str:
    pred = who.scope.predicate(params, table="c")
    return f"AND ({pred.sql(dialect='duckdb')})" if pred is not None else ""


def get_churn(*, platform: Platform, session: Session, who: Principal) -> ChurnRead:
    """Rules, the active model's held-out metrics, and today's risk distribution inside the viewer's scope."""
    ensure_insight_schema(platform.store, platform.extras)
    row = repo.active(session, "churn")
    scored = repo.setting(session, SCORED_KEY)
    risk_id, _ = _tag_ids(platform, session)
    buckets: list[RiskBucket] = []
    if risk_id is not None:
        params = Params()
        tag, open_end = params(risk_id).sql("duckdb"), params(OPEN_END).sql("duckdb")
        rows = platform.store.query(
            f"""SELECT t.value, count(*) AS n FROM {TAG_VALUES} t JOIN customers c USING (customer_id)
                WHERE t.tag_id = {tag} AND t.valid_to = {open_end} {_scoped(who, params)} GROUP BY t.value""",
            params.values)
        total = sum(r["n"] for r in rows)
        by = {r["value"]: r["n"] for r in rows}
        buckets = [RiskBucket(level=v, count=int(by.get(v, 0)), ratio=round(by.get(v, 0) / total, 4) if total else 0)
                   for v in (ch.HIGH, ch.MEDIUM, ch.LOW)]
    seg = repo.setting(session, f"churn_segment:{who.org_code}")
    return ChurnRead(
        rules=get_rules(session=session), model_id=row.id if row else None,
        trained_at=as_utc(row.created_at) if row else None, trained_by=row.created_by if row else None,
        # The model is head office's, trained and evaluated on the whole bank: its held-out figures (rows,
        # churners, rates) describe every branch's customers, so only a whole-bank viewer sees them.
        metrics=ChurnMetrics.model_validate(row.metrics) if row and who.scope.kind == "all" else None,
        scored_on=date.fromisoformat(scored.value["day"]) if scored else None, distribution=buckets,
        segment_id=seg.value["segment_id"] if seg else None,
    )


RM_JOIN = "FROM customers c LEFT JOIN relationship_managers rm ON rm.rm_id = c.rm_id"


def churn_customers(*, platform: Platform, session: Session, who: Principal, level: str, limit: int, offset: int
                    ) -> ChurnCustomerPage:
    """The warning list: customers at a risk level inside the viewer's scope, highest score first, masked."""
    if level not in (ch.HIGH, ch.MEDIUM, ch.LOW):
        raise Invalid("level must be 高, 中 or 低", field="level")
    ensure_insight_schema(platform.store, platform.extras)
    risk_id, score_id = _tag_ids(platform, session)
    scored = repo.setting(session, SCORED_KEY)
    if risk_id is None or score_id is None:
        return ChurnCustomerPage(items=[], total=0, day=None)
    params = Params()
    p: dict[str, Any] = {k: params(v).sql("duckdb") for k, v in
                         {"risk": risk_id, "score": score_id, "open": OPEN_END, "level": level}.items()}
    body = f"""FROM customers c
        JOIN {TAG_VALUES} r ON r.customer_id = c.customer_id AND r.tag_id = {p['risk']} AND r.valid_to = {p['open']}
        LEFT JOIN {TAG_VALUES} s ON s.customer_id = c.customer_id AND s.tag_id = {p['score']}
             AND s.valid_to = {p['open']}
        WHERE r.value = {p['level']} {_scoped(who, params)}"""
    total = int(platform.store.scalar(f"SELECT count(*) {body}", params.values) or 0)
    lim, off = params(limit).sql("duckdb"), params(offset).sql("duckdb")
    rows = platform.store.query(
        f"""SELECT c.customer_id, c.name, c.phone_masked, c.org_code, c.rm_id, rm.name AS rm_name, c.tier, c.aum,
                   r.value AS risk, s.num AS score {body.replace("FROM customers c", RM_JOIN, 1)}
                   ORDER BY s.num DESC NULLS LAST, c.customer_id LIMIT {lim} OFFSET {off}""",
        params.values)
    # Branch staff act on the list by outlet and RM name, as on Customer 360, not by internal codes.
    orgs = gov.org_names(session=session)
    items = [ChurnCustomer(customer_id=r["customer_id"], name=mask_name(r["name"]), phone=r["phone_masked"],
                           org_code=r["org_code"], org_name=orgs.get(r["org_code"]), rm_id=r["rm_id"],
                           rm_name=r["rm_name"], tier=r["tier"], aum=r["aum"], risk=r["risk"],
                           score=float(r["score"] or 0.0)) for r in rows]
    return ChurnCustomerPage(items=items, total=total,
                             day=date.fromisoformat(scored.value["day"]) if scored else None)


def churn_segment(*, platform: Platform, session: Session, who: Principal) -> SegmentRead:
    """The warning list as a dynamic segment owned by the user's org (created once), for journeys to enter."""
    key = f"churn_segment:{who.org_code}"
    existing = repo.setting(session, key)
    if existing is not None:
        try:
            return seg_service.get_or_raise(platform=platform, session=session, who=who,
                                            segment_id=existing.value["segment_id"])
        except NotFound:
            pass  # deleted since: make a new one
    ensure_churn_tags(platform=platform)
    seg = seg_service.create(platform=platform, session=session, who=who, data=SegmentCreate(
        name="流失预警名单（高风险）", description="流失风险 = 高（每日由流失预警模型更新）", kind="dynamic",
        definition=TagCondition(type="tag", tag=RISK_TAG, op="eq", value=ch.HIGH)))
    repo.put_setting(session, key, {"segment_id": seg.id}, who.username)
    return seg
