"""After an upgrade that added profile columns (their hashes blanked), the server recomputes the profiles once."""

from __future__ import annotations

from sqlalchemy import update

from factories import add_customers
from mofang.insight.profiles import refresh_if_stale
from mofang.insight.profiles.models import CustomerProfile
from mofang.platform.context import Platform


def test_stale_profiles_are_recomputed_once(platform: Platform) -> None:
    add_customers(platform, {"u1": {"name": "张三", "org_code": "GD-SZ-001", "phone": "13912345678"}})
    assert refresh_if_stale(platform=platform) is None  # nothing stale: nothing done
    with platform.metadata.session() as session:  # what migration 0031 did to an existing installation
        session.execute(update(CustomerProfile).values(row_hash="", personal_enc=None))
    report = refresh_if_stale(platform=platform)
    assert report is not None and report.written == 1
    with platform.metadata.session() as session:
        row = session.get(CustomerProfile, "u1")
        assert row is not None and row.row_hash and row.personal_enc
        assert "张" not in row.personal_enc  # encrypted, never the name in clear
    assert refresh_if_stale(platform=platform) is None
