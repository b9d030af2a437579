"""Loading identities: rows checked like any entity's, referenced customers checked, upserted in the metadata DB."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from mofang.integration import identities, logic
from mofang.integration.contracts import EntitySpec, Mapping, Mode
from mofang.integration.logic import Reject
from mofang.integration.service.staging import RejectFile
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid
from mofang.platform.storage.models import utcnow

Batches = Iterable[list[tuple[int, dict[str, Any]]]]


def known_customers(platform: Platform, ids: set[str]) -> set[str]:
    """Which of these customer numbers the store holds."""
    with platform.store.read() as cur:
        cur.register("identity_ref", pa.table({"customer_id": pa.array(sorted(ids), pa.string())}))
        try:
            rows = cur.execute("SELECT customer_id FROM customers WHERE customer_id IN "
                               "(SELECT customer_id FROM identity_ref)").fetchall()
        finally:
            cur.unregister("identity_ref")
    return {r[0] for r in rows}


def check(spec: EntitySpec, n: int, raw: dict[str, Any], mapping: Mapping,
          ) -> tuple[identities.IdentityRow | None, list[Reject]]:
    """A row typed, checked and its value normalised for its kind (rejects mask the value by kind)."""
    row, bad = logic.check_row(spec, n, raw, mapping)
    if row is None:
        kind = str(raw.get("kind") or "")
        return None, [Reject(row=r.row, field=r.field, reason=r.reason,
                             value=identities.mask(kind, str(raw.get("value") or "")) if r.field == "value"
                             else r.value) for r in bad]
    try:
        value = identities.normalise(row["kind"], row["value"])
    except ValueError as exc:
        return None, [Reject(row=n, field="value", reason=str(exc),
                             value=identities.mask(row["kind"], row["value"]))]
    return identities.IdentityRow(
        customer_id=row["customer_id"], kind=row["kind"], value=value,
        valid=True if row.get("valid") is None else bool(row["valid"]),
        first_seen=row.get("first_seen"), last_seen=row.get("last_seen")), []


def load_identities(platform: Platform, *, spec: EntitySpec, batches: Batches, source: str, mode: Mode,
                    load_id: int, counts: dict[str, int], mapping: Mapping, threshold: float) -> None:
    """Check every row (customer known, value of its kind, key once), then apply them all in one transaction."""
    rejects = RejectFile(platform, load_id)
    try:
        _check_and_apply(platform, spec=spec, batches=batches, source=source, mode=mode, counts=counts,
                         mapping=mapping, threshold=threshold, rejects=rejects)
    finally:
        rejects.close()


def _check_and_apply(platform: Platform, *, spec: EntitySpec, batches: Batches, source: str, mode: Mode,
                     counts: dict[str, int], mapping: Mapping, threshold: float, rejects: RejectFile) -> None:
    good: list[tuple[int, identities.IdentityRow]] = []
    for batch in batches:
        for n, raw in batch:
            counts["read"] += 1
            row, bad = check(spec, n, raw, mapping)
            if row is None:
                rejects.add(bad)
            else:
                good.append((n, row))
    known = known_customers(platform, {r.customer_id for _, r in good})
    first: dict[tuple[str, str, str], int] = {}
    rows: list[identities.IdentityRow] = []
    for n, r in good:
        key = (r.customer_id, r.kind, r.value)
        if r.customer_id not in known:
            rejects.add([Reject(row=n, field="customer_id", reason="no such customer", value=r.customer_id)])
        elif key in first:
            rejects.add([Reject(row=n, field="value", reason=f"duplicate key (first seen on row {first[key]})",
                                value=identities.mask(r.kind, r.value))])
        else:
            first[key] = n
            rows.append(r)
    counts["rejected"] = len(rejects.rows)
    if logic.over_threshold(rejected=counts["rejected"], read=counts["read"], threshold=threshold):
        raise Invalid(f"{counts['rejected']} of {counts['read']} rows rejected, more than {threshold:.1%}: "
                      f"nothing was loaded", field="file", code="integration.too_many_rejects",
                      params={"rejected": counts["rejected"], "read": counts["read"],
                              "threshold": f"{threshold:.1%}"})
    with platform.metadata.session() as session:
        got = identities.apply(session, rows=rows, source=source, cipher=platform.cipher,
                               key=identities.hash_key(platform), now=utcnow(),
                               replace="all" if mode == "full" else None)
    counts |= {"loaded": got["loaded"], "unchanged": got["unchanged"], "closed": got["invalidated"]}

