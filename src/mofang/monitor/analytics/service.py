"""Behaviour analytics orchestration: scope the customers, build the query, run it, shape the answer."""

from __future__ import annotations

import os
from datetime import date

from sqlglot import exp

from mofang.monitor.analytics import (
    attribution,
    distribution,
    events,
    funnel,
    funnel_pass,
    interval,
    ltv,
    masking,
    mau_aum,
    paths,
    properties,
    retention,
    rfm,
)
from mofang.monitor.analytics import repository as repo
from mofang.monitor.analytics.contracts import (
    AnalysisBase,
    AttributionQuery,
    AttributionResult,
    CustomerFilter,
    CustomerSets,
    DistributionQuery,
    DistributionResult,
    DropoffSave,
    DropoffSaved,
    FunnelQuery,
    FunnelResult,
    IntervalQuery,
    IntervalResult,
    LtvQuery,
    LtvResult,
    MauAumQuery,
    MauAumResult,
    PathsQuery,
    PathsResult,
    PropertiesQuery,
    PropertiesResult,
    RetentionQuery,
    RetentionResult,
    RfmQuery,
    RfmResult,
    TrendsQuery,
    TrendsResult,
)
from mofang.monitor.analytics.filters import customer_conditions, customer_set
from mofang.platform.context import Platform
from mofang.platform.errors import MofangError, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.storage.sql import Params

SETS_KEY = "customer_sets"
PASS_THREADS = min(4, os.cpu_count() or 1)  # the funnel pass splits customers across cores


class Unavailable(MofangError):
    """A capability this installation does not have yet."""

    status_code = 503


def _sets(platform: Platform) -> CustomerSets | None:
    return platform.extras.get(SETS_KEY)


def _members(platform: Platform, who: Principal, query: AnalysisBase, params: Params) -> exp.Select | None:
    """The population the model counts (filters.customer_set: the one rule for every model)."""
    return customer_set(params, scope=who.scope, customers=query.customers, sets=_sets(platform),
                        population=query.population)


def _where(platform: Platform, who: Principal, customers: CustomerFilter, params: Params) -> exp.Expression | None:
    return customer_conditions(params, scope=who.scope, customers=customers, sets=_sets(platform))


def trends(*, platform: Platform, who: Principal, query: TrendsQuery) -> TrendsResult:
    """Event trends, with the previous period when asked."""
    def run(d0: date, d1: date) -> list[list[dict]]:
        out = []
        for i in range(len(query.series)):
            params = Params()
            members = _members(platform, who, query, params)
            out.append(repo.rows(platform.store, events.build_series(
                query, i, members=members, params=params, date_from=d0, date_to=d1), params))
        return out

    policy = platform.settings.pii_policy()
    query = masking.stored_filters(policy, query)
    previous = run(*events.previous_range(query)) if query.compare_previous else None
    result = events.shape(query, run(query.date_from, query.date_to), previous)
    for line in [*result.lines, *(result.previous or [])]:
        line.group = masking.group_label(policy, query.group_by, line.group)
    return result


def _everyone(platform: Platform, who: Principal, query: AnalysisBase) -> bool:
    """Whether the population is every user with an id (population "all_users", allowed, no customer filter)."""
    return _members(platform, who, query, Params()) is None


def _funnel_pass(platform: Platform, who: Principal, query: FunnelQuery) -> funnel_pass.PerCustomer:
    query = masking.stored_filters(platform.settings.pii_policy(), query)
    params = Params()
    built = funnel.build(query, where=_where(platform, who, query.customers, params), params=params,
                         everyone=_everyone(platform, who, query))
    cols = repo.arrays(platform.store, built, params)
    spec = funnel.spec_of(query)
    lay = funnel_pass.layout(spec)
    if lay is not None:
        return funnel_pass.run_keys(spec, cols["key"], lay, parts=PASS_THREADS)
    return funnel_pass.run(spec, cols["code"], cols["t"], cols["mask"])


def funnel_analysis(*, platform: Platform, who: Principal, query: FunnelQuery) -> FunnelResult:
    """Funnel counts, conversion and median times, overall and per group."""
    pc = _funnel_pass(platform, who, query)
    groups = None
    if query.group_by is not None and query.group_by.kind == "property":
        pairs = funnel.start_pairs(pc)
        groups = {}
        if len(pairs["code"]):
            params = Params()
            built = funnel.build_start_values(query, params=params, everyone=_everyone(platform, who, query))
            groups = {int(r["code"]): r["grp"]
                      for r in repo.rows(platform.store, built, params, tables={funnel.STARTS: pairs})}
    elif query.group_by is not None:
        params = Params()
        built = funnel.build_groups(query, where=_where(platform, who, query.customers, params), params=params,
                                    everyone=_everyone(platform, who, query))
        groups = {int(r["code"]): r["grp"] for r in repo.rows(platform.store, built, params)}
    result = funnel.shape(query, pc, groups)
    for g in result.groups:
        g.group = masking.group_label(platform.settings.pii_policy(), query.group_by, g.group)
    return result


