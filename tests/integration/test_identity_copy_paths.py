"""A customers load copies identities from what it staged (nothing decrypted) and refreshes profiles beside the
copy: the rows written are those of the decrypting copy (`sync_master`) run one step after the other, on awkward
phones and e-mails, through first loads, deltas, a delta without e-mail and a full load that closes customers."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from factories import ORGS
from mofang.insight.profiles.models import CustomerProfile
from mofang.integration import service
from mofang.integration.identities import repository as identity_repo
from mofang.integration.identities.models import CustomerIdentity
from mofang.integration.service import after_load, loads, stager, staging
from mofang.platform.context import Platform, open_platform
from mofang.platform.governance import service as gov
from mofang.platform.settings import Settings

pytestmark = pytest.mark.usefixtures("products_and_staff")

PHONES = ["13912345678", "+8613912345678", "0086 139 1234 5678", "139-1234-5678", " 13800001111 ", "8613700002222",
          "020-12345678", "12345678901", "", None, "１３９１２３４５６７８", "139123456789", "13912345678"]
EMAILS = ["A.B@Example.COM", "bad@", "x@y", None, "", " u@e.cn ", "张@例子.中国", "a+b@x.co", "kh@example.com",
          "KH@EXAMPLE.COM"]


def _customers(rng: random.Random, ids: list[str], *, email: bool = True) -> pa.Table:
    cols: dict[str, list[Any]] = {
        "customer_id": ids, "name": [rng.choice(["张三", "李四", "欧阳\"娜\\\\娜", "王"]) for _ in ids],
        "org_code": [rng.choice(["GD-GZ-001", "GD-SZ-001"]) for _ in ids],
        "rm_id": [rng.choice(["RM1", "RM2", None]) for _ in ids],
        "tier": [rng.choice(["大众", "财富"]) for _ in ids],
        "phone": [rng.choice(PHONES) for _ in ids]}
    if email:
        cols["email"] = [rng.choice(EMAILS) for _ in ids]
    return pa.table(cols)


def _steps(seed: int) -> Iterator[tuple[str, pa.Table]]:
    rng = random.Random(seed)
    ids = [f"K{i:03d}" for i in range(40)]
    yield "full", _customers(rng, ids)
    yield "delta", _customers(rng, [*rng.sample(ids, 15), "K100", "K101"])  # changes, unchanged values, new ones
    yield "delta", _customers(rng, rng.sample(ids, 10), email=False)  # without e-mail: the table's is kept
    yield "full", _customers(rng, [*(i for i in ids if rng.random() < 0.7), "K102"])  # closes the rest


def _load(platform: Platform, path: Path, mode: str) -> None:
    service.load_file(platform=platform, entity="customers", path=path, file_name=path.name, mode=mode,
                      username="tester", reject_threshold=1.0)


def _identities(platform: Platform) -> list[tuple[Any, ...]]:
    with platform.metadata.session() as session:
        rows = session.scalars(select(CustomerIdentity)).all()
        return sorted((r.customer_id, r.kind, r.value, platform.cipher.decrypt(r.value_enc), r.value_hash, r.masked,
                       r.source, bool(r.valid), r.first_seen, r.last_seen) for r in rows)


def _profiles(platform: Platform) -> list[tuple[Any, ...]]:
    with platform.metadata.session() as session:
        out = []
        for r in session.scalars(select(CustomerProfile)).all():
            personal = platform.cipher.decrypt(r.personal_enc)
            if personal is not None:  # the text as json.dumps wrote it before
                assert personal == json.dumps(json.loads(personal), ensure_ascii=False, sort_keys=True)
            out.append((r.customer_id, r.org_code, r.rm_id, r.tier, r.attributes, r.tags, r.segments, r.consents,
                        personal, platform.cipher.decrypt(r.phone_enc), platform.cipher.decrypt(r.email_enc)))
            # (the row hash covers the ciphertexts, which differ between two encryptions of one value)
        return sorted(out)


@pytest.fixture
def reference(platform: Platform, tmp_path: Path) -> Iterator[Platform]:
    """A second installation with the same keys, orgs, staff and products, on SQLite."""
    settings = Settings(data_dir=tmp_path / "reference", start_background=False, scheduler=False)
    shutil.copytree(platform.settings.secrets_dir(), settings.secrets_dir())
    other = open_platform(settings)
    with other.metadata.session() as session:
        gov.upsert_orgs(session=session, orgs=ORGS)
    staff = tmp_path / "ref_staff.parquet"
    pq.write_table(pa.table({"rm_id": ["RM1", "RM2"], "name": ["王芳", "李强"],
                             "org_code": ["GD-GZ-001", "GD-SZ-001"]}), staff)
    service.load_file(platform=other, entity="staff", path=staff, file_name=staff.name, mode="delta",
                      username="tester")
    yield other
    other.close()


@pytest.mark.parametrize(("seed", "how"), [(1, "inline"), (2, "index after"), (3, "pooled")])
def test_identities_and_profiles_equal_those_of_the_decrypting_copy(
    platform: Platform, reference: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int,
    how: str,
) -> None:
    for n, (mode, table) in enumerate(_steps(seed)):
        path = tmp_path / f"c{n}.parquet"
        pq.write_table(table, path)
        with monkeypatch.context() as m:
            if how == "pooled":  # as a large load: batches of 8, all but the first two hashed and encrypted in
                # worker processes, and the identity copy in one (the reference does everything in this process)
                m.setattr(staging, "BATCH_ROWS", 8)
                m.setattr(stager, "POOL_AFTER_ROWS", 10)
            if how == "index after":  # SQLite, as a first load of millions: the lookup index is built after
                m.setattr(identity_repo, "DEFER_INDEX_ROWS", 10)
            _load(platform, path, mode)
        with monkeypatch.context() as m:  # the reference stages no identities: its copy decrypts, step by step
            m.setattr(loads, "identity_stage_columns", lambda *_: {})
            m.setattr(staging, "identity_stage_columns", lambda *_: {})
            m.setattr(after_load, "ThreadPoolExecutor", _InlineExecutor)
            _load(reference, path, mode)
        got, want = _identities(platform), _identities(reference)
        assert [r[:8] for r in got] == [r[:8] for r in want], (seed, n)
        assert _profiles(platform) == _profiles(reference), (seed, n)
    assert any(r[1] == "mobile" and not r[7] for r in got)  # a changed phone's old copy was invalidated
    with platform.metadata.session() as session:  # the lookup by value still has its index
        plan = session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT customer_id FROM customer_identities WHERE kind = 'mobile' AND value_hash = 'x'"
        ).fetchall() if session.connection().dialect.name == "sqlite" else [("ix_customer_identities_lookup",)]
        assert "ix_customer_identities_lookup" in str(plan)
    assert {r[1] for r in got if r[7]} == {"customer_no", "mobile", "email"}


class _InlineExecutor:
    """Runs what is submitted at once, in the caller's thread (the copy before the profiles, as it used to be)."""

    def __init__(self, *_: Any, **__: Any) -> None:
        pass

    def __enter__(self) -> _InlineExecutor:
        return self

    def __exit__(self, *_: Any) -> None:
        pass

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        return type("Done", (), {"result": staticmethod(lambda: result)})()
