"""Campaign rules as pure functions: transitions, who may approve, which rule applies, diffs, conflicts,
suitability, MGM abuse checks and the signed H5 token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mofang.platform.governance.contracts import in_subtree
from mofang.platform.suitability import unsuitable as unsuitable  # the one rule; reach applies it again at send

# action → {status before: status after}; launch goes to `running` or, before the start, `scheduled`.
TRANSITIONS: dict[str, dict[str, str]] = {
    "launch": {"approved": "running"},
    "pause": {"running": "paused", "scheduled": "paused"},
    "resume": {"paused": "running"},
    "end": {"running": "ended", "paused": "ended", "scheduled": "ended"},
    "archive": {"draft": "archived", "rejected": "archived", "ended": "archived", "approved": "archived"},
}
EDITABLE = frozenset({"draft", "rejected", "approved", "scheduled", "running", "paused"})
LIVE = frozenset({"scheduled", "running", "paused"})


def after(action: str, status: str, *, starts_at: datetime, now: datetime) -> str | None:
    """The status an action leads to from `status` (None: not allowed)."""
    nxt = TRANSITIONS.get(action, {}).get(status)
    if action == "launch" and nxt == "running" and now < starts_at:
        return "scheduled"
    return nxt


def in_line(approver_org: str, owner_org: str) -> bool:
    """Whether an approver's org is the owner's org or one of its ancestors (the maker's org line)."""
    return in_subtree(owner_org, approver_org)


def may_decide(*, maker: str, owner_org: str, required_org: str | None, username: str, user_org: str,
               can_approve: bool) -> str | None:
    """Why a user may not decide a request (None: they may): never their own, approver role, in the org line."""
    if username == maker:
        return "approval.own_request"
    if not can_approve:
        return "approval.not_approver"
    if not in_line(user_org, owner_org):
        return "approval.outside_org_line"
    if required_org is not None and not in_line(user_org, required_org):
        return "approval.needs_higher_org"
    return None


@dataclass(frozen=True)
class Rule:
    """An approval rule: applies to an object type from an amount up (None: always), approvers of an org."""

    object_type: str
    min_amount: float | None
    approver_org: str | None


def required(rules: Sequence[Rule], object_type: str, amount: float | None) -> tuple[bool, str | None]:
    """Whether approval is needed, and the org whose approvers must decide (the highest any matching rule names)."""
    matching = [r for r in rules if r.object_type == object_type
                and (r.min_amount is None or (amount is not None and amount > r.min_amount))]
    orgs = sorted({r.approver_org for r in matching if r.approver_org}, key=lambda o: o.count("-") if o != "HQ" else -1)
    return bool(matching), (orgs[0] if orgs else None)


def diff(before: Mapping[str, Any] | None, now: Mapping[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """What changed between two payloads, field by field (nested objects by dotted path)."""
    out: list[dict[str, Any]] = []
    old = before or {}
    for key in sorted(set(old) | set(now)):
        a, b = old.get(key), now.get(key)
        path = f"{prefix}{key}"
        if isinstance(b, dict) and (a is None or isinstance(a, dict)):
            out += diff(a, b, path + ".")
        elif json.dumps(a, sort_keys=True, default=str) != json.dumps(b, sort_keys=True, default=str):
            out.append({"field": path, "before": a, "after": b})
    return out


@dataclass(frozen=True)
class Slot:
    """A campaign's claim on customers and time: for the calendar's conflicts."""

    id: int
    owner_org: str
    segment_id: int | None
    starts_at: datetime
    ends_at: datetime


def overlaps(a: Slot, b: Slot) -> bool:
    """Same customers in the same period: periods intersect, org subtrees nest and audiences may share people.

    Two different segments may still share customers; they are reported (the maker decides), while a campaign
    with no segment reaches its whole subtree and overlaps everything there.
    """
    if a.id == b.id or a.ends_at <= b.starts_at or b.ends_at <= a.starts_at:
        return False
    return in_subtree(a.owner_org, b.owner_org) or in_subtree(b.owner_org, a.owner_org)


def conflicts(slots: Sequence[Slot]) -> dict[int, list[int]]:
    """For each campaign, the others it overlaps."""
    return {s.id: [o.id for o in slots if overlaps(s, o)] for s in slots}


# --------------------------------------------------------------------------------------------------- MGM


def invite_code(secret: bytes, campaign_id: int, customer_id: str) -> str:
    """A customer's code in a campaign: fixed (a retry gets the same one), unguessable, 8 characters."""
    digest = hmac.new(secret, f"invite\x1f{campaign_id}\x1f{customer_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:5]).decode()


def keyed(secret: bytes, kind: str, value: str | None) -> str | None:
    """A keyed hash of a device, IP, phone or ID number (compared, never stored in clear)."""
    if not value:
        return None
    return hmac.new(secret, f"{kind}\x1f{value.strip().lower()}".encode(), hashlib.sha256).hexdigest()


def refusal(*, inviter: str, invitee: str, shared_identity: bool, inviters_of_inviter: Sequence[str],
            rewarded_for_inviter: int, cap: int, already_invited: bool) -> str | None:
    """Why an invite may not be accepted (None: accepted): self, shared identity, a cycle, the cap, a repeat."""
    if inviter == invitee:
        return "mgm.self_invite"
    if shared_identity:
        return "mgm.same_identity"
    if invitee in inviters_of_inviter:
        return "mgm.circular"
    if already_invited:
        return "mgm.already_invited"
    if rewarded_for_inviter >= cap:
        return "mgm.cap_reached"
    return None


def held(recent_from_same_source: int, limit: int) -> bool:
    """Velocity: the invitee is held for review when this device/IP already brought `limit` invitees this hour."""
    return recent_from_same_source >= limit


# --------------------------------------------------------------------------------------------------- H5 token


def sign_token(secret: bytes, *, campaign_id: int, customer_id: str, expires: datetime) -> str:
    """A signed, expiring customer token for the campaign's H5 page."""
    body = json.dumps({"c": campaign_id, "u": customer_id, "e": int(expires.timestamp())},
                      separators=(",", ":")).encode()
    mac = hmac.new(secret, b"h5\x1f" + body, hashlib.sha256).digest()[:16]
    return (base64.urlsafe_b64encode(body).decode().rstrip("=") + "."
            + base64.urlsafe_b64encode(mac).decode().rstrip("="))


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def read_token(secret: bytes, token: str, *, now: datetime) -> tuple[int, str] | None:
    """(campaign id, customer id) of a valid, unexpired token; None for a forged, damaged or expired one."""
    try:
        body_text, mac_text = token.split(".", 1)
        body, mac = _unb64(body_text), _unb64(mac_text)
        want = hmac.new(secret, b"h5\x1f" + body, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(mac, want):
            return None
        data = json.loads(body)
        if int(data["e"]) <= int(now.timestamp()):
            return None
        return int(data["c"]), str(data["u"])
    except (ValueError, KeyError, TypeError):
        return None
