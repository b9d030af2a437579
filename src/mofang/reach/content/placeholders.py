"""The placeholder language (pure): parser, renderer, per-channel escaping, SMS counting, sensitive words.

Nothing here ever evaluates template text: a placeholder is looked up in a fixed catalogue, its value
is inserted as data, and values are never parsed again.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mofang.platform.errors import Invalid
from mofang.reach.content.catalogue import BY_KEY, BY_NAME, GSM_BASIC, GSM_EXTENDED, SALUTATION
from mofang.reach.content.contracts import Slot, SmsCount, TemplateContent, Text, Token

OPEN, CLOSE = "{{", "}}"
URL = re.compile(r"^https?://[^\s<>\"'`\\]{1,500}$", re.IGNORECASE)
# Right-to-left overrides and isolates can make a message read differently from what was approved.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def parse(text: str, *, field: str = "body") -> list[Token]:
    """Template text → literal and placeholder tokens; an unknown or unclosed placeholder is a 422 at its position."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        j = text.find(OPEN, i)
        if j < 0:
            break
        while j + 2 < n and text[j + 2] == "{":  # "{{{x}}" is a literal "{" before {{x}}
            j += 1
        end = text.find(CLOSE, j + 2)
        if end < 0:
            raise Invalid(f"'{{{{' at position {j} of {field} has no closing '}}}}'", field=field,
                          code="content.unclosed_placeholder", params={"field": field, "position": j})
        name = text[j + 2:end].strip()
        var = BY_NAME.get(name)
        if var is None:
            raise Invalid(f"unknown variable '{name[:40]}' at position {j} of {field}", field=field,
                          code="content.unknown_variable", params={"field": field, "name": name[:40], "position": j})
        if j > i:
            tokens.append(Text(text[i:j]))
        tokens.append(Slot(var.key, j, text[j:end + 2]))
        i = end + 2
    if i < n:
        tokens.append(Text(text[i:]))
    return tokens


def serialize(tokens: Iterable[Token]) -> str:
    """Tokens back to template text (as written)."""
    return "".join(t.text if isinstance(t, Text) else t.raw for t in tokens)


def used_keys(tokens: Iterable[Token]) -> list[str]:
    """Catalogue keys a template uses, in first-use order."""
    return list(dict.fromkeys(t.key for t in tokens if isinstance(t, Slot)))


def content_texts(content: TemplateContent) -> list[tuple[str, str]]:
    """(field, text) of every templated part of a template."""
    out = [("title", content.title), ("body", content.body), ("subject", content.subject), ("html", content.html)]
    out += [(f"fields.{k}", v) for k, v in content.fields.items()]
    return [(f, t) for f, t in out if t]


def content_keys(content: TemplateContent) -> list[str]:
    """Catalogue keys used anywhere in a template (its texts and the variables it passes to a call script)."""
    keys: list[str] = []
    for field, text in content_texts(content):
        keys += used_keys(parse(text, field=field))
    keys += [v.key for name in content.call_variables if (v := BY_NAME.get(name.strip())) is not None]
    return list(dict.fromkeys(keys))


# ---------------------------------------------------------------------------------------------- lengths


def longest(tokens: Iterable[Token]) -> str:
    """The text at its longest: each placeholder as its declared maximum (ASCII or CJK filler by its charset)."""
    parts = []
    for t in tokens:
        if isinstance(t, Text):
            parts.append(t.text)
        else:
            var = BY_KEY[t.key]
            parts.append(("x" if var.ascii_only else "字") * var.max_length)
    return "".join(parts)


