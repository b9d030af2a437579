"""Which provider a channel sends through now, and the collaborators of delivery (policy, addresses, renderer)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.reach.channels import ProviderContext, builtin_for, specs
from mofang.reach.contracts import ChannelProvider
from mofang.reach.delivery import repository as repo
from mofang.reach.delivery.ports import (
    AddressBook,
    ContactPolicy,
    DefaultAddressBook,
    DefaultPolicy,
    DefaultRenderer,
    Renderer,
)
from mofang.reach.delivery.ratelimit import Limiter, LocalLimiter, RedisLimiter
from mofang.reach.models import ReachChannel

_UNLIMITED = (1e9, 10**9)  # built-in stores are not rate limited


@dataclass
class Deps:
    """The collaborators of delivery (tests swap in fakes; `providers` overrides configured ones per channel)."""

    policy: ContactPolicy = field(default_factory=DefaultPolicy)
    addresses: AddressBook = field(default_factory=DefaultAddressBook)
    renderer: Renderer = field(default_factory=DefaultRenderer)
    limiter: Limiter = field(default_factory=LocalLimiter)
    providers: dict[str, ChannelProvider] = field(default_factory=dict)
    rand: Any = random.random


def deps_of(platform: Platform) -> Deps:
    """The platform's delivery collaborators (a Redis limiter when `redis_url` is set)."""
    deps = platform.extras.get("reach_deps")
    if deps is None:
        url = platform.settings.redis_url
        deps = platform.extras.setdefault("reach_deps", Deps(limiter=RedisLimiter(url) if url else LocalLimiter()))
    return deps


@dataclass(frozen=True)
class Route:
    """How a channel kind sends now: its configured row (if any) and the provider built from it."""

    provider: ChannelProvider
    channel_id: int | None
    cost_fen: int
    rate: float
    burst: int
    max_attempts: int


def provider_context(platform: Platform, channel_id: int | None, allow_hosts: frozenset[str]) -> ProviderContext:
    """What providers of this platform may use."""
    s = platform.settings
    return ProviderContext(channel_id=channel_id, allow_hosts=allow_hosts, timeout=s.outbound_timeout_seconds,
                           metadata=platform.metadata, cipher=platform.cipher, public_url=s.public_url())


def build_provider(platform: Platform, row: ReachChannel, allow_hosts: frozenset[str]) -> ChannelProvider | None:
    """The provider of a configured channel, its secrets decrypted into it (None for an unknown kind)."""
    spec = specs().get(row.provider)
    if spec is None:
        return None
    secrets = json.loads(platform.cipher.decrypt_or_none(row.secrets_enc) or "{}") if row.secrets_enc else {}
    return spec.build(row.channel, row.config or {}, secrets, provider_context(platform, row.id, allow_hosts))  # type: ignore[arg-type]


def route_of(platform: Platform, session: Session, channel: str) -> Route | None:
    """The provider a channel sends through now, or None when it has none (not configured)."""
    deps = deps_of(platform)
    row = repo.active_channel(session, channel)
    fake = deps.providers.get(channel)
    if row is None:
        if fake is not None:
            return Route(fake, None, 0, *_UNLIMITED, 3)
        spec = builtin_for(channel)
        if spec is None:
            return None
        return Route(spec.build(channel, {}, {}, provider_context(platform, None, frozenset())),  # type: ignore[arg-type]
                     None, 0, *_UNLIMITED, 3)
    # Built once per version of the row: secrets are decrypted when a channel changes, not per message.
    cache: dict[tuple[int, datetime], ChannelProvider] = platform.extras.setdefault("reach_providers", {})
    key = (row.id, row.updated_at)
    provider = fake or cache.get(key)
    if provider is None:
        from mofang.platform.governance.allow_list import outbound_allow_hosts

        provider = build_provider(platform, row, outbound_allow_hosts(session=session, settings=platform.settings))
        if provider is None:
            return None
        cache[key] = provider
    return Route(provider, row.id, row.unit_cost_fen, row.rate_per_second, row.burst, row.max_attempts)
