"""Governance: orgs, users, roles, data scope, PII masking and the audit log."""

from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import ROLES, Scope, mask_id_number, mask_name, mask_phone

__all__ = ["ROLES", "Principal", "Scope", "mask_id_number", "mask_name", "mask_phone"]
