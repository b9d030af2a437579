"""Showcase templates of the content library (内容库): one per channel, made, activated and shared by head office."""

from __future__ import annotations

from typing import Any

from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Principal
from mofang.reach.content import service as content
from mofang.reach.content.contracts import ShareRequest, StatusChange, TemplateCreate

OWNER = "hq_ops"
DETAIL = "https://m.mofangbank.cn/act/fund-dca"
TEMPLATES: tuple[dict[str, Any], ...] = (
    {"name": "新客开户欢迎短信", "channel": "sms", "purpose": "service", "scenes": ["新客欢迎", "开户激活"],
     "products": ["借记卡"], "content": {"body": "【魔方银行】{{客户.姓氏}}{{客户.称谓}}，欢迎成为魔方银行客户！"
                                                 "下载手机银行绑定借记卡，即可查询账户、转账和购买理财，"
                                                 "专属客户经理{{客户经理.姓名}}随时为您服务。"}},
    {"name": "基金定投意向推送", "channel": "push", "purpose": "marketing", "scenes": ["基金意向"],
     "products": ["基金"], "personas": ["专业严谨·投资研究"],
     "content": {"title": "定投首月费率1折", "body": "{{客户.姓氏}}{{客户.称谓}}，您关注的{{产品.名称}}开放定投，"
                                                  "首月申购费1折，每月100元起投。",
                 "links": {"link": DETAIL}}},
    {"name": "沉睡客户唤醒短信", "channel": "sms", "purpose": "marketing", "scenes": ["沉睡唤醒"],
     "products": ["理财"], "personas": ["热情亲和·美食"],
     "content": {"body": "【魔方银行】{{客户.姓氏}}{{客户.称谓}}，好久不见！{{权益.面额}}元{{权益.名称}}"
                         "已放入您的账户，{{权益.有效期}}前登录手机银行领取 {{链接}} 回T退订",
                 "links": {"link": "https://m.mofangbank.cn/act/welcome-back"}}},
    {"name": "理财到期站内信", "channel": "inbox", "purpose": "service", "scenes": ["到期提醒"], "products": ["理财"],
     "content": {"title": "您的理财产品即将到期",
                 "body": "尊敬的{{客户.姓氏}}{{客户.称谓}}：您持有的{{产品.名称}}将于近日到期，本金和收益将自动转入"
                         "您的借记卡。理财非存款，产品有风险，投资须谨慎。"}},
    {"name": "权益到账微信模板消息", "channel": "wechat", "purpose": "marketing", "scenes": ["权益到账"],
     "content": {"wechat_template_id": "OPENTM207791277", "fields": {
         "first": "{{客户.姓氏}}{{客户.称谓}}，您有一份权益已到账", "keyword1": "{{权益.名称}}",
         "keyword2": "{{权益.面额}}元", "keyword3": "{{权益.有效期}}", "remark": "点击详情立即使用"},
         "links": {"link": "https://m.mofangbank.cn/act/benefits"}}},
    {"name": "季度财富报告邮件", "channel": "email", "purpose": "marketing", "scenes": ["活动通知"],
     "products": ["理财", "基金"], "personas": ["专业严谨·阅读"],
     "content": {"subject": "{{客户.姓氏}}{{客户.称谓}}，您的季度财富报告已生成",
                 "body": "{{客户.姓氏}}{{客户.称谓}}您好：\n您的季度财富报告已生成，查看：{{链接}}\n"
                         "理财非存款，产品有风险，投资须谨慎。",
                 "html": "<p>{{客户.姓氏}}{{客户.称谓}}您好：</p><p>您的<b>季度财富报告</b>已生成，"
                         "本季度为您精选了{{产品.名称}}等稳健产品。</p><p><a href=\"{{链接}}\">查看报告</a></p>"
                         "<p style=\"color:#888\">理财非存款，产品有风险，投资须谨慎。</p>",
                 "links": {"link": "https://m.mofangbank.cn/report/q4"}}},
    {"name": "大额存单到期AI外呼话术", "channel": "call", "purpose": "marketing", "scenes": ["到期提醒"],
     "products": ["大额存单"],
     "content": {"call_script_id": "SCRIPT-CD-RENEW-01", "call_variables": ["客户.姓氏", "客户.称谓", "产品.名称"],
                 "body": "您好，请问是{{客户.姓氏}}{{客户.称谓}}吗？我是魔方银行的智能客服。您在我行的{{产品.名称}}"
                         "即将到期，目前我行新一期大额存单正在发售，请问您是否有续存的打算？"}},
    {"name": "客户经理回访话术（基金）", "channel": "rm_task", "purpose": "marketing",
     "scenes": ["客户经理回访", "基金意向"], "products": ["基金"], "personas": ["热情亲和·投资研究"],
     "content": {"title": "基金意向客户回访",
                 "body": "开场：{{客户.姓氏}}{{客户.称谓}}您好，我是您的客户经理{{客户经理.姓名}}。"
                         "\n要点：客户近期多次浏览{{产品.名称}}，先了解其投资期限和风险偏好，"
                         "再介绍定投分散择时风险；风险等级须与客户测评匹配。"
                         "\n结束：约定下次沟通时间，记录客户反馈。"}},
)


