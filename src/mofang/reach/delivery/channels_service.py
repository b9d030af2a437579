"""Channel configuration: create / update / list / delete, secrets encrypted at rest and never returned, audited."""

from __future__ import annotations

import json
import secrets as pysecrets
import uuid
from typing import Any

from sqlalchemy.orm import Session

from mofang.platform import outbound
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid, NotFound
from mofang.platform.governance.allow_list import outbound_allow_hosts
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.service import record
from mofang.platform.storage.models import as_utc, utcnow
from mofang.reach.channels import ProviderSpec, specs
from mofang.reach.contracts import RenderedMessage
from mofang.reach.delivery import repository as repo
from mofang.reach.delivery.contracts import (
    ChannelCreate,
    ChannelRead,
    ChannelUpdate,
    ProviderKindRead,
    TestSend,
    TestSendResult,
)
from mofang.reach.delivery.logic import mask_address
from mofang.reach.delivery.routing import build_provider
from mofang.reach.models import ReachChannel
from mofang.reach.placement.service import invalidate as invalidate_placements

_CALLBACK_CHANNELS = ("sms", "push", "wechat", "call")
# Secrets the sandbox makes itself when none are given: its API key and the key its status reports are signed with.


def list_provider_kinds() -> list[ProviderKindRead]:
    """The provider kinds that can be configured."""
    return [ProviderKindRead(kind=s.kind, channels=list(s.channels), secret_fields=list(s.secret_fields),
                             builtin=s.builtin, sandbox=s.sandbox) for s in specs().values()]


def _read(platform: Platform, row: ReachChannel) -> ChannelRead:
    spec = specs().get(row.provider)
    stored = _secrets(platform, row)
    return ChannelRead(
        id=row.id, channel=row.channel, name=row.name, provider=row.provider, sandbox=bool(spec and spec.sandbox),
        config=row.config or {}, secrets={k: "***" for k in stored}, has_secret=bool(stored),
        unit_cost_fen=row.unit_cost_fen, rate_per_second=row.rate_per_second, burst=row.burst,
        max_attempts=row.max_attempts, active=row.active,
        callback_path=f"/api/reach/callbacks/{row.channel}/{row.id}" if row.channel in _CALLBACK_CHANNELS else None,
        updated_by=row.updated_by, updated_at=as_utc(row.updated_at))


def _secrets(platform: Platform, row: ReachChannel) -> dict[str, str]:
    if not row.secrets_enc:
        return {}
    return json.loads(platform.cipher.decrypt_or_none(row.secrets_enc) or "{}")


def _spec(provider: str, channel: str) -> ProviderSpec:
    spec = specs().get(provider)
    if spec is None:
        raise Invalid(f"unknown provider kind '{provider[:32]}'", field="provider", code="reach_provider_unknown")
    if channel not in spec.channels:
        raise Invalid(f"provider '{provider}' does not serve channel '{channel}'", field="provider",
                      code="reach_provider_channel", params={"provider": provider, "channel": channel})
    return spec


def _check(session: Session, platform: Platform, spec: ProviderSpec, config: dict[str, Any],
           given: dict[str, str]) -> None:
    """Config problems → 422 naming the field; a URL to an internal address is refused unless allow-listed."""
    problems = spec.validate(config)
    if problems:
        field, code = problems[0]
        raise Invalid(f"{field} is not valid ({code})", field=field, code=code)
    unknown = set(given) - set(spec.secret_fields)
    if unknown:
        raise Invalid("unknown secret field", field="secrets", code="reach_secret_unknown",
                      params={"fields": ", ".join(sorted(unknown))[:100]})
    for key in ("url", "endpoint", "base_url"):  # every vendor address a provider calls
        url = config.get(key)
        if not isinstance(url, str) or spec.sandbox:
            continue
        problem = outbound.check_url(url, allow_hosts=outbound_allow_hosts(session=session, settings=platform.settings))
        if problem:
            raise Invalid(f"the URL may not be called: {problem}", field=f"config.{key}", code="reach_url_refused",
                          params={"reason": problem})
    host = config.get("smtp_host")
    if isinstance(host, str) and host:
        port = config.get("smtp_port", 587)
        allow = outbound_allow_hosts(session=session, settings=platform.settings)
        _ip, problem = outbound.check_host(host, port if isinstance(port, int) else 0, allow_hosts=allow)
        if problem and problem != "the host name does not resolve":  # a name is checked again at each send
            raise Invalid(f"the SMTP host may not be called: {problem}", field="config.smtp_host",
                          code="reach_url_refused", params={"reason": problem})
    try:
        json.dumps(config)
    except (TypeError, ValueError) as exc:
        raise Invalid("config must be JSON", field="config", code="reach_config_invalid") from exc


