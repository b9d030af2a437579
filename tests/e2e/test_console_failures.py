"""The console in a real browser: a segment, an alert rule and a tag whose last scheduled computation failed
say so where they are listed (计算失败 with the reason on hover), and the segment's page says why."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import add_customers, events_for
from mofang.insight.models import SegmentDef, TagDef
from mofang.insight.segments import tasks as segment_tasks
from mofang.insight.tags import tasks as tag_tasks
from mofang.monitor.alerts.models import AlertRule, Metric
from mofang.platform.storage.models import utcnow

pytestmark = pytest.mark.browser

YESTERDAY = datetime.combine(date.today() - timedelta(days=1), datetime.min.time()).replace(hour=4)


def opened_app(prop: str = "page") -> dict:
    return {"type": "behaviour", "event": "app_open", "window": {"last_days": 30},
            "filters": [{"property": prop, "op": "eq", "value": "home"}]}


@pytest.fixture
def failed(platform, make_user) -> dict[str, int]:
    """A good and a broken segment after the daily run, a tag whose rule no longer compiles, a rule that failed."""
    make_user("root", "admin", "HQ")
    add_customers(platform, {f"A{i}": {"name": f"客户{i}", "org_code": "GD-SZ-001"} for i in range(1, 4)})
    events_for(platform, {f"A{i}": [("app_open", YESTERDAY, {"page": "home"})] for i in range(1, 4)})
    with platform.metadata.session() as s:
        good = SegmentDef(name="首页活跃", kind="dynamic", definition=opened_app(), owner_org="HQ")
        broken = SegmentDef(name="旧条件客群", kind="dynamic", definition=opened_app("gone_property"), owner_org="HQ")
        tag = TagDef(key="opens_30d", name="近30天打开次数", family="timing", kind="aggregate", value_type="number",
                     rule={"kind": "aggregate", "event": "app_open", "window": {"last_days": 30},
                           "filters": opened_app("gone_property")["filters"]}, owner_org="HQ")
        metric = Metric(key="app.opens", name="App 打开次数", owner_org="HQ",
                        definition={"event": {"event": "app_open"}, "days": 1})
        s.add_all([good, broken, tag, metric])
        s.flush()
        rule = AlertRule(metric_id=metric.id, name="打开次数过高", op="gte", threshold=3, emails=[], owner_org="HQ",
                         last_error="unknown event 'app_open_v1'", last_error_at=utcnow())
        s.add(rule)
        s.flush()
        made = {"good": good.id, "broken": broken.id, "tag": tag.id, "rule": rule.id}
    segment_tasks.run_daily(platform)
    tag_tasks.TAGS_JOB.run(platform, date.today())
    return made


def test_failures_are_shown_where_the_objects_are_listed(live_server: str, page, failed) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    login_ui(page, live_server, "root")

    page.goto(live_server + "/insight/segments")
    badge = page.get_by_test_id(f"segment-error-{failed['broken']}")
    expect(badge).to_have_text("计算失败")
    expect(page.get_by_test_id(f"segment-error-{failed['good']}")).to_have_count(0)
    badge.hover()
    expect(page.locator(".ant-tooltip:visible")).to_contain_text("计算失败：unknown property 'gone_property'")
    page.screenshot(path="/tmp/leftovers-segments.png")

    page.goto(live_server + f"/insight/segments/{failed['broken']}")
    expect(page.get_by_test_id("segment-last-error")).to_contain_text("gone_property")
    page.screenshot(path="/tmp/leftovers-segment.png")

    page.goto(live_server + "/monitor/alerts")
    page.get_by_test_id("rules-tab").click()
    expect(page.get_by_test_id(f"rule-error-{failed['rule']}")).to_have_text("计算失败")
    page.get_by_test_id(f"rule-error-{failed['rule']}").hover()
    expect(page.locator(".ant-tooltip:visible")).to_contain_text("app_open_v1")
    page.screenshot(path="/tmp/leftovers-rules.png")

    page.goto(live_server + "/insight/tags")
    expect(page.get_by_test_id(f"tag-error-{failed['tag']}")).to_have_text("计算失败")
    page.screenshot(path="/tmp/leftovers-tags.png")
