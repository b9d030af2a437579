"""Profiles: computed in bulk from the event store, kept in the metadata DB, read by every worker."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from json.encoder import encode_basestring as _quoted  # json.dumps's escaping of a text
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mofang.insight.catalogue import ensure_insight_schema
from mofang.insight.models import TagDef
from mofang.insight.profiles import logic
from mofang.insight.profiles import repository as repo
from mofang.insight.profiles.contracts import Profile, RefreshReport
from mofang.insight.profiles.models import CustomerProfile
from mofang.integration import declared_attributes, ensure_store_tables
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid, NotFound
from mofang.platform.governance.contracts import Scope
from mofang.platform.storage.metadata import bulk_cache
from mofang.platform.storage.models import as_utc, utcnow

WRITE_CHUNK = 20_000  # rows per executemany / COPY round


def _read(row: CustomerProfile) -> Profile:
    attrs, tags = logic.split_overrides(row.overrides)
    return Profile(customer_id=row.customer_id, org_code=row.org_code, rm_id=row.rm_id, kyc_level=row.kyc_level,
                   tier=row.tier, aum=row.aum, attributes=logic.merged(row.attributes, attrs),
                   tags=logic.merged_tags(dict(row.tags), tags), segments=list(row.segments),
                   consents=dict(row.consents), scores=dict(row.scores or {}),
                   score_ranks=dict(row.score_ranks or {}), best_hour=row.best_hour,
                   updated_at=as_utc(row.updated_at))


def get_profile(*, session: Session, customer_id: str) -> Profile | None:
    """One customer's profile, or None when there is none (unknown or closed customer)."""
    row = session.get(CustomerProfile, customer_id)
    return _read(row) if row is not None else None


def get_profiles(*, session: Session, customer_ids: Sequence[str]) -> dict[str, Profile]:
    """Profiles of many customers at once (those without one are absent)."""
    return {r.customer_id: _read(r) for r in repo.get_many(session, customer_ids)}


def orgs_of(*, session: Session, customer_ids: Sequence[str]) -> dict[str, str]:
    """The branches of many customers at once, from their profiles (those without one are absent)."""
    return repo.orgs(session, customer_ids)


def refresh_if_stale(*, platform: Platform) -> RefreshReport | None:
    """At start: recompute every profile when an upgrade marked them stale (else a new column — a template's
    surname, a branch — would stay empty until the nightly run); None when nothing was stale."""
    with platform.metadata.session() as session:
        if not repo.any_stale(session):
            return None
    return refresh_profiles(platform=platform)


def refresh_profiles(*, platform: Platform, customer_ids: Sequence[str] | None = None,
                     now: datetime | None = None) -> RefreshReport:
    """Recompute profiles (all, or of some customers) and write only those that changed; drop closed ones."""
    return write_refresh(platform=platform, prepared=prepare_refresh(platform=platform, customer_ids=customer_ids,
                                                                     now=now))


@dataclass(frozen=True)
class PreparedRefresh:
    """Profiles computed and encrypted, not yet written: rows to upsert (COLUMNS order), customers gone."""

    started: float
    now: datetime
    customers: int
    rows: list[tuple[Any, ...]]
    gone: list[str]


def prepare_refresh(*, platform: Platform, customer_ids: Sequence[str] | None = None,
                    now: datetime | None = None) -> PreparedRefresh:
    """The reading half of `refresh_profiles` (it writes nothing): a load runs it beside the identity copy."""
    started = time.perf_counter()
    now = now or utcnow()
    ensure_insight_schema(platform.store, platform.extras)
    with platform.store.write() as cur:
        ensure_store_tables(cur)
    with platform.metadata.session() as session:
        tag_keys = {r[0]: r[1] for r in session.execute(select(TagDef.id, TagDef.key))}
        custom = {a.key: a.type for a in declared_attributes(session) if not a.pii}
        stored = repo.stored_hashes(session, customer_ids)
    table = repo.compute(platform.store, customer_ids=customer_ids, tag_keys=tag_keys, custom=custom)
    data = table.to_pydict()
    ids: list[str] = data["customer_id"]
    changed = [i for i, (cid, h) in enumerate(zip(ids, data["row_hash"], strict=True)) if stored.get(cid) != h]
    data["personal_enc"] = _personal(platform, data, changed)
    everyone = list(zip(*(data[c] for c in repo.COLUMNS), strict=True))
    rows = everyone if len(changed) == len(ids) else [everyone[i] for i in changed]
    return PreparedRefresh(started=started, now=now, customers=len(ids), rows=rows,
                           gone=sorted(set(stored) - set(ids)))


def write_refresh(*, platform: Platform, prepared: PreparedRefresh) -> RefreshReport:
    """The writing half of `refresh_profiles`: changed profiles upserted, those of closed customers dropped."""
    with platform.metadata.session() as session, bulk_cache(session):
        for lo in range(0, len(prepared.rows), WRITE_CHUNK):
            repo.upsert(session, prepared.rows[lo:lo + WRITE_CHUNK], prepared.now)
        deleted = repo.delete_gone(session, prepared.gone)
    return RefreshReport(customers=prepared.customers, written=len(prepared.rows), deleted=deleted,
                         seconds=round(time.perf_counter() - prepared.started, 3))


def _personal(platform: Platform, data: dict[str, list[Any]], rows: Sequence[int]) -> list[str | None]:
    """The encrypted personal facts of the rows to write (the others are not written, so left empty)."""
    out: list[str | None] = [None] * len(data["customer_id"])
    # The text json.dumps(facts, ensure_ascii=False, sort_keys=True) writes (the facts are texts), built without
    # a dict and an encoder call per customer.
    personal = [(f'"{k}": ', data[k]) for k in sorted(repo.PERSONAL)]
    texts = []
    for i in rows:
        parts = [key + _quoted(col[i]) for key, col in personal if col[i] is not None]
        texts.append("{" + ", ".join(parts) + "}" if parts else None)
    for i, enc in zip(rows, platform.cipher.encrypt_many(texts), strict=True):
        out[i] = enc
    return out


