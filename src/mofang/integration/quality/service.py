"""The data-quality view (系统管理 → 数据接入 → 数据质量): every table as the viewer may see it."""

from __future__ import annotations

from datetime import datetime

from mofang.insight import profiles
from mofang.integration import identities
from mofang.integration.quality import repository as repo
from mofang.integration.quality.contracts import NullRate, Orphans, QualityRead, TableQuality
from mofang.integration.quality.logic import IDENTITY_FIELDS, ORG_FIELDS, TABLES, share
from mofang.platform.context import Platform
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.storage.models import as_utc


def quality(*, platform: Platform, who: Principal) -> QualityRead:
    """Rows, freshness, null rates of key fields and orphans per table, and identity coverage per channel."""
    scope = who.scope
    with platform.metadata.session() as session:
        loads = repo.last_loads(session)
        # Orphans are judged against every org, whoever looks.
        every_org = [o.code for o in gov.list_orgs(session=session, scope=Scope(kind="all"))]
        visible_orgs = gov.list_orgs(session=session, scope=scope)
        customers, _ = profiles.scoped_customers(scope)
        id_total, id_nulls, id_latest = identities.field_counts(session=session, customers=customers,
                                                                fields=IDENTITY_FIELDS)
        coverage = identities.coverage(session=session, customers=customers,
                                       total=profiles.count_in_scope(session=session, scope=scope))
    orphans = repo.orphans(platform.store, scope, every_org)
    tables = []
    for check in TABLES:
        rows, nulls, latest = repo.table_counts(platform.store, check, scope)
        tables.append(TableQuality(
            table=check.name, rows=rows, last_load_at=_at(loads.get(check.entity or "")),
            latest_business_date=latest,
            null_rates=[NullRate(field=f, nulls=n, share=share(n, rows)) for (f, _), n in zip(check.key_fields, nulls,
                                                                                              strict=True)],
            orphans=[Orphans(check=k, rows=v) for k, v in orphans.get(check.name, {}).items()]))
    tables.insert(4, TableQuality(
        table="identities", rows=id_total, last_load_at=_at(loads.get("identities")),
        latest_business_date=id_latest.date() if id_latest else None,
        null_rates=[NullRate(field=f, nulls=n, share=share(n, id_total)) for f, n in zip(IDENTITY_FIELDS, id_nulls,
                                                                                          strict=True)],
        orphans=[]))
    org_nulls = sum(1 for o in visible_orgs if o.code != "HQ" and not o.parent_code)
    tables.append(TableQuality(
        table="orgs", rows=len(visible_orgs), last_load_at=_at(loads.get("orgs")), latest_business_date=None,
        null_rates=[NullRate(field=ORG_FIELDS[0], nulls=org_nulls, share=share(org_nulls, len(visible_orgs)))],
        orphans=[]))
    return QualityRead(tables=tables, identity_coverage=coverage)


def _at(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None
