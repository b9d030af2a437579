"""Queries of profiles: one DuckDB query computes them (arrow), bulk writes into the metadata table."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import bindparam, case, delete, func, select, update
from sqlalchemy.orm import Session

from mofang.insight.catalogue import OPEN_END, SEGMENT_MEMBERS, TAG_VALUES
from mofang.insight.profiles.contracts import CONSENT_CHANNELS, PROFILE_ATTRIBUTES
from mofang.insight.profiles.models import CustomerProfile
from mofang.platform.storage.eventstore import EventStore

P = CustomerProfile.__table__
CUSTOM_SQL_TYPES = {"number": "DOUBLE", "integer": "BIGINT", "boolean": "BOOLEAN"}  # declared types read typed
CHUNK = 900
WHOLE_READ = 250_000  # ids beyond which reading every stored hash is cheaper than IN lists of CHUNK
COLUMNS = ("customer_id", "org_code", "rm_id", "kyc_level", "tier", "aum", "attributes", "tags", "segments",
           "consents", "personal_enc", "phone_enc", "email_enc", "row_hash")
# Computed in clear for the hash, stored only encrypted together as `personal_enc` (what a send may show).
PERSONAL = ("surname", "rm_name", "name_masked", "phone_masked")
_IDS = "profile_ids"
_TAGS = "profile_tag_keys"


def _custom_value() -> str:
    # Declared attributes are stored as text; the profile carries them typed, as the catalogue types them.
    whens = " ".join(f"WHEN list_contains($t_{t}, key) THEN to_json(TRY_CAST(value AS {sql}))"
                     for t, sql in CUSTOM_SQL_TYPES.items())
    return f"CASE {whens} ELSE to_json(value) END"


def _object(key: str, value: str, order: str) -> str:
    # A JSON object aggregated in key order (json_group_object takes no ORDER BY): equal rows hash equal.
    return f"to_json(map_from_entries(list(struct_pack(k := {key}, v := {value}) ORDER BY {order})))"


def _sql(filtered: bool) -> str:
    only = f"WHERE customer_id IN (SELECT customer_id FROM {_IDS})" if filtered else ""
    and_only = f"AND customer_id IN (SELECT customer_id FROM {_IDS})" if filtered else ""
    base = ", ".join(f"{a} := c.{a}" for a in PROFILE_ATTRIBUTES)
    consents = ", ".join(f"{ch} := c.consent_{ch}" for ch in CONSENT_CHANNELS)
    return f"""
    WITH custom AS (
        SELECT customer_id, {_object("'attr:' || key", _custom_value(), "key")} AS custom
        FROM customer_attributes WHERE list_contains($keys, key) AND value IS NOT NULL {and_only}
        GROUP BY customer_id
    ), tags AS (
        SELECT t.customer_id,
               {_object("k.key", "CASE WHEN t.num IS NOT NULL THEN to_json(t.num) ELSE to_json(t.value) END",
                        "k.key")} AS tags
        FROM {TAG_VALUES} t JOIN {_TAGS} k ON k.tag_id = t.tag_id
        WHERE t.valid_to = $open AND t.value IS NOT NULL {and_only.replace('customer_id', 't.customer_id', 1)}
        GROUP BY t.customer_id
    ), latest AS (
        SELECT segment_id, max(day) AS day FROM {SEGMENT_MEMBERS} GROUP BY segment_id
    ), segs AS (
        SELECT m.customer_id, to_json(list(DISTINCT m.segment_id ORDER BY m.segment_id)) AS segments
        FROM {SEGMENT_MEMBERS} m JOIN latest l ON l.segment_id = m.segment_id AND l.day = m.day
        {only.replace('WHERE customer_id', 'WHERE m.customer_id', 1)}
        GROUP BY m.customer_id
    ), rows AS (
        SELECT c.customer_id, c.org_code, c.rm_id, c.risk_level AS kyc_level, c.tier, c.aum,
               CAST(json_merge_patch(to_json(struct_pack({base})), coalesce(a.custom, '{{}}')) AS VARCHAR)
                   AS attributes,
               CAST(coalesce(g.tags, '{{}}') AS VARCHAR) AS tags,
               CAST(coalesce(s.segments, '[]') AS VARCHAR) AS segments,
               CAST(to_json(struct_pack({consents})) AS VARCHAR) AS consents,
               CASE WHEN left(c.name, 1) NOT IN ('', '*') THEN left(c.name, 1) END AS surname,
               r.name AS rm_name,
               CASE WHEN c.name <> '' THEN left(c.name, 1) || repeat('*', greatest(1, length(c.name) - 1)) END
                   AS name_masked,
               c.phone_masked, c.phone_enc, c.email_enc
        FROM customers c LEFT JOIN custom a USING (customer_id) LEFT JOIN tags g USING (customer_id)
             LEFT JOIN segs s USING (customer_id) LEFT JOIN relationship_managers r ON r.rm_id = c.rm_id
        {only.replace('WHERE customer_id', 'WHERE c.customer_id', 1)}
    )
    SELECT *, left(md5(concat_ws('|', customer_id, org_code, coalesce(rm_id, ''), coalesce(kyc_level, ''),
                                 coalesce(tier, ''), coalesce(CAST(aum AS VARCHAR), ''), attributes, tags, segments,
                                 consents, coalesce(surname, ''), coalesce(rm_name, ''), coalesce(name_masked, ''),
                                 coalesce(phone_masked, ''), coalesce(phone_enc, ''), coalesce(email_enc, ''))), 32)
               AS row_hash
    FROM rows ORDER BY customer_id
    """


@contextmanager
def _registered(cur: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> Iterator[None]:
    for name, table in tables.items():
        cur.register(name, table)
    try:
        yield
    finally:
        for name in tables:
            cur.unregister(name)


def compute(store: EventStore, *, customer_ids: Sequence[str] | None, tag_keys: dict[int, str],
            custom: dict[str, str]) -> pa.Table:
    """Every profile (or those of some customers) as the event store has it now, with a hash of each row."""
    tables = {_TAGS: pa.table({"tag_id": pa.array(list(tag_keys), pa.int64()),
                               "key": pa.array(list(tag_keys.values()), pa.string())})}
    if customer_ids is not None:
        tables[_IDS] = pa.table({"customer_id": pa.array(sorted(set(customer_ids)), pa.string())})
    params: dict[str, Any] = {"keys": sorted(custom), "open": OPEN_END}
    params |= {f"t_{t}": sorted(k for k, typ in custom.items() if typ == t) for t in CUSTOM_SQL_TYPES}
    with store.read() as cur, _registered(cur, tables):
        return cur.sql(_sql(customer_ids is not None), params=params).to_arrow_table()


def stored_hashes(session: Session, customer_ids: Sequence[str] | None) -> dict[str, str]:
    """customer → row hash of the stored profiles (some, or all)."""
    q = select(P.c.customer_id, P.c.row_hash)
    if customer_ids is None:
        return {r[0]: r[1] for r in session.execute(q)}
    if len(customer_ids) > WHOLE_READ:  # one scan beats a thousand IN lists (a first full load reads nothing)
        wanted = set(customer_ids)
        return {r[0]: r[1] for r in session.execute(q) if r[0] in wanted}
    out: dict[str, str] = {}
    ids = sorted(set(customer_ids))
    for i in range(0, len(ids), CHUNK):
        out |= {r[0]: r[1] for r in session.execute(q.where(P.c.customer_id.in_(ids[i:i + CHUNK])))}
    return out


_UPDATE_COLS = [c for c in COLUMNS if c != "customer_id"] + ["updated_at"]


def upsert(session: Session, rows: list[tuple[Any, ...]], now: datetime) -> None:
    """Write profiles (tuples in COLUMNS order, JSON as text); strategy overrides are left as they are."""
    if not rows:
        return
    conn = session.connection()
    cols = ", ".join([*COLUMNS, "updated_at"])
    sets = ", ".join(f"{c} = excluded.{c}" for c in _UPDATE_COLS)
    if conn.dialect.name == "postgresql":
        _copy_upsert(conn, rows, now, cols, sets)
        return
    marks = ", ".join("?" for _ in range(len(COLUMNS) + 1))
    stamp = (now.replace(tzinfo=None).isoformat(sep=" "),)  # formatted once, not once a row
    conn.exec_driver_sql(
        f"INSERT INTO customer_profiles ({cols}) VALUES ({marks}) ON CONFLICT (customer_id) DO UPDATE SET {sets}",
        [r + stamp for r in rows])


def _copy_upsert(conn: Any, rows: list[tuple[Any, ...]], now: datetime, cols: str, sets: str) -> None:
    """PostgreSQL: COPY into a temporary table, then one INSERT … ON CONFLICT from it."""
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS profile_load (LIKE customer_profiles) ON COMMIT DELETE ROWS")
        with cur.copy(f"COPY profile_load ({cols}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((*r, now))
        casts = ", ".join(f"{c}" for c in [*COLUMNS, "updated_at"])
        cur.execute(f"INSERT INTO customer_profiles ({cols}) SELECT {casts} FROM profile_load "
                    f"ON CONFLICT (customer_id) DO UPDATE SET {sets}")
        cur.execute("TRUNCATE profile_load")


def any_stale(session: Session) -> bool:
    """Whether some profile was marked for recomputing (a migration that added columns blanks the hashes)."""
    return session.scalar(select(CustomerProfile.customer_id).where(CustomerProfile.row_hash == "").limit(1)) \
        is not None


def delete_gone(session: Session, customer_ids: Sequence[str]) -> int:
    """Remove the profiles of customers the store no longer has (closed)."""
    n = 0
    ids = list(customer_ids)
    for i in range(0, len(ids), CHUNK):
        n += session.execute(delete(P).where(P.c.customer_id.in_(ids[i:i + CHUNK]))).rowcount or 0
    return n


def get_many(session: Session, customer_ids: Sequence[str]) -> list[CustomerProfile]:
    """Stored profiles of these customers."""
    out: list[CustomerProfile] = []
    ids = sorted(set(customer_ids))
    for i in range(0, len(ids), CHUNK):
        out += list(session.scalars(select(CustomerProfile).where(CustomerProfile.customer_id.in_(ids[i:i + CHUNK]))))
    return out


def orgs(session: Session, customer_ids: Sequence[str]) -> dict[str, str]:
    """The branch of each of these customers that has a profile."""
    # Driver-level: the claim path asks this for every batch, and building the statement cost more than running it.
    out: dict[str, str] = {}
    ids = list(customer_ids)
    mark = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
    for i in range(0, len(ids), CHUNK):
        part = tuple(ids[i:i + CHUNK])
        marks = ", ".join([mark] * len(part))
        out.update(session.connection().exec_driver_sql(
            f"SELECT customer_id, org_code FROM customer_profiles WHERE customer_id IN ({marks})", part).all())
    return out


def with_overrides(session: Session) -> list[CustomerProfile]:
    """Profiles carrying attributes set by strategies."""
    return list(session.scalars(select(CustomerProfile).where(CustomerProfile.overrides.is_not(None))))


def in_scope(predicate: Any) -> Any:
    """A select of the customer ids a scope predicate (over org_code, rm_id) allows."""
    q = select(P.c.customer_id)
    return q if predicate is None else q.where(predicate)


def org_predicate(kind: str, org_code: str, rm_id: str | None) -> Any:
    """The SQLAlchemy condition of a data scope over the profile table."""
    if kind == "all":
        return None
    if kind == "rm":
        return P.c.rm_id == (rm_id or "")
    return (P.c.org_code == org_code) | P.c.org_code.startswith(org_code + "-", autoescape=True)


def count(session: Session, predicate: Any) -> int:
    """How many profiles a scope predicate allows."""
    q = select(func.count()).select_from(P)
    return int(session.scalar(q if predicate is None else q.where(predicate)) or 0)


# ---------------------------------------------------------------------------------------------- smart-node facts

RESPONSE_WEIGHTS = {"message_clicked": 5, "message_opened": 3}  # a response says more about a good hour than a login
MIN_OBSERVATIONS = 3  # fewer timed actions than this: no best hour (the node's bank default applies)


def best_hours(store: EventStore, *, lo: datetime, hi: datetime, offset_hours: int) -> dict[str, int]:
    """customer → their most responsive bank-local hour, from events in [lo, hi): responses weigh over activity.

    Activity is any behaviour event; other message_* events (sent, delivered, failed …) are the bank's doing, not
    the customer's, and are left out. Ties go to the earlier hour.
    """
    whens = " ".join(f"WHEN event = '{e}' THEN {w}" for e, w in RESPONSE_WEIGHTS.items())  # module constants
    responses = ", ".join(f"'{e}'" for e in RESPONSE_WEIGHTS)
    sql = f"""
    WITH obs AS (
        SELECT customer_id, CAST(hour(ts + to_hours(CAST($off AS BIGINT))) AS INTEGER) AS hr,
               CASE {whens} ELSE 1 END AS w
        FROM events
        WHERE customer_id IS NOT NULL AND ts >= $lo AND ts < $hi AND event <> 'identify'
          AND (event IN ({responses}) OR NOT starts_with(event, 'message_'))
    ), per AS (SELECT customer_id, hr, sum(w) AS weight, count(*) AS n FROM obs GROUP BY customer_id, hr)
    SELECT customer_id, first(hr ORDER BY weight DESC, hr) AS best FROM per
    GROUP BY customer_id HAVING sum(n) >= $min
    """
    rows = store.query(sql, {"off": offset_hours, "lo": lo, "hi": hi, "min": MIN_OBSERVATIONS})
    return {r["customer_id"]: int(r["best"]) for r in rows}


def write_best_hours(session: Session, hours: dict[str, int]) -> int:
    """Replace every profile's best hour (those without one go back to unknown); returns how many are known."""
    session.execute(update(P).where(P.c.best_hour.is_not(None)).values(best_hour=None))
    stmt = update(P).where(P.c.customer_id == bindparam("cid")).values(best_hour=bindparam("hour"))
    rows = [{"cid": c, "hour": h} for c, h in hours.items()]
    for i in range(0, len(rows), WRITE_BATCH):
        session.execute(stmt, rows[i:i + WRITE_BATCH], execution_options={"synchronize_session": False})
    return len(hours)