def create(*, platform: Platform, session: Session, data: ChannelCreate, who: Principal) -> ChannelRead:
    """Configure a channel (the new one sends on its channel kind when active)."""
    spec = _spec(data.provider, data.channel)
    _check(session, platform, spec, data.config, data.secrets)
    stored = dict(data.secrets)
    if spec.sandbox:  # a sandbox's vendor credentials are made here: the sandbox checks them like the vendor
        for name in spec.secret_fields:
            stored.setdefault(name, pysecrets.token_urlsafe(24))
    now = utcnow()
    row = ReachChannel(channel=data.channel, name=data.name, provider=data.provider, config=data.config,
                       secrets_enc=platform.cipher.encrypt(json.dumps(stored)) if stored else None,
                       unit_cost_fen=data.unit_cost_fen, rate_per_second=data.rate_per_second, burst=data.burst,
                       max_attempts=data.max_attempts, active=data.active, created_by=who.username, created_at=now,
                       updated_by=who.username, updated_at=now)
    session.add(row)
    session.flush()
    if row.active:
        repo.deactivate_others(session, row.channel, row.id)
    invalidate_placements(platform=platform)  # the decision API reloads its placements
    record(session=session, username=who.username, action="reach.channel.create", target_type="reach_channel",
           target_id=str(row.id), detail={"channel": row.channel, "provider": row.provider, "name": row.name,
                                          "secrets": sorted(stored)}, ip=who.ip, user_agent=who.user_agent)
    return _read(platform, row)


def update(*, platform: Platform, session: Session, channel_id: int, data: ChannelUpdate,
           who: Principal) -> ChannelRead:
    """Change a channel; secrets given are merged (an empty value removes one), the rest are kept."""
    row = repo.channel(session, channel_id)
    if row is None:
        raise NotFound("no such channel", field="channel_id")
    spec = _spec(row.provider, row.channel)
    config = data.config if data.config is not None else (row.config or {})
    stored = _secrets(platform, row)
    for k, v in (data.secrets or {}).items():
        if v == "***":
            continue  # the console echoing the mask back changes nothing
        if v:
            stored[k] = v
        else:
            stored.pop(k, None)
    _check(session, platform, spec, config, {k: v for k, v in (data.secrets or {}).items()})
    changed = sorted(k for k, v in data.model_dump(exclude_unset=True).items() if v is not None and k != "secrets")
    for name in ("name", "unit_cost_fen", "rate_per_second", "burst", "max_attempts", "active"):
        value = getattr(data, name)
        if value is not None:
            setattr(row, name, value)
    row.config = config
    row.secrets_enc = platform.cipher.encrypt(json.dumps(stored)) if stored else None
    row.updated_by, row.updated_at = who.username, utcnow()
    if row.active:
        repo.deactivate_others(session, row.channel, row.id)
    invalidate_placements(platform=platform)  # the decision API reloads its placements
    record(session=session, username=who.username, action="reach.channel.update", target_type="reach_channel",
           target_id=str(row.id), detail={"fields": changed, "secrets": sorted((data.secrets or {}).keys())},
           ip=who.ip, user_agent=who.user_agent)
    return _read(platform, row)


def delete(*, platform: Platform, session: Session, channel_id: int, who: Principal) -> None:
    """Remove a channel configuration (its deliveries stay in the log)."""
    row = repo.channel(session, channel_id)
    if row is None:
        raise NotFound("no such channel", field="channel_id")
    session.delete(row)
    invalidate_placements(platform=platform)  # the decision API reloads its placements
    record(session=session, username=who.username, action="reach.channel.delete", target_type="reach_channel",
           target_id=str(channel_id), detail={"channel": row.channel, "name": row.name}, ip=who.ip,
           user_agent=who.user_agent)


def list_channels(*, platform: Platform, session: Session) -> list[ChannelRead]:
    """Every configured channel, secrets masked."""
    return [_read(platform, r) for r in repo.channels(session)]


def test_send(*, platform: Platform, session: Session, channel_id: int, data: TestSend,
              who: Principal) -> TestSendResult:
    """Send a test message to an address the caller gives (their own); audited with the address masked."""
    row = repo.channel(session, channel_id)
    if row is None:
        raise NotFound("no such channel", field="channel_id")
    spec = _spec(row.provider, row.channel)
    if spec.builtin:
        raise Invalid("built-in channels deliver to customers only", field="channel_id", code="reach_test_builtin")
    provider = build_provider(platform, row, outbound_allow_hosts(session=session, settings=platform.settings))
    if provider is None:
        raise Invalid("the channel's provider is not available", field="provider", code="reach_provider_unknown")
    answer = provider.send(RenderedMessage(channel=row.channel, body=data.content, title=data.title),  # type: ignore[arg-type]
                           address=data.address, idempotency_key=f"test-{uuid.uuid4().hex}")
    record(session=session, username=who.username, action="reach.channel.test", target_type="reach_channel",
           target_id=str(channel_id), detail={"address": mask_address(row.channel, data.address),
                                              "accepted": answer.accepted, "reason": answer.reason},
           ip=who.ip, user_agent=who.user_agent)
    return TestSendResult(accepted=answer.accepted, reason=answer.reason, vendor_id=answer.vendor_id)
