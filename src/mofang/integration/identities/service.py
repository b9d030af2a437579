"""Identities: upserts from loads and pushes, the master copy, event-stitched app users, addresses per channel."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mofang.integration.identities import logic
from mofang.integration.identities import repository as repo
from mofang.integration.identities.contracts import (
    CHANNEL_KINDS,
    CHANNELS,
    EVENTS_SOURCE,
    MASTER_SOURCE,
    SECRET_KINDS,
    Address,
    ChannelCoverage,
    CoverageRead,
    IdentityRead,
)
from mofang.integration.identities.logic import Candidate, IdentityRow
from mofang.integration.identities.models import IdentityBatch
from mofang.platform.context import Platform
from mofang.platform.crypto import PiiCipher
from mofang.platform.errors import BadRequest, Conflict
from mofang.platform.storage.metadata import Metadata
from mofang.platform.storage.models import as_utc, utcnow

Replace = Literal["all"] | Sequence[str] | None


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def apply(session: Session, *, rows: Sequence[IdentityRow], source: str, cipher: PiiCipher, key: bytes,
          now: datetime, replace: Replace = None,
          found: dict[tuple[str, str, str], dict[str, Any]] | None = None) -> dict[str, int]:
    """Upsert checked identities from one source; `replace` invalidates that source's rows not among them.

    replace="all": every row of the source (a full load); a list of customers: their rows of the source (a PUT).
    Returns counts loaded (added or changed), unchanged and invalidated. `found`: the stored identities of the
    rows' customers (`repo.existing`), when the caller has just read them.
    """
    if found is None:
        found = repo.existing(session, [r.customer_id for r in rows])
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    kept: set[int] = set()
    seen_keys: set[tuple[str, str, str]] = set()
    unchanged = 0
    for r in rows:
        hashed = r.value_hash or logic.value_hash(key, r.kind, r.value)
        k = (r.customer_id, r.kind, hashed)
        if k in seen_keys:
            continue
        seen_keys.add(k)
        old = found.get(k)
        first, last = _aware(r.first_seen), _aware(r.last_seen)
        if old is None:
            secret = r.kind in SECRET_KINDS
            inserts.append({
                "customer_id": r.customer_id, "kind": r.kind, "value": None if secret else r.value,
                "value_enc": (r.value_enc or cipher.encrypt(r.value)) if secret else None, "value_hash": hashed,
                "masked": logic.mask(r.kind, r.value) if r.masked is None else r.masked, "source": source,
                "valid": r.valid,
                "first_seen": first, "last_seen": last, "updated_at": now})
            continue
        kept.add(old["id"])
        change: dict[str, Any] = {}
        old_first, old_last = _aware(old["first_seen"]), _aware(old["last_seen"])
        if first is not None and (old_first is None or first < old_first):
            change["first_seen"] = first
        if last is not None and (old_last is None or last > old_last):
            change["last_seen"] = last
        if logic.source_wins(source, old["source"]):
            if old["source"] != source:
                change["source"] = source
            if bool(old["valid"]) != r.valid:
                change["valid"] = r.valid
        if change:
            updates.append({"id": old["id"], **change, "updated_at": now})
        else:
            unchanged += 1
    repo.insert_rows(session, inserts)
    repo.update_rows(session, updates)
    invalidated = 0
    if replace is not None:
        scope = None if replace == "all" else list(replace)
        stale = [o["id"] for o in repo.of_source(session, source, scope)
                 if o["id"] not in kept and (o["customer_id"], o["kind"], o["value_hash"]) not in seen_keys]
        invalidated = repo.invalidate(session, stale, now)
    session.flush()
    return {"loaded": len(inserts) + len(updates), "unchanged": unchanged, "invalidated": invalidated}


def hash_key(platform: Platform) -> bytes:
    """The installation's key of identity hashes."""
    return logic.hash_key(platform.token_key)


@dataclass(frozen=True)
class MasterTarget:
    """What the master copy writes with: the metadata database and the keys (a worker process of a load opens
    these, never the event store)."""

    metadata: Metadata
    cipher: PiiCipher
    key: bytes  # of identity hashes


def master_target(platform: Platform) -> MasterTarget:
    """The platform's metadata database and keys, for the master copy."""
    return MasterTarget(metadata=platform.metadata, cipher=platform.cipher, key=hash_key(platform))


