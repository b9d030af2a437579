"""Showcase strategies (策略中心): sandbox channels, three journeys made and published through the canvas, and
their last week simulated (`simulator.simulate_week`) so the strategy, reach and policy pages have real numbers.

Like the rest of the showcase, everything is looked up by name first: running it again adds only what is missing.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from mofang.demo.showcase import _principals
from mofang.demo.showcase_content import prepare_journey_templates
from mofang.demo.showcase_specs import _tag
from mofang.demo.simulator import run_week, simulated_engine
from mofang.demo.simulator_logic import SimulatorConfig
from mofang.insight.segments import service as segments
from mofang.insight.segments.contracts import SegmentCreate
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Principal
from mofang.reach.delivery import channels_service
from mofang.reach.delivery.contracts import ChannelCreate
from mofang.strategy.canvas import service as canvas
from mofang.strategy.canvas.contracts import PublishRequest, StrategyCreate

OWNER = "hq_ops"
CHANNEL_ADMIN = "admin"
# The segments the strategies enter from: (name, description, definition), made here where missing.
NEW_SEGMENT, DORMANT_SEGMENT = "开户30天内新客", "沉睡客户"
OWN_SEGMENTS = (
    (NEW_SEGMENT, "开户30天内的新客（是否已登录由策略判断）：首月激活的对象。",
     {"type": "attribute", "field": "tenure_days", "op": "between", "value": [0, 30]}),
    (DORMANT_SEGMENT, "生命周期为「沉睡」的客户（近30天无登录、无交易）。", _tag("lifecycle_stage", "eq", "沉睡")),
)
# Sandbox channels and their unit costs (fen per message), as a bank's SMS and push vendors would charge.
CHANNELS = (("sms", "短信（沙箱）", 4), ("push", "App推送（沙箱）", 0))
NEW, FUND, DORMANT = "新客首月激活", "基金意向转化", "沉睡唤醒"
DAY = 86400


def _at(x: float, y: float) -> dict[str, float]:
    """A canvas position from a top-down sketch (x across, y down), laid out left to right on the canvas.

    Nodes take edges on their left and give them on their right, so a journey reads left to right: each step of
    the sketch is a column (y → x), branches are rows (x → y).
    """
    return {"x": 40 + y * 2.4, "y": 200 + x}


def graphs(segment_ids: dict[str, int], templates: dict[str, int]) -> dict[str, dict[str, Any]]:
    """The three showcase canvases (draft graphs, validated when published)."""
    new = {"nodes": [
        {"id": "in", "type": "segment_entry", "title": "开户30天未激活新客", "segment_id": segment_ids[NEW_SEGMENT],
         "position": _at(0, 0)},
        {"id": "welcome", "type": "send", "title": "欢迎推送", "channel": "push",
         "template_id": templates["新客欢迎推送"], "position": _at(0, 120)},
        {"id": "login", "type": "wait_event", "title": "3天内登录", "event": "login", "within_seconds": 3 * DAY,
         "position": _at(0, 240)},
        {"id": "done", "type": "exit", "title": "已激活", "position": _at(-160, 360)},
        {"id": "remind", "type": "send", "title": "短信提醒", "channel": "sms",
         "template_id": templates["新客登录提醒短信"], "position": _at(160, 360)},
        {"id": "end", "type": "exit", "title": "结束", "position": _at(160, 480)},
    ], "edges": [
        {"source": "in", "target": "welcome"}, {"source": "welcome", "target": "login"},
        {"source": "login", "target": "done", "label": "did"}, {"source": "login", "target": "remind",
                                                               "label": "timeout"},
        {"source": "remind", "target": "end"},
    ], "settings": {"business_line": "retail", "priority": 100}}
    fund = {"nodes": [
        {"id": "in", "type": "event_entry", "title": "浏览基金产品", "event": "product_view",
         "filters": [{"property": "product_type", "op": "eq", "value": "基金"}],
         "reentry": {"policy": "cooldown", "cooldown_seconds": 7 * DAY}, "position": _at(0, 0)},
        # Only customers with money to invest (AUM ≥ 5万, 潜力客户 and above) are worth a fund push.
        {"id": "aum", "type": "condition_split", "title": "AUM≥5万", "position": _at(0, 120),
         "branches": [{"label": "target", "condition": {"type": "attribute", "field": "aum", "op": "gte",
                                                         "value": 50000}}]},
        {"id": "skip", "type": "exit", "title": "非目标客户", "position": _at(220, 240)},
        {"id": "ab", "type": "ab_split", "title": "文案AB测试", "control": "A",
         "variants": [{"label": "A", "percent": 50}, {"label": "B", "percent": 50}], "position": _at(0, 240)},
        {"id": "push_a", "type": "send", "title": "推送A：费率优惠", "channel": "push",
         "template_id": templates["基金定投推送A（费率优惠）"], "position": _at(-160, 360)},
        {"id": "push_b", "type": "send", "title": "推送B：收益故事", "channel": "push",
         "template_id": templates["基金定投推送B（收益故事）"], "position": _at(160, 360)},
        {"id": "goal", "type": "goal", "title": "7天内申购基金", "event": "fund_purchase", "window_seconds": 7 * DAY,
         "position": _at(0, 480)},
    ], "edges": [
        {"source": "in", "target": "aum"}, {"source": "aum", "target": "ab", "label": "target"},
        {"source": "aum", "target": "skip", "label": "else"}, {"source": "ab", "target": "push_a", "label": "A"},
        {"source": "ab", "target": "push_b", "label": "B"}, {"source": "push_a", "target": "goal"},
        {"source": "push_b", "target": "goal"},
    ], "settings": {"business_line": "wealth", "priority": 50}}
    dormant = {"nodes": [
        {"id": "in", "type": "segment_entry", "title": "沉睡客户", "segment_id": segment_ids[DORMANT_SEGMENT],
         "position": _at(0, 0)},
        {"id": "sms", "type": "send", "title": "关怀短信", "channel": "sms",
         "template_id": templates["沉睡客户关怀短信"], "position": _at(0, 120)},
        {"id": "open", "type": "wait_event", "title": "7天内打开App", "event": "app_start", "within_seconds": 7 * DAY,
         "position": _at(0, 240)},
        {"id": "back", "type": "exit", "title": "已唤醒", "position": _at(-160, 360)},
        {"id": "rich", "type": "condition_split", "title": "AUM≥50万", "position": _at(160, 360),
         "branches": [{"label": "rich", "condition": {"type": "attribute", "field": "aum", "op": "gte",
                                                       "value": 500000}}]},
        {"id": "rm", "type": "rm_task", "title": "客户经理回访", "template_id": templates["沉睡高净值客户回访"],
         "due_days": 3, "position": _at(60, 480)},
        {"id": "end", "type": "exit", "title": "结束", "position": _at(260, 480)},
    ], "edges": [
        {"source": "in", "target": "sms"}, {"source": "sms", "target": "open"},
        {"source": "open", "target": "back", "label": "did"}, {"source": "open", "target": "rich", "label": "timeout"},
        {"source": "rich", "target": "rm", "label": "rich"}, {"source": "rich", "target": "end", "label": "else"},
    ], "settings": {"business_line": "retail", "priority": 80, "holdout_percent": 10}}
    return {NEW: new, FUND: fund, DORMANT: dormant}


DESCRIPTIONS = {
    NEW: "开户30天内未登录的新客：欢迎推送，3天内未登录再发短信提醒。",
    FUND: "AUM≥5万的客户浏览基金产品即触发：两版推送文案AB测试，目标为7天内申购基金。",
    DORMANT: "沉睡客户（留出10%对照组）：关怀短信，7天内未打开App且AUM≥50万的转客户经理回访。",
}


def prepare_channels(*, platform: Platform, users: dict[str, Principal]) -> str:
    """Sandbox SMS and push channels with unit costs (inbox and RM tasks are built in)."""
    who = users.get(CHANNEL_ADMIN)
    if who is None:
        return ""
    made = []
    with platform.metadata.session() as session:
        have = {c.channel for c in channels_service.list_channels(platform=platform, session=session)}
        for channel, name, cost in CHANNELS:
            if channel in have:
                continue
            channels_service.create(platform=platform, session=session, who=who, data=ChannelCreate(
                channel=channel, name=name, provider="sandbox", config={"delay_seconds": 2},  # type: ignore[arg-type]
                secrets={"key": secrets.token_urlsafe(24), "callback_secret": secrets.token_urlsafe(24)},
                unit_cost_fen=cost, rate_per_second=2000, burst=20000))
            made.append(name)
    return f"showcase channels: {', '.join(made)}" if made else ""


def segment_ids(*, platform: Platform, who: Principal) -> dict[str, int]:
    """The segments the strategies enter from (created where missing)."""
    with platform.metadata.session() as session:
        listed = {x.name: x.id for x in segments.list_segments(platform=platform, session=session, who=who).items
                  if x.owner_org == who.org_code}
        for name, description, definition in OWN_SEGMENTS:
            if name not in listed:
                listed[name] = segments.create(platform=platform, session=session, who=who,
                                               data=SegmentCreate.model_validate({
                                                   "name": name, "description": description, "kind": "dynamic",
                                                   "definition": definition})).id
    return {name: listed[name] for name, _, _ in OWN_SEGMENTS}


def publish_strategies(*, platform: Platform, users: dict[str, Principal]) -> dict[str, int]:
    """Create and publish the showcase strategies missing (by name); returns the ids of those just published."""
    who = users[OWNER]
    templates = prepare_journey_templates(platform=platform, users=users)
    wanted = graphs(segment_ids(platform=platform, who=who), templates)
    published: dict[str, int] = {}
    with platform.metadata.session() as session:
        have = {s.name for s in canvas.list_strategies(session=session, who=who)}
    for name, graph in wanted.items():
        if name in have:
            continue
        with platform.metadata.session() as session:
            row = canvas.create(session=session, who=who, data=StrategyCreate.model_validate(
                {"name": name, "description": DESCRIPTIONS[name], "graph": graph}))
        with platform.metadata.session() as session:
            canvas.publish(platform=platform, session=session, who=who, strategy_id=row.id,
                           data=PublishRequest(note="演示银行：上线"))
        published[name] = row.id
    return published


def prepare_journeys(*, platform: Platform, now: datetime, config: SimulatorConfig | None = None) -> list[str]:
    """Channels, then the strategies published a week before `now` and their week simulated; lines to print."""
    started = time.perf_counter()
    with platform.metadata.session() as session:
        users = _principals(session)
    if OWNER not in users or CHANNEL_ADMIN not in users:
        return ["showcase strategies skipped: demo users hq_ops and admin are needed"]
    lines = [prepare_channels(platform=platform, users=users)]
    with simulated_engine(platform, now - timedelta(days=7)) as clock:
        published = publish_strategies(platform=platform, users=users)
        if published:
            from mofang.demo.showcase_campaign import prepare_campaign

            lines.append(prepare_campaign(platform=platform, users=users, now=now))
            counts = run_week(platform=platform, clock=clock, until=now, config=config or SimulatorConfig())
            lines.append(f"showcase strategies {', '.join(published)} ran a simulated week in "
                         f"{time.perf_counter() - started:.1f}s: {counts['replayed']:,} bank events replayed, "
                         f"{counts['delivered']:,} delivered, {counts['opened']:,} opened, "
                         f"{counts['clicked']:,} clicked, {counts['converted']:,} simulated conversions")
    return [line for line in lines if line]
