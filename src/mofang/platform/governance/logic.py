"""Pure governance rules: roles and permissions, data scope, PII masking."""

from __future__ import annotations

from mofang.platform.governance.contracts import Scope, in_subtree
from mofang.platform.pii import PiiPolicy, mask_email, mask_id_number, mask_name, mask_phone

# Re-exported: callers think of scope and masking as governance logic; PII rules live in platform.pii.
__all__ = ["PiiPolicy", "Scope", "in_subtree", "mask_email", "mask_id_number", "mask_name", "mask_phone"]

# Permissions are coarse on purpose: one per thing a role may see or change.
P_CUSTOMERS_READ = "customers:read"
P_PII_UNMASK = "pii:unmask"
P_ADMIN_USERS = "admin:users"
P_ADMIN_KEYS = "admin:keys"
P_AUDIT_READ = "audit:read"
P_EXPORT = "data:export"
P_ANALYTICS = "analytics:read"
P_CAMPAIGN_EDIT = "campaigns:edit"
P_CAMPAIGN_APPROVE = "campaigns:approve"
P_DATA_LOAD = "data:load"  # load the bank's own customers, holdings, transactions (数据接入)
P_POLICY_EDIT = "policy:edit"  # bank-wide contact policy: caps, quiet hours, control group (全局触达策略)
P_STRATEGY_PUBLISH = "strategy:publish"  # publish, pause, resume, stop and archive strategies (策略中心)

ROLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "admin": ("系统管理员", "Administrator", (
        P_CUSTOMERS_READ, P_PII_UNMASK, P_ADMIN_USERS, P_ADMIN_KEYS, P_AUDIT_READ, P_EXPORT, P_ANALYTICS,
        P_CAMPAIGN_EDIT, P_CAMPAIGN_APPROVE, P_DATA_LOAD, P_POLICY_EDIT, P_STRATEGY_PUBLISH,
    )),
    "hq_operator": ("总行运营", "HQ operator", (P_CUSTOMERS_READ, P_EXPORT, P_ANALYTICS, P_CAMPAIGN_EDIT,
                                                P_POLICY_EDIT, P_STRATEGY_PUBLISH)),
    "branch_operator": ("分行运营", "Branch operator", (P_CUSTOMERS_READ, P_ANALYTICS, P_CAMPAIGN_EDIT,
                                                       P_STRATEGY_PUBLISH)),
    "analyst": ("数据分析师", "Analyst", (P_CUSTOMERS_READ, P_ANALYTICS, P_EXPORT)),
    "approver": ("审批人", "Approver", (P_CUSTOMERS_READ, P_ANALYTICS, P_CAMPAIGN_APPROVE)),
    # An RM calls their own customers, so may see their contact details (each view audited).
    "rm": ("客户经理", "Relationship manager", (P_CUSTOMERS_READ, P_PII_UNMASK)),
}


def permissions_of(role: str) -> frozenset[str]:
    """The permissions a role grants (none for an unknown role)."""
    entry = ROLES.get(role)
    return frozenset(entry[2]) if entry else frozenset()
