"""Data integration (数据接入): the bank's own orgs, staff, products, customers, identities and ledgers.

The facade other packages use; it stays light (no services) so that packages the loads call can import it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from mofang.integration.contracts import ATTR_PREFIX, AttributeRead
from mofang.integration.repository import attributes as _attributes
from mofang.integration.repository import ensure_tables as ensure_store_tables


def declared_attributes(session: Session) -> list[AttributeRead]:
    """The bank's declared customer attributes (field `attr:<key>`), with their types and PII flags."""
    return [AttributeRead(key=a.key, type=a.type, zh=a.zh, pii=a.pii)  # type: ignore[arg-type]
            for a in _attributes(session)]


__all__ = ["ATTR_PREFIX", "AttributeRead", "declared_attributes", "ensure_store_tables"]
