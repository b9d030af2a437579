"""Fixtures of data-integration tests: files written in a bank's shapes and loads run through the service.

Every test runs with the metadata (history, locks, orgs) on SQLite, and on PostgreSQL when configured.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mofang.integration import service
from mofang.integration.contracts import LoadRead, Mapping
from mofang.platform.context import Platform
from mofang.platform.settings import Settings


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings whose metadata database is SQLite or a fresh PostgreSQL database."""
    url = request.getfixturevalue("_fresh_pg_database") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", metadata_url=url, start_background=True, scheduler=False)


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Write lines (header first) to a file in the given encoding."""

    def _write(name: str, lines: list[str], encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
        return path

    return _write


@pytest.fixture
def load(platform: Platform) -> Callable[..., LoadRead]:
    """Load a file through the service as user `tester`."""

    def _load(entity: str, path: Path, *, mode: str = "delta", mapping: dict[str, Any] | None = None,
              **kw: Any) -> LoadRead:
        return service.load_file(platform=platform, entity=entity, path=path, file_name=path.name, mode=mode,
                                 mapping=Mapping.model_validate(mapping) if mapping else None, username="tester",
                                 **kw)

    return _load


@pytest.fixture
def products_and_staff(write_file: Callable[..., Path], load: Callable[..., LoadRead]) -> None:
    """Two products and two RMs the customer and holding files refer to."""
    load("products", write_file("products.csv", [
        "product_id,name,product_type,risk_level,rate,term_days,is_liability",
        "DEP-CUR,活期储蓄,活期,R1,0.2,,false", "WM-90,稳享90天,理财,R2,2.85,90,false"]))
    load("staff", write_file("staff.csv", ["rm_id,name,org_code", "RM1,王芳,GD-GZ-001", "RM2,李强,GD-SZ-001"]))
