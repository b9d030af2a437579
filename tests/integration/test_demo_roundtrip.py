"""The demo goes through the same door: its bank exported as documented files and loaded into a fresh data dir
yields the demo's own tables, row for row (PII compared decrypted)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from demo.bank import make_bank
from mofang.cli import app as cli_app
from mofang.demo.export import NOT_EXPORTED, ORDER, export_bank, load_bank
from mofang.demo.identities import prepare_identities
from mofang.integration.schemas import ENTITIES
from mofang.platform.context import Platform, open_platform
from mofang.platform.settings import Settings

_CIPHER = {"phone_enc", "id_enc", "email_enc"}  # Fernet tokens differ per encryption: compared decrypted


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """A small demo bank, its export, and a fresh data dir that loaded the export."""
    root = tmp_path_factory.mktemp("roundtrip")
    bank = make_bank(root / "demo")
    prepare_identities(platform=bank.platform, seed=7)  # as `mofang seed` does: WeChat ids and push tokens
    counts = export_bank(platform=bank.platform, out_dir=root / "files")
    fresh = open_platform(Settings(data_dir=root / "fresh", start_background=False, scheduler=False))
    reports = load_bank(platform=fresh, in_dir=root / "files", username="demo")
    yield bank, fresh, counts, reports, root / "files"
    fresh.close()
    bank.platform.close()


def _rows(platform: Platform, table: str) -> list[tuple]:
    """Every row of a table, sorted, with ciphertext columns decrypted and unloadable columns left out."""
    with platform.store.read() as cur:
        cols = [r[0] for r in cur.execute(f"DESCRIBE {table}").fetchall()]
        skip = {c for cols_ in NOT_EXPORTED.values() for c in cols_}
        keep = [c for c in cols if c not in skip]
        rows = cur.execute(f"SELECT {', '.join(keep)} FROM {table}").fetchall()
    at = [i for i, c in enumerate(keep) if c in _CIPHER]
    out = []
    for row in rows:
        row = list(row)
        for i in at:
            row[i] = platform.cipher.decrypt(row[i])
        out.append(tuple(row))
    return sorted(out, key=repr)


def test_files_carry_the_documented_columns(demo) -> None:
    bank, _, counts, _, files = demo
    for name in ORDER:
        assert pq.read_schema(files / f"{name}.parquet").names == list(ENTITIES[name].keys)
    assert counts["customers"] == bank.report.counts["customers"]
    assert counts["transactions"] == bank.report.counts["transactions"] > 0
    # PII travels in clear in the files (the bank's own export), never as the demo's ciphertext.
    phones = pq.read_table(files / "customers.parquet", columns=["phone"])["phone"].to_pylist()
    assert all(p and p.isdigit() and len(p) == 11 for p in phones)


def test_every_row_loads_without_a_reject(demo) -> None:
    _, _, counts, reports, _ = demo
    assert [r.entity for r in reports] == list(ORDER)
    for r in reports:
        assert (r.status, r.rows_rejected, r.rows_read) == ("ok", 0, counts[r.entity]), r.entity


@pytest.mark.parametrize("table", ["relationship_managers", "products", "customers", "holdings", "transactions",
                                   "aum_daily"])
def test_loaded_tables_equal_the_demo_tables(demo, table: str) -> None:
    bank, fresh, *_ = demo
    mine, theirs = _rows(fresh, table), _rows(bank.platform, table)
    assert len(mine) == len(theirs) > 0
    assert mine == theirs


def test_identities_from_bank_systems_come_back(demo) -> None:
    bank, fresh, counts, *_ = demo
    from sqlalchemy import select

    from mofang.integration.identities.models import CustomerIdentity as Row

    def ids(p: Platform) -> list[tuple]:
        with p.metadata.session() as s:
            rows = s.execute(select(Row.customer_id, Row.kind, Row.value, Row.value_enc, Row.masked, Row.valid)
                             .where(Row.kind.in_(["wechat_openid", "wechat_unionid", "push_token"]))).all()
        return sorted((r.customer_id, r.kind, p.cipher.decrypt(r.value_enc) if r.value_enc else r.value, r.masked,
                       r.valid) for r in rows)

    assert counts["identities"] > 0
    assert ids(fresh) == ids(bank.platform)


def test_orgs_equal(demo) -> None:
    bank, fresh, *_ = demo

    def orgs(p: Platform) -> list[tuple]:
        with p.metadata.session() as s:
            from mofang.platform.governance import service as gov
            from mofang.platform.governance.contracts import Scope
            return sorted((o.code, o.name, o.parent_code, o.level) for o in gov.list_orgs(session=s,
                                                                                        scope=Scope(kind="all")))

    assert orgs(fresh) == orgs(bank.platform)


def test_customers_only_differ_in_when_they_were_written(demo) -> None:
    bank, fresh, *_ = demo
    assert NOT_EXPORTED == {"customers": ("updated_at",)}
    # Everything else of a customer, including the masked copies shown in the console, came through the files.
    q = "SELECT customer_id, phone_masked, id_masked, email_masked, name FROM customers ORDER BY 1"
    assert fresh.store.query(q) == bank.platform.store.query(q)


def test_every_demo_transaction_became_one_event(demo) -> None:
    bank, fresh, *_ = demo
    # The default rules name every transaction type the demo books; events carry the transaction's customer and time.
    q = """SELECT count(*) AS joined, count(DISTINCT e.message_id) AS ids,
                  count(*) FILTER (e.customer_id = t.customer_id AND e.ts = t.ts) AS same,
                  (SELECT count(*) FROM events) AS events
           FROM events e JOIN transactions t ON e.message_id = 'txn:' || t.txn_id"""
    n = bank.report.counts["transactions"]
    assert fresh.store.query(q)[0] == {"joined": n, "ids": n, "same": n, "events": n}


def test_seed_export_writes_the_files_the_loader_reads(tmp_path: Path) -> None:
    out = tmp_path / "files"
    result = CliRunner().invoke(cli_app, ["seed", "--data-dir", str(tmp_path / "d"), "--customers", "30", "--days",
                                          "3", "--export", str(out)])
    assert result.exit_code == 0, result.output
    assert f"exported to {out}: 261 orgs, 856 staff, 40 products, 30 customers" in result.output
    # Loaded back by the ops command, entity by entity, with no reject.
    for name in ORDER:
        done = CliRunner().invoke(cli_app, ["load", "--data-dir", str(tmp_path / "fresh"), "--entity", name,
                                            "--file", str(out / f"{name}.parquet"), "--reject-threshold", "0"])
        assert done.exit_code == 0 and "rejected 0" in done.output, done.output
