"""The placeholder language: a fixed catalogue, literal text round-trips, nothing is ever evaluated, and every
channel gets its own escaping."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mofang.platform.errors import Invalid
from mofang.reach.content.catalogue import VARIABLES
from mofang.reach.content.contracts import Slot, TemplateContent, Text
from mofang.reach.content.logic import render_message
from mofang.reach.content.placeholders import fill, parse, serialize, sms_count, strip_controls

HOSTILE = ["{{", "}}", "{%", "%}", "${}", "${7*7}", "<script>alert(1)</script>", "{{7*7}}", "__import__('os')",
           "{0.__class__}", "%(x)s", "{}", "\x00", "\u202e", "&amp;", "'\"", "{{客户.姓氏}}"]
FACTS = {"surname": "王", "gender": "F", "tier": "财富", "city": "深圳", "rm_name": "李娜"}


def test_chinese_and_english_names_parse_to_catalogue_keys() -> None:
    tokens = parse("尊敬的{{客户.姓氏}}{{ customer.salutation }}：您的{{权益.面额}}元券已到账")
    assert tokens == [Text("尊敬的"), Slot("customer.surname", 3, "{{客户.姓氏}}"),
                      Slot("customer.salutation", 12, "{{ customer.salutation }}"), Text("：您的"),
                      Slot("benefit.amount", 40, "{{权益.面额}}"), Text("元券已到账")]


@pytest.mark.parametrize(("text", "code", "position"), [
    ("您好{{客户.全名}}", "content.unknown_variable", 2),
    ("{{客户.手机号}}", "content.unknown_variable", 0),
    ("abc {{7*7}}", "content.unknown_variable", 4),
    ("abc {{ config.__class__ }}", "content.unknown_variable", 4),
    ("您好{{客户.姓氏", "content.unclosed_placeholder", 2),
    ("您好{{客户.姓氏}} 再见 {{", "content.unclosed_placeholder", 15),
    ("{{ {{客户.姓氏}}", "content.unknown_variable", 0),
])
def test_bad_placeholders_are_422_naming_the_position(text: str, code: str, position: int) -> None:
    with pytest.raises(Invalid) as err:
        parse(text, field="body")
    assert err.value.status_code == 422 and err.value.code == code
    assert err.value.params["position"] == position and err.value.field == "body"


def test_a_brace_before_a_placeholder_is_literal() -> None:
    assert parse("{{{客户.姓氏}}}") == [Text("{"), Slot("customer.surname", 1, "{{客户.姓氏}}"), Text("}")]


def test_text_without_placeholders_is_one_literal_whatever_it_looks_like() -> None:
    for text in ("${7*7}", "{% if x %}", "<script>", "}} 单独的右括号", "{0} {name}", "%(x)s"):
        assert parse(text) == [Text(text)]


literal = st.text(min_size=1).filter(lambda s: "{{" not in s)
slot = st.sampled_from(VARIABLES).flatmap(lambda v: st.sampled_from([v.name, v.key, f" {v.name} "]).map(
    lambda n, v=v: Slot(v.key, 0, "{{" + n + "}}")))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(literal.map(Text), slot), max_size=12))
def test_parse_round_trips_any_literals_and_placeholders(tokens: list) -> None:
    text = serialize(tokens)
    parsed = parse(text)
    assert serialize(parsed) == text
    # Adjacent literals merge; placeholders are the same, in the same order.
    assert [(t.key, t.raw) for t in parsed if isinstance(t, Slot)] == [(t.key, t.raw) for t in tokens
                                                                       if isinstance(t, Slot)]
    assert "".join(t.text for t in parsed if isinstance(t, Text)) == "".join(t.text for t in tokens
                                                                             if isinstance(t, Text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.characters(), st.sampled_from(HOSTILE)), max_size=40).map("".join))
def test_arbitrary_text_is_either_refused_or_reproduced_exactly(text: str) -> None:
    try:
        tokens = parse(text)
    except Invalid as exc:
        assert exc.code in ("content.unknown_variable", "content.unclosed_placeholder")
        return
    assert serialize(tokens) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(), st.sampled_from(HOSTILE)), min_size=3, max_size=3))
def test_values_are_inserted_as_data_and_never_parsed_or_evaluated(values: list[str]) -> None:
    text = "前{{产品.名称}}中{{事件.产品}}后{{权益.名称}}${1+1}"
    out = fill(parse(text), dict(zip(["product.name", "trigger.product", "benefit.name"], values, strict=True)),
               lambda v: v)
    assert out == f"前{values[0]}中{values[1]}后{values[2]}${{1+1}}"


@settings(max_examples=200, deadline=None)
@given(st.text().filter(lambda s: "{{" not in s))
def test_sms_rendering_keeps_literal_text_minus_control_characters(text: str) -> None:
    msg = render_message(channel="sms", content=TemplateContent(body=text), template_id=1, version=1, facts={},
                         variables={})
    assert msg.body == strip_controls(text)
    assert not any(ord(c) < 32 and c != "\n" for c in msg.body)


def test_render_fills_profile_facts_and_send_variables() -> None:
    content = TemplateContent(body="【魔方银行】{{客户.姓氏}}{{客户.称谓}}您好，{{产品.名称}}七日年化{{产品.收益率}}，"
                              "{{客户经理.姓名}}为您服务 {{链接}} 回T退订", links={"link": "https://m.bank.cn/f"})
    msg = render_message(channel="sms", content=content, template_id=7, version=3, facts=FACTS,
                         variables={"product": {"name": "鑫享稳健", "rate": "2.85%"}})
    assert msg.body == "【魔方银行】王女士您好，鑫享稳健七日年化2.85%，李娜为您服务 https://m.bank.cn/f 回T退订"
    assert (msg.template_id, msg.template_version, msg.url) == (7, 3, "https://m.bank.cn/f")


def test_missing_profile_facts_fall_back_and_missing_send_variables_refuse() -> None:
    content = TemplateContent(body="尊敬的{{客户.姓氏}}{{客户.称谓}}")
    assert render_message(channel="sms", content=content, template_id=1, version=1, facts={},
                          variables={}).body == "尊敬的客户"
    with pytest.raises(Invalid) as err:
        render_message(channel="sms", content=TemplateContent(body="{{权益.面额}}元"), template_id=1, version=1,
                       facts={}, variables={})
    assert err.value.code == "content.missing_variable" and err.value.params == {"name": "权益.面额"}


def test_values_beyond_their_declared_length_are_cut_so_counted_parts_hold() -> None:
    msg = render_message(channel="sms", content=TemplateContent(body="{{产品.名称}}"), template_id=1, version=1,
                         facts={}, variables={"product.name": "超" * 50})
    assert msg.body == "超" * 20


def test_email_html_escapes_values_but_keeps_authored_markup() -> None:
    content = TemplateContent(subject="{{客户.姓氏}}{{客户.称谓}}，您的{{权益.名称}}", body="{{权益.名称}}",
                              html="<p>您好 <b>{{权益.名称}}</b> <a href=\"{{链接}}\">查看</a></p>",
                              links={"link": "https://m.bank.cn/e?a=1&b=2"})
    msg = render_message(channel="email", content=content, template_id=1, version=1, facts=FACTS,
                         variables={"benefit.name": "<i>'体验金'</i>\r\nBcc"})
    assert msg.html == ("<p>您好 <b>&lt;i&gt;&#x27;体验金&#x27;&lt;/i&gt;\nBcc</b> "
                        "<a href=\"https://m.bank.cn/e?a=1&amp;b=2\">查看</a></p>")
    assert msg.title is not None and "\n" not in msg.title and "\r" not in msg.title  # no header injection
    assert msg.title == "王女士，您的<i>'体验金'</i>Bcc"
    assert msg.body == "<i>'体验金'</i>\nBcc"  # the text part is text


def test_a_send_time_link_must_be_http() -> None:
    content = TemplateContent(body="{{链接}}", links={"link": "https://m.bank.cn/a"})
    with pytest.raises(Invalid) as err:
        render_message(channel="push", content=content, template_id=1, version=1, facts={},
                       variables={"link": "javascript:alert(1)"})
    assert err.value.code == "content.bad_link"


def test_wechat_and_call_data_are_json_safe_strings() -> None:
    content = TemplateContent(wechat_template_id="TPL_abc-1", fields={"thing1": "{{权益.名称}}",
                                                                      "amount2": "{{权益.面额}}元"})
    msg = render_message(channel="wechat", content=content, template_id=1, version=1, facts=FACTS,
                         variables={"benefit": {"name": "体验金\x00\u202e\ud800", "amount": 50.0}})
    assert msg.data == {"template_id": "TPL_abc-1", "thing1": "体验金", "amount2": "50元"}
    call = render_message(channel="call", content=TemplateContent(call_script_id="S-01", body="您好",
                                                                  call_variables=["客户.姓氏", "产品.名称"]),
                          template_id=1, version=1, facts=FACTS, variables={"product.name": "鑫享"})
    assert call.data == {"script_id": "S-01", "customer.surname": "王", "product.name": "鑫享"}


@pytest.mark.parametrize(("n", "parts"), [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)])
def test_chinese_sms_parts_as_carriers_count(n: int, parts: int) -> None:
    count = sms_count("短" * n)
    assert (count.encoding, count.characters, count.parts) == ("UCS-2", n, parts)


@pytest.mark.parametrize(("text", "encoding", "chars", "parts"), [
    ("a" * 160, "GSM-7", 160, 1), ("a" * 161, "GSM-7", 161, 2), ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3), ("€" * 80, "GSM-7", 160, 1), ("a" * 159 + "[", "GSM-7", 161, 2),
    ("a" * 69 + "中", "UCS-2", 70, 1), ("😀" * 35, "UCS-2", 70, 1), ("😀" * 36, "UCS-2", 72, 2), ("", "GSM-7", 0, 0),
])
def test_gsm7_and_ucs2_counting(text: str, encoding: str, chars: int, parts: int) -> None:
    count = sms_count(text)
    assert (count.encoding, count.characters, count.parts) == (encoding, chars, parts)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.characters(), st.sampled_from(HOSTILE)), max_size=16).map("".join))
def test_email_html_values_round_trip_through_escaping_and_never_open_a_tag(value: str) -> None:
    content = TemplateContent(subject="s", body="b", html="<p>{{权益.名称}}</p>")
    clean = strip_controls(value)
    if not clean.strip():  # a blank value is no value
        with pytest.raises(Invalid):
            render_message(channel="email", content=content, template_id=1, version=1, facts={},
                           variables={"benefit.name": value})
        return
    msg = render_message(channel="email", content=content, template_id=1, version=1, facts={},
                         variables={"benefit.name": value})
    assert msg.html is not None and msg.html.startswith("<p>") and msg.html.endswith("</p>")
    inner = msg.html[3:-4]
    assert "<" not in inner and ">" not in inner and '"' not in inner and "'" not in inner
    assert html.unescape(inner) == clean[:16]
