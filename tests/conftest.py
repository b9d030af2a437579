"""Shared fixtures: a temporary data dir, the platform, the app and logged-in clients."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from factories import ORGS, PASSWORD, postgres_url
from mofang.app import create_app
from mofang.platform.context import Platform, open_metadata, open_platform
from mofang.platform.governance import auth
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import UserCreate
from mofang.platform.settings import Settings

# A loaded CI box makes example generation and single examples slow; what a property test asserts is unchanged.
hypothesis_settings.register_profile("mofang", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("mofang")


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its production cost takes ~0.25 s per hash and per login, and tests create and log in users by the
    hundred: in-process tests hash cheaply (a hash records its own parameters, so verifying works the same)."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings over a fresh temporary data dir (metadata on SQLite unless a test overrides it)."""
    # Daily jobs would start computing tags for the real today in the middle of a test; tests run them by hand.
    return Settings(data_dir=tmp_path / "data", start_background=True, scheduler=False)


@pytest.fixture(scope="session")
def _migrated_metadata(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite metadata file per test process (migrating from nothing costs ~1 s of fsyncs per test)."""
    template = Settings(data_dir=tmp_path_factory.mktemp("metadata") / "data", start_background=True, scheduler=False)
    open_metadata(template).dispose()
    return template.data_dir / "mofang.sqlite"


@pytest.fixture
def platform(settings: Settings, _migrated_metadata: Path) -> Iterator[Platform]:
    """An open platform with the small org tree."""
    target = settings.data_dir / "mofang.sqlite"
    if settings.metadata_url is None and not target.exists():
        # A copy of the migrated template; open_platform still runs the (now no-op) migrations and role sync.
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(_migrated_metadata)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    plat = open_platform(settings)
    with plat.metadata.session() as session:
        gov.upsert_orgs(session=session, orgs=ORGS)
    yield plat
    plat.close()


@pytest.fixture
def app_client(settings: Settings, platform: Platform) -> Iterator[TestClient]:
    """A TestClient around the app (lifespan started)."""
    with TestClient(create_app(settings, platform=platform)) as client:
        yield client


@pytest.fixture
def make_user(platform: Platform) -> Callable[..., str]:
    """Create a user; returns the username."""

    def _make(username: str, role: str, org_code: str, rm_id: str | None = None) -> str:
        with platform.metadata.session() as session:
            gov.create_user(session=session, data=UserCreate(
                username=username, password=PASSWORD, role=role, org_code=org_code, rm_id=rm_id,
            ), actor="test")
        return username

    return _make


@pytest.fixture
def login(app_client: TestClient) -> Callable[[str], dict[str, str]]:
    """Log a user in; returns the Authorization header."""

    def _login(username: str, password: str = PASSWORD) -> dict[str, str]:
        res = app_client.post("/api/auth/login", json={"username": username, "password": password})
        assert res.status_code == 200, res.text
        return {"Authorization": f"Bearer {res.json()['access_token']}"}

    return _login


@pytest.fixture
def admin_headers(make_user: Callable[..., str], login: Callable[[str], dict[str, str]]) -> dict[str, str]:
    """An admin at head office, logged in."""
    return login(make_user("root", "admin", "HQ"))


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
