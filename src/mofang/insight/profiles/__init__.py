"""Customer profiles: what a worker needs to decide about a customer, readable by every worker (metadata DB)."""

from mofang.insight.profiles.contracts import Profile, RefreshReport
from mofang.insight.profiles.service import (
    PreparedRefresh,
    count_in_scope,
    get_profile,
    get_profiles,
    orgs_of,
    pending_writes,
    prepare_refresh,
    refresh_best_hours,
    refresh_if_stale,
    refresh_profiles,
    scoped_customers,
    set_attribute,
    set_tag,
    smart_counts,
    write_refresh,
    write_scores,
    written,
)

__all__ = [
    "PreparedRefresh",
    "Profile",
    "RefreshReport",
    "count_in_scope",
    "get_profile",
    "get_profiles",
    "orgs_of",
    "pending_writes",
    "prepare_refresh",
    "refresh_best_hours",
    "refresh_if_stale",
    "refresh_profiles",
    "scoped_customers",
    "set_attribute",
    "set_tag",
    "smart_counts",
    "write_refresh",
    "write_scores",
    "written",
]
