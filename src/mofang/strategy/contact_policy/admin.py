"""The console's side of the policy (service layer): rules, quiet hours, do-not-contact, opt-outs, control group."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.platform.errors import Conflict, Forbidden, Invalid, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import mask_name
from mofang.strategy.contact_policy import repository as repo
from mofang.strategy.contact_policy.contracts import (
    ControlGroupRead,
    ControlGroupWrite,
    DncRead,
    DncWrite,
    OptOutRead,
    QuietHoursRule,
    RuleBody,
    RuleRead,
    RuleWrite,
    SuppressionRead,
)
from mofang.strategy.contact_policy.models import DoNotContact, PolicyRule
from mofang.strategy.contact_policy.service import suppression_read, utc

T = TypeVar("T")
_RULE = TypeAdapter(RuleBody)
CHUNK = 500
MAX_CHUNKS = 40  # a scoped list reads at most this many chunks looking for rows inside the viewer's scope


def _hq_only(who: Principal) -> None:
    """The policy is bank-wide: only head-office users with policy:edit change it."""
    if who.scope.kind != "all":
        raise Forbidden("only head office may change the bank-wide contact policy", code="policy.hq_only")


def _audit(session: Session, who: Principal, action: str, target: str | None, detail: dict[str, Any]) -> None:
    gov.record(session=session, username=who.username, action=action, target_type="contact_policy",
               target_id=target, detail=detail, ip=who.ip, user_agent=who.user_agent)


def _rule_read(r: PolicyRule) -> RuleRead:
    return RuleRead(id=r.id, name=r.name, enabled=r.enabled, rule=_RULE.validate_python(r.definition),
                    updated_by=r.updated_by, updated_at=utc(r.updated_at) if r.updated_at else None)


def list_rules(*, session: Session) -> list[RuleRead]:
    """Every rule, oldest first."""
    return [_rule_read(r) for r in repo.rules(session)]


def _checked(data: RuleWrite) -> dict[str, Any]:
    body = data.rule
    if body.kind == "cap" and body.reserve > body.limit:
        raise Invalid("the reserve cannot exceed the limit", field="rule.reserve", code="policy.reserve_over_limit")
    return body.model_dump(mode="json")


def create_rule(*, session: Session, who: Principal, data: RuleWrite) -> RuleRead:
    """Add a rule; audited, and every process picks it up at its next check."""
    _hq_only(who)
    row = PolicyRule(name=data.name, kind=data.rule.kind, enabled=data.enabled, definition=_checked(data),
                     updated_by=who.username, updated_at=datetime.now(UTC))
    session.add(row)
    session.flush()
    repo.bump(session)
    _audit(session, who, "policy.rule.create", str(row.id), {"name": data.name, "enabled": data.enabled,
                                                            "rule": row.definition})
    return _rule_read(row)


def _rule_or_404(session: Session, rule_id: int) -> PolicyRule:
    row = repo.rule(session, rule_id)
    if row is None:
        raise NotFound(f"rule {rule_id} not found", field="rule_id", code="policy.rule_not_found")
    return row


def update_rule(*, session: Session, who: Principal, rule_id: int, data: RuleWrite) -> RuleRead:
    """Replace a rule; audited with before and after."""
    _hq_only(who)
    row = _rule_or_404(session, rule_id)
    before = {"name": row.name, "enabled": row.enabled, "rule": row.definition}
    row.name, row.kind, row.enabled, row.definition = data.name, data.rule.kind, data.enabled, _checked(data)
    row.updated_by, row.updated_at = who.username, datetime.now(UTC)
    session.flush()
    repo.bump(session)
    _audit(session, who, "policy.rule.update", str(rule_id),
           {"before": before, "after": {"name": row.name, "enabled": row.enabled, "rule": row.definition}})
    return _rule_read(row)


def delete_rule(*, session: Session, who: Principal, rule_id: int) -> None:
    """Delete a rule; audited with what it was."""
    _hq_only(who)
    row = _rule_or_404(session, rule_id)
    _audit(session, who, "policy.rule.delete", str(rule_id), {"name": row.name, "rule": row.definition})
    session.delete(row)
    session.flush()
    repo.bump(session)


def quiet_hours(*, session: Session) -> RuleRead | None:
    """The bank-wide quiet-hours rule (all channels), if any."""
    for r in repo.rules(session):
        if r.kind == "quiet_hours" and r.definition.get("channel") is None:
            return _rule_read(r)
    return None


def set_quiet_hours(*, session: Session, who: Principal, rule: QuietHoursRule, enabled: bool) -> RuleRead:
    """Change (or create) the bank-wide quiet hours."""
    current = quiet_hours(session=session)
    data = RuleWrite(name=current.name if current else "夜间勿扰", enabled=enabled,
                     rule=rule.model_copy(update={"channel": None}))
    if current is None:
        return create_rule(session=session, who=who, data=data)
    return update_rule(session=session, who=who, rule_id=current.id, data=data)


def control_group(*, session: Session) -> ControlGroupRead:
    """The global control group's percentage and last draw."""
    s = repo.settings_row(session)
    return ControlGroupRead(percent=s.control_percent, drawn_at=utc(s.drawn_at) if s.drawn_at else None,
                            drawn_by=s.drawn_by)