def sync_master(*, platform: Platform, customer_ids: Sequence[str] | None = None,
                now: datetime | None = None) -> dict[str, int]:
    """Copy the customer master's number, phone and e-mail into identities (source `customers`).

    Called after every customer load with the customers it changed or closed; a closed customer's identities
    all become invalid, so no channel addresses a customer the bank no longer has. The copy keeps the master's
    ciphertext: an unchanged phone is recognised by it, without decrypting.
    """
    master = repo.master_rows(platform.store, customer_ids)
    key = hash_key(platform)

    def derive(_: int, kind: str, enc: str) -> tuple[str, str] | None:
        return _decrypted(platform.cipher, key, kind, enc)

    return _copy_master(master_target(platform), master, derive, customer_ids, now or utcnow())


def copy_master(*, target: MasterTarget, master: Sequence[MasterRow], closed: Sequence[str],
                now: datetime | None = None) -> dict[str, int]:
    """`sync_master` of changed customers whose identities a load worked out while their values were in clear.

    `master` holds (customer, phone ciphertext, e-mail ciphertext, mobile hash, mobile mask, e-mail hash, e-mail
    mask[, customer number hash]) as the load stored them, ordered by customer; `closed` the customers the load
    closed. Nothing is decrypted; the rows written are those `sync_master` would write.
    """
    now = now or utcnow()
    ids = [m[0] for m in master]
    with target.metadata.session() as session, repo.bulk_cache(session):
        # A daily delta's customers are read once (what they hold, and their master copies); a first load's
        # many are only asked whether they hold anything (one scan), and the few known read per chunk.
        stored: Stored | None = None
        if len(ids) > repo.WHOLE_READ:
            known = repo.customers_with_any(session, ids)
        else:
            stored = repo.existing_with_copies(session, ids, MASTER_SOURCE)
            known = {k[0] for k in stored[0]}
        added = _insert_fresh(session, target.key, [m for m in master if m[0] not in known], now)
        rest = [m for m in master if m[0] in known]

        def derive(i: int, kind: str, _: str) -> tuple[str, str] | None:
            at = 3 if kind == "mobile" else 5
            hashed, masked = rest[i][at], rest[i][at + 1]
            return None if hashed is None else (hashed, masked or "")

        counts = _copy_master(target, rest, derive, sorted({m[0] for m in rest} | set(closed)), now,
                              session=session, stored=stored)
    return counts | {"loaded": counts["loaded"] + added}


def _insert_fresh(session: Session, key: bytes, master: Sequence[MasterRow], now: datetime) -> int:
    """The master copy of customers holding no identity yet: the rows `apply` would insert, without its lookups."""
    rows: list[tuple[str, str, str | None, str | None, str, str]] = []
    for cid, phone_enc, email_enc, mobile_hash, mobile_mask, email_hash, email_mask, *number in master:
        rows.append((cid, "customer_no", cid, None, number[0] if number else logic.value_hash(key, "customer_no", cid),
                     cid))
        if phone_enc and mobile_hash is not None:
            rows.append((cid, "mobile", None, phone_enc, mobile_hash, mobile_mask or ""))
        if email_enc and email_hash is not None:
            rows.append((cid, "email", None, email_enc, email_hash, email_mask or ""))
    with repo.lookup_index_deferred(session, len(rows)):
        for lo in range(0, len(rows), MASTER_CHUNK * 3):
            repo.insert_master(session, rows[lo:lo + MASTER_CHUNK * 3], source=MASTER_SOURCE, now=now)
    return len(rows)


MASTER_CHUNK = 20_000  # customers per round of the master copy
# (customer, phone ciphertext, e-mail ciphertext, mobile hash, mobile mask, e-mail hash, e-mail mask[, number hash])
MasterRow = tuple[str | None, ...]
Derive = Callable[[int, str, str], tuple[str, str] | None]  # (row, kind, ciphertext) → (hash, mask) or None
Stored = tuple[dict[tuple[str, str, str], dict[str, Any]], dict[tuple[str, str], repo.Copy]]  # existing_with_copies


