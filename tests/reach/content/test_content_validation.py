"""Per-channel validation at save: SMS signature, opt-out and carrier part counts (variables at their longest),
push / inbox / e-mail limits, WeChat field names and lengths, links, and sensitive words with their positions."""

from __future__ import annotations

import pytest

from mofang.platform.settings import Settings
from mofang.reach.content.contracts import Limits, TemplateContent
from mofang.reach.content.logic import validate
from mofang.reach.content.placeholders import find_sensitive
from mofang.reach.content.service import limits_of

WORDS = [("保本", ["不保本", "非保本"]), ("稳赚", []), ("100%收益", []), ("零风险", [])]
SIGN = "【魔方银行】"  # 6 characters
OPT_OUT = "回T退订"  # 4 characters


def check(channel: str, purpose: str = "marketing", limits: Limits | None = None, **content: object):
    issues, sms = validate(channel=channel, purpose=purpose, content=TemplateContent.model_validate(content),
                           words=WORDS, limits=limits or Limits())
    return [(i.field, i.code) for i in issues], issues, sms


def test_a_good_marketing_sms_passes_and_counts_signature_and_opt_out() -> None:
    body = SIGN + "中" * 60 + OPT_OUT  # 70 characters with signature and opt-out: one part
    codes, _, sms = check("sms", body=body)
    assert codes == [] and sms is not None and (sms.encoding, sms.characters, sms.parts) == ("UCS-2", 70, 1)
    codes, _, sms = check("sms", body=SIGN + "中" * 61 + OPT_OUT)  # 71: two parts
    assert codes == [] and sms is not None and (sms.characters, sms.parts) == (71, 2)


def test_sms_variables_count_at_their_declared_maximum() -> None:
    # 客户.姓氏 counts 2, 客户.称谓 2, 权益.面额 8, 链接 25 (the tracked short link), whatever their values today.
    body = SIGN + "{{客户.姓氏}}{{客户.称谓}}" + "中" * 46 + "{{权益.面额}}元" + "{{链接}}" + OPT_OUT
    codes, _, sms = check("sms", body=body, links={"link": "https://m.bank.cn/x"})
    assert codes == [] and sms is not None and (sms.characters, sms.parts) == (6 + 2 + 2 + 46 + 8 + 1 + 25 + 4, 2)
    body = SIGN + "{{客户.姓氏}}" + "中" * 58 + OPT_OUT  # 6 + 2 + 58 + 4 = 70 at the surname's longest
    assert check("sms", body=body)[2].parts == 1  # type: ignore[union-attr]
    body = SIGN + "{{客户.姓氏}}" + "中" * 59 + OPT_OUT
    assert check("sms", body=body)[2].parts == 2  # type: ignore[union-attr]


@pytest.mark.parametrize("body", [SIGN + "您的理财已到期 回T退订", "您的理财已到期 回T退订" + SIGN,
                                  "  " + SIGN + "您的理财已到期 回T退订", "您的理财已到期，拒收请回复R【魔方银行】"])
def test_signature_at_start_or_end(body: str) -> None:
    assert check("sms", body=body)[0] == []


@pytest.mark.parametrize("body", ["您的理财已到期 回T退订", "您的【魔方银行】理财已到期 回T退订", "【行】到期 回T退订",
                                  "【 魔方 】到期 回T退订"])
def test_signature_missing_or_misplaced(body: str) -> None:
    assert ("body", "content.sms_signature_missing") in check("sms", body=body)[0]


def test_opt_out_required_on_marketing_not_on_service_sms() -> None:
    assert check("sms", body=SIGN + "基金定投优惠来了")[0] == [("body", "content.sms_opt_out_missing")]
    assert check("sms", purpose="service", body=SIGN + "您尾号1234的账户转入5000元")[0] == []


def test_sms_longer_than_the_part_limit() -> None:
    codes, issues, _ = check("sms", body=SIGN + "中" * 200 + OPT_OUT, limits=Limits(sms_max_parts=3))
    assert codes == [("body", "content.sms_too_long")] and issues[0].params["parts"] == 4


def test_push_title_and_body_limits_are_configurable() -> None:
    ok = {"title": "标" * 20, "body": "正" * 100}
    assert check("push", **ok)[0] == []
    codes, issues, _ = check("push", title="标" * 21, body="正" * 101)
    assert codes == [("title", "content.too_long"), ("body", "content.too_long")]
    assert issues[0].params == {"field": "title", "length": 21, "max": 20}
    limits = limits_of(Settings(reach_push_title_max=30, reach_push_body_max=120))
    assert check("push", limits=limits, title="标" * 21, body="正" * 101)[0] == []
    # 产品.名称 counts 20: a 1-character title around it is 21.
    assert check("push", title="买{{产品.名称}}", body="x")[0] == [("title", "content.too_long")]
    assert check("push", body="x")[0] == [("title", "content.required")]


