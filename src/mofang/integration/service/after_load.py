"""What follows a load that changed customers: their identities (master copy) and profiles brought up to date."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa

from mofang.insight import profiles
from mofang.integration import identities
from mofang.integration.service import stager
from mofang.integration.service.staging import IDENTITY_COLUMNS
from mofang.platform.context import Platform
from mofang.platform.crypto import PiiCipher
from mofang.platform.storage.metadata import Metadata

log = logging.getLogger("mofang.integration")


def after_customer_changes(platform: Platform, *, stage: str, load_id: int, identities_too: bool) -> None:
    """Copy the changed customers' phone and e-mail into identities, and refresh their profiles (delta only)."""
    with platform.store.read() as cur:
        changed = [r[0] for r in cur.execute(
            f'SELECT DISTINCT customer_id FROM "{stage}" WHERE _changed').fetchall()]
        closed = [r[0] for r in cur.execute(
            "SELECT business_key FROM integration_closures WHERE load_id = ? AND entity = 'customers'",
            [load_id]).fetchall()]
    ids = sorted(set(changed) | set(closed))
    try:
        # Both cores: the identity copy (SQLite or PostgreSQL does most of its work without the GIL) runs beside
        # the profiles' computation (DuckDB, encryption); the profiles are written once the copy is committed.
        with ThreadPoolExecutor(1, thread_name_prefix="identity-copy") as pool:
            copied = pool.submit(_copy_identities, platform, stage=stage, ids=ids, closed=closed) \
                if identities_too else None
            prepared = profiles.prepare_refresh(platform=platform, customer_ids=ids)
            if copied is not None:
                copied.result()
        profiles.write_refresh(platform=platform, prepared=prepared)
    except Exception:  # the load itself is committed; the daily refresh brings these customers up to date
        log.exception("load %s: refreshing identities and profiles of %d customers failed", load_id, len(ids))


def _copy_identities(platform: Platform, *, stage: str, ids: list[str], closed: list[str]) -> None:
    """The master copy from what the load staged (nothing to decrypt) when it staged identities, else the table.

    A large copy runs in a worker process: binding millions of rows for SQLite holds the GIL, and the profiles
    are computed in this process meanwhile."""
    with platform.store.read() as cur:
        have = {r[0] for r in cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                                          [stage]).fetchall()}
        master = cur.sql(
            f'SELECT customer_id, phone_enc, email_enc, {", ".join(IDENTITY_COLUMNS)} FROM "{stage}" '
            "WHERE _changed ORDER BY customer_id").to_arrow_table() if have.issuperset(IDENTITY_COLUMNS) else None
    if master is None:
        identities.sync_master(platform=platform, customer_ids=ids)
    elif master.num_rows < stager.POOL_AFTER_ROWS:
        identities.copy_master(target=identities.master_target(platform), master=_rows(master), closed=closed)
    else:
        target = identities.master_target(platform)
        with stager.spawned_pool(1) as pool:
            pool.submit(_copy_in_worker, platform.settings.resolved_metadata_url(),
                        str(platform.settings.secrets_dir()), target.key, master, closed).result()


def _rows(table: pa.Table) -> list[tuple[Any, ...]]:
    return list(zip(*(table.column(c).to_pylist() for c in table.column_names), strict=True))


def _copy_in_worker(metadata_url: str, secrets_dir: str, key: bytes, master: pa.Table, closed: list[str]) -> None:
    """`identities.copy_master` in a worker process, on its own connection to the metadata database."""
    metadata = Metadata(metadata_url)
    try:
        target = identities.MasterTarget(metadata=metadata, cipher=PiiCipher(Path(secrets_dir)), key=key)
        identities.copy_master(target=target, master=_rows(master), closed=closed)
    finally:
        metadata.dispose()


def after_staff_changes(platform: Platform, *, stage: str, load_id: int) -> None:
    """Refresh the profiles of the customers of changed or closed RMs (a send shows the RM's name)."""
    with platform.store.read() as cur:
        ids = [r[0] for r in cur.execute(
            f"""SELECT customer_id FROM customers WHERE rm_id IN (SELECT rm_id FROM "{stage}" WHERE _changed
                UNION ALL SELECT business_key FROM integration_closures WHERE load_id = ? AND entity = 'staff')""",
            [load_id]).fetchall()]
    if not ids:
        return
    try:
        profiles.refresh_profiles(platform=platform, customer_ids=ids)
    except Exception:  # the load itself is committed; the daily refresh brings these customers up to date
        log.exception("load %s: refreshing the profiles of %d customers of changed RMs failed", load_id, len(ids))
