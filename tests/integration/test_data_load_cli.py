"""`mofang load`: an operator loads a file into a data dir from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from factories import ORGS
from mofang.cli import app
from mofang.platform.context import open_platform
from mofang.platform.governance import service as gov
from mofang.platform.settings import Settings


def test_mofang_load_reads_a_gbk_tab_file_with_a_mapping_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    platform = open_platform(Settings(data_dir=data))
    with platform.metadata.session() as session:
        gov.upsert_orgs(session=session, orgs=ORGS)
    platform.close()
    file = tmp_path / "khxx.txt"
    file.write_bytes("KHH\tXM\tJG\nK1\t张三\tGD-GZ-001\nK2\t李四\tNOPE\n".encode("gbk"))
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"columns": {"KHH": "customer_id", "XM": "name", "JG": "org_code"}}))

    args = ["load", "--data-dir", str(data), "--entity", "customers", "--file", str(file), "--mapping", str(mapping)]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 1 and "1 of 2 rows rejected" in refused.output
    done = CliRunner().invoke(app, [*args, "--reject-threshold", "0.5"])

    assert done.exit_code == 0, done.output
    assert "read 2, loaded 1, unchanged 0, rejected 1, closed 0" in done.output
    platform = open_platform(Settings(data_dir=data))
    try:
        assert platform.store.query("SELECT customer_id, name FROM customers") == [
            {"customer_id": "K1", "name": "张三"}]
    finally:
        platform.close()
