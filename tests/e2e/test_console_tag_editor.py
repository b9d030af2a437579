"""The tag editor in a real browser: a head-office operator defines a banded login-count tag, computes it, sees its
distribution, saves a second version; bad definitions show their error next to the field; imported tags take a CSV."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui, pick

from factories import PASSWORD, add_customers, events_for

pytestmark = pytest.mark.browser

NAME = "近30天登录次数分档"


def ago(days: int) -> datetime:
    """Early morning `days` days ago (well inside a rolling window that counts today)."""
    return (datetime.now() - timedelta(days=days)).replace(hour=4, minute=0, second=0, microsecond=0)


@pytest.fixture
def bank(platform, make_user) -> None:
    """Four customers who log in never, twice, six times, or only long ago; an HQ operator."""
    add_customers(platform, {
        "L1": {"name": "赵一", "org_code": "GD-SZ-001"},
        "L2": {"name": "赵二", "org_code": "GD-SZ-001"},
        "L3": {"name": "赵三", "org_code": "GD-GZ-001"},
        "L4": {"name": "赵四", "org_code": "ZJ-HZ-001"},
    })
    events_for(platform, {
        "L2": [("login", ago(d), {}) for d in (1, 9)],
        "L3": [("login", ago(d), {}) for d in (0, 2, 3, 5, 8, 13)],
        "L4": [("login", ago(40), {})],
    })
    make_user("hq_ops", "hq_operator", "HQ")


def fill_band(page, i: int, label: str, upper: str | None = None) -> None:
    """Type a band's label and (but for the last band) its upper limit."""
    page.get_by_test_id(f"tag-band-{i}-label").fill(label)
    if upper is not None:
        page.get_by_test_id(f"tag-band-{i}-upper").locator("input").fill(upper)


@pytest.mark.usefixtures("bank")
def test_hq_operator_defines_runs_and_versions_a_banded_behaviour_tag(live_server: str, page) -> None:
    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + "/insight/tags")
    page.get_by_test_id("tag-new").click()
    page.get_by_test_id("tag-name").fill(NAME)
    page.get_by_test_id("tag-key").fill("login_bands_30d")
    pick(page, "tag-family", "用户偏好")
    page.get_by_test_id("tag-kind").get_by_text("行为统计").click()
    pick(page, "tag-event", "login")
    expect(page.get_by_test_id("tag-agg")).to_contain_text("次数")
    expect(page.get_by_test_id("tag-window-days").locator("input")).to_have_value("30")
    page.get_by_test_id("tag-output").get_by_text("分档").click()
    page.get_by_test_id("tag-band-add").click()
    fill_band(page, 0, "0次", "1")
    fill_band(page, 1, "1-4次", "1")  # same limit as the band before: the bands overlap
    fill_band(page, 2, "5次及以上")
    expect(page.get_by_test_id("tag-band-1-issue")).to_contain_text("重叠")
    page.get_by_test_id("tag-save").click()
    expect(page.get_by_test_id("tag-error-bands")).to_contain_text("第 2 档上限 1 与上一档相同")
    expect(page.get_by_test_id("tag-editor-error")).to_be_visible()
    assert page.get_by_test_id("tag-saved").count() == 0

    fill_band(page, 1, "1-4次", "5")
    expect(page.get_by_test_id("tag-band-1-issue")).to_have_count(0)
    page.get_by_test_id("tag-save").click()
    expect(page.get_by_test_id("tag-saved")).to_contain_text(NAME)
    page.get_by_test_id("tag-run-now").click()
    report = page.get_by_test_id("tag-run-report")
    expect(report).to_contain_text("成功")
    expect(page.get_by_test_id("tag-run-coverage")).to_have_text("100.0%")  # a count is 0 for the quiet ones
    expect(page.get_by_test_id("tag-run-duration")).to_contain_text("ms")

    page.get_by_test_id("tag-editor-done").click()
    drawer = page.get_by_test_id("tag-drawer")
    expect(drawer).to_contain_text(NAME)
    expect(page.get_by_test_id("tag-coverage")).to_contain_text("覆盖 4 / 4 人（100.0%）")
    expect(page.get_by_test_id("tag-distribution-chart")).to_be_visible()
    expect(page.get_by_test_id("tag-version-1")).to_contain_text("hq_ops")

    page.get_by_test_id("tag-edit").click()
    expect(page.get_by_test_id("tag-band-1-label")).to_have_value("1-4次")
    fill_band(page, 1, "1-2次", "3")
    fill_band(page, 2, "3次及以上")
    page.get_by_test_id("tag-save").click()
    expect(page.get_by_test_id("tag-saved")).to_contain_text("第 2 版")
    page.get_by_test_id("tag-editor-done").click()
    expect(page.get_by_test_id("tag-version-2")).to_contain_text("hq_ops")
    expect(page.get_by_test_id("tag-version-1")).to_be_visible()
    diff = page.get_by_test_id("tag-version-json")
    expect(diff).to_contain_text('+       "label": "1-2次"')
    expect(diff).to_contain_text('-       "label": "1-4次"')

    row = page.get_by_test_id("tag-row-login_bands_30d")
    expect(row).to_contain_text(NAME)


