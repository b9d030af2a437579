"""Governance tests run on every metadata backend: SQLite always, PostgreSQL when configured."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from factories import postgres_url
from mofang.platform.settings import Settings


@pytest.fixture(scope="session")
def _pg_admin_url() -> str:
    """The configured PostgreSQL URL; skip (or fail in CI) when none is set."""
    url = postgres_url()
    if url is None:
        if os.environ.get("MOFANG_TEST_REQUIRE_ALL"):
            pytest.fail("MOFANG_TEST_POSTGRES_URL is required in CI")
        pytest.skip("PostgreSQL tests skipped: set MOFANG_TEST_POSTGRES_URL to run them")
    return url


@pytest.fixture
def _fresh_pg_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new empty database for one test, dropped afterwards."""
    admin = request.getfixturevalue("_pg_admin_url")
    name = f"mofang_t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings whose metadata database is SQLite or a fresh PostgreSQL database."""
    url = request.getfixturevalue("_fresh_pg_database") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", metadata_url=url, scheduler=False)
