"""Identities pushed by the bank's systems (one customer's set, or an idempotent batch), and their coverage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mofang.insight import profiles
from mofang.integration import identities
from mofang.integration.contracts import Mapping
from mofang.integration.identities.contracts import IdentityBatchIn, IdentityIn, IdentityPut, PushResult
from mofang.integration.identities.service import remember, replayed, request_hash
from mofang.integration.schemas import IDENTITIES
from mofang.integration.service.identity_loads import check, known_customers
from mofang.integration.service.loads import _run
from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, Invalid, NotFound
from mofang.platform.governance.contracts import Principal


def _utc(value: datetime | None, field: str) -> datetime | None:
    """A pushed time as naive UTC (as files carry times); one that cannot be placed in UTC is refused."""
    if value is None or value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except (OverflowError, ValueError):
        raise Invalid(f"{field}: not a time", field=field, code="integration.invalid_value",
                      params={"field": field, "reason": "not a time"}) from None


def _raw(item: IdentityIn, customer_id: str, path: str) -> dict[str, Any]:
    return {"customer_id": customer_id, "kind": item.kind, "value": item.value, "valid": item.valid,
            "first_seen": _utc(item.first_seen, f"{path}.first_seen"),
            "last_seen": _utc(item.last_seen, f"{path}.last_seen")}


def _checked(rows: list[tuple[str, dict[str, Any]]]) -> None:
    """Refuse the whole push on the first bad item, naming it (nothing is applied)."""
    for path, raw in rows:
        _, bad = check(IDENTITIES, 1, raw, Mapping())
        if bad:
            r = bad[0]
            raise Invalid(f"{path}.{r.field}: {r.reason}", field=f"{path}.{r.field}",
                          code="integration.invalid_value", params={"field": f"{path}.{r.field}", "reason": r.reason})


def _known(platform: Platform, ids: set[str]) -> set[str]:
    return known_customers(platform, ids)


def put_identities(*, platform: Platform, customer_id: str, body: IdentityPut, username: str | None) -> PushResult:
    """Replace the identities a bank system holds for one customer (those it no longer sends become invalid)."""
    if not _known(platform, {customer_id}):
        raise NotFound(f"no customer '{customer_id}'", field="customer_id", code="identities.no_customer",
                       params={"customer_id": customer_id})
    rows = [(f"identities.{i}", _raw(item, customer_id, f"identities.{i}")) for i, item in enumerate(body.identities)]
    _checked(rows)
    report = _run(platform=platform, spec=IDENTITIES, source=f"api:identities:{customer_id}"[:64], mode="full",
                  file_name=None, mapping=Mapping(), batches=[[(n + 1, raw) for n, (_, raw) in enumerate(rows)]],
                  columns=list(IDENTITIES.keys), unreadable=[], reject_threshold=0.0, username=username)
    return PushResult(load_id=report.id, loaded=report.rows_loaded, unchanged=report.rows_unchanged,
                      invalidated=report.rows_closed)


def push_batch(*, platform: Platform, body: IdentityBatchIn, username: str | None) -> PushResult:
    """Add or update identities of many customers, once per idempotency key (a retry answers the first result)."""
    digest = request_hash(body.model_dump(mode="json"))
    with platform.metadata.session() as session:
        first = replayed(session, key=body.idempotency_key, digest=digest)
    if first is not None:
        return PushResult.model_validate({**first, "replayed": True})
    rows = [(f"items.{i}", _raw(item, item.customer_id, f"items.{i}")) for i, item in enumerate(body.items)]
    _checked(rows)
    unknown = sorted({item.customer_id for item in body.items} - _known(platform, {i.customer_id for i in body.items}))
    if unknown:
        at = next(i for i, item in enumerate(body.items) if item.customer_id == unknown[0])
        raise Invalid(f"items.{at}.customer_id: no such customer", field=f"items.{at}.customer_id",
                      code="identities.no_customer", params={"customer_id": unknown[0]})
    report = _run(platform=platform, spec=IDENTITIES, source="api:identities", mode="delta", file_name=None,
                  mapping=Mapping(), batches=[[(n + 1, raw) for n, (_, raw) in enumerate(rows)]],
                  columns=list(IDENTITIES.keys), unreadable=[], reject_threshold=0.0, username=username)
    result = PushResult(load_id=report.id, loaded=report.rows_loaded, unchanged=report.rows_unchanged,
                        invalidated=report.rows_closed)
    try:
        with platform.metadata.session() as session:
            remember(session, key=body.idempotency_key, digest=digest, result=result.model_dump(mode="json"),
                     username=username)
    except Conflict:  # a twin request applied the same rows meanwhile (upserts by key: nothing doubled)
        with platform.metadata.session() as session:
            first = replayed(session, key=body.idempotency_key, digest=digest)
        if first is not None:
            return PushResult.model_validate({**first, "replayed": True})
        raise
    return result


def coverage_for(*, platform: Platform, who: Principal) -> identities.CoverageRead:
    """Per channel, the share of customers the viewer may see that have an address there."""
    with platform.metadata.session() as session:
        customers, _ = profiles.scoped_customers(who.scope)
        total = profiles.count_in_scope(session=session, scope=who.scope)
        return identities.coverage(session=session, customers=customers, total=total)