WRITE_BATCH = 5_000


def write_scores(session: Session, event: str, values: dict[str, tuple[float, float]]) -> int:
    """Set one target event's (score, rank) on every profile, keeping other events'; drop it where not scored."""
    rows = []
    for cid, scores, ranks in session.execute(select(P.c.customer_id, P.c.scores, P.c.score_ranks)):
        s, r = dict(scores or {}), dict(ranks or {})
        if cid in values:
            s[event], r[event] = values[cid]
        elif event not in s and event not in r:
            continue
        else:
            s.pop(event, None)
            r.pop(event, None)
        rows.append({"cid": cid, "s": s or None, "r": r or None})
    stmt = update(P).where(P.c.customer_id == bindparam("cid")).values(scores=bindparam("s"),
                                                                       score_ranks=bindparam("r"))
    for i in range(0, len(rows), WRITE_BATCH):
        session.execute(stmt, rows[i:i + WRITE_BATCH], execution_options={"synchronize_session": False})
    return sum(1 for r in rows if r["s"] and event in r["s"])


def smart_counts(session: Session, predicate: Any, event: str | None) -> tuple[int, int, int]:
    """(profiles, with a best hour, with a score for `event`) among those a scope predicate allows."""
    scored = func.sum(case((P.c.scores[event].as_float().is_not(None), 1), else_=0)) if event else func.sum(0)
    q = select(func.count(), func.count(P.c.best_hour), scored).select_from(P)
    total, known, n = session.execute(q if predicate is None else q.where(predicate)).one()
    return int(total or 0), int(known or 0), int(n or 0)