def _copy_master(target: MasterTarget, master: Sequence[tuple[Any, ...]], derive: Derive,
                 customer_ids: Sequence[str] | None, now: datetime, *, session: Session | None = None,
                 stored: Stored | None = None) -> dict[str, int]:
    """The master copy of `sync_master`; `derive` gives a master value's identity (hash, mask), or None.

    `session`: write in the caller's; `stored`: `repo.existing_with_copies` of every customer of `master`, when
    the caller has read it (else each chunk is read here)."""
    if session is None:
        with target.metadata.session() as own, repo.bulk_cache(own):
            return _copy_master(target, master, derive, customer_ids, now, session=own, stored=stored)
    present = [m[0] for m in master]
    counts = {"loaded": 0, "unchanged": 0, "invalidated": 0}
    for lo in range(0, len(master), MASTER_CHUNK):
        part = master[lo:lo + MASTER_CHUNK]
        found, current = stored or repo.existing_with_copies(session, [m[0] for m in part], MASTER_SOURCE)
        rows: list[IdentityRow] = []
        stale: list[int] = []
        for i, (cid, phone_enc, email_enc, *_) in enumerate(part, start=lo):
            if (cid, "customer_no") not in current:
                rows.append(IdentityRow(customer_id=cid, kind="customer_no", value=cid))
            else:
                counts["unchanged"] += 1
            for kind, enc in (("mobile", phone_enc), ("email", email_enc)):
                copy = current.get((cid, kind))
                if copy is not None and copy[1] == enc:
                    counts["unchanged"] += 1
                    continue
                got = derive(i, kind, enc) if enc else None
                if copy is not None and got is not None and copy[2] == got[0]:
                    counts["unchanged"] += 1  # the same value encrypted anew: the copy stays as it is
                    continue
                if copy is not None:
                    stale.append(copy[0])  # the master's value changed or went away
                if got is not None:  # the value itself is not kept: a secret kind stores its ciphertext
                    rows.append(IdentityRow(customer_id=cid, kind=kind, value="", value_enc=enc,
                                            value_hash=got[0], masked=got[1]))
        counts["invalidated"] += repo.invalidate(session, stale, now)
        _mark_invalid(found, stale)
        applied = apply(session, rows=rows, source=MASTER_SOURCE, cipher=target.cipher, key=target.key, now=now,
                        found=found)
        counts["loaded"] += applied["loaded"]
        counts["unchanged"] += applied["unchanged"]
    if customer_ids is None:
        gone = sorted({o["customer_id"] for o in repo.of_source(session, MASTER_SOURCE, None)
                       if o["kind"] == "customer_no"} - set(present))
    else:
        gone = sorted(set(customer_ids) - set(present))
    counts["invalidated"] += repo.invalidate_customers(session, gone, now)
    return counts


def _mark_invalid(found: dict[tuple[str, str, str], dict[str, Any]], ids: Sequence[int]) -> None:
    """Stored rows just invalidated, as `apply` would read them now."""
    if not ids:
        return
    gone = set(ids)
    for old in found.values():
        if old["id"] in gone:
            old["valid"] = False


def _decrypted(cipher: PiiCipher, key: bytes, kind: str, enc: str) -> tuple[str, str] | None:
    """The identity (hash, mask) a master's ciphertext holds, or None (none, another key's, or not an address)."""
    clear = cipher.decrypt_or_none(enc)
    hashes, masks = logic.master_identities(key, kind, [clear])
    return None if hashes[0] is None else (hashes[0], masks[0] or "")


def merge_events(*, platform: Platform, now: datetime | None = None) -> dict[str, int]:
    """Merge app user ids seen in behaviour events since the last merge (source `events`)."""
    now = now or utcnow()
    since = repo.watermark(platform.store)
    links, upto = repo.event_links(platform.store, since)
    rows = [IdentityRow(customer_id=c, kind="app_user", value=u, first_seen=f.replace(tzinfo=UTC),
                        last_seen=last.replace(tzinfo=UTC)) for c, u, f, last in links if len(u) <= 256]
    with platform.metadata.session() as session:
        counts = apply(session, rows=rows, source=EVENTS_SOURCE, cipher=platform.cipher, key=hash_key(platform),
                       now=now)
    repo.set_watermark(platform.store, upto)
    return counts


# ---- reading: addresses for delivery, lookup by value, what people may see --------------------------------------