def prepare_templates(*, platform: Platform, users: dict[str, Principal]) -> str:
    """Create the missing showcase templates (active, shared with the bank); returns a line to print."""
    who = users.get(OWNER)
    if who is None:
        return ""
    made = 0
    with platform.metadata.session() as session:
        have = {t.name for t in content.list_templates(session=session, who=who) if t.owned}
        for spec in TEMPLATES:
            if spec["name"] in have:
                continue
            row = content.create(platform=platform, session=session, who=who, data=TemplateCreate.model_validate(spec))
            content.set_status(platform=platform, session=session, who=who, template_id=row.id,
                               data=StatusChange(status="active"))
            content.share(session=session, who=who, template_id=row.id, data=ShareRequest(all=True))
            made += 1
    return f"showcase content library: {made} templates (one per channel) shared with the bank" if made else ""

# Templates the showcase strategies send (`showcase_journeys`): appended, made and shared like the ones above.
JOURNEY_TEMPLATES: tuple[dict[str, Any], ...] = (
    {"name": "新客欢迎推送", "channel": "push", "purpose": "marketing", "scenes": ["新客欢迎", "开户激活"],
     "content": {"title": "欢迎来到魔方银行", "body": "{{客户.姓氏}}{{客户.称谓}}，登录手机银行领取新客礼包，"
                                                   "首笔理财享专属收益。",
                 "links": {"link": "https://m.mofangbank.cn/act/new-customer"}}},
    {"name": "新客登录提醒短信", "channel": "sms", "purpose": "marketing", "scenes": ["开户激活"],
     "content": {"body": "【魔方银行】{{客户.姓氏}}{{客户.称谓}}，您的新客礼包即将过期，登录手机银行即可领取。"
                         "回T退订"}},
    {"name": "基金定投推送A（费率优惠）", "channel": "push", "purpose": "marketing", "scenes": ["基金意向"],
     "products": ["基金"],
     "content": {"title": "定投首月费率1折", "body": "{{客户.姓氏}}{{客户.称谓}}，您关注的基金开放定投，"
                                                  "首月申购费1折，每月100元起投。",
                 "links": {"link": DETAIL}}},
    {"name": "基金定投推送B（收益故事）", "channel": "push", "purpose": "marketing", "scenes": ["基金意向"],
     "products": ["基金"],
     "content": {"title": "每月100元，坚持的力量", "body": "{{客户.姓氏}}{{客户.称谓}}，定投分散择时风险，"
                                                      "看看坚持三年的客户收获了什么。",
                 "links": {"link": DETAIL}}},
    {"name": "沉睡客户关怀短信", "channel": "sms", "purpose": "marketing", "scenes": ["沉睡唤醒"],
     "content": {"body": "【魔方银行】{{客户.姓氏}}{{客户.称谓}}，好久不见！您的专属客户经理为您准备了"
                         "稳健理财方案，登录手机银行查看。回T退订"}},
    {"name": "沉睡高净值客户回访", "channel": "rm_task", "purpose": "service", "scenes": ["沉睡唤醒", "客户经理回访"],
     "content": {"title": "沉睡高净值客户关怀回访",
                 "body": "开场：{{客户.姓氏}}{{客户.称谓}}您好，我是您的客户经理{{客户经理.姓名}}。"
                         "\n要点：客户一周未响应唤醒短信，先关怀近况、核实联系方式，再了解资金安排。"
                         "\n结束：约定下次沟通时间，记录客户反馈。"}},
)


def prepare_journey_templates(*, platform: Platform, users: dict[str, Principal]) -> dict[str, int]:
    """The strategies' templates by name (made, activated and shared where missing)."""
    who = users[OWNER]
    with platform.metadata.session() as session:
        have = {t.name: t.id for t in content.list_templates(session=session, who=who) if t.owned}
        for spec in JOURNEY_TEMPLATES:
            if spec["name"] in have:
                continue
            row = content.create(platform=platform, session=session, who=who, data=TemplateCreate.model_validate(spec))
            content.set_status(platform=platform, session=session, who=who, template_id=row.id,
                               data=StatusChange(status="active"))
            content.share(session=session, who=who, template_id=row.id, data=ShareRequest(all=True))
            have[spec["name"]] = row.id
    return have
