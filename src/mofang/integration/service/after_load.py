"""What follows a load that changed customers: their identities (master copy) and profiles brought up to date."""

from __future__ import annotations

import logging

from mofang.insight import profiles
from mofang.integration import identities
from mofang.platform.context import Platform

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
        if identities_too:
            identities.sync_master(platform=platform, customer_ids=ids)
        profiles.refresh_profiles(platform=platform, customer_ids=ids)
    except Exception:  # the load itself is committed; the daily refresh brings these customers up to date
        log.exception("load %s: refreshing identities and profiles of %d customers failed", load_id, len(ids))


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
