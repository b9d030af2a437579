"""What app sessions are made of: states of a customer's visit, how they follow each other, and the
static JSON (properties, context) events carry, so the writer looks strings up instead of building them."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from mofang.demo.orgs import OrgTree
from mofang.demo.products import PRODUCTS
from mofang.demo.timeline import Window

EVENT_NAMES = ("app_start", "login", "page_view", "search", "product_view", "fund_purchase", "wealth_purchase",
               "loan_quota_test", "loan_apply", "loan_disburse", "coupon_claim", "push_click", "share", "sign_in",
               "identify")
(E_APP_START, E_LOGIN, E_PAGE, E_SEARCH, E_PRODUCT, E_FUND_BUY, E_WEALTH_BUY, E_QUOTA, E_APPLY, E_DISBURSE,
 E_COUPON, E_PUSH, E_SHARE, E_SIGN_IN, E_IDENTIFY) = range(len(EVENT_NAMES))
TYPES = ("track", "page", "screen", "identify")
T_TRACK, T_PAGE, T_SCREEN, T_IDENTIFY = range(4)
CHANNELS = ("app", "h5", "wechat", "branch", "server")
C_APP, C_H5, C_WECHAT, C_BRANCH, C_SERVER = range(5)

# States of a visit. BEGIN emits nothing; page states emit page_view with their page.
STATES = ("BEGIN", "START", "LOGIN", "HOME", "ACCT", "TRANSFER", "WEALTH", "FUNDS", "LOANP", "ACTIVITY", "MINE",
          "CARD", "SEARCH", "PV_WEALTH", "PV_FUND", "PV_LOAN", "BUY_WEALTH", "BUY_FUND", "QUOTA", "APPLY",
          "COUPON", "PUSH", "SHARE", "SIGNIN", "END")
S = {name: i for i, name in enumerate(STATES)}
PAGES = {"HOME": "首页", "ACCT": "收支明细", "TRANSFER": "转账", "WEALTH": "理财首页", "FUNDS": "基金首页",
         "LOANP": "贷款首页", "ACTIVITY": "活动页", "MINE": "我的", "CARD": "信用卡"}
DETAIL_PAGES = {"deposit": "存款详情", "wealth": "理财详情", "fund": "基金详情", "insurance": "保险详情",
                "gold": "贵金属详情", "loan": "贷款详情", "card": "信用卡详情"}
STATE_EVENT = np.array([
    -1, E_APP_START, E_LOGIN, *[E_PAGE] * 9, E_SEARCH, E_PRODUCT, E_PRODUCT, E_PRODUCT, E_WEALTH_BUY, E_FUND_BUY,
    E_QUOTA, E_APPLY, E_COUPON, E_PUSH, E_SHARE, E_SIGN_IN, -1,
])
NEEDS_LOGIN = np.isin(np.arange(len(STATES)), [S[s] for s in ("BUY_WEALTH", "BUY_FUND", "QUOTA", "APPLY",
                                                               "COUPON", "SIGNIN")])

# Transitions of an app visit, each row a state's next steps (weights, normalised later).
_APP = {
    "BEGIN": {"START": 1},
    "START": {"LOGIN": 0.93, "END": 0.07},
    "LOGIN": {"HOME": 1},
    "HOME": {"ACCT": 0.2, "TRANSFER": 0.11, "WEALTH": 0.13, "FUNDS": 0.07, "LOANP": 0.05, "ACTIVITY": 0.03,
             "MINE": 0.07, "CARD": 0.06, "SEARCH": 0.04, "SIGNIN": 0.05, "END": 0.19},
    "ACCT": {"HOME": 0.2, "TRANSFER": 0.12, "END": 0.68},
    "TRANSFER": {"HOME": 0.25, "END": 0.75},
    "WEALTH": {"PV_WEALTH": 0.5, "SEARCH": 0.04, "HOME": 0.12, "END": 0.34},
    "FUNDS": {"PV_FUND": 0.55, "SEARCH": 0.05, "HOME": 0.1, "END": 0.3},
    "LOANP": {"QUOTA": 0.3, "PV_LOAN": 0.25, "HOME": 0.1, "END": 0.35},
    "ACTIVITY": {"COUPON": 0.35, "SHARE": 0.08, "PV_WEALTH": 0.15, "HOME": 0.1, "END": 0.32},
    "MINE": {"ACCT": 0.2, "HOME": 0.3, "END": 0.5},
    "CARD": {"HOME": 0.3, "END": 0.7},
    "SEARCH": {"PV_FUND": 0.35, "PV_WEALTH": 0.3, "LOANP": 0.05, "END": 0.3},
    "PV_WEALTH": {"BUY_WEALTH": 0.16, "PV_WEALTH": 0.2, "WEALTH": 0.14, "SHARE": 0.02, "END": 0.48},
    "PV_FUND": {"BUY_FUND": 0.16, "PV_FUND": 0.25, "FUNDS": 0.15, "SHARE": 0.02, "END": 0.46},
    "PV_LOAN": {"QUOTA": 0.35, "LOANP": 0.15, "END": 0.5},
    "BUY_WEALTH": {"SHARE": 0.06, "HOME": 0.14, "END": 0.8},
    "BUY_FUND": {"SHARE": 0.05, "PV_FUND": 0.1, "HOME": 0.1, "END": 0.75},
    "QUOTA": {"APPLY": 0.3, "LOANP": 0.12, "END": 0.58},
    "APPLY": {"HOME": 0.1, "END": 0.9},
    "COUPON": {"PV_WEALTH": 0.45, "ACTIVITY": 0.1, "HOME": 0.1, "END": 0.35},
    "PUSH": {"START": 1},
    "SHARE": {"HOME": 0.2, "END": 0.8},
    "SIGNIN": {"ACTIVITY": 0.15, "HOME": 0.45, "END": 0.4},
    "END": {"END": 1},
}
# h5 and WeChat visits land on a page and ask for login only when the customer wants to act.
_WEB = {
    "BEGIN": {"HOME": 0.35, "WEALTH": 0.25, "FUNDS": 0.15, "ACTIVITY": 0.25},
    "LOGIN": {"HOME": 0.25, "PV_WEALTH": 0.3, "PV_FUND": 0.2, "ACTIVITY": 0.15, "END": 0.1},
}
# At the branch a teller or RM verifies the customer and walks them through products.
_BRANCH = {
    "BEGIN": {"LOGIN": 1},
    "LOGIN": {"PV_WEALTH": 0.45, "PV_FUND": 0.12, "PV_LOAN": 0.08, "END": 0.35},
    "PV_WEALTH": {"BUY_WEALTH": 0.4, "PV_WEALTH": 0.15, "END": 0.45},
    "PV_FUND": {"BUY_FUND": 0.3, "PV_FUND": 0.1, "END": 0.6},
    "PV_LOAN": {"QUOTA": 0.5, "END": 0.5},
    "QUOTA": {"APPLY": 0.5, "END": 0.5},
    "BUY_WEALTH": {"END": 1}, "BUY_FUND": {"END": 1}, "APPLY": {"END": 1},
}
# During the 理财节 the home banner leads to the activity page and wealth products sell better; on
# payday customers check their balance and put some of their wage to work.
_CAMPAIGN = {("HOME", "ACTIVITY"): 6.0, ("HOME", "WEALTH"): 1.5, ("ACTIVITY", "COUPON"): 1.4,
             ("PV_WEALTH", "BUY_WEALTH"): 2.0, ("COUPON", "PV_WEALTH"): 1.3, ("BEGIN", "ACTIVITY"): 3.0}
_PAYDAY = {("HOME", "ACCT"): 1.6, ("HOME", "WEALTH"): 1.6, ("HOME", "FUNDS"): 1.4,
           ("PV_WEALTH", "BUY_WEALTH"): 1.6, ("PV_FUND", "BUY_FUND"): 1.6}
VARIANTS = 12  # channel class (app, web, branch) × campaign × payday


def variant(channel_class: np.ndarray, campaign: bool, payday: np.ndarray) -> np.ndarray:
    """Index of the transition matrix for each session."""
    return channel_class * 4 + int(campaign) * 2 + payday.astype(np.int64)


def transition_cdf() -> np.ndarray:
    """Cumulative transition probabilities, shape (VARIANTS, states, states)."""
    out = np.zeros((VARIANTS, len(STATES), len(STATES)))
    for cls, overlay in enumerate(({}, _WEB, _BRANCH)):
        rows = {**_APP, **overlay}
        if cls == 2:  # at the branch only the overlaid states exist; anything else ends the visit
            rows = {k: overlay.get(k, {"END": 1}) for k in _APP}
        for campaign in (0, 1):
            for payday in (0, 1):
                m = np.zeros((len(STATES), len(STATES)))
                for src, nexts in rows.items():
                    for dst, p in nexts.items():
                        boost = (_CAMPAIGN.get((src, dst), 1.0) if campaign else 1.0) * (
                            _PAYDAY.get((src, dst), 1.0) if payday else 1.0)
                        m[S[src], S[dst]] = p * boost
                m /= m.sum(axis=1, keepdims=True)
                out[cls * 4 + campaign * 2 + payday] = np.cumsum(m, axis=1)
    out[..., -1] = 1.0
    return out


KEYWORDS = ("理财", "基金", "大额存单", "存款利率", "黄金", "养老", "信用卡额度", "房贷利率", "消费贷", "转账限额",
            "社保卡", "医保", "外汇", "定投", "货币基金", "新发基金", "理财节", "积分兑换", "手机充值", "话费")
COUPONS = ("CPN-LCJ-FULL50", "CPN-LCJ-RATE0.5", "CPN-LCJ-NEW88", "CPN-DAILY-5", "CPN-MOVIE-20")
LOGIN_METHODS = ("password", "fingerprint", "face", "sms", "gesture")
SHARE_TARGETS = ("wechat_friend", "wechat_moments", "qq", "copy_link")


@dataclass(frozen=True)
class PropsCatalogue:
    """Static `properties` JSON texts by code, with where each kind starts."""

    texts: list[str]
    page: dict[int, int]  # state → code
    product: int
    keyword: int
    coupon: int
    push: int
    share: int
    sign_in: int
    app_start: int
    login: int
    identify: int  # + leaf index
    campaign_id: str


def _j(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def props_catalogue(window: Window, tree: OrgTree) -> PropsCatalogue:
    """Every properties JSON that does not depend on an amount."""
    campaign_id = f"CMP-LCJ-{window.day(window.campaign()[0]):%Y%m}"
    texts: list[str] = []

    def block(items: list[object]) -> int:
        start = len(texts)
        texts.extend(_j(i) for i in items)
        return start

    page = {S[state]: block([{"page": name}]) for state, name in PAGES.items()}
    product = block([{"product_id": p.product_id, "product_type": p.product_type, "product_name": p.name,
                      "risk_level": f"R{p.risk}", "page": DETAIL_PAGES[p.shelf]} for p in PRODUCTS])
    keyword = block([{"keyword": k} for k in KEYWORDS])
    coupon = block([{"coupon_id": c, **({"campaign_id": campaign_id} if "LCJ" in c else {})} for c in COUPONS])
    push = block([{"campaign_id": campaign_id}, {"campaign_id": "CMP-DAILY-REMIND"}])
    share = block([{"target": t} for t in SHARE_TARGETS])
    sign_in = block([{"points": p} for p in (5, 10, 20)])
    app_start = block([{"launch": "cold"}, {"launch": "warm"}, {"launch": "push"}])
    login = block([{"method": m} for m in LOGIN_METHODS])
    identify = block([{"customer_type": "个人", "org_code": leaf.code} for leaf in tree.leaves])
    return PropsCatalogue(texts, page, product, keyword, coupon, push, share, sign_in, app_start, login, identify,
                          campaign_id)


OS_NAMES = (("iOS", "18.3"), ("Android", "14"), ("HarmonyOS", "4.2"))
APP_VERSIONS = ("6.8.2", "7.0.1", "7.1.0", "7.2.3", "7.3.0")


def context_catalogue() -> list[str]:
    """Every `context` JSON: per channel, operating system and app version; then branch and server."""
    out = []
    for ch in ("app", "h5", "wechat"):
        for os_name, os_ver in OS_NAMES:
            for ver in APP_VERSIONS:
                ctx: dict[str, object] = {"os": {"name": os_name, "version": os_ver}, "locale": "zh-CN",
                                          "timezone": "Asia/Shanghai"}
                if ch == "app":
                    ctx["app"] = {"name": "魔方银行", "version": ver}
                    ctx["library"] = {"name": "analytics-ios" if os_name == "iOS" else "analytics-android",
                                      "version": "4.1.8"}
                elif ch == "wechat":
                    ctx["app"] = {"name": "魔方银行微信小程序", "version": ver}
                    ctx["library"] = {"name": "analytics-miniprogram", "version": "2.3.0"}
                else:
                    ctx["library"] = {"name": "analytics.js", "version": "5.2.0"}
                out.append(_j(ctx))
    out.append(_j({"library": {"name": "branch-pad", "version": "3.1.0"}, "device": {"type": "pad"},
                   "locale": "zh-CN", "timezone": "Asia/Shanghai"}))
    out.append(_j({"library": {"name": "core-banking", "version": "1.0"}}))
    return out


def context_code(channel: np.ndarray, os_: np.ndarray, version: np.ndarray) -> np.ndarray:
    """Index into `context_catalogue()` for each event."""
    per = len(OS_NAMES) * len(APP_VERSIONS)
    digital = channel * per + os_ * len(APP_VERSIONS) + version
    return np.select([channel == C_BRANCH, channel == C_SERVER], [3 * per, 3 * per + 1], digital).astype(np.int16)
