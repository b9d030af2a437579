"""Rows of the customers and relationship_managers tables, built from the population."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import numpy as np
import pyarrow as pa

from mofang.demo import people
from mofang.demo.finance import TIERS, Holdings
from mofang.demo.orgs import OrgTree
from mofang.demo.population import CHANNELS_ACQ, CONSENTS, INCOME_BANDS, OCCUPATIONS, Population, Staff, region_codes
from mofang.platform.governance.logic import mask_email, mask_id_number, mask_phone

Encrypt = Callable[[str | None], str | None]


def customer_ids(lo: int, hi: int) -> list[str]:
    """Ids of customers lo..hi-1 (the same 'C' + 8 digits the SQL writer builds)."""
    return [f"C{i:08d}" for i in range(lo + 1, hi + 1)]


def staff_table(staff: Staff, tree: OrgTree) -> pa.Table:
    """The relationship_managers table."""
    codes = np.array([leaf.code for leaf in tree.leaves])
    return pa.table({"rm_id": staff.rm_id.tolist(), "name": staff.name.tolist(),
                     "org_code": codes[staff.leaf].tolist()})


def customers_table(
    rng: np.random.Generator, *, pop: Population, staff: Staff, tree: OrgTree, holdings: Holdings,
    phones: np.ndarray, lo: int, hi: int, encrypt: Encrypt, updated_at: datetime,
) -> pa.Table:
    """Customers lo..hi-1 in DDL column order, PII encrypted with a masked copy for display."""
    sl = slice(lo, hi)
    sub = _slice(pop, sl)
    birth_year = sub.birth.astype("datetime64[Y]").astype(np.int64) + 1970
    names, handles = people.names(rng, male=sub.male, birth_year=birth_year)
    ids = people.id_numbers(rng, region=region_codes(rng, sub, tree), birth=sub.birth, male=sub.male)
    mails = people.emails(rng, handle=handles, birth_year=birth_year, has_email=sub.has_email)
    phone_list = phones[sl].tolist()
    id_list = ids.tolist()
    mail_list = [m or None for m in mails.tolist()]
    leaves = tree.leaves
    aum = holdings.aum[sl]
    cols: dict[str, object] = {
        "customer_id": customer_ids(lo, hi),
        "name": names.tolist(),
        "gender": np.where(sub.male, "M", "F").tolist(),
        "birth_date": pa.array(sub.birth.astype("datetime64[D]")),
        "province": [leaves[i].province for i in sub.leaf],
        "city": [leaves[i].city for i in sub.leaf],
        "occupation": np.array(OCCUPATIONS)[sub.occupation].tolist(),
        "income_band": np.array(INCOME_BANDS)[sub.income].tolist(),
        "risk_level": np.char.add("C", sub.risk.astype("<U1")).tolist(),
        "open_date": pa.array(sub.open_date.astype("datetime64[D]")),
        "acquisition_channel": np.array(CHANNELS_ACQ)[sub.acquisition].tolist(),
        "org_code": [leaves[i].code for i in sub.leaf],
        "rm_id": [staff.rm_id[r] if r >= 0 else None for r in sub.rm],
        "tier": np.array(TIERS)[np.searchsorted([50_000, 500_000, 6_000_000], aum, side="right")].tolist(),
        "aum": pa.array(aum, pa.float64()),
    }
    for channel in CONSENTS:
        cols[f"consent_{channel}"] = pa.array(sub.consent[channel])
    cols.update({
        "phone_enc": [encrypt(p) for p in phone_list],
        "phone_masked": [mask_phone(p) for p in phone_list],
        "phone_last4": [p[-4:] for p in phone_list],
        "id_enc": [encrypt(i) for i in id_list],
        "id_masked": [mask_id_number(i) for i in id_list],
        "email_enc": [encrypt(m) for m in mail_list],
        "email_masked": [mask_email(m) for m in mail_list],
        "updated_at": pa.array([updated_at] * (hi - lo), pa.timestamp("us")),
    })
    return pa.table(cols)


def _slice(pop: Population, sl: slice) -> Population:
    """The same population restricted to a range of customers."""
    fields = {k: (v[sl] if isinstance(v, np.ndarray) else v) for k, v in vars(pop).items()}
    fields["consent"] = {k: v[sl] for k, v in pop.consent.items()}
    fields["n"] = sl.stop - sl.start
    return Population(**fields)