@pytest.mark.usefixtures("bank")
def test_editing_again_right_after_saving_opens_the_editor_on_top(live_server: str, page) -> None:
    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + "/insight/tags")
    page.get_by_test_id("tag-new").click()
    page.get_by_test_id("tag-name").fill("登录次数")
    page.get_by_test_id("tag-key").fill("logins_30d")
    page.get_by_test_id("tag-tab-json").click()
    page.get_by_test_id("tag-json").fill('{"kind": "aggregate", "event": "login", "window": {"last_days": 30}}')
    page.get_by_test_id("tag-save").click()
    expect(page.get_by_test_id("tag-saved")).to_contain_text("登录次数")
    # "Edit" pressed the moment the detail drawer shows it, while the finished editor is still sliding out.
    page.evaluate("""() => new MutationObserver((_, seen) => {
        const edit = document.querySelector('[data-testid=tag-edit]');
        if (edit) { seen.disconnect(); edit.click(); }
    }).observe(document.body, {childList: true, subtree: true})""")
    page.get_by_test_id("tag-editor-done").click()
    # The new editor is above the detail drawer, not under its mask: its buttons take the click.
    page.get_by_test_id("tag-save").click()
    expect(page.get_by_test_id("tag-editor-error")).to_contain_text("没有改动")


@pytest.mark.usefixtures("bank")
def test_lifecycle_stage_rules_are_edited_in_place(live_server: str, page) -> None:
    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + "/insight/tags?family=lifecycle")
    page.get_by_test_id("tag-open-lifecycle_stage").click()
    page.get_by_test_id("tag-edit").click()
    expect(page.get_by_test_id("tag-case-0-value")).to_contain_text("潜客")
    page.get_by_test_id("tag-save").click()
    expect(page.get_by_test_id("tag-editor-error")).to_contain_text("没有改动")  # the same rule is not a version

    mature = page.get_by_test_id("tag-case-4")
    expect(page.get_by_test_id("tag-case-4-value")).to_contain_text("成熟")
    mature.get_by_test_id("cond-0-value").locator("input").fill("300000")
    page.get_by_test_id("tag-save").click()
    expect(page.get_by_test_id("tag-saved")).to_contain_text("第 2 版")
    page.get_by_test_id("tag-run-now").click()
    expect(page.get_by_test_id("tag-run-report")).to_contain_text("成功")
    page.get_by_test_id("tag-editor-done").click()
    diff = page.get_by_test_id("tag-version-json")
    expect(diff).to_contain_text("- ")
    expect(diff).to_contain_text('"value": 300000')
    expect(page.get_by_test_id("tag-version-2")).to_contain_text("hq_ops")
    expect(page.get_by_test_id("tag-version-1")).to_contain_text("system")


@pytest.mark.usefixtures("bank")
def test_server_rejections_show_next_to_the_field_they_name(live_server: str, page) -> None:
    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + "/insight/tags")
    page.get_by_test_id("tag-new").click()
    page.get_by_test_id("tag-name").fill("瞬移次数")
    page.get_by_test_id("tag-key").fill("teleports_30d")
    page.get_by_test_id("tag-tab-json").click()
    page.get_by_test_id("tag-json").fill('{"kind": "aggregate", "event": "teleport", "window": {"last_days": 30}}')
    expect(page.get_by_test_id("tag-json-error")).to_have_count(0)
    page.get_by_test_id("tag-save").click()
    # The server's 422 (code event.unknown), in the console's language beside the field it names.
    expect(page.get_by_test_id("tag-error-event")).to_contain_text("未知事件“teleport”")

    page.get_by_test_id("tag-tab-json").click()
    page.get_by_test_id("tag-json").fill('{"kind": "aggregate", "event": ')
    expect(page.get_by_test_id("tag-json-error")).to_contain_text("JSON 格式有误")
    page.get_by_test_id("tag-json").fill('{"kind": "aggregate", "event": "login", "window": {"last_days": 30}}')
    page.get_by_test_id("tag-key").fill("last_login_date")  # a built-in tag's key
    page.get_by_test_id("tag-save").click()
    expect(page.get_by_test_id("tag-error-key")).to_contain_text("last_login_date")
    assert page.get_by_test_id("tag-saved").count() == 0

    page.get_by_test_id("tag-cancel").click()  # unsaved: asks first
    page.get_by_test_id("tag-discard-ok").click()
    expect(page.get_by_test_id("tag-editor-form")).to_have_count(0)
    expect(page.get_by_test_id("tag-row-teleports_30d")).to_have_count(0)


@pytest.mark.usefixtures("bank")
def test_imported_tag_takes_a_csv_and_reports_rejected_rows(live_server: str, page) -> None:
    token = httpx.post(live_server + "/api/auth/login", json={"username": "hq_ops", "password": PASSWORD}).json()
    body = {"key": "salon_2026", "name": "参加财富沙龙", "family": "imported", "rule": {"kind": "imported"}}
    res = httpx.post(live_server + "/api/insight/tags", json=body,
                     headers={"Authorization": f"Bearer {token['access_token']}"})
    assert res.status_code == 201, res.text

    login_ui(page, live_server, "hq_ops")
    page.goto(live_server + f"/insight/tags?tag={res.json()['id']}")
    csv = "customer_id,value\nL1,已参加\nL2,已报名\nNOPE,已参加\nL3,\n".encode()
    page.get_by_test_id("tag-import").locator("input[type=file]").set_input_files(
        files=[{"name": "salon.csv", "mimeType": "text/csv", "buffer": csv}])
    report = page.get_by_test_id("tag-import-report")
    expect(report).to_contain_text("导入成功2")
    expect(report).to_contain_text("被拒绝2")
    rejects = page.get_by_test_id("tag-import-rejects")
    expect(rejects).to_contain_text("NOPE")
    expect(rejects.locator("tr", has_text="L3")).to_contain_text("缺少标签值")
    expect(page.get_by_test_id("tag-coverage")).to_contain_text("覆盖 2 / 4 人")