def set_control_group(*, session: Session, who: Principal, data: ControlGroupWrite) -> ControlGroupRead:
    """Change the percentage; the same customers stay in (a larger group adds customers, a smaller keeps a part)."""
    _hq_only(who)
    s = repo.settings_row(session)
    before = s.control_percent
    s.control_percent = data.percent
    session.flush()
    repo.bump(session)
    _audit(session, who, "policy.control_group.update", None, {"before": before, "after": data.percent})
    return control_group(session=session)


def redraw_control_group(*, session: Session, who: Principal) -> ControlGroupRead:
    """Draw a new random control group (a new salt): the explicit, audited act that changes who is in it."""
    _hq_only(who)
    s = repo.settings_row(session)
    s.control_salt, s.drawn_at, s.drawn_by = secrets.token_hex(16), datetime.now(UTC), who.username
    session.flush()
    repo.bump(session)
    _audit(session, who, "policy.control_group.redraw", None, {"percent": s.control_percent})
    return control_group(session=session)


# --- customer lists, each narrowed to the viewer's scope ------------------------------------------------------


def _scoped(platform: Platform, who: Principal, fetch: Callable[[Any], Sequence[T]], cursor: Callable[[T], Any],
            limit: int) -> list[tuple[T, str | None]]:
    """Rows newest first whose customer lies inside the viewer's scope, with the customer's name."""
    out: list[tuple[T, str | None]] = []
    after = None
    for _ in range(MAX_CHUNKS):
        rows = fetch(after)
        names = repo.customers_in_scope(platform.store, scope=who.scope,
                                        ids=sorted({r.customer_id for r in rows}))  # type: ignore[attr-defined]
        for r in rows:
            cid = r.customer_id  # type: ignore[attr-defined]
            # Head office also sees entries for customers the event store does not know (yet).
            if cid in names or who.scope.kind == "all":
                out.append((r, names.get(cid)))
                if len(out) >= limit:
                    return out
        if len(rows) < CHUNK:
            break
        after = cursor(rows[-1])
    return out


def _in_scope_or_404(platform: Platform, who: Principal, customer_id: str) -> None:
    if who.scope.kind != "all" and not repo.customers_in_scope(platform.store, scope=who.scope, ids=[customer_id]):
        raise NotFound(f"customer '{customer_id}' not found", field="customer_id")


def list_suppressions(*, platform: Platform, session: Session, who: Principal, customer_id: str | None,
                      strategy_id: int | None, limit: int) -> list[SuppressionRead]:
    """Suppressions and deferrals of customers in scope, newest first."""
    rows = _scoped(platform, who, lambda before: repo.suppression_chunk(
        session, before_id=before, customer_id=customer_id, strategy_id=strategy_id, size=CHUNK),
        lambda r: r.id, limit)
    return [suppression_read(r, n) for r, n in rows]


def list_dnc(*, platform: Platform, session: Session, who: Principal, customer_id: str | None, limit: int
             ) -> list[DncRead]:
    """Do-not-contact entries of customers in scope, newest first."""
    rows = _scoped(platform, who, lambda before: repo.dnc_chunk(session, before=before, customer_id=customer_id,
                                                                size=CHUNK), lambda r: r.added_at, limit)
    return [DncRead(customer_id=r.customer_id, customer_name=mask_name(n), reason=r.reason, added_by=r.added_by,
                    added_at=utc(r.added_at)) for r, n in rows]


def add_dnc(*, platform: Platform, session: Session, who: Principal, data: DncWrite) -> DncRead:
    """Put a customer in scope on the do-not-contact list; audited."""
    _in_scope_or_404(platform, who, data.customer_id)
    if repo.dnc(session, data.customer_id) is not None:
        raise Conflict(f"customer '{data.customer_id}' is already on the list", field="customer_id",
                       code="policy.dnc_exists")
    row = DoNotContact(customer_id=data.customer_id, reason=data.reason, added_by=who.username,
                       added_at=datetime.now(UTC))
    session.add(row)
    session.flush()
    _audit(session, who, "policy.dnc.add", data.customer_id, {"reason": data.reason})
    return DncRead(customer_id=row.customer_id, reason=row.reason, added_by=row.added_by, added_at=utc(row.added_at))


def remove_dnc(*, platform: Platform, session: Session, who: Principal, customer_id: str) -> None:
    """Take a customer in scope off the list; audited."""
    _in_scope_or_404(platform, who, customer_id)
    row = repo.dnc(session, customer_id)
    if row is None:
        raise NotFound(f"customer '{customer_id}' is not on the list", field="customer_id",
                       code="policy.dnc_not_found")
    _audit(session, who, "policy.dnc.remove", customer_id, {"reason": row.reason})
    repo.delete_dnc(session, customer_id)


def list_opt_outs(*, platform: Platform, session: Session, who: Principal, customer_id: str | None, limit: int
                  ) -> list[OptOutRead]:
    """Opt-outs of customers in scope, newest first."""
    rows = _scoped(platform, who, lambda before: repo.opt_out_chunk(session, before_id=before,
                                                                    customer_id=customer_id, size=CHUNK),
                   lambda r: r.id, limit)
    return [OptOutRead(customer_id=r.customer_id, customer_name=mask_name(n), channel=r.channel, purpose=r.purpose,
                       source=r.source, at=utc(r.at)) for r, n in rows]