def save_dropoffs(*, platform: Platform, who: Principal, data: DropoffSave) -> DropoffSaved:
    """Save the customers who dropped before `step` as a static segment."""
    sets = _sets(platform)
    if sets is None:
        raise Unavailable("saving a segment needs the segments module, which is not available", field="name")
    if data.step > len(data.query.steps):
        raise NotFound(f"the funnel has no step {data.step}")
    # A segment holds customers: the drop-offs saved are the known customers among them.
    pc = _funnel_pass(platform, who, data.query.model_copy(update={"population": "customers"}))
    dropped = (pc.reached[:, data.step - 2] >= 0) & (pc.reached[:, data.step - 1] < 0)
    codes = [int(c) for c in pc.codes[dropped]]
    ids: list[str] = []
    if codes:
        params = Params()
        ids = [r["customer_id"] for r in repo.rows(
            platform.store, funnel.build_customer_ids(codes, params=params), params)]
    segment_id = sets.save_static_segment(name=data.name, customer_ids=sorted(ids), who=who)
    return DropoffSaved(segment_id=segment_id, customers=len(ids))


def retention_analysis(*, platform: Platform, who: Principal, query: RetentionQuery,
                       today: date | None = None) -> RetentionResult:
    """The cohort retention table."""
    query = masking.stored_filters(platform.settings.pii_policy(), query)
    params = Params()
    built = retention.build(query, members=_members(platform, who, query, params), params=params)
    result = retention.shape(query, repo.rows(platform.store, built, params), today=today or date.today())
    for c in result.cohorts:
        c.group = masking.group_label(platform.settings.pii_policy(), query.group_by, c.group)
    return result


def paths_analysis(*, platform: Platform, who: Principal, query: PathsQuery) -> PathsResult:
    """Top paths and the Sankey diagram."""
    query = masking.stored_filters(platform.settings.pii_policy(), query)
    params = Params()
    built = paths.build(query, members=_members(platform, who, query, params), params=params)
    return paths.shape(query, repo.rows(platform.store, built, params))


def attribution_analysis(*, platform: Platform, who: Principal, query: AttributionQuery) -> AttributionResult:
    """Credit per touch under the five models."""
    query = masking.stored_filters(platform.settings.pii_policy(), query)
    params = Params()
    built = attribution.build(query, members=_members(platform, who, query, params), params=params)
    return attribution.shape(query, repo.rows(platform.store, built, params))


def distribution_analysis(*, platform: Platform, who: Principal, query: DistributionQuery) -> DistributionResult:
    """Customers bucketed by how often (or how much) they did the event."""
    query = masking.stored_filters(platform.settings.pii_policy(), query)
    params = Params()
    built = distribution.build(query, members=_members(platform, who, query, params),
                               where=_where(platform, who, query.customers, params), params=params)
    return distribution.shape(query, repo.rows(platform.store, built, params))


def interval_analysis(*, platform: Platform, who: Principal, query: IntervalQuery) -> IntervalResult:
    """Gaps from A to the next B."""
    query = masking.stored_filters(platform.settings.pii_policy(), query)
    params = Params()
    built = interval.build(query, members=_members(platform, who, query, params), params=params)
    return interval.shape(query, repo.rows(platform.store, built, params))


def properties_analysis(*, platform: Platform, who: Principal, query: PropertiesQuery) -> PropertiesResult:
    """Distribution or cross-tab of customer attributes and tags."""
    params = Params()
    built = properties.build(query, where=_where(platform, who, query.customers, params), params=params,
                             sets=_sets(platform))
    return properties.shape(query, repo.rows(platform.store, built, params))


def ltv_analysis(*, platform: Platform, who: Principal, query: LtvQuery) -> LtvResult:
    """Cumulative value curves per opening-month cohort."""
    params = Params()
    built = ltv.build(query, where=_where(platform, who, query.customers, params), params=params)
    return ltv.shape(query, repo.rows(platform.store, built, params))


def rfm_analysis(*, platform: Platform, who: Principal, query: RfmQuery) -> RfmResult:
    """RFM segments and grid."""
    query = masking.stored_filters(platform.settings.pii_policy(), query)
    params = Params()
    built = rfm.build(query, members=_members(platform, who, query, params),
                      where=_where(platform, who, query.customers, params), params=params)
    return rfm.shape(repo.rows(platform.store, built, params))


def mau_aum_dashboard(*, platform: Platform, who: Principal, query: MauAumQuery) -> MauAumResult:
    """MAU, active rate, AUM and net inflow per month for the children of an org in the user's scope."""
    parent = query.parent_org
    scope = who.scope
    if scope.kind == "org" and not scope.allows_org(parent):
        if parent == "HQ" or scope.org_code.startswith(parent + "-"):
            parent = scope.org_code  # above the user's org: start at their own org
        else:
            raise NotFound(f"org '{query.parent_org}' not found", field="parent_org")
    with platform.metadata.session() as session:
        names = gov.org_names(session=session)
    if parent not in names:
        raise NotFound(f"org '{query.parent_org}' not found", field="parent_org")
    params = Params()
    built = mau_aum.build(query, parent=parent, kids=mau_aum.children(parent, list(names)),
                          where=_where(platform, who, CustomerFilter(), params), params=params)
    return mau_aum.shape(repo.rows(platform.store, built, params), names)