def _check_channel(channel: str) -> None:
    if channel not in CHANNEL_KINDS:
        raise BadRequest(f"unknown channel '{channel}' (one of {', '.join(CHANNELS)})", field="channel",
                         code="identities.unknown_channel", params={"channel": channel})


def addresses_of(*, session: Session, customer_ids: Sequence[str], channel: str) -> dict[str, Address]:
    """The address of each customer on a channel; customers without one are absent from the answer."""
    _check_channel(channel)
    by_customer: dict[str, list[Candidate]] = {}
    for r in repo.candidates(session, customer_ids, CHANNEL_KINDS[channel]):
        by_customer.setdefault(r["customer_id"], []).append(Candidate(**r))
    out: dict[str, Address] = {}
    for cid, cands in by_customer.items():
        c = logic.best(channel, cands)
        if c is not None:
            out[cid] = Address(customer_id=cid, channel=channel, kind=c.kind, value_enc=c.value_enc,
                               value=c.value, masked=c.masked, source=c.source)
    return out


def address_of(*, session: Session, customer_id: str, channel: str) -> Address | None:
    """The address of one customer on a channel, or None when the customer has none."""
    return addresses_of(session=session, customer_ids=[customer_id], channel=channel).get(customer_id)


def reveal(address: Address, *, crypto: PiiCipher) -> str:
    """The address in clear: only the delivery worker calls this, at the moment of sending."""
    if address.value_enc is not None:
        value = crypto.decrypt(address.value_enc)
        assert value is not None
        return value
    assert address.value is not None
    return address.value


def customers_by_value(*, session: Session, platform: Platform, kind: str, value: str) -> list[str]:
    """Customers holding an identity (e.g. who has this mobile), found by keyed hash without decrypting."""
    try:
        norm = logic.normalise(kind, value)
    except ValueError:
        return []
    return repo.customers_with(session, kind, logic.value_hash(hash_key(platform), kind, norm))


def list_for_customer(*, session: Session, customer_id: str) -> list[IdentityRead]:
    """A customer's identities, masked."""
    return [IdentityRead(customer_id=r.customer_id, kind=r.kind, masked=r.masked, source=r.source, valid=r.valid,
                         first_seen=_aware(r.first_seen), last_seen=_aware(r.last_seen))
            for r in repo.of_customer(session, customer_id)]


def coverage(*, session: Session, customers: Any, total: int) -> CoverageRead:
    """Per channel, how many of the given customers (a select of ids, `total` of them) have an address."""
    channels = []
    for ch in CHANNELS:
        n = repo.reachable_counts(session, customers, CHANNEL_KINDS[ch]) if total else 0
        channels.append(ChannelCoverage(channel=ch, reachable=n, share=round(n / total, 4) if total else 0.0))
    return CoverageRead(customers=total, channels=channels)


def field_counts(*, session: Session, customers: Any, fields: Sequence[str]) -> tuple[int, list[int], datetime | None]:
    """(valid identities of the given customers (a select of ids), empties per field, latest last_seen)."""
    total, nulls, latest = repo.field_counts(session, customers, fields)
    return total, nulls, as_utc(latest) if latest is not None else None


# ---- idempotent batches ------------------------------------------------------------------------------------------


def request_hash(body: Any) -> str:
    """A digest of a request body (JSON-compatible), to tell a replay from a different batch under one key."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def replayed(session: Session, *, key: str, digest: str) -> dict[str, Any] | None:
    """The first answer of a batch already applied under this key; 409 when the key came with another body."""
    row = repo.batch(session, key)
    if row is None:
        return None
    if row.request_hash != digest:
        raise Conflict("this idempotency key was used for another batch", field="idempotency_key",
                       code="identities.key_reused", params={"key": key})
    return dict(row.result)


def remember(session: Session, *, key: str, digest: str, result: dict[str, Any], username: str | None) -> None:
    """Record a batch's key in the transaction that applies it: a concurrent twin fails on the key."""
    try:
        repo.add_batch(session, IdentityBatch(key=key, request_hash=digest, result=result, username=username,
                                              created_at=utcnow()))
    except IntegrityError:
        raise Conflict("a batch with this idempotency key is being applied", field="idempotency_key",
                       code="identities.key_reused", params={"key": key}) from None
