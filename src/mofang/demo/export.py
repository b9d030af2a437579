"""The demo bank as a bank would send it: one Parquet file per entity in the documented shapes, and loading them back.

`export_bank` writes what the generator stored (orgs, staff, products, customers with PII in clear, the identities a
bank's systems hold — WeChat ids, push tokens — holdings, transactions, daily AUM) under the field keys of
docs/integration.md; `load_bank` loads such a directory through the integration service, in the order references
need. Fields the documented schema does not carry are listed in NOT_EXPORTED.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from mofang.integration.contracts import LoadRead
from mofang.integration.schemas import ENTITIES
from mofang.integration.service import load_file
from mofang.platform.context import Platform
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Scope

# Parents before children: each entity's references are loaded before it.
ORDER = ("orgs", "staff", "products", "customers", "identities", "holdings", "transactions", "aum_daily")
# Columns of the product's tables that no file carries: set by the load itself.
NOT_EXPORTED = {"customers": ("updated_at",)}
_PII = {"phone": "phone_enc", "id_number": "id_enc", "email": "email_enc"}


def export_bank(*, platform: Platform, out_dir: Path) -> dict[str, int]:
    """Write every entity of the data dir as `<entity>.parquet` with the documented columns; rows per entity."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in ORDER:
        table = (_orgs(platform) if name == "orgs" else _identities(platform) if name == "identities"
                 else _entity(platform, name))
        pq.write_table(table, out_dir / f"{name}.parquet")
        counts[name] = table.num_rows
    return counts


def load_bank(*, platform: Platform, in_dir: Path, username: str | None = None) -> list[LoadRead]:
    """Load `<entity>.parquet` files through the integration service (every row must pass: threshold 0)."""
    reports = []
    for name in ORDER:
        path = in_dir / f"{name}.parquet"
        if path.exists():
            reports.append(load_file(platform=platform, entity=name, path=path, file_name=path.name,
                                     source=f"demo:{name}", reject_threshold=0.0, username=username))
    return reports


def _orgs(platform: Platform) -> pa.Table:
    with platform.metadata.session() as session:
        orgs = gov.list_orgs(session=session, scope=Scope(kind="all"))
    return pa.table({"code": [o.code for o in orgs], "name": [o.name for o in orgs],
                     "parent_code": [o.parent_code for o in orgs],
                     "level": pa.array([o.level for o in orgs], pa.int64())})


def _identities(platform: Platform) -> pa.Table:
    """The identifiers a bank system sends (decrypted); those the platform derives itself — copied from the customer
    master, seen in events — are made again by the load and are left out."""
    from sqlalchemy import select

    from mofang.integration.identities.contracts import EVENTS_SOURCE, MASTER_SOURCE
    from mofang.integration.identities.models import CustomerIdentity as Row

    with platform.metadata.session() as session:
        rows = session.execute(select(Row.customer_id, Row.kind, Row.value, Row.value_enc, Row.valid, Row.first_seen,
                                      Row.last_seen).where(Row.source.notin_([MASTER_SOURCE, EVENTS_SOURCE]))
                               .order_by(Row.customer_id, Row.kind, Row.id)).all()
    return pa.table({
        "customer_id": pa.array([r.customer_id for r in rows], pa.string()),
        "kind": pa.array([r.kind for r in rows], pa.string()),
        "value": pa.array([platform.cipher.decrypt(r.value_enc) if r.value_enc else r.value for r in rows],
                          pa.string()),
        "valid": pa.array([r.valid for r in rows], pa.bool_()),
        "first_seen": pa.array([r.first_seen for r in rows], pa.timestamp("us", tz="UTC")),
        "last_seen": pa.array([r.last_seen for r in rows], pa.timestamp("us", tz="UTC")),
    })


def _entity(platform: Platform, name: str) -> pa.Table:
    """One entity's table under its field keys (PII decrypted from its ciphertext column)."""
    spec = ENTITIES[name]
    select = ", ".join(f'"{_PII[f.key]}" AS "{f.key}"' if name == "customers" and f.key in _PII else f'"{f.key}"'
                       for f in spec.fields)
    key = ", ".join(f'"{k}"' for k in spec.key)
    with platform.store.read() as cur:
        table = cur.sql(f"SELECT {select} FROM {spec.table} ORDER BY {key}").to_arrow_table()
    if name == "customers":
        for f in _PII:
            plain = pa.array([platform.cipher.decrypt(v) for v in table[f].to_pylist()], pa.string())
            table = table.set_column(table.schema.get_field_index(f), f, plain)
    return table
