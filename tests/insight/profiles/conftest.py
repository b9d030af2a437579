"""Profile tests run with the metadata DB on SQLite, and on PostgreSQL when MOFANG_TEST_POSTGRES_URL is set."""

from __future__ import annotations

from pathlib import Path

import pytest

from mofang.platform.settings import Settings


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings whose metadata database is SQLite or a fresh PostgreSQL database."""
    url = request.getfixturevalue("_fresh_pg_database") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", metadata_url=url, start_background=True, scheduler=False)
