"""The campaign's mobile H5 page (zh-CN, 375 px first), opened from a signed, expiring customer link."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from mofang.campaigns.lifecycle import customer, logic
from mofang.campaigns.lifecycle import repository as repo
from mofang.campaigns.templates import scenario
from mofang.platform.context import now_of
from mofang.platform.deps import PlatformDep

router = APIRouter(tags=["campaign-h5"])
JS = (Path(__file__).parent / "static" / "campaign.js").read_text(encoding="utf-8")
NO_STORE = {"Cache-Control": "no-store"}

STYLE = """
*{box-sizing:border-box}body{margin:0;font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;
background:#fff4e8;color:#222;max-width:480px;margin:0 auto}
header{background:linear-gradient(160deg,#ff5a3c,#ff9f43);color:#fff;padding:28px 20px 36px;border-radius:0 0 24px 24px}
h1{font-size:24px;margin:0 0 8px}p.lead{margin:0;opacity:.92;font-size:14px;line-height:1.6}
main{padding:16px}section{background:#fff;border-radius:16px;padding:16px;margin-bottom:12px;
box-shadow:0 2px 8px rgba(0,0,0,.06)}h2{font-size:16px;margin:0 0 10px}
button{width:100%;height:48px;border:0;border-radius:24px;background:#ff5a3c;color:#fff;font-size:17px;margin-top:8px}
button.secondary{background:#fff;color:#ff5a3c;border:1px solid #ff5a3c}
input{width:100%;height:44px;border:1px solid #ddd;border-radius:8px;padding:0 12px;font-size:16px}
.result{min-height:22px;margin-top:12px;font-size:15px;text-align:center}.ok{color:#2e7d32}.err{color:#c62828}
.muted{color:#888;font-size:13px}footer{color:#999;font-size:12px;text-align:center;padding:12px 16px 24px}
"""

BLOCKS: dict[str, str] = {
    "checkin": '<section><h2>每日签到</h2><p class="muted">连续签到{days}天可得奖励</p>'
               '<button data-action="checkin">立即签到</button></section>',
    "mgm": '<section><h2>我是受邀好友</h2><input id="code" placeholder="请输入邀请码" maxlength="16">'
           '<button data-action="invite-accept">接受邀请</button></section>'
           '<section><h2>邀请好友</h2><p class="muted">好友完成任务后，双方各得一份奖励</p>'
           '<button class="secondary" data-action="invite-code">获取我的邀请码</button></section>',
    "lottery": '<section><h2>幸运抽奖</h2><button data-action="draw">立即抽奖</button></section>',
    "flash": '<section><h2>限时抢券</h2><p class="muted">{date} {at} 准时开抢，先到先得</p>'
             '<button data-action="claim">立即抢券</button></section>',
    "aum_growth": '<section><h2>资产达标奖励</h2><button class="secondary" data-action="join">报名参加</button>'
                  '<button data-action="claim">领取奖励</button></section>',
    "task": '<section><h2>完成任务领奖励</h2><p class="muted">完成以下任务中的任意 {n} 项即可获得奖励</p>'
            '<button data-action="join">报名参加</button></section>',
    "first_action": '<section><h2>新客专享礼</h2><p class="muted">完成首次操作即可获得新客礼</p>'
                    '<button data-action="join">立即参与</button></section>',
}
BLOCKS["loan_cashback"] = BLOCKS["mgm"]


def _page(title: str, lead: str, inner: str, token: str = "", template: str = "") -> str:
    return ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
            f'<body data-token="{escape(token)}" data-template="{escape(template)}">'
            f'<header><h1>{escape(title)}</h1><p class="lead">{escape(lead)}</p>'
            f'</header><main>{inner}<p id="progress" class="muted"></p><div id="result" class="result"></div></main>'
            '<footer>活动最终解释权归本行所有 · 理财有风险，投资需谨慎</footer>'
            + ('<script src="/h5/static/campaign.js"></script>' if token else "") + "</body></html>")


@router.get("/h5/static/campaign.js", include_in_schema=False)
def script() -> Response:
    """The page's script (a file of its own: the content security policy allows no inline script)."""
    return Response(JS, media_type="application/javascript", headers={"Cache-Control": "public, max-age=300"})


@router.get("/h5/c/{token}", response_class=HTMLResponse, include_in_schema=False)
def page(token: Annotated[str, PathParam(max_length=400)], platform: PlatformDep) -> HTMLResponse:
    """The campaign page for the customer in the token (an invalid or expired link gets a plain explanation)."""
    found = logic.read_token(customer.secret(platform), token, now=now_of(platform))
    if found is None:
        expired = _page("链接已失效", "该链接无效或已过期，请返回银行 App 重新打开活动页面。", "")
        return HTMLResponse(expired, status_code=401, headers=NO_STORE)
    campaign_id, _customer = found
    with platform.metadata.session() as s:
        c = repo.campaign(s, campaign_id)
        if c is None or c.status not in ("running", "paused", "scheduled", "ended"):
            return HTMLResponse(_page("活动不存在", "该活动不存在或尚未开始。", ""), status_code=404, headers=NO_STORE)
        name, description, template, params = c.name, c.description, c.template_id, dict(c.params)
    block = BLOCKS.get(template, "").format(
        days="、".join(str(d) for d in params.get("milestone_days") or []), date=escape(str(params.get("date", ""))),
        at=escape(str(params.get("at", ""))), n=params.get("required_count", ""))
    lead = description or scenario(template).read.description
    return HTMLResponse(_page(name, lead, block, token, template), headers=NO_STORE)