def test_email_subject_required_and_at_most_78() -> None:
    assert check("email", subject="s" * 78, body="text")[0] == []
    assert check("email", subject="s" * 79, body="text")[0] == [("subject", "content.too_long")]
    assert check("email", body="text", html="<p>hi</p>")[0] == [("subject", "content.required")]


@pytest.mark.parametrize("html", ["<p>hi</p><script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                  "<a href='javascript:alert(1)'>x</a>", "<IFRAME src=https://a.cn>",
                                  "<form action=https://a.cn>"])
def test_email_html_without_active_content(html: str) -> None:
    codes, issues, _ = check("email", subject="s", body="text", html=html)
    assert codes == [("html", "content.html_unsafe")] and issues[0].params["position"] >= 0
    assert check("email", subject="s", body="t", html="<p style=\"color:red\">按时 <a href=\"https://a.cn/?a=1&"
                 "onboarding=1\">查看</a> button=1</p>")[0] == []


def test_wechat_field_names_and_lengths() -> None:
    good = {"wechat_template_id": "AbC_12-x", "fields": {"first": "您好", "keyword1": "体验金", "keyword2": "50元",
                                                          "remark": "点击查看"}}
    assert check("wechat", **good)[0] == []
    assert check("wechat", wechat_template_id="t1", fields={"thing1": "字" * 20, "amount2": "50元"})[0] == []
    codes = check("wechat", wechat_template_id="t1",
                  fields={"thing1": "字" * 21, "title": "x", "phrase3": "{{权益.名称}}"})[0]
    assert codes == [("fields.thing1", "content.too_long"), ("fields.title", "content.wechat_bad_field"),
                     ("fields.phrase3", "content.too_long")]
    assert check("wechat", wechat_template_id="bad id!", fields={"first": "x"})[0] == [
        ("wechat_template_id", "content.wechat_bad_template_id")]
    assert check("wechat", fields={"first": "x"})[0] == [("wechat_template_id", "content.required")]
    assert check("wechat", wechat_template_id="t1")[0] == [("fields", "content.wechat_fields_missing")]


def test_call_script_and_rm_task() -> None:
    assert check("call", call_script_id="S1", body="您好{{客户.姓氏}}{{客户.称谓}}",
                 call_variables=["客户.姓氏"])[0] == []
    assert check("call", call_script_id="S1", body="您好", call_variables=["客户.手机"])[0] == [
        ("call_variables.0", "content.unknown_variable")]
    assert check("rm_task", title="回访", body="")[0] == [("body", "content.required")]
    assert check("inbox", title="标" * 31, body="b")[0] == [("title", "content.too_long")]


def test_links_need_a_url_for_each_used_slot() -> None:
    assert check("push", title="t", body="{{链接}}")[0] == [("links.link", "content.link_missing")]
    assert check("push", title="t", body="{{链接}}", links={"link": "javascript:alert(1)"})[0] == [
        ("links.link", "content.bad_link")]
    assert check("push", title="t", body="x", links={"home": "https://a.cn"})[0] == [
        ("links.home", "content.unknown_link_slot")]


def test_placeholder_errors_are_issues_of_their_field() -> None:
    codes, issues, _ = check("push", title="{{客户.全名}}", body="x{{")
    assert codes == [("title", "content.unknown_variable"), ("body", "content.unclosed_placeholder")]
    assert issues[0].params["position"] == 0 and issues[1].params["position"] == 1


def test_sensitive_words_name_the_word_field_and_position() -> None:
    codes, issues, _ = check("push", title="稳健之选", body="本产品保本保息，稳赚不赔")
    assert codes == [("body", "content.sensitive_word")]
    assert issues[0].params == {"field": "body", "word": "保本", "position": 3}
    assert find_sensitive("理财非存款，本产品不保本，投资须谨慎", WORDS) is None  # the required disclosure is allowed
    assert find_sensitive("不保本，但保本金", WORDS) == ("保本", 5)
    assert find_sensitive("绝对 保 本", WORDS) == ("保本", 3)  # spaced out to dodge the list
    assert find_sensitive("年化100%收益", WORDS) == ("100%收益", 2)
    assert check("email", subject="零风险理财", body="x")[0] == [("subject", "content.sensitive_word")]
    assert check("wechat", wechat_template_id="t", fields={"keyword1": "稳赚"})[0] == [
        ("fields.keyword1", "content.sensitive_word")]
