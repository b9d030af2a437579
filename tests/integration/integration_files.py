"""Lines of files in a bank's shapes, for data-integration tests."""

from __future__ import annotations

CUSTOMER_HEADER = "customer_id,name,gender,phone,id_number,org_code,rm_id,risk_level,birth_date"


def customer_line(cid: str, name: str, org: str = "GD-GZ-001", phone: str = "13912345678", rm: str = "",
                  risk: str = "C3") -> str:
    """One customers.csv line."""
    return f"{cid},{name},F,{phone},440301199005171234,{org},{rm},{risk},1990-05-17"
