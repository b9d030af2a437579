"""Sources: saved mappings, one load at a time per source, orgs and transactions, the migration on both databases."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from integration_files import CUSTOMER_HEADER, customer_line
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from factories import postgres_url
from mofang.integration import service
from mofang.integration.contracts import LoadRead
from mofang.integration.models import DataLoad, LoadLock
from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, Invalid
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Scope
from mofang.platform.storage.metadata import make_engine, migrate


@pytest.mark.usefixtures("products_and_staff")
def test_a_source_remembers_its_mapping_for_the_next_file(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    lines = ["NO\tKHMC\tJGDM", "K1\t张三\tGD-GZ-001"]
    load("customers", write_file("day1.tsv", lines), source="core",
         mapping={"columns": {"NO": "customer_id", "KHMC": "name", "JGDM": "org_code"}})
    report = load("customers", write_file("day2.tsv", [*lines, "K2\t李四\tGD-SZ-001"]), source="core")

    assert (report.rows_loaded, report.rows_unchanged) == (1, 1)
    assert platform.store.scalar("SELECT org_code FROM customers WHERE customer_id = 'K2'") == "GD-SZ-001"


@pytest.mark.usefixtures("products_and_staff")
def test_a_column_mapped_to_nothing_is_not_loaded_even_when_its_header_is_an_alias(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    load("customers", write_file("c.csv", ["客户号,姓名,管户机构,手机号码", "K1,张三,GD-GZ-001,13912345678"]),
         mapping={"columns": {"手机号码": ""}})

    assert platform.store.scalar("SELECT phone_enc FROM customers WHERE customer_id = 'K1'") is None


def test_a_second_load_of_a_running_source_is_refused(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    with platform.metadata.session() as session:
        session.add(LoadLock(source="core", load_id=99))
    path = write_file("s.csv", ["rm_id,name,org_code", "RM1,王芳,GD-GZ-001"])
    with pytest.raises(Conflict) as err:
        load("staff", path, source="core")

    assert err.value.code == "integration.load_running" and err.value.params["load_id"] == 99
    assert platform.store.scalar("SELECT count(*) FROM relationship_managers") == 0
    assert load("staff", path, source="hr").rows_loaded == 1  # other sources are not held up


def test_a_lock_left_by_a_stopped_process_does_not_block_the_source_forever(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    path = write_file("s.csv", ["rm_id,name,org_code", "RM1,王芳,GD-GZ-001"])
    crashed = load("staff", path, source="core")
    with platform.metadata.session() as session:  # as a process killed mid-load leaves it
        session.get(DataLoad, crashed.id).status = "running"
        session.add(LoadLock(source="core", load_id=crashed.id, holder=f"{service.HOST}:{_dead_pid()}:abc"))
        session.add(LoadLock(source="remote", load_id=crashed.id, holder=f"other-host:{_dead_pid()}:abc"))

    assert load("staff", path, source="core").status == "ok"
    assert service.get_load_or_raise(platform=platform, load_id=crashed.id).error_code == "integration.interrupted"
    with pytest.raises(Conflict):  # another host's process cannot be judged from here
        load("staff", path, source="remote")


def _dead_pid() -> int:
    """The pid of a process that has exited."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_orgs_load_into_the_tree_parents_first_and_an_orphan_is_rejected(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    report = load("orgs", write_file("o.csv", [
        "机构代码,机构名称,上级机构,层级", "GD-FS-001,佛山禅城支行,GD-FS,3", "GD-FS,佛山市分行,GD,2",
        "XX-1,孤儿支行,XX,3"]), reject_threshold=0.5)

    assert (report.rows_loaded, report.rows_rejected) == (2, 1)
    with platform.metadata.session() as session:
        names = {o.code: o.parent_code for o in gov.list_orgs(session=session, scope=Scope(kind="all"))}
    assert names["GD-FS-001"] == "GD-FS" and "XX-1" not in names


@pytest.mark.usefixtures("products_and_staff")
def test_transactions_load_by_id_and_a_resent_one_replaces_the_first(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    load("customers", write_file("c.csv", [CUSTOMER_HEADER, customer_line("K1", "张三")]))
    header = "txn_id,customer_id,ts,txn_type,direction,amount,channel"
    load("transactions", write_file("t1.csv", [header, "T1,K1,2026-03-01 09:00:00,salary,in,8500,代发",
                                               "T2,K1,2026-03-02 12:00:00,card_spend,out,120.5,POS"]))
    again = load("transactions", write_file("t2.csv", [header, "T2,K1,2026-03-02 12:00:00,card_spend,out,99,POS",
                                                       "T3,K404,2026-03-02 12:00:00,card_spend,out,1,POS"]),
                 reject_threshold=0.5)

    assert (again.rows_loaded, again.rows_rejected) == (1, 1)
    rows = platform.store.query("SELECT txn_id, amount FROM transactions ORDER BY txn_id")
    assert rows == [{"txn_id": "T1", "amount": 8500.0}, {"txn_id": "T2", "amount": 99.0}]
    with pytest.raises(Invalid):
        load("transactions", write_file("t3.csv", [header, "T9,K1,yesterday,salary,in,1,x"]))


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty metadata database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'meta.db'}")
        yield eng
        eng.dispose()
        return
    admin_url = postgres_url()
    if admin_url is None:
        pytest.skip("PostgreSQL tests skipped: set MOFANG_TEST_POSTGRES_URL to run them")
    name = f"mofang_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng = make_engine(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_migration_creates_the_history_tables(engine: Engine) -> None:
    migrate(engine)
    migrate(engine)  # idempotent

    tables = set(inspect(engine).get_table_names())
    assert {"integration_sources", "integration_loads", "integration_locks"} <= tables


@pytest.mark.usefixtures("products_and_staff")
def test_fact_rows_are_checked_cell_by_cell_with_the_same_reasons(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    load("customers", write_file("c.csv", [CUSTOMER_HEADER, customer_line("K1", "张三")]))
    header = "流水号|客户号|交易时间|交易类型|方向|金额"
    report = load("transactions", write_file("t.txt", [
        header, "T1|K1|2026-03-01 09:00:00|salary|in|8,500.00", "T2|K1|20260302120000|card_spend|out|120.5",
        "T3|K1|2026-03-02T12:00:00|card_spend|sideways|1", "T4|K1|someday|card_spend|out|abc",
        "T5|K1|2026-03-02|card_spend|out|-5", "|K1|2026-03-02|card_spend|out|5", "T1|K1|2026-03-03|salary|in|1"]),
        reject_threshold=0.9)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (7, 2, 5)
    rows = platform.store.query("SELECT txn_id, ts::VARCHAR AS ts, amount FROM transactions ORDER BY txn_id")
    assert rows == [{"txn_id": "T1", "ts": "2026-03-01 09:00:00", "amount": 8500.0},
                    {"txn_id": "T2", "ts": "2026-03-02 12:00:00", "amount": 120.5}]
    text = (platform.settings.data_dir / "integration" / "rejects" / f"{report.id}.csv").read_text("utf-8-sig")
    lines = set(text.splitlines())
    assert {"3,direction,not one of in/out,sideways", "4,amount,not a number,abc",
            "5,amount,negative (direction says in or out),'-5", "6,txn_id,required,",
            "7,txn_id,duplicate key (first seen on row 1),"} <= lines
    assert any(line.startswith("4,ts,not a time") for line in lines)
