"""Pure rules of the content library: per-channel validation at save, rendering one message, visibility."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from mofang.platform.errors import Invalid
from mofang.platform.governance.contracts import Scope, in_subtree
from mofang.reach.content.catalogue import BY_NAME, LINK_SLOTS, PERSONAS, SMS_OPT_OUT
from mofang.reach.content.contracts import Limits, Slot, SmsCount, TemplateContent, Token, ValidationIssue
from mofang.reach.content.placeholders import (
    URL,
    content_keys,
    content_texts,
    escape_html,
    fill,
    find_sensitive,
    longest,
    one_line,
    parse,
    resolve,
    sms_count,
    strip_controls,
)
from mofang.reach.contracts import RenderedMessage

SIGNATURE_AT_START = re.compile(r"^\s*【[^【】\s]{2,12}】")
SIGNATURE_AT_END = re.compile(r"【[^【】\s]{2,12}】\s*$")
# Mail clients drop active content anyway; refusing it at save keeps a template from looking different in review.
UNSAFE_HTML = re.compile(r"<\s*(script|iframe|object|embed|form|meta|base)\b|<[^>]*\son[a-z]+\s*=|javascript\s*:",
                         re.IGNORECASE)
WECHAT_ID = re.compile(r"^[A-Za-z0-9_\-]{1,128}$")
# Template-message fields (first / keywordN / remark) and subscribe-message fields (thing1, amount2, ...) with the
# longest value WeChat accepts for each kind; first and remark are no longer shown but still accepted.
WECHAT_FIELD = re.compile(r"^(first|remark|keyword\d{1,2}|(thing|character_string|number|letter|symbol|amount|time|date"
                          r"|phrase|name|phone_number|car_number|const)\d{1,2})$")
WECHAT_MAX = {"first": 200, "remark": 200, "keyword": 20, "thing": 20, "character_string": 32, "number": 32,
              "letter": 32, "symbol": 5, "amount": 11, "time": 32, "date": 32, "phrase": 5, "name": 10,
              "phone_number": 17, "car_number": 8, "const": 20}
Words = Iterable[tuple[str, list[str]]]


def _issue(field: str, code: str, message: str, **params: str | int) -> ValidationIssue:
    return ValidationIssue(field=field, code=code, message=message, params={"field": field, **params})


def _required(content: TemplateContent, field: str) -> ValidationIssue | None:
    value = getattr(content, field)
    if value is None or not str(value).strip():
        return _issue(field, "content.required", f"{field} is required for this channel")
    return None


def _too_long(field: str, tokens: list[Token] | None, limit: int) -> ValidationIssue | None:
    if tokens is None:
        return None
    n = len(longest(tokens))
    if n > limit:
        return _issue(field, "content.too_long", f"{field} is {n} characters (variables at their longest); "
                      f"the limit is {limit}", length=n, max=limit)
    return None


def validate(*, channel: str, purpose: str, content: TemplateContent, words: Words, limits: Limits
             ) -> tuple[list[ValidationIssue], SmsCount | None]:
    """Every problem of a template for its channel, and (SMS) how carriers will count it."""
    issues: list[ValidationIssue | None] = []
    tokens: dict[str, list[Token]] = {}
    for field, text in content_texts(content):
        try:
            tokens[field] = parse(text, field=field)
        except Invalid as exc:
            issues.append(_issue(field, exc.code or "content.invalid", exc.message,
                                 **{k: v for k, v in exc.params.items() if k != "field"}))  # type: ignore[arg-type]
    sms = None
    needs = {"sms": ("body",), "push": ("title", "body"), "inbox": ("title", "body"),
             "placement": ("title", "body"), "wechat": ("wechat_template_id",), "email": ("subject", "body"),
             "call": ("call_script_id", "body"), "rm_task": ("title", "body")}[channel]
    issues += [_required(content, f) for f in needs]
    if channel == "sms" and content.body.strip():
        body = content.body.strip()
        if not (SIGNATURE_AT_START.search(body) or SIGNATURE_AT_END.search(body)):
            issues.append(_issue("body", "content.sms_signature_missing",
                                 "an SMS starts or ends with its 【signature】"))
        if purpose == "marketing" and not any(p in body for p in SMS_OPT_OUT):
            issues.append(_issue("body", "content.sms_opt_out_missing",
                                 "a marketing SMS carries 回T退订 (or 拒收请回复R)"))
        if "body" in tokens:
            sms = sms_count(longest(tokens["body"]))
            if sms.parts > limits.sms_max_parts:
                issues.append(_issue("body", "content.sms_too_long", f"{sms.parts} parts; at most "
                                     f"{limits.sms_max_parts}", parts=sms.parts, max=limits.sms_max_parts))
    caps = {"push": (limits.push_title, limits.push_body), "inbox": (limits.inbox_title, limits.inbox_body),
            "placement": (limits.placement_title, limits.placement_body), "rm_task": (limits.rm_title, None)}
    if channel in caps:
        title_cap, body_cap = caps[channel]
        issues.append(_too_long("title", tokens.get("title"), title_cap))
        if body_cap is not None:
            issues.append(_too_long("body", tokens.get("body"), body_cap))
    if channel == "email":
        issues.append(_too_long("subject", tokens.get("subject"), limits.email_subject))
        unsafe = UNSAFE_HTML.search(content.html or "")
        if unsafe:
            issues.append(_issue("html", "content.html_unsafe", f"e-mail HTML may not contain '{unsafe.group()}'",
                                 found=unsafe.group()[:20], position=unsafe.start()))
    if channel == "wechat":
        issues += _wechat(content, tokens)
    if channel == "call":
        issues += [_issue(f"call_variables.{i}", "content.unknown_variable", f"unknown variable '{name[:40]}'",
                          name=name[:40], position=0)
                   for i, name in enumerate(content.call_variables) if name.strip() not in BY_NAME]
    issues += _links(content, tokens)
    issues += _sensitive(content, words)
    found = [i for i in issues if i is not None]
    return found, sms


def _wechat(content: TemplateContent, tokens: Mapping[str, list[Token]]) -> list[ValidationIssue | None]:
    if content.wechat_template_id and not WECHAT_ID.match(content.wechat_template_id):
        return [_issue("wechat_template_id", "content.wechat_bad_template_id",
                       "a WeChat template id is letters, digits, - and _")]
    if not content.fields:
        return [_issue("fields", "content.wechat_fields_missing", "a WeChat template message needs its fields")]
    out: list[ValidationIssue | None] = []
    for name in content.fields:
        m = WECHAT_FIELD.match(name)
        if m is None:
            out.append(_issue(f"fields.{name}", "content.wechat_bad_field",
                              f"'{name[:40]}' is not a WeChat field name (first, keyword1, remark, thing1, ...)",
                              name=name[:40]))
            continue
        kind = m.group(2) or ("keyword" if name.startswith("keyword") else name)
        out.append(_too_long(f"fields.{name}", tokens.get(f"fields.{name}"), WECHAT_MAX[kind]))
    return out


def _links(content: TemplateContent, tokens: Mapping[str, list[Token]]) -> list[ValidationIssue | None]:
    out: list[ValidationIssue | None] = []
    for slot, url in content.links.items():
        if slot not in LINK_SLOTS:
            out.append(_issue(f"links.{slot[:40]}", "content.unknown_link_slot", f"no link slot '{slot[:40]}'",
                              name=slot[:40]))
        elif not URL.match(url):
            out.append(_issue(f"links.{slot}", "content.bad_link", "a link is an http(s) URL",
                              name=BY_NAME[slot].name))
    used = {t.key for ts in tokens.values() for t in ts if isinstance(t, Slot)}
    for slot in LINK_SLOTS:
        if slot in used and not content.links.get(slot):
            out.append(_issue(f"links.{slot}", "content.link_missing", f"{BY_NAME[slot].name} is used but has no URL",
                              name=BY_NAME[slot].name))
    return out


def _sensitive(content: TemplateContent, words: Words) -> list[ValidationIssue | None]:
    words = list(words)
    out: list[ValidationIssue | None] = []
    for field, text in content_texts(content):
        hit = find_sensitive(text, words)
        if hit is not None:
            out.append(_issue(field, "content.sensitive_word", f"'{hit[0]}' at position {hit[1]} of {field} is not "
                              "allowed in customer messages", word=hit[0], position=hit[1]))
    return out


def check_tags(personas: list[str]) -> None:
    """Personas come from the 27 人设 catalogue."""
    for i, p in enumerate(personas):
        if p not in PERSONAS:
            raise Invalid(f"unknown persona '{p[:40]}'", field=f"personas.{i}", code="content.unknown_persona",
                          params={"name": p[:40]})


def render_message(*, channel: Any, content: TemplateContent, template_id: int | None, version: int,
                   facts: Mapping[str, Any], variables: Mapping[str, Any]) -> RenderedMessage:
    """One customer's message: each part escaped for its channel (HTML for e-mail, no controls anywhere)."""
    values = resolve(content_keys(content), facts=facts, variables=variables, links=content.links)

    def text(field: str, source: str | None, *, line: bool = False) -> str | None:
        if not source:
            return None
        out = strip_controls(fill(parse(source, field=field), values, strip_controls))
        return one_line(out) if line else out

    data: dict[str, str] = {}
    if channel == "wechat":
        data = {"template_id": content.wechat_template_id or ""}
        data |= {k: text(f"fields.{k}", v, line=True) or "" for k, v in content.fields.items()}
    elif channel == "call":
        data = {"script_id": content.call_script_id or ""}
        data |= {v.key: values[v.key] for n in content.call_variables if (v := BY_NAME.get(n.strip()))}
    html = None
    if channel == "email" and content.html:
        html = strip_controls(fill(parse(content.html, field="html"), values, escape_html))
    body = text("body", content.body) or ""
    if channel == "wechat" and not body:  # a readable line for the delivery log
        body = " ".join(v for k, v in data.items() if k != "template_id")
    title = text("subject", content.subject, line=True) if channel == "email" else text("title", content.title,
                                                                                          line=True)
    url = next((values[s] for s in LINK_SLOTS if s in values), None) or content.links.get("link")
    return RenderedMessage(channel=channel, body=body, title=title, html=html, url=url, template_id=template_id,
                           template_version=version, data=data)


def owns(scope: Scope, owner_org: str) -> bool:
    """Whether a template owned by `owner_org` lies inside the viewer's org subtree (RMs own none)."""
    return scope.kind != "rm" and scope.allows_org(owner_org)


def receives(*, user_org: str, share_all: bool, shared_with: list[str]) -> bool:
    """Whether a viewer's org receives a template shared with the bank or with these orgs (subtrees included)."""
    return share_all or any(in_subtree(user_org, code) for code in shared_with)


def approval_required(*, channel: str, purpose: str, owner_org: str) -> bool:
    """Whether activating a template needs a checker's approval (the campaign centre will decide; none yet)."""
    del channel, purpose, owner_org
    return False


def facts_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """The facts a template may show of one customer row: non-PII fields and the surname only."""
    name = row.get("name") or ""
    return {"surname": name[:1], "gender": row.get("gender"), "tier": row.get("tier"), "city": row.get("city"),
            "rm_name": row.get("rm_name")}