def sms_count(text: str) -> SmsCount:
    """Encoding, billed characters and parts as carriers count them (70/67 UCS-2, 160/153 GSM-7)."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        chars = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:  # UCS-2 counts UTF-16 code units: a character beyond the BMP (an emoji) takes two
        chars = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, multi, encoding = 70, 67, "UCS-2"
    parts = 0 if chars == 0 else 1 if chars <= single else math.ceil(chars / multi)
    return SmsCount(encoding=encoding, characters=chars, parts=parts)


# ---------------------------------------------------------------------------------------------- escaping


def strip_controls(text: str, *, keep_newlines: bool = True) -> str:
    """Control characters, bidi overrides and lone surrogates removed (newlines kept unless told)."""
    return "".join(
        ch for ch in text
        if not ((unicodedata.category(ch) in ("Cc", "Cs") and not (keep_newlines and ch == "\n")) or ch in _BIDI))


def escape_html(value: str) -> str:
    """A value placed into authored e-mail HTML: markup-escaped, quotes included."""
    return html.escape(strip_controls(value), quote=True)


def one_line(value: str) -> str:
    """A value for a header-like field (e-mail subject, titles): no line breaks, no controls."""
    return strip_controls(value, keep_newlines=False)


# ---------------------------------------------------------------------------------------------- values


def _lookup(variables: Mapping[str, Any], key: str) -> Any:
    """A send's variable by dotted key (`product.name`) or nested (`{"product": {"name": ...}}`)."""
    if key in variables:
        return variables[key]
    head, _, tail = key.partition(".")
    inner = variables.get(head)
    if tail and isinstance(inner, Mapping):
        return inner.get(tail)
    return None


def _text_of(value: Any) -> str | None:
    """A value as text: whole floats without `.0`; containers and empty strings are no value."""
    if value is None or isinstance(value, (dict, list, tuple, set, bytes)):
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = strip_controls(str(value))
    return text if text.strip() else None


def resolve(keys: Iterable[str], *, facts: Mapping[str, Any], variables: Mapping[str, Any],
            links: Mapping[str, str]) -> dict[str, str]:
    """Each used key's value: profile facts, send variables, link slots; a missing value without fallback is 422."""
    out: dict[str, str] = {}
    for key in keys:
        var = BY_KEY[key]
        value: str | None
        if var.source == "name_part":
            value = _text_of(facts.get("surname"))
        elif key == "customer.salutation":
            value = SALUTATION.get(str(facts.get("gender") or ""))
        elif var.source == "profile":
            value = _text_of(facts.get(key.split(".")[-1] if key != "rm.name" else "rm_name"))
        elif var.source == "link":
            value = _text_of(_lookup(variables, key)) or links.get(key)
            if value is not None and not URL.match(value):
                raise Invalid(f"link {var.name} is not an http(s) URL", field=f"variables.{key}",
                              code="content.bad_link", params={"name": var.name})
        else:
            value = _text_of(_lookup(variables, key))
        if value is None:
            if var.fallback is None:
                raise Invalid(f"no value for {var.name}", field=f"variables.{key}", code="content.missing_variable",
                              params={"name": var.name})
            value = var.fallback
        # Beyond the declared length a value would break the counted SMS parts and push limits; links never shrink.
        out[key] = value if var.source == "link" else value[:var.max_length]
    return out


def fill(tokens: Iterable[Token], values: Mapping[str, str], escape: Callable[[str], str]) -> str:
    """Literal text as written, each placeholder replaced by its escaped value (values are never parsed)."""
    return "".join(t.text if isinstance(t, Text) else escape(values[t.key]) for t in tokens)


# ---------------------------------------------------------------------------------------------- sensitive words


def word_pattern(word: str) -> re.Pattern[str]:
    """A sensitive word also when spaced out (保 本, 稳　赚): whitespace between its characters is ignored."""
    return re.compile(r"\s*".join(re.escape(ch) for ch in word if not ch.isspace()), re.IGNORECASE)


def find_sensitive(text: str, words: Iterable[tuple[str, list[str]]]) -> tuple[str, int] | None:
    """The first sensitive word in text and its position, skipping allowed phrases (保本 inside 不保本)."""
    hits = []
    for word, exceptions in words:
        allowed = [(m.start(), m.end()) for e in exceptions for m in word_pattern(e).finditer(text)]
        for m in word_pattern(word).finditer(text):
            if not any(s <= m.start() and m.end() <= e for s, e in allowed):
                hits.append((m.start(), word))
                break
    if not hits:
        return None
    position, word = min(hits)
    return word, position
