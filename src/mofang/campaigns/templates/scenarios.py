"""The template catalogue: each scenario's parameters and its pure compilation into canvas graphs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mofang.campaigns.templates.contracts import Compiled, Funnel, NamedGraph, Param, TemplateRead
from mofang.campaigns.templates.logic import bad, check_date, fill
from mofang.platform.errors import NotFound
from mofang.platform.suitability import RISK_LEVELS
from mofang.reach.contracts import CHANNELS
from mofang.strategy.canvas.contracts import Graph

DAY = 86400


def _benefit(key: str, label: str, required: bool = True) -> Param:
    return Param(key=key, label=label, type="benefit", required=required, minimum=1)


def _content(key: str = "content_id", label: str = "触达内容", channel: str | None = None) -> Param:
    return Param(key=key, label=label, type="content", required=False, minimum=1, channel=channel)


def _channel() -> Param:
    return Param(key="channel", label="触达渠道", type="enum", default="sms", choices=list(CHANNELS))


class _G:
    """A small builder of a linear-ish graph: nodes are added in order and joined by `next` unless told."""

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []

    def add(self, node: dict[str, Any], after: str | None = None, label: str = "next") -> str:
        node.setdefault("position", {"x": 0, "y": 120 * len(self.nodes)})
        self.nodes.append(node)
        if after is not None:
            self.edges.append({"source": after, "target": node["id"], "label": label})
        return str(node["id"])

    def graph(self, business_line: str = "retail") -> Graph:
        return Graph.model_validate({"nodes": self.nodes, "edges": self.edges,
                                     "settings": {"business_line": business_line}})


def _entry(g: _G, segment_id: int | None, title: str) -> str:
    """Enter the campaign's audience (a segment), or, without one, customers the bank's systems send by API."""
    if segment_id:
        return g.add({"id": "entry", "type": "segment_entry", "segment_id": segment_id, "title": title})
    return g.add({"id": "entry", "type": "api_entry", "title": title})


def _event_entry(g: _G, event: str, segment_id: int | None, title: str, once: bool = True) -> str:
    """Start on an event; with an audience, only its members go on (the others exit)."""
    last = g.add({"id": "entry", "type": "event_entry", "event": event, "title": title,
                  "reentry": {"policy": "once" if once else "always"}})
    if segment_id:
        last = g.add({"id": "audience", "type": "condition_split", "title": "活动客群", "branches": [
            {"label": "member", "condition": {"type": "segment", "segment_id": segment_id}}]}, last)
        g.add({"id": "not_member", "type": "exit", "title": "非活动客群"}, last, "else")
        return last
    return last


def _send(g: _G, p: Mapping[str, Any], after: str, node_id: str = "send", key: str = "content_id",
          label: str = "next") -> str:
    if not p.get(key):
        return after
    node = {"id": node_id, "type": "send", "channel": p["channel"], "template_id": p[key], "title": "触达"}
    if p.get("product_risk"):  # a product offer: the reach centre suppresses customers it does not suit
        node["product_risk"] = p["product_risk"]
    return g.add(node, after, label)


def _member_label(g: _G, after: str) -> str:
    return "member" if any(n["id"] == after and n["type"] == "condition_split" for n in g.nodes) else "next"


def _first_action(p: Mapping[str, Any], seg: int | None) -> Compiled:
    g = _G()
    last = _event_entry(g, p["event"], seg, "首次行为")
    last = g.add({"id": "gift", "type": "benefit", "benefit_id": p["benefit_id"], "title": "发放新客礼"}, last,
                 _member_label(g, last))
    last = _send(g, p, last)
    g.add({"id": "done", "type": "exit"}, last)
    return Compiled(graphs=[NamedGraph(key="gift", name="新客礼", graph=g.graph())], benefit_ids=[p["benefit_id"]],
                    content_ids=[p["content_id"]] if p.get("content_id") else [],
                    rules={"event": p["event"], "window_days": p["window_days"]})


def _invite_graph(p: Mapping[str, Any], seg: int | None, name: str, key: str = "invite") -> NamedGraph:
    g = _G()
    last = _entry(g, seg, "邀请人")
    last = _send(g, p, last, key="invite_content_id")
    g.add({"id": "done", "type": "exit"}, last)
    return NamedGraph(key=key, name=name, graph=g.graph())


def _mgm(p: Mapping[str, Any], seg: int | None) -> Compiled:
    rules = {"action": p["action"], "window_days": p["window_days"], "cap_per_inviter": p["cap_per_inviter"],
             "velocity_per_hour": p["velocity_per_hour"], "inviter_benefit_id": p["inviter_benefit_id"],
             "invitee_benefit_id": p["invitee_benefit_id"]}
    return Compiled(graphs=[_invite_graph(p, seg, "邀请有礼·邀请")],
                    benefit_ids=sorted({p["inviter_benefit_id"], p["invitee_benefit_id"]}),
                    content_ids=[p["invite_content_id"]] if p.get("invite_content_id") else [],
                    funnel=Funnel(name="邀请有礼漏斗", steps=["campaign_invite_accepted", p["action"]],
                                  window_days=p["window_days"]), rules=rules)


def _loan(p: Mapping[str, Any], seg: int | None) -> Compiled:
    g = _G()
    last = _event_entry(g, p["quota_event"], seg, "首次测额")
    last = g.add({"id": "coupon", "type": "benefit", "benefit_id": p["coupon_benefit_id"], "title": "送返现券"},
                 last, _member_label(g, last))
    last = _send(g, p, last)
    wait = g.add({"id": "loan", "type": "wait_event", "event": p["loan_event"], "title": "放款达标",
                  "within_seconds": p["window_days"] * DAY,
                  "filters": [{"property": p["amount_property"], "op": "gte", "value": p["loan_threshold"]}]}, last)
    cash = g.add({"id": "cashback", "type": "benefit", "benefit_id": p["cashback_benefit_id"], "title": "贷款返现"},
                 wait, "did")
    g.add({"id": "done", "type": "exit"}, cash)
    g.add({"id": "expired", "type": "exit", "title": "未放款"}, wait, "timeout")
    invite = _invite_graph(p, seg, "贷款测额·邀请好友", "invite")
    rules = {"action": p["quota_event"], "window_days": p["window_days"], "cap_per_inviter": p["cap_per_inviter"],
             "velocity_per_hour": p["velocity_per_hour"], "friends_needed": p["friends_needed"],
             "inviter_benefit_id": None, "invitee_benefit_id": None, "activates": p["coupon_benefit_id"]}
    return Compiled(graphs=[NamedGraph(key="loan", name="贷款测额·返现", graph=g.graph("loan")), invite],
                    benefit_ids=sorted({p["coupon_benefit_id"], p["cashback_benefit_id"]}),
                    content_ids=[c for c in (p.get("content_id"), p.get("invite_content_id")) if c],
                    funnel=Funnel(name="贷款测额返现漏斗",
                                  steps=[p["quota_event"], "campaign_invite_accepted", p["loan_event"]],
                                  window_days=p["window_days"]), rules=rules)


def _reach_only(name: str, title: str) -> Callable[[Mapping[str, Any], int | None, dict[str, Any], list[int]],
                                                   Compiled]:
    def build(p: Mapping[str, Any], seg: int | None, rules: dict[str, Any], benefits: list[int]) -> Compiled:
        g = _G()
        last = _entry(g, seg, title)
        if p.get("at"):
            last = g.add({"id": "at", "type": "wait_until", "at": p["at"], "title": "定时",
                          **({"on_date": p["date"]} if p.get("date") else {})}, last)
        last = _send(g, p, last)
        g.add({"id": "done", "type": "exit"}, last)
        return Compiled(graphs=[NamedGraph(key="reach", name=name, graph=g.graph())],
                        benefit_ids=sorted(set(benefits)),
                        content_ids=[p["content_id"]] if p.get("content_id") else [], rules=rules)
    return build


def _checkin(p: Mapping[str, Any], seg: int | None) -> Compiled:
    rules = {"milestones": p["milestone_days"], "milestone_benefit_id": p["milestone_benefit_id"],
             "daily_benefit_id": p.get("daily_benefit_id")}
    return _reach_only("签到·提醒", "签到客群")(p, seg, rules, [b for b in (
        p["milestone_benefit_id"], p.get("daily_benefit_id")) if b])


def _task(p: Mapping[str, Any], seg: int | None) -> Compiled:
    if p["required_count"] > len(p["actions"]):
        raise bad("required_count", "range", minimum=1, maximum=len(p["actions"]))
    rules = {"actions": p["actions"], "required_count": p["required_count"], "benefit_id": p["benefit_id"],
             "window_days": p["window_days"]}
    return _reach_only("任务·提醒", "任务客群")(p, seg, rules, [p["benefit_id"]])


def _lottery(p: Mapping[str, Any], seg: int | None) -> Compiled:
    rules = {"prizes": p["prizes"], "draws_per_customer": p["draws_per_customer"]}
    return _reach_only("抽奖·提醒", "抽奖客群")(p, seg, rules, [x["benefit_id"] for x in p["prizes"]
                                                              if x.get("benefit_id")])


def _flash(p: Mapping[str, Any], seg: int | None) -> Compiled:
    check_date("date", p["date"])
    rules = {"date": p["date"], "at": p["at"], "benefit_id": p["benefit_id"], "per_customer": p["per_customer"]}
    return _reach_only("抢券·开抢提醒", "抢券客群")(p, seg, rules, [p["benefit_id"]])


def _aum(p: Mapping[str, Any], seg: int | None) -> Compiled:
    g = _G()
    last = _entry(g, seg, "理财存款客群")
    last = _send(g, p, last)
    last = g.add({"id": "hold", "type": "delay", "seconds": p["hold_days"] * DAY, "title": "持有期"}, last)
    g.add({"id": "done", "type": "exit"}, last)
    rules = {"net_new_aum": p["net_new_aum"], "hold_days": p["hold_days"], "benefit_id": p["benefit_id"]}
    return Compiled(graphs=[NamedGraph(key="aum", name="理财存款·达标", graph=g.graph("wealth"))],
                    benefit_ids=[p["benefit_id"]], content_ids=[p["content_id"]] if p.get("content_id") else [],
                    rules=rules)


@dataclass(frozen=True)
class Scenario:
    """A template: what it is, its parameters and how it compiles."""

    read: TemplateRead
    build: Callable[[Mapping[str, Any], int | None], Compiled]


def _t(tid: str, name: str, category: str, description: str, params: list[Param],
       build: Callable[[Mapping[str, Any], int | None], Compiled]) -> Scenario:
    return Scenario(TemplateRead(id=tid, name=name, category=category, description=description, params=params),
                    build)


_WINDOW = Param(key="window_days", label="活动时限(天)", type="int", default=30, minimum=1, maximum=366)
_MGM_GUARDS = [Param(key="cap_per_inviter", label="每位邀请人奖励上限", type="int", default=10, minimum=1,
                     maximum=1000),
               Param(key="velocity_per_hour", label="同设备/IP每小时受邀上限(超出转人工审核)", type="int",
                     default=5, minimum=1, maximum=1000)]

SCENARIOS: dict[str, Scenario] = {s.read.id: s for s in [
    _t("first_action", "新客礼", "拉新", "客户首次测额、首次登录或首次购买基金时发放新客礼并发送消息。", [
        Param(key="event", label="首次行为", type="event", default="loan_quota_check",
              description="如 loan_quota_check(测额)、login(登录)、fund_purchase(基金购买)"),
        _benefit("benefit_id", "新客礼权益"), _channel(), _content(), _WINDOW], _first_action),
    _t("mgm", "邀请有礼", "拉新", "老客户分享邀请码/链接，好友在时限内完成指定行为后双方各得一次奖励；"
       "自邀、同手机/设备/证件、循环邀请与超上限均被拒绝，异常频次转人工审核。", [
        Param(key="action", label="好友需完成的行为", type="event", default="loan_quota_check"), _WINDOW,
        _benefit("inviter_benefit_id", "邀请人奖励"), _benefit("invitee_benefit_id", "好友奖励"), *_MGM_GUARDS,
        _channel(), _content("invite_content_id", "邀请消息")], _mgm),
    _t("loan_cashback", "贷款测额返现", "贷款", "三步：首次测额送返现券；邀请好友测额激活返现券；贷款达标放款后返现。"
       "活动开始时在分析中保存转化漏斗。", [
        Param(key="quota_event", label="测额事件", type="event", default="loan_quota_check"),
        _benefit("coupon_benefit_id", "返现券"),
        Param(key="friends_needed", label="激活所需测额好友数", type="int", default=1, minimum=1, maximum=20),
        Param(key="loan_event", label="放款事件", type="event", default="loan_disbursed"),
        Param(key="amount_property", label="放款金额属性", type="string", default="amount"),
        Param(key="loan_threshold", label="放款金额门槛(元)", type="number", default=500000, minimum=1,
              maximum=100_000_000),
        _benefit("cashback_benefit_id", "放款返现"), _WINDOW, *_MGM_GUARDS, _channel(), _content(),
        _content("invite_content_id", "邀请好友消息")], _loan),
    _t("checkin", "签到", "促活", "连续签到达到第 N 天发放奖励，可设每日奖励。", [
        Param(key="milestone_days", label="奖励节点(连续天数)", type="days", default=[3, 7]),
        _benefit("milestone_benefit_id", "节点奖励"), _benefit("daily_benefit_id", "每日奖励", required=False),
        _channel(), _content()], _checkin),
    _t("task", "任务", "促活", "在时限内完成所列行为中的 N 项即可领取奖励。", [
        Param(key="actions", label="任务行为", type="events", default=["login", "fund_view", "loan_quota_check"]),
        Param(key="required_count", label="需完成项数", type="int", default=2, minimum=1, maximum=20),
        _benefit("benefit_id", "任务奖励"), _WINDOW, _channel(), _content()], _task),
    _t("lottery", "抽奖", "促活", "奖品按概率与库存抽取，始终保留「未中奖」份额；"
       "抽奖结果由活动、客户与抽奖序号的加密散列决定，可复现、可审计。", [
        Param(key="prizes", label="奖品(名称、权益、概率、库存)", type="prizes",
              default=[{"name": "一等奖", "benefit_id": None, "probability": 0.01, "stock": 10}]),
        Param(key="draws_per_customer", label="每人抽奖次数", type="int", default=1, minimum=1, maximum=100),
        _channel(), _content()], _lottery),
    _t("flash", "秒杀/抢券", "促销", "在指定时间开抢，库存抢完即止，每人限领。", [
        Param(key="date", label="开抢日期", type="string", default="2026-12-12"),
        Param(key="at", label="开抢时间", type="time", default="10:00"),
        _benefit("benefit_id", "抢购权益"),
        Param(key="per_customer", label="每人限领", type="int", default=1, minimum=1, maximum=10),
        _channel(), _content()], _flash),
    _t("aum_growth", "理财/存款营销", "财富", "净新增资产达到 X 元并持有 D 天，按资产数据核验后发放奖励。", [
        Param(key="net_new_aum", label="净新增资产(元)", type="number", default=50000, minimum=1,
              maximum=1_000_000_000),
        Param(key="hold_days", label="持有天数", type="int", default=30, minimum=1, maximum=366),
        _benefit("benefit_id", "达标奖励"),
        Param(key="product_risk", label="所推产品风险等级", type="enum", default="R2", choices=list(RISK_LEVELS),
              description="适当性：风险测评等级低于对应 C 级（或未测评）的客户不发送，记为「不适当」"),
        _channel(), _content()], _aum),
]}


def scenario(template_id: str) -> Scenario:
    """A template by id (404 when there is none)."""
    found = SCENARIOS.get(template_id)
    if found is None:
        raise NotFound(f"no template {template_id}", field="template_id", code="campaign.template_not_found",
                       params={"id": template_id[:64]})
    return found


def compile_template(template_id: str, params: Mapping[str, Any], *, segment_id: int | None = None
                     ) -> tuple[dict[str, Any], Compiled]:
    """Check the parameters (defaults filled) and compile them: the parameters used and the compiled strategies."""
    sc = scenario(template_id)
    filled = fill(sc.read.params, params)
    return filled, sc.build(filled, segment_id)
