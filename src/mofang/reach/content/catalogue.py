"""The fixed catalogue of template variables, RM personas and scenes (plain data, no code)."""

from __future__ import annotations

from typing import Final

from mofang.reach.content.contracts import Variable

# Only non-PII profile fields and the allowed name part (the surname) are ever offered: a template can never
# print a customer's full name, phone, ID or card number, whatever its author types.
VARIABLES: Final[tuple[Variable, ...]] = (
    Variable("customer.surname", "客户.姓氏", "Customer surname", "name_part", 2, False, "张", fallback=""),
    Variable("customer.salutation", "客户.称谓", "Salutation (先生/女士)", "profile", 2, False, "先生",
             fallback="客户"),
    Variable("customer.tier", "客户.层级", "Customer tier", "profile", 4, False, "财富"),
    Variable("customer.city", "客户.城市", "Customer city", "profile", 8, False, "深圳"),
    Variable("rm.name", "客户经理.姓名", "Relationship manager", "profile", 4, False, "李娜"),
    Variable("product.name", "产品.名称", "Product name", "product", 20, False, "鑫享稳健30天"),
    Variable("product.rate", "产品.收益率", "Product rate / yield", "product", 8, True, "2.85%"),
    Variable("product.term", "产品.期限", "Product term", "product", 6, False, "30天"),
    Variable("product.risk", "产品.风险等级", "Product risk level", "product", 2, True, "R2"),
    Variable("benefit.name", "权益.名称", "Benefit name", "benefit", 16, False, "理财体验金"),
    Variable("benefit.amount", "权益.面额", "Benefit amount (yuan)", "benefit", 8, True, "50"),
    Variable("benefit.threshold", "权益.使用门槛", "Benefit threshold", "benefit", 12, False, "满1000元可用"),
    Variable("benefit.expires", "权益.有效期", "Benefit valid until", "benefit", 10, True, "2026-12-31"),
    Variable("trigger.amount", "事件.金额", "Trigger amount", "trigger", 12, True, "5000.00"),
    Variable("trigger.time", "事件.时间", "Trigger time", "trigger", 16, True, "2026-12-07 10:30"),
    Variable("trigger.product", "事件.产品", "Trigger product", "trigger", 20, False, "沪深300指数基金"),
    # Link slots render the slot's URL (the delivery service turns it into a tracked /r/{token} short link of at
    # most this length, which is what an SMS is counted at).
    Variable("link", "链接", "Link", "link", 25, True, "https://m.bank.cn/a/1"),
    Variable("link.detail", "链接.详情", "Detail link", "link", 25, True, "https://m.bank.cn/a/2"),
)
BY_NAME: Final[dict[str, Variable]] = {v.name: v for v in VARIABLES} | {v.key: v for v in VARIABLES}
BY_KEY: Final[dict[str, Variable]] = {v.key: v for v in VARIABLES}
LINK_SLOTS: Final[tuple[str, ...]] = tuple(v.key for v in VARIABLES if v.source == "link")
SALUTATION: Final[dict[str, str]] = {"M": "先生", "F": "女士"}

# 27 人设: three personalities × nine hobbies of the RM content library (seed 002: 3大人物性格 × 9大人物爱好).
PERSONALITIES: Final = ("专业严谨", "热情亲和", "幽默活泼")
HOBBIES: Final = ("运动健身", "旅行", "美食", "阅读", "摄影", "音乐", "茶艺", "亲子", "投资研究")
PERSONAS: Final[tuple[str, ...]] = tuple(f"{p}·{h}" for p in PERSONALITIES for h in HOBBIES)
SCENES: Final[tuple[str, ...]] = ("新客欢迎", "开户激活", "基金意向", "沉睡唤醒", "到期提醒", "生日关怀", "权益到账",
                                  "活动通知", "服务通知", "贷款营销", "流失挽回", "客户经理回访")

# Carrier rules (GSM 03.38): the basic set costs one septet, the extension set two; anything else is UCS-2.
GSM_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED: Final = frozenset("^{}\\[~]|€\f")
# Opt-out phrases a marketing SMS must carry (one of them), as carriers and the MIIT rules expect.
SMS_OPT_OUT: Final = ("回T退订", "退订回T", "拒收请回复R")
