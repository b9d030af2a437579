"""The placement decision, pure: eligible by schedule, segment and frequency cap; the lowest priority wins."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from mofang.reach.placement.contracts import PlacementRule

BANK_TZ = ZoneInfo("Asia/Shanghai")


def bank_day(now: datetime) -> str:
    """The bank day (Asia/Shanghai) a cap counts in."""
    return now.astimezone(BANK_TZ).date().isoformat()


def scheduled_for(rule: PlacementRule, *, segments: Collection[int], now: datetime) -> bool:
    """Whether a placement may be shown to this customer now, its frequency cap aside."""
    if rule.starts_at is not None and now < rule.starts_at:
        return False
    if rule.ends_at is not None and now >= rule.ends_at:
        return False
    return not (rule.segment_ids and not set(rule.segment_ids) & set(segments))


def candidates(rules: Sequence[PlacementRule], *, segments: Collection[int], now: datetime) -> list[PlacementRule]:
    """The placements a slot may show this customer now, best first (lowest priority number, then id)."""
    return sorted((r for r in rules if scheduled_for(r, segments=segments, now=now)),
                  key=lambda r: (r.priority, r.id))


def choose(rules: Sequence[PlacementRule], *, segments: Collection[int], shown: Mapping[str, int],
           now: datetime) -> PlacementRule | None:
    """The placement a slot shows: the best candidate still under its cap for the day."""
    for rule in candidates(rules, segments=segments, now=now):
        if rule.cap_per_day is None or shown.get(rule.id, 0) < rule.cap_per_day:
            return rule
    return None


def validate_rules(raw: object) -> list[tuple[str, str]]:
    """Problems of a placement channel's `placements` list as (field, code)."""
    from pydantic import ValidationError

    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > 500:
        return [("config.placements", "reach_placements_invalid")]
    ids: set[str] = set()
    for i, item in enumerate(raw):
        try:
            rule = PlacementRule.model_validate(item)
        except ValidationError as exc:
            loc = ".".join(str(p) for p in exc.errors()[0]["loc"])
            return [(f"config.placements.{i}.{loc}", "reach_placement_invalid")]
        if rule.id in ids:
            return [(f"config.placements.{i}.id", "reach_placement_duplicate")]
        if rule.starts_at and rule.ends_at and rule.ends_at <= rule.starts_at:
            return [(f"config.placements.{i}.ends_at", "reach_placement_schedule_invalid")]
        ids.add(rule.id)
    return []
