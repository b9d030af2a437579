"""The console in a real browser: an admin uploads a GBK customers file with Chinese headers, maps a column, loads
it, sees the rejects in the history and the loaded customer in 客户360."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from ui import login_ui, pick

from factories import add_rms

pytestmark = pytest.mark.browser

CSV = "\n".join([
    "客户编号|客户姓名|手机号码|管护网点|客户经理号",
    "K1|张三|13912345678|GD-GZ-001|RM1",
    "K2|李四|13700001111|GD-SZ-001|",
    "K3|王五|13600002222|NOWHERE|",
]) + "\n"


@pytest.fixture
def admin(platform, make_user) -> None:
    """An admin at head office and one RM in Guangzhou."""
    add_rms(platform, {"RM1": ("王芳", "GD-GZ-001")})
    make_user("admin1", "admin", "HQ")


@pytest.mark.usefixtures("admin")
def test_admin_maps_and_loads_a_customers_file_then_sees_rejects_and_the_customer(
    live_server: str, page, tmp_path,
) -> None:
    path = tmp_path / "客户.csv"
    path.write_bytes(CSV.encode("gbk"))
    login_ui(page, live_server, "admin1")
    page.goto(live_server + "/admin/data")
    page.locator("input[type=file]").set_input_files(str(path))

    preview = page.get_by_test_id("data-preview")
    expect(preview).to_contain_text("张三")
    expect(page.get_by_test_id("data-missing")).to_contain_text("管户机构")
    expect(page.get_by_test_id("data-load")).to_be_disabled()
    pick(page, "map-管护网点", "管户机构")
    expect(page.get_by_test_id("data-missing")).to_have_count(0)
    expect(page.get_by_test_id("data-mapped")).to_contain_text("GD-GZ-001")
    page.locator("input[data-testid=data-threshold], [data-testid=data-threshold] input").first.fill("50")
    page.get_by_test_id("data-load").click()

    expect(page.get_by_test_id("data-result")).to_contain_text("拒绝 1 行")
    expect(page.get_by_test_id("load-rows-1")).to_have_text("3 / 2 / 0 / 1 / 0")
    with page.expect_download() as download:
        page.get_by_test_id("load-rejects-1").click()
    rejects = download.value.path().read_text(encoding="utf-8-sig")
    assert "3,org_code,no such org,NOWHERE" in rejects
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(tmp_path / "data-loads.png"))

    page.goto(live_server + "/insight/customers/K1")
    expect(page.locator("body")).to_contain_text("王芳")
    expect(page.locator("body")).to_contain_text("139****5678")
