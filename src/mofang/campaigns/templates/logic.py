"""Template parameters (validated, defaults filled), the lottery draw and the AUM check: pure functions."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import ValidationError

from mofang.campaigns.templates.contracts import Param, Prize
from mofang.platform.errors import Invalid

_EVENT = re.compile(r"^[A-Za-z0-9_$.:-]{1,128}$")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def bad(key: str, reason: str, **params: str | int | float) -> Invalid:
    """The 422 of a parameter (its field and a code per reason)."""
    return Invalid(f"parameter {key}: {reason}", field=f"params.{key}", code=f"campaign.param_{reason}",
                   params={"key": key, **params})


def _number(p: Param, v: Any, integer: bool) -> int | float:
    if isinstance(v, bool) or not isinstance(v, int | float) or (integer and not float(v).is_integer()):
        raise bad(p.key, "type", type=p.type)
    if v != v or v in (float("inf"), float("-inf")):
        raise bad(p.key, "type", type=p.type)
    if p.minimum is not None and v < p.minimum:
        raise bad(p.key, "range", minimum=p.minimum, maximum=p.maximum if p.maximum is not None else "")
    if p.maximum is not None and v > p.maximum:
        raise bad(p.key, "range", minimum=p.minimum if p.minimum is not None else "", maximum=p.maximum)
    return int(v) if integer else float(v)


def _one(p: Param, v: Any) -> Any:
    match p.type:
        case "int" | "benefit" | "content":
            return _number(p, v, integer=True)
        case "number":
            return _number(p, v, integer=False)
        case "bool":
            if not isinstance(v, bool):
                raise bad(p.key, "type", type=p.type)
            return v
        case "string":
            if not isinstance(v, str) or not v.strip() or len(v) > 200:
                raise bad(p.key, "type", type=p.type)
            return v.strip()
        case "enum":
            if v not in (p.choices or []):
                raise bad(p.key, "choice", choices=", ".join(p.choices or []))
            return v
        case "event":
            if not isinstance(v, str) or not _EVENT.match(v):
                raise bad(p.key, "type", type=p.type)
            return v
        case "events":
            if not isinstance(v, list) or not v or len(v) > 20 or not all(
                    isinstance(e, str) and _EVENT.match(e) for e in v) or len(set(v)) != len(v):
                raise bad(p.key, "type", type=p.type)
            return list(v)
        case "time":
            if not isinstance(v, str) or not _TIME.match(v):
                raise bad(p.key, "type", type=p.type)
            return v
        case "days":
            if not isinstance(v, list) or not v or len(v) > 31 or not all(
                    isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 366 for d in v):
                raise bad(p.key, "type", type=p.type)
            return sorted(set(v))
        case "prizes":
            return _prizes(p.key, v)
    raise bad(p.key, "type", type=p.type)  # pragma: no cover - every ParamType is matched above


def _prizes(key: str, v: Any) -> list[dict[str, Any]]:
    if not isinstance(v, list) or not v or len(v) > 20:
        raise bad(key, "type", type="prizes")
    try:
        prizes = [Prize.model_validate(x) for x in v]
    except ValidationError as exc:
        raise bad(key, "type", type="prizes") from exc
    if sum(x.probability for x in prizes) >= 1 - 1e-9:
        # A lottery always keeps a share of "no prize": a bank may not promise everyone wins.
        raise bad(key, "no_remainder")
    return [x.model_dump() for x in prizes]


def check_date(key: str, v: Any) -> str:
    """A YYYY-MM-DD date parameter."""
    if not isinstance(v, str) or not _DATE.match(v):
        raise bad(key, "type", type="date")
    try:
        date.fromisoformat(v)
    except ValueError as exc:
        raise bad(key, "type", type="date") from exc
    return v


def fill(params: Sequence[Param], given: Mapping[str, Any]) -> dict[str, Any]:
    """The given parameters checked against the list (types, bounds), defaults filled; unknown keys refused."""
    known = {p.key for p in params}
    for key in given:
        if key not in known:
            raise bad(str(key)[:64], "unknown")
    out: dict[str, Any] = {}
    for p in params:
        v = given.get(p.key, p.default)
        if v is None:
            if p.required:
                raise bad(p.key, "required")
            out[p.key] = None
            continue
        out[p.key] = _one(p, v)
    return out


# --------------------------------------------------------------------------------------------- lottery


def draw_point(secret: bytes, campaign_id: int, customer_id: str, draw_no: int) -> float:
    """A number in [0, 1) fixed by (campaign, customer, draw number): the same draw always gives the same prize."""
    msg = f"{campaign_id}\x1f{customer_id}\x1f{draw_no}".encode()
    digest = hmac.new(secret, msg, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def draw(prizes: Sequence[Mapping[str, Any]], point: float, issued: Mapping[int, int]) -> int | None:
    """The index of the prize `point` falls on (cumulative probabilities), or None: no prize, or its stock is out.

    `issued` counts what each prize has given so far; a prize whose stock is used up turns into "no prize" rather
    than moving the draw to another prize (the published probabilities never rise).
    """
    edge = 0.0
    for i, prize in enumerate(prizes):
        edge += float(prize["probability"])
        if point < edge:
            return i if issued.get(i, 0) < int(prize["stock"]) else None
    return None


# --------------------------------------------------------------------------------------------- AUM and check-in


def aum_qualifies(series: Sequence[tuple[date, float]], *, baseline: float, net_new: float, hold_days: int,
                  today: date) -> bool:
    """Whether AUM stood at least `net_new` above `baseline` on every one of the last `hold_days` days to `today`.

    A day with no snapshot counts as not held (the reward is for money kept, verified from the bank's data).
    """
    by_day = {d: v for d, v in series}
    days = [date.fromordinal(today.toordinal() - i) for i in range(hold_days)]
    return all(d in by_day and by_day[d] - baseline >= net_new for d in days)


def streak(days: Sequence[date], today: date) -> int:
    """How many consecutive days up to `today` (or yesterday, if not yet today) the customer checked in."""
    seen = set(days)
    start = today if today in seen else date.fromordinal(today.toordinal() - 1)
    n = 0
    while date.fromordinal(start.toordinal() - n) in seen:
        n += 1
    return n
