"""Customer identities: how each customer is addressed on each channel, kept in the metadata DB for every worker.

The reach centre calls `address_of` / `addresses_of` and, inside the delivery worker only, `reveal`.
"""

from mofang.integration.identities.contracts import (
    CHANNEL_KINDS,
    CHANNELS,
    KINDS,
    LOADABLE_KINDS,
    SECRET_KINDS,
    Address,
    CoverageRead,
    IdentityRead,
)
from mofang.integration.identities.logic import IdentityRow, mask, master_identities, normalise, value_hash
from mofang.integration.identities.service import (
    MasterTarget,
    address_of,
    addresses_of,
    apply,
    copy_master,
    coverage,
    customers_by_value,
    field_counts,
    hash_key,
    list_for_customer,
    master_target,
    merge_events,
    reveal,
    sync_master,
)

__all__ = [
    "CHANNELS",
    "CHANNEL_KINDS",
    "KINDS",
    "LOADABLE_KINDS",
    "SECRET_KINDS",
    "Address",
    "CoverageRead",
    "IdentityRead",
    "IdentityRow",
    "MasterTarget",
    "address_of",
    "addresses_of",
    "apply",
    "copy_master",
    "coverage",
    "customers_by_value",
    "field_counts",
    "hash_key",
    "list_for_customer",
    "mask",
    "master_identities",
    "master_target",
    "merge_events",
    "normalise",
    "reveal",
    "sync_master",
    "value_hash",
]