def set_attribute(*, session: Session, customer_id: str, key: str, value: Any) -> Profile:
    """Set an attribute on a customer's profile (the strategy engine's 更新属性), read by later nodes at once.

    A declared, non-PII attribute (`attr:<key>`) is also written to the customer's custom attributes in the event
    store by the integration job that applies pending writes; any other new key lives on the profile only.
    """
    row = session.get(CustomerProfile, customer_id)
    if row is None:
        raise NotFound(f"no profile of customer '{customer_id}'", field="customer_id", code="profiles.no_customer",
                       params={"customer_id": customer_id})
    declared = {a.key: (a.type, a.pii) for a in declared_attributes(session)}
    try:
        how = logic.settable(key, declared)
        typed = logic.custom_value(declared[key.removeprefix(logic.ATTR_PREFIX)][0], value) \
            if how == "custom" else _json_value(value)
    except ValueError as exc:
        raise Invalid(f"{key}: {exc}", field="key", code="profiles.bad_attribute",
                      params={"key": key, "reason": str(exc)}) from None
    row.overrides = {**(row.overrides or {}), key: typed}
    row.updated_at = utcnow()
    session.flush()
    return _read(row)


def set_tag(*, session: Session, customer_id: str, tag: str, action: str, value: str | None = None) -> Profile:
    """Add or remove a tag value on a customer's profile (the strategy engine's 打标签), read by later nodes at once.

    Kept as a profile override over the computed tags; idempotent (adding a value twice keeps one). The DuckDB tag
    history does not see it: the daily tag run recomputes rule tags from events and would not keep a value set here,
    so the override stays on the profile (and wins over the computed value) until a strategy changes it again.
    """
    row = session.get(CustomerProfile, customer_id)
    if row is None:
        raise NotFound(f"no profile of customer '{customer_id}'", field="customer_id", code="profiles.no_customer",
                       params={"customer_id": customer_id})
    if action not in ("add", "remove"):
        raise Invalid(f"unknown tag action '{action}'", field="action", code="profiles.bad_tag_action",
                      params={"action": action})
    if session.scalar(select(TagDef.id).where(TagDef.key == tag)) is None:
        raise Invalid(f"no tag '{tag}'", field="tag", code="profiles.unknown_tag", params={"tag": tag})
    current = _read(row).tags.get(tag)
    row.overrides = {**(row.overrides or {}), logic.TAG_PREFIX + tag: logic.tag_after(current, action, value)}
    row.updated_at = utcnow()
    session.flush()
    return _read(row)


def _json_value(value: Any) -> Any:
    if value is not None and not isinstance(value, str | int | float | bool):
        raise ValueError("a text, number or true/false")
    if isinstance(value, str) and len(value) > 512:
        raise ValueError("longer than 512 characters")
    json.dumps(value)
    return value


def pending_writes(*, session: Session) -> dict[str, dict[str, Any]]:
    """Declared attributes set by strategies, not yet in the event store: {attr:<key>: {customer: value}}."""
    out: dict[str, dict[str, Any]] = {}
    for row in repo.with_overrides(session):
        for key, value in (row.overrides or {}).items():
            if key.startswith(logic.ATTR_PREFIX):
                out.setdefault(key, {})[row.customer_id] = value
    return out


def written(*, session: Session, key: str, values: dict[str, Any]) -> None:
    """Forget overrides the event store now holds (unless a strategy changed them meanwhile)."""
    for row in repo.get_many(session, list(values)):
        overrides = dict(row.overrides or {})
        if key in overrides and overrides[key] == values[row.customer_id]:
            del overrides[key]
            row.overrides = overrides or None
    session.flush()


def scoped_customers(scope: Scope) -> tuple[Any, Any]:
    """(select of the customer ids a scope sees, its predicate) over the profile table."""
    predicate = repo.org_predicate(scope.kind, scope.org_code, scope.rm_id)
    return repo.in_scope(predicate), predicate


def count_in_scope(*, session: Session, scope: Scope) -> int:
    """How many customers (with a profile) a scope sees."""
    return repo.count(session, repo.org_predicate(scope.kind, scope.org_code, scope.rm_id))


BEST_HOUR_DAYS = 90  # a customer's habits drift: the best hour looks at the last quarter


def write_scores(*, platform: Platform, event: str, values: dict[str, tuple[float, float]]) -> int:
    """Store one target event's (propensity, rank from the top in %) on the profiles; returns how many hold one."""
    with platform.metadata.session() as session:
        return repo.write_scores(session, event, values)


def refresh_best_hours(*, platform: Platform, day: date) -> int:
    """Recompute every customer's most responsive hour from the 90 days up to `day`; returns how many are known."""
    from mofang.insight.ml import features as F  # the bank's day boundaries, as every insight query draws them

    hi = F.day_start(day + timedelta(days=1))
    hours = repo.best_hours(platform.store, lo=hi - timedelta(days=BEST_HOUR_DAYS), hi=hi,
                            offset_hours=int(F.local_offset().total_seconds() // 3600))
    with platform.metadata.session() as session:
        return repo.write_best_hours(session, hours)


def smart_counts(*, session: Session, scope: Scope, event: str | None) -> tuple[int, int, int]:
    """(profiles, with a known best hour, with a score for `event`) that a scope sees."""
    return repo.smart_counts(session, repo.org_predicate(scope.kind, scope.org_code, scope.rm_id), event)
